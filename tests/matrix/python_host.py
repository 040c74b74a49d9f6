"""ABI matrix cell: datafusion-python through ``df_plugin_host.load_plugin``.

Usage: python_host.py SPEC_JSON. Prints one JSON outcome line (see cell.py).
"""

from __future__ import annotations

import os

from cell import report, run_to_end, single_value, spec
from datafusion import SessionConfig, SessionContext
from df_plugin_host import PluginLoadError, load_plugin


def load(ctx: SessionContext, path: str, cell: dict) -> object:
    return load_plugin(
        ctx,
        path,
        require_version=cell["require_version"],
        require=cell["require"],
        sha256=cell["sha256"],
        require_abi_minor=cell["require_abi_minor"],
    )


def registered(ctx: SessionContext) -> int:
    """Every function the session knows (information_schema is on)."""
    return single_value(ctx, "SELECT count(*) FROM information_schema.routines")


def main() -> None:
    cell = spec()
    scenario = cell["scenario"]
    kind = scenario["type"]
    config = SessionConfig().with_information_schema(True)
    ctx = SessionContext(config)
    before = registered(ctx)
    try:
        load(ctx, cell["path"], cell)
    except PluginLoadError as e:
        after = registered(ctx)
        if after != before:
            report("failed", type(e).__name__, f"half-registered: {before} routines before, {after} after: {e}")
        elif kind == "half_install":
            report("refused", type(e).__name__, f"{e} (session unchanged: {before} routines before and after)")
        else:
            report("refused", type(e).__name__, str(e))
        return
    if kind == "half_install":
        report("failed", "", "install succeeded")
        return
    if kind == "probe":
        got = single_value(ctx, scenario["sql"])
        if got != scenario["expected"]:
            report("failed", "wrong answer", f"{scenario['sql']} returned {got!r}")
            return
        report("accepted", "", f"{scenario['sql']} → {got}")
    elif kind == "panics":
        errors = []
        for query in scenario["queries"]:
            try:
                run_to_end(ctx, query)
            except Exception as e:  # noqa: BLE001 - any error class is the point
                if "panicked" not in str(e):
                    report("failed", type(e).__name__, str(e))
                    return
                errors.append(f"{type(e).__name__}: {e}")
            else:
                report("failed", "no error", query)
                return
        got = single_value(ctx, scenario["sql"])
        if got != scenario["expected"]:
            report("failed", "wrong answer", f"{scenario['sql']} returned {got!r} after the panics")
            return
        report("contained", "", " | ".join(errors))
    elif kind == "twice":
        second = SessionContext()
        load(second, cell["path"], cell)
        load(ctx, cell["path"], cell)
        answers = {single_value(c, scenario["sql"]) for c in (ctx, second)}
        if answers != {scenario["expected"]}:
            report("failed", "wrong answer", repr(answers))
            return
        report("accepted", "", f"two loads, two contexts, one context installed twice: {scenario['sql']} → {scenario['expected']} in each")
    elif kind == "side_by_side":
        other = load_plugin(ctx, scenario["other"])
        a = single_value(ctx, scenario["sql"])
        b = single_value(ctx, scenario["other_sql"])
        if (a, b) != (scenario["expected"], scenario["other_expected"]):
            report("failed", "wrong answer", repr((a, b)))
            return
        report("accepted", "", f"{other.manifest['plugin_name']} beside codeanatomy in one context: {scenario['sql']} → {a}; {scenario['other_sql']} → {b}")
    else:
        report("failed", "", f"unknown scenario {kind}")


if __name__ == "__main__":
    main()
    os._exit(0)
