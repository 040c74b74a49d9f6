"""The type stubs of the extension module list exactly what it has."""

from __future__ import annotations

import ast
from pathlib import Path

import df_plugin_host
from df_plugin_host import _native


def stub_members() -> dict[str, set[str]]:
    stub = Path(df_plugin_host.__file__).with_name("_native.pyi")
    members: dict[str, set[str]] = {"": set()}
    for node in ast.parse(stub.read_text()).body:
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                item.name for item in node.body if isinstance(item, ast.FunctionDef)
            }
            members[""].add(node.name)
        elif isinstance(node, ast.FunctionDef):
            members[""].add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members[""].add(node.target.id)
    return members


def public(names: list[str]) -> set[str]:
    return {n for n in names if not n.startswith("_") or n.startswith("__datafusion") or n in (
        "__arrow_c_schema__", "_display_rows", "_unvalidated_scalar_exports")}


def test_stub_matches_the_module() -> None:
    members = stub_members()
    module_names = public(dir(_native)) - {"native"}
    assert members[""] - {"__file__"} == module_names
    for cls, names in members.items():
        if not cls or not isinstance(getattr(_native, cls), type):
            continue
        assert public(dir(getattr(_native, cls))) == {
            n for n in names if not n.startswith("_") or n.startswith("__datafusion")
            or n == "__arrow_c_schema__"
        }, cls
    assert (Path(df_plugin_host.__file__).parent / "py.typed").is_file()
