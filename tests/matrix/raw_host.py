"""ABI matrix cell, recorded only: what datafusion-python does with a plugin
file when nothing checks it. The file is opened, its root module taken
without abi_stable's layout check or any manifest check, and its scalar
exports handed to datafusion-python as capsules; then the variant's first
query runs. The harness records errors and the signal of a crash.

Usage: raw_host.py SPEC_JSON. Prints one JSON outcome line (see cell.py).
"""

from __future__ import annotations

import os

from cell import report, run_to_end, spec
from datafusion import ScalarUDF, SessionContext
from df_plugin_host import _native


def main() -> None:
    cell = spec()
    scenario = cell["scenario"]
    query = scenario["queries"][0] if scenario["type"] == "panics" else scenario.get("sql", "SELECT 1")
    try:
        exports = _native._unvalidated_scalar_exports(cell["path"])
        ctx = SessionContext()
        for export in exports:
            ctx.register_udf(ScalarUDF(export.name, export))
        rows = run_to_end(ctx, query)
    except Exception as e:  # noqa: BLE001 - recording whatever happens is the point
        report("error", type(e).__name__, str(e))
        return
    report("accepted", "", f"{len(exports)} scalar exports registered; {query} ran ({rows} rows)")


if __name__ == "__main__":
    main()
    os._exit(0)
