"""Shared by the ABI matrix's Python cell scripts: reading the cell's spec
and printing its outcome as the one JSON line the Rust harness reads."""

from __future__ import annotations

import json
import sys
from typing import Any


def spec() -> dict[str, Any]:
    """The cell's spec (JSON in argv[1], written by tests/src/matrix.rs)."""
    return json.loads(sys.argv[1])


def report(verdict: str, kind: str = "", detail: str = "") -> None:
    """Prints the outcome and ends the process without running finalizers
    that a broken plugin could crash in."""
    sys.stdout.write(json.dumps({"verdict": verdict, "kind": kind, "detail": detail}) + "\n")
    sys.stdout.flush()


def single_value(ctx: Any, sql: str) -> Any:
    """The one value a one-row, one-column query returns."""
    rows = ctx.sql(sql).to_pylist()
    if len(rows) != 1 or len(rows[0]) != 1:
        msg = f"{sql} returned {rows!r}, expected one value"
        raise AssertionError(msg)
    return next(iter(rows[0].values()))


def run_to_end(ctx: Any, sql: str) -> int:
    """Runs a query to completion; the number of rows."""
    return sum(batch.num_rows for batch in ctx.sql(sql).collect())
