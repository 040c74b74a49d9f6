"""Load DataFusion plugins into datafusion-python.

>>> from datafusion import SessionContext
>>> from df_plugin_host import load_plugin
>>> ctx = SessionContext()
>>> plugin = load_plugin(ctx)              # the CodeAnatomy plugin bundled in this wheel
>>> ctx.sql("SELECT stable_hash64('alpha') AS h").to_pylist()
[{'h': 5982700193828047002}]

A plugin file is checked by the same Rust gate a Rust host uses
(``df_plugin_host::Plugin::load``: file, SHA-256 pin, library image, root
module, ABI / datafusion-ffi / DataFusion / Arrow majors, plugin version,
capabilities) before any DataFusion object is taken from it, and then the
installed ``datafusion`` package's major is checked against the plugin's
datafusion-ffi major. Refusals are :class:`~df_plugin_host.errors.PluginLoadError`
subclasses whose message is the Rust error text.

Every export is registered through datafusion-python's PyCapsule protocol:
scalar, aggregate and window functions, table functions (bound to the
context they are registered in) and table provider factories
(``CREATE EXTERNAL TABLE ... STORED AS DELTATABLE``).

datafusion-python has no hook for expression planners, relation planners or
function factories, so the plugin's operators (``->``, ``->>``, ``#>``,
``#>>``, ``@>``, ``<@``, ``&&``), named arguments of plugin functions and
``CREATE FUNCTION`` go through :meth:`Plugin.sql`, which rewrites them into
plain SQL (planned once in a Rust mirror session) before calling
``ctx.sql``. See the package README for exactly what differs from a Rust host.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from . import _native
from .errors import (
    DataFusionPythonVersionError,
    ExportError,
    IncompatibleError,
    InstallError,
    InvalidRequirementError,
    LayoutError,
    NoRootModuleError,
    NotAFileError,
    NotALibraryError,
    NotFoundError,
    PluginLoadError,
    PluginSqlError,
    RootModuleInitError,
    Sha256MismatchError,
    SnapshotError,
    UnreadableError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from datafusion import DataFrame, SessionContext

__all__ = [
    "DataFusionPythonVersionError",
    "ExportError",
    "IncompatibleError",
    "InstallError",
    "InvalidRequirementError",
    "LayoutError",
    "NoRootModuleError",
    "NotAFileError",
    "NotALibraryError",
    "NotFoundError",
    "Plugin",
    "PluginLoadError",
    "PluginSqlError",
    "RootModuleInitError",
    "Sha256MismatchError",
    "SnapshotError",
    "UnreadableError",
    "bundled_plugin_path",
    "config_extension",
    "load_plugin",
]

__version__ = "0.1.0"


def bundled_plugin_path() -> str:
    """The plugin file shipped in this wheel: the extension module itself.

    The extension module links the CodeAnatomy plugin and exports its root
    module, so loading it goes through the gate like any other plugin file.
    """
    return os.fspath(_native.__file__)


def _installed_datafusion_version() -> str:
    import datafusion  # noqa: PLC0415

    return str(datafusion.__version__)


def _options_text(options: Mapping[str, Any] | None) -> str:
    if options is None:
        return "{}"
    if not hasattr(options, "items"):
        msg = f"options must be a mapping, got {type(options).__name__}"
        raise TypeError(msg)
    return json.dumps(dict(options))


def _open(
    path: str | os.PathLike[str] | None,
    require_version: str | None,
    require: Iterable[str] | str,
    sha256: str | None,
    datafusion_version: str | None,
    require_abi_minor: int = 0,
) -> _native.NativePlugin:
    """The gate, then the datafusion-python major check."""
    if isinstance(require, str):
        require = (require,)
    file = bundled_plugin_path() if path is None else os.fspath(path)
    native = _native.NativePlugin.load(
        file, require_version, list(require), sha256, require_abi_minor
    )
    # Before any capsule exists: the installed datafusion package must take
    # datafusion-ffi objects of the plugin's major. `datafusion_version`
    # fakes the installed version for tests (internal; see the README).
    native.check_datafusion_python(
        _installed_datafusion_version() if datafusion_version is None else datafusion_version
    )
    return native


def load_plugin(
    ctx: SessionContext,
    path: str | os.PathLike[str] | None = None,
    *,
    require_version: str | None = None,
    require: Iterable[str] | str = (),
    sha256: str | None = None,
    options: Mapping[str, Any] | None = None,
    require_abi_minor: int = 0,
    _datafusion_version: str | None = None,
) -> Plugin:
    """Validates a plugin and registers everything it exports in ``ctx``.

    Args:
        ctx: The datafusion-python ``SessionContext`` to install into.
        path: The plugin file; ``None`` loads the plugin bundled in this wheel.
        require_version: A semver requirement on the plugin's version
            (``">=0.1, <1"``).
        require: Capabilities the plugin must have, ``name`` or
            ``name@version`` (``"scalar_udf@1"``).
        sha256: Pin of the file's SHA-256 (64 hex digits).
        options: Install options (for CodeAnatomy: defaults of configurable
            function arguments such as ``{"span_line_base": 1}``, and the
            ``function_factory`` policy); the plugin refuses unknown keys.
        require_abi_minor: The lowest plugin ABI minor this program needs
            (``0``: any minor of the host's ABI major).
        _datafusion_version: Internal, for tests only: the datafusion-python
            version to check instead of the installed one.

    Returns:
        The loaded :class:`Plugin`, bound to ``ctx``.

    Raises:
        PluginLoadError: A subclass naming the refusal (nothing was
            registered).
    """
    native = _open(path, require_version, require, sha256, _datafusion_version, require_abi_minor)
    plugin = Plugin(native, ctx, _options_text(options))
    plugin._install()
    return plugin


def config_extension(
    path: str | os.PathLike[str] | None = None,
    *,
    require_version: str | None = None,
    require: Iterable[str] | str = (),
    sha256: str | None = None,
    options: Mapping[str, Any] | None = None,
    require_abi_minor: int = 0,
    _datafusion_version: str | None = None,
) -> Any:
    """The plugin's configuration namespace for ``SessionConfig.with_extension``.

    datafusion-python accepts a configuration extension only when a session
    config is built, not on a live context, so ``SET codeanatomy_udf.<key>``
    works in contexts created as::

        config = SessionConfig().with_extension(config_extension())
        ctx = SessionContext(config)
        plugin = load_plugin(ctx)

    The extension is pre-filled with the plugin's defaults and ``options``.
    The plugin goes through the same gate as in :func:`load_plugin`. Returns
    ``None`` for a plugin without configuration.
    """
    native = _open(path, require_version, require, sha256, _datafusion_version, require_abi_minor)
    return native.config_extension(_options_text(options))


class Plugin:
    """A loaded plugin, installed into one datafusion-python context.

    Attributes:
        install_report: What was registered: ``scalar_udfs``,
            ``aggregate_udfs``, ``window_udfs``, ``table_functions``,
            ``table_factories`` (names), ``expr_planner`` and
            ``function_factory`` (always ``False``: they are reached through
            :meth:`sql`), and ``config_namespace`` (the namespace ``SET``
            uses in a context built with :func:`config_extension`).
    """

    def __init__(self, native: _native.NativePlugin, ctx: SessionContext, options: str) -> None:
        self._native = native
        self._ctx = ctx
        self._options = options
        self._frontend: _native.NativeFrontend | None = None
        self.install_report: dict[str, Any] = {}

    def __repr__(self) -> str:
        m = self.manifest
        return f"Plugin({m['plugin_name']} {m['plugin_version']}, {self.path})"

    @property
    def path(self) -> str:
        """The file the plugin was loaded from."""
        return self._native.path

    @property
    def ctx(self) -> SessionContext:
        """The context the plugin was installed into."""
        return self._ctx

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest: name, version, ABI, datafusion-ffi / DataFusion /
        Arrow versions, build info and capabilities."""
        return json.loads(self._native.manifest_json())

    def registry_snapshot(self) -> list[dict[str, Any]]:
        """Every exported function: kind, name, aliases, parameter names,
        signatures, volatility and documentation."""
        return json.loads(self._native.registry_snapshot())

    def capabilities(self) -> dict[str, Any]:
        """Capabilities with versions, the configuration namespace with its
        defaults, and what each capability covers."""
        return json.loads(self._native.capabilities_snapshot())

    def config_extension(self) -> Any:
        """The configuration extension for a new context's
        ``SessionConfig.with_extension`` (see :func:`config_extension`)."""
        return self._native.config_extension(self._options)

    def _install(self) -> None:
        from datafusion import (  # noqa: PLC0415
            AggregateUDF,
            ScalarUDF,
            TableFunction,
            WindowUDF,
        )

        ctx = self._ctx
        # Everything is built first: a plugin that fails half way leaves
        # nothing registered.
        scalars, aggregates, windows = self._native.function_exports(self._options)
        tables, factories = self._native.table_exports(self._options)
        udfs = [ScalarUDF(e.name, e) for e in scalars]
        udafs = [AggregateUDF(e.name, e) for e in aggregates]
        udwfs = [WindowUDF(e.name, e) for e in windows]
        udtfs = [TableFunction(e.name, e, ctx) for e in tables]
        for udf in udfs:
            ctx.register_udf(udf)
        for udaf in udafs:
            ctx.register_udaf(udaf)
        for udwf in udwfs:
            ctx.register_udwf(udwf)
        for udtf in udtfs:
            ctx.register_udtf(udtf)
        for factory in factories:
            ctx.register_table_factory(factory.name, factory)
        extension = self._native.config_extension(self._options)
        self.install_report = {
            "scalar_udfs": [e.name for e in scalars],
            "aggregate_udfs": [e.name for e in aggregates],
            "window_udfs": [e.name for e in windows],
            "table_functions": [e.name for e in tables],
            "table_factories": [e.name for e in factories],
            # Reached through Plugin.sql, not registered in the context.
            "expr_planner": False,
            "function_factory": False,
            "config_namespace": None if extension is None else extension.namespace,
        }

    # -- tables -----------------------------------------------------------

    def table(self, name: str, *args: Any, **options: Any) -> Any:
        """The table provider one of the plugin's table functions returns,
        for ``ctx.register_table``.

        ``plugin.table("read_delta", "/data/t", version=3)`` is the table
        ``FROM read_delta('/data/t', version => 3)`` reads; arguments are
        str, int, float, bool or None, named ones by parameter name.
        """
        return self._front().table(name, list(args), options)

    # -- SQL with the plugin's planners and function factory -------------

    def _front(self) -> _native.NativeFrontend:
        if self._frontend is None:
            self._frontend = self._native.frontend(self._options)
        return self._frontend

    def _table_schema(self, name: str) -> Any:
        try:
            return self._ctx.table(name).schema()
        except Exception:  # noqa: BLE001 - not a table of the Python context (a CTE, ...)
            return None

    def _python_has_function(self, name: str) -> bool:
        ctx = self._ctx
        return any(name in names() for names in (ctx.udfs, ctx.udafs, ctx.udwfs))

    def _register(self, kind: str, name: str, export: Any) -> None:
        from datafusion import (  # noqa: PLC0415
            AggregateUDF,
            ScalarUDF,
            TableFunction,
            WindowUDF,
        )

        ctx = self._ctx
        if kind == "scalar":
            ctx.register_udf(ScalarUDF(name, export))
        elif kind == "aggregate":
            ctx.register_udaf(AggregateUDF(name, export))
        elif kind == "window":
            ctx.register_udwf(WindowUDF(name, export))
        else:
            ctx.register_udtf(TableFunction(name, export, ctx))

    def rewrite_sql(self, query: str) -> str | None:
        """The SQL :meth:`sql` hands to ``ctx.sql`` for ``query`` (the query
        itself when nothing needs rewriting), or ``None`` for ``CREATE
        FUNCTION`` and ``DROP FUNCTION``, which :meth:`sql` handles itself.

        Raises :class:`PluginSqlError` where :meth:`sql` would.
        """
        prepared = self._front().prepare(query)
        if prepared.kind in ("create_function", "drop_function"):
            return None
        if prepared.kind == "rewrite":
            return self._rewrite(prepared)
        return prepared.sql

    def _rewrite(self, prepared: Any) -> str:
        schemas = [(name, self._table_schema(name)) for name in prepared.tables]
        functions = []
        if prepared.functions:
            ctx = self._ctx
            kinds = (("scalar", ctx.udfs()), ("aggregate", ctx.udafs()), ("window", ctx.udwfs()))
            for name in prepared.functions:
                functions.extend((name, kind) for kind, names in kinds if name in names)
        return self._front().rewrite(prepared, schemas, functions)

    def sql(self, query: str, *args: Any, **kwargs: Any) -> DataFrame:
        """Runs ``query`` in the plugin's context with the plugin's planners
        and function factory, as a Rust host with the plugin installed would.

        * ``CREATE FUNCTION`` is judged by the plugin's policy and built by
          the host shim (SQL macros, aliases of aggregate / window / table /
          scalar functions); the function is registered in the context.
        * ``DROP FUNCTION`` runs in the context.
        * Anything else: named arguments of plugin functions and the
          plugin's operators are rewritten into plain calls, then the
          statement goes to ``ctx.sql(query, *args, **kwargs)``.

        Returns the ``DataFrame`` (an empty one for ``CREATE FUNCTION``).

        Raises:
            PluginSqlError: The plugin refused the statement (its planner,
                its function policy, or named arguments).
        """
        front = self._front()
        prepared = front.prepare(query)
        kind = prepared.kind
        if kind == "create_function":
            has = self._python_has_function(prepared.function_name)
            created = front.create_function(prepared, has, self._native, self._options)
            self._register(*created)
            return self._ctx.empty_table()
        if kind == "drop_function":
            result = self._ctx.sql(query, *args, **kwargs)
            front.forget_function(prepared.function_name)
            return result
        text = self._rewrite(prepared) if kind == "rewrite" else prepared.sql
        return self._ctx.sql(text, *args, **kwargs)
