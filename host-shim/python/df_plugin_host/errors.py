"""Exceptions raised by :mod:`df_plugin_host`.

Every refusal of the load gate is a :class:`PluginLoadError`; the subclass
(and the ``kind`` attribute) names the Rust ``df_plugin_host::LoadError``
variant, and the message is the Rust error's own text. For
``kind == "incompatible"`` the ``mismatch`` attribute names the rule that
failed (``abi_major``, ``abi_minor``, ``datafusion_ffi_major``,
``datafusion_major``, ``arrow_major``, ``plugin_version``,
``missing_capability``, ``capability_version``, or
``datafusion_python_major`` for the Python-only check).
"""

from __future__ import annotations

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
    "PluginLoadError",
    "PluginSqlError",
    "RootModuleInitError",
    "Sha256MismatchError",
    "SnapshotError",
    "UnreadableError",
]


class PluginLoadError(Exception):
    """A plugin could not be loaded or installed.

    Attributes:
        kind: The ``LoadError`` variant, in snake case (``not_found``,
            ``sha256_mismatch``, ``incompatible``, ...).
        mismatch: For ``kind == "incompatible"``, which compatibility rule
            failed; otherwise ``None``.
    """

    kind: str = "load"
    mismatch: str | None = None


class NotFoundError(PluginLoadError):
    """Nothing exists at the plugin path."""


class NotAFileError(PluginLoadError):
    """The plugin path is a directory or another non-file."""


class UnreadableError(PluginLoadError):
    """The plugin file could not be read."""


class Sha256MismatchError(PluginLoadError):
    """The file's SHA-256 differs from the ``sha256=`` pin."""


class NotALibraryError(PluginLoadError):
    """The dynamic loader refused the file (or its image is truncated)."""


class NoRootModuleError(PluginLoadError):
    """A shared library, but it exports no plugin root module."""


class LayoutError(PluginLoadError):
    """abi_stable's layout check of the root module failed."""


class RootModuleInitError(PluginLoadError):
    """The plugin's root module failed to initialise."""


class IncompatibleError(PluginLoadError):
    """The plugin's manifest does not meet the host's requirements.

    ``mismatch`` names the rule (see the module docs).
    """


class DataFusionPythonVersionError(IncompatibleError):
    """The installed ``datafusion`` package cannot take the plugin's objects.

    datafusion-ffi structs are only stable within one major, so the
    ``datafusion`` Python package's major must equal the plugin's
    ``datafusion_ffi_major``. Checked before any capsule is handed over.
    """


class InvalidRequirementError(PluginLoadError):
    """A ``require_version`` / ``require`` / ``sha256`` argument is malformed."""


class ExportError(PluginLoadError):
    """The plugin failed to build one of its exports (e.g. bad ``options``)."""


class SnapshotError(PluginLoadError):
    """The plugin's registry or capabilities snapshot was unusable."""


class InstallError(PluginLoadError):
    """Registering an export in the session failed."""


class PluginSqlError(ValueError):
    """``Plugin.sql`` refused a statement (the plugin's planner or function
    factory said no, or named arguments did not resolve).

    The message is DataFusion's error text, as a Rust host reports it.
    Errors of the Python context itself are raised by datafusion-python as
    usual.
    """

    kind: str = "sql"
    mismatch: str | None = None
