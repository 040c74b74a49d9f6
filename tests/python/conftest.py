"""Fixtures for the df_plugin_host tests (run by scripts/test after
``pip install ./host-shim``)."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from datafusion import SessionConfig, SessionContext

from df_plugin_host import Plugin, config_extension, load_plugin

REPO = Path(__file__).resolve().parents[2]

# Filled by test_slt.py, printed at the end of the session.
SLT_ROUTES: Counter[str] = Counter()


def target_dir() -> Path:
    """Cargo's target directory (CARGO_TARGET_DIR or the workspace's)."""
    env = os.environ.get("CARGO_TARGET_DIR")
    if env:
        return Path(env)
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Path(json.loads(out)["target_directory"])


def built_library(package: str, lib_name: str) -> Path:
    """The cdylib ``lib<lib_name>.so`` of workspace package ``package``,
    built (dev profile) if no build of it exists yet; the newest copy wins."""

    def candidates() -> list[Path]:
        debug = target_dir() / "debug"
        files = [debug / f"lib{lib_name}.so", debug / "deps" / f"lib{lib_name}.so"]
        return [f for f in files if f.is_file()]

    if not candidates():
        subprocess.run(["cargo", "build", "-p", package], cwd=REPO, check=True)
    found = candidates()
    if not found:
        msg = f"cargo built {package} but lib{lib_name}.so is not in {target_dir()}"
        raise FileNotFoundError(msg)
    return max(found, key=lambda p: p.stat().st_mtime)


@pytest.fixture(scope="session")
def abi_major_plugin() -> Path:
    """tests/fixtures/abi-major-plugin: a manifest declaring the next ABI major."""
    return built_library("abi-major-plugin", "abi_major_plugin")


@pytest.fixture(scope="session")
def not_a_plugin() -> Path:
    """tests/fixtures/not-a-plugin: a cdylib without a root module."""
    return built_library("not-a-plugin", "not_a_plugin")


@pytest.fixture(scope="session")
def separate_plugin() -> Path:
    """The CodeAnatomy plugin built on its own (libdf_plugin_codeanatomy.so),
    as a user would load any plugin file with ``path=``."""
    return built_library("df-plugin-codeanatomy", "df_plugin_codeanatomy")


def new_session(path: str | os.PathLike[str] | None = None) -> tuple[SessionContext, Plugin]:
    """A context configured with the plugin's namespace (so ``SET
    codeanatomy_udf.*`` works) and the plugin installed, as the Rust suites'
    ``session_with_plugin``."""
    ctx = SessionContext(SessionConfig().with_extension(config_extension(path)))
    return ctx, load_plugin(ctx, path)


@pytest.fixture
def session() -> tuple[SessionContext, Plugin]:
    return new_session()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SLT_ROUTES:
        parts = ", ".join(f"{n} {route}" for route, n in sorted(SLT_ROUTES.items()))
        terminalreporter.write_line(f"slt records: {parts}")
