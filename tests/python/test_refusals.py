"""Refusals from Python: each a specific exception with the Rust gate's
message, nothing registered, the interpreter alive afterwards."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from datafusion import SessionContext

from df_plugin_host import (
    DataFusionPythonVersionError,
    ExportError,
    IncompatibleError,
    InvalidRequirementError,
    NoRootModuleError,
    NotAFileError,
    NotALibraryError,
    NotFoundError,
    PluginLoadError,
    Sha256MismatchError,
    bundled_plugin_path,
    config_extension,
    load_plugin,
)


def still_alive() -> None:
    """The interpreter (and a fresh plugin session) still work."""
    ctx = SessionContext()
    load_plugin(ctx)
    assert ctx.sql("SELECT stable_hash64('alpha') AS h").to_pylist() == [
        {"h": 5982700193828047002}
    ]


def refuse(ctx: SessionContext, error: type[PluginLoadError], match: str, **kwargs) -> PluginLoadError:
    before = set(ctx.udfs())
    with pytest.raises(error, match=match) as info:
        load_plugin(ctx, **kwargs)
    assert set(ctx.udfs()) == before, "a refused plugin registered functions"
    still_alive()
    return info.value


def test_wrong_abi_major(abi_major_plugin: Path) -> None:
    e = refuse(
        SessionContext(),
        IncompatibleError,
        "plugin ABI major mismatch: host expects ABI major 1, plugin was built for ABI major 2",
        path=abi_major_plugin,
    )
    assert (e.kind, e.mismatch) == ("incompatible", "abi_major")


def test_missing_capability() -> None:
    e = refuse(
        SessionContext(),
        IncompatibleError,
        r"plugin lacks required capability teleport \(required version >= 1, found none\)",
        require=["scalar_udf", "teleport@1"],
    )
    assert e.mismatch == "missing_capability"


def test_capability_too_old() -> None:
    e = refuse(
        SessionContext(),
        IncompatibleError,
        "plugin capability scalar_udf is too old: required version >= 9, found version 1",
        require="scalar_udf@9",
    )
    assert e.mismatch == "capability_version"


def test_semver_miss() -> None:
    e = refuse(
        SessionContext(),
        IncompatibleError,
        r"plugin version 0\.1\.0 does not satisfy the required version >=2",
        require_version=">=2",
    )
    assert e.mismatch == "plugin_version"


def test_sha256_miss(abi_major_plugin: Path) -> None:
    # The pin is checked before the file is opened as a library, so a small
    # file shows it as well as the (large) bundled plugin.
    wrong = "0" * 64
    found = hashlib.sha256(abi_major_plugin.read_bytes()).hexdigest()
    e = refuse(
        SessionContext(),
        Sha256MismatchError,
        f"plugin file {abi_major_plugin} does not match its SHA-256 pin: "
        f"expected {wrong}, found {found}",
        path=abi_major_plugin,
        sha256=wrong,
    )
    assert e.kind == "sha256_mismatch"


def test_sha256_hit_loads() -> None:
    digest = hashlib.sha256(Path(bundled_plugin_path()).read_bytes()).hexdigest()
    ctx = SessionContext()
    load_plugin(ctx, sha256=digest.upper())
    assert "stable_hash64" in ctx.udfs()


def test_faked_datafusion_python_major() -> None:
    e = refuse(
        SessionContext(),
        DataFusionPythonVersionError,
        r"datafusion-python major mismatch: plugin codeanatomy 0\.1\.0 was built with "
        r"datafusion-ffi 55, .* found datafusion 54\.1\.0 \(install datafusion==55\.\*\)",
        _datafusion_version="54.1.0",
    )
    assert (e.kind, e.mismatch) == ("incompatible", "datafusion_python_major")
    with pytest.raises(DataFusionPythonVersionError, match="found datafusion 56.0.0"):
        config_extension(_datafusion_version="56.0.0")


def test_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.so"
    e = refuse(SessionContext(), NotFoundError, f"plugin file not found: {missing}", path=missing)
    assert e.kind == "not_found"


def test_not_a_file(tmp_path: Path) -> None:
    refuse(SessionContext(), NotAFileError, "found a directory", path=tmp_path)


def test_not_a_library(tmp_path: Path) -> None:
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"this is not an ELF file at all" * 10)
    refuse(SessionContext(), NotALibraryError, "is not a loadable shared library", path=junk)


def test_library_without_root_module(not_a_plugin: Path) -> None:
    refuse(SessionContext(), NoRootModuleError, "is a shared library but not a df-plugin",
           path=not_a_plugin)


def test_invalid_requirements() -> None:
    refuse(SessionContext(), InvalidRequirementError, "invalid requirement", require_version="not semver")
    refuse(SessionContext(), InvalidRequirementError, "64 hexadecimal digits", sha256="abc")


def test_bad_install_options_register_nothing() -> None:
    e = refuse(SessionContext(), ExportError, "plugin codeanatomy failed to export",
               options={"no_such_option": 1})
    assert e.kind == "export"
