"""Type stubs for the extension module ``df_plugin_host._native``.

Internal: use :mod:`df_plugin_host` (``load_plugin``, ``Plugin``).
"""

from typing import Any, final

DATAFUSION_VERSION: str
"""The DataFusion version the module (and the bundled plugin) was built with."""
DATAFUSION_FFI_MAJOR: int
"""The datafusion-ffi major of the module."""

__file__: str

@final
class NativePlugin:
    """A plugin that passed the Rust gate (``df_plugin_host::Plugin::load``)."""

    @staticmethod
    def load(
        path: str,
        require_version: str | None = None,
        require: list[str] = ...,
        sha256: str | None = None,
        require_abi_minor: int = 0,
    ) -> NativePlugin: ...
    @property
    def path(self) -> str: ...
    def manifest_json(self) -> str: ...
    def registry_snapshot(self) -> str: ...
    def capabilities_snapshot(self) -> str: ...
    def check_datafusion_python(self, version: str) -> None: ...
    def function_exports(
        self, options: str
    ) -> tuple[list[ScalarUdfExport], list[AggregateUdfExport], list[WindowUdfExport]]: ...
    def table_exports(
        self, options: str
    ) -> tuple[list[TableFunctionExport], list[TableFactoryExport]]: ...
    def config_extension(self, options: str) -> ConfigExtension | None: ...
    def frontend(self, options: str) -> NativeFrontend: ...

@final
class PreparedStatement:
    """A statement parsed by :class:`NativeFrontend`."""

    @property
    def kind(self) -> str:
        """``sql``, ``rewrite``, ``create_function`` or ``drop_function``."""
    @property
    def sql(self) -> str | None: ...
    @property
    def tables(self) -> list[str]:
        """Tables whose schemas a ``rewrite`` needs."""
    @property
    def functions(self) -> list[str]:
        """Functions the statement calls that the mirror does not know."""
    @property
    def function_name(self) -> str | None: ...

@final
class NativeFrontend:
    """The SQL front end of ``Plugin.sql`` (mirror session, rewrites)."""

    def prepare(self, sql: str) -> PreparedStatement: ...
    def rewrite(
        self,
        prepared: PreparedStatement,
        schemas: list[tuple[str, Any | None]],
        functions: list[tuple[str, str]] = ...,
    ) -> str: ...
    def create_function(
        self,
        prepared: PreparedStatement,
        python_has: bool,
        plugin: NativePlugin,
        options: str,
    ) -> tuple[str, str, Any]: ...
    def forget_function(self, name: str) -> None: ...
    def table(
        self, name: str, args: list[Any], kwargs: dict[str, Any] | None = None
    ) -> TableProviderExport: ...

@final
class ScalarUdfExport:
    @property
    def name(self) -> str: ...
    def __datafusion_scalar_udf__(self) -> object: ...

@final
class AggregateUdfExport:
    @property
    def name(self) -> str: ...
    def __datafusion_aggregate_udf__(self) -> object: ...

@final
class WindowUdfExport:
    @property
    def name(self) -> str: ...
    def __datafusion_window_udf__(self) -> object: ...

@final
class TableFunctionExport:
    @property
    def name(self) -> str: ...
    def __datafusion_table_function__(self, session: Any) -> object: ...

@final
class TableFactoryExport:
    @property
    def name(self) -> str: ...
    def __datafusion_table_provider_factory__(self, codec: Any) -> object: ...

@final
class TableProviderExport:
    def __datafusion_table_provider__(self, session: Any) -> object: ...
    def __arrow_c_schema__(self) -> object: ...

@final
class ConfigExtension:
    @property
    def namespace(self) -> str: ...
    def entries(self) -> list[tuple[str, str]]: ...
    def __datafusion_extension_options__(self) -> object: ...

def _display_rows(result: Any) -> tuple[str, list[list[str]]] | None:
    """Internal (conformance tests): runs ``result`` (``__arrow_c_stream__``)
    and prints it as the Rust sqllogictest runner does."""

def _unvalidated_scalar_exports(path: str) -> list[ScalarUdfExport]:
    """Internal (ABI matrix): scalar exports taken with no check at all."""
