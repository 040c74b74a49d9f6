"""A sqllogictest runner for datafusion-python, for the files in tests/slt.

It reads the subset of the format the Rust suite's files use
(``statement ok``, ``statement error <regex>``, ``query <types>`` with
``----`` and expected rows, ``query error <regex>``, ``#`` comments) and
checks results the way the Rust runner (``tests/src/slt.rs`` on the
``sqllogictest`` crate) does: cells printed by Arrow's display (done by
``df_plugin_host._native._display_rows``, which is the Rust runner's
formatting), whitespace-normalised row comparison, column types not checked,
error regexes searched (unanchored) in the error text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from df_plugin_host import _native


@dataclass
class Record:
    """One record of an .slt file."""

    path: Path
    line: int
    kind: str  # "statement" or "query"
    sql: str
    error: str | None = None  # regex when an error is expected ("" = any error)
    types: str = ""
    expected: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def parse(path: Path) -> list[Record]:
    lines = path.read_text().splitlines()
    records: list[Record] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line or line.startswith("#"):
            i += 1
            continue
        start = i + 1
        words = line.split(maxsplit=2)
        head = words[0]
        if head not in ("statement", "query"):
            msg = f"{path.name}:{start}: unsupported record {line!r}"
            raise ValueError(msg)
        error: str | None = None
        types = ""
        if len(words) > 1 and words[1] == "error":
            error = line.split("error", 1)[1].strip()
        elif head == "statement":
            if words[1:] != ["ok"]:
                msg = f"{path.name}:{start}: unsupported statement record {line!r}"
                raise ValueError(msg)
        else:
            types = words[1] if len(words) > 1 else ""
            if len(words) > 2:
                msg = f"{path.name}:{start}: sort modes and labels are not supported: {line!r}"
                raise ValueError(msg)
        i += 1
        sql_lines: list[str] = []
        while i < len(lines) and lines[i].strip() and lines[i].strip() != "----":
            sql_lines.append(lines[i])
            i += 1
        expected: list[str] = []
        if i < len(lines) and lines[i].strip() == "----":
            i += 1
            while i < len(lines) and lines[i].strip():
                expected.append(lines[i])
                i += 1
        records.append(
            Record(
                path=path,
                line=start,
                kind=head,
                sql="\n".join(sql_lines),
                error=error,
                types=types,
                expected=expected,
            )
        )
    return records


def _normalize(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Outcome:
    """What running a record gave."""

    ok: bool
    detail: str = ""


def run(record: Record, execute: Callable[[str], object]) -> Outcome:
    """Runs one record with ``execute(sql) -> DataFrame`` and judges it."""
    try:
        result = _native._display_rows(execute(record.sql))
    except Exception as e:  # noqa: BLE001 - any failure is an outcome here
        message = str(e)
        if record.error is None:
            return Outcome(False, f"unexpected error: {type(e).__name__}: {message}")
        if record.error and not re.search(record.error, message):
            return Outcome(
                False, f"error does not match /{record.error}/: {type(e).__name__}: {message}"
            )
        return Outcome(True)
    if record.error is not None:
        return Outcome(False, f"expected an error matching /{record.error}/, got a result")
    if record.kind == "statement":
        return Outcome(True)
    if result is None:
        return Outcome(False, "expected rows, the statement returned no columns")
    _, rows = result
    actual = [" ".join(_normalize(cell) for cell in row) for row in rows]
    expected = [_normalize(line) for line in record.expected]
    if actual != expected:
        return Outcome(
            False,
            "rows differ\n  expected:\n    "
            + "\n    ".join(expected)
            + "\n  actual:\n    "
            + "\n    ".join(actual),
        )
    return Outcome(True)
