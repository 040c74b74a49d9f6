"""The Python side of the benchmarks, through datafusion-python.

``python bench/python_bench.py suite --scratch DIR --out FILE`` runs every
scenario in a fresh interpreter (``... run '<json>'``), so each one's peak
memory is its own and load time is measured cold, and writes one JSON file.
``scripts/bench`` runs it after the Rust suite (which generates the Delta
table this one reads) and turns both files into ``docs/benchmarks.md``.

Scenarios:

* ``hash``: the plugin's ``stable_hash64`` against what a Python user writes
  today (a Python UDF with ``hashlib.blake2b(digest_size=8)``), DataFusion's
  ``digest(s, 'blake2b')`` and ``md5(s)``; the UDF's results are checked
  against the plugin's.
* ``delta``: full and selective scans of the generated table through the
  plugin (``plugin.table("read_delta", path)``), through delta-rs's own
  provider (``ctx.register_table(name, DeltaTable(path))``) and as plain
  Parquet files (``CREATE EXTERNAL TABLE ... STORED AS PARQUET``, the floor).
* ``load``: ``import df_plugin_host`` and ``load_plugin(ctx)`` (the Rust
  gate, the datafusion major check, every export registered).

Nothing here is a test; timings never pass or fail anything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# Blake2b-64 masked to 63 bits: the plugin's stable_hash64 contract.
MASK63 = (1 << 63) - 1


def status_bytes(field: str) -> int | None:
    """A field of /proc/self/status (VmHWM, VmRSS) in bytes."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class MemoryWindow:
    """Peak memory of the measured part (see bench/src/measure.rs)."""

    def __init__(self) -> None:
        self.process_peak_before = status_bytes("VmHWM")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.reset = True
        except OSError:
            self.reset = False
        self.baseline = status_bytes("VmRSS")

    def close(self) -> dict:
        peak = status_bytes("VmHWM")
        process_peak = max(x for x in (self.process_peak_before, peak) if x is not None) if peak else None
        return {
            "process_peak_bytes": process_peak,
            "measured_peak_bytes": peak if self.reset else None,
            "measured_extra_bytes": (peak - self.baseline) if (self.reset and peak and self.baseline) else None,
        }


def timed(fn, runs: int) -> dict:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    ordered = sorted(seconds)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return {"runs_s": seconds, "min_s": min(seconds), "median_s": median}


def mix(x: int) -> int:
    """splitmix64, as bench/src/data.rs."""
    m = (1 << 64) - 1
    x = (x + 0x9E3779B97F4A7C15) & m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)


def qualnames(rows: int) -> list[str]:
    """The strings of bench/src/data.rs::qualnames (~35 bytes)."""
    out = []
    for i in range(rows):
        r = mix(i)
        if r % 8 == 0:
            out.append(f"  Straße  Größe_{r % 9973}  Ǆemo {i} ")
        else:
            out.append(f"pkg{r % 97}.module_{(r >> 8) % 5003:04}.Class{(r >> 24) % 31}.method_{i}")
    return out


def string_table(ctx, rows: int, batch_size: int = 8192) -> None:
    import pyarrow as pa

    arr = pa.array(qualnames(rows), pa.string())
    batch = pa.RecordBatch.from_arrays([arr], names=["s"])
    parts: list[list] = [[], []]
    for k, offset in enumerate(range(0, rows, batch_size)):
        parts[k % 2].append(batch.slice(offset, batch_size))
    ctx.register_record_batches("t", parts)


def py_blake2b_udf():
    """What a Python user writes today for stable_hash64."""
    import hashlib

    import pyarrow as pa
    from datafusion import udf

    def blake2b_64(values: pa.Array) -> pa.Array:
        out = []
        for s in values.to_pylist():
            if s is None:
                out.append(None)
            else:
                d = hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest()
                out.append(int.from_bytes(d, "big") & MASK63)
        return pa.array(out, pa.int64())

    return udf(blake2b_64, [pa.string()], pa.int64(), "immutable", name="py_blake2b_64")


HASH_SQL = {
    "plugin_stable_hash64": "SELECT stable_hash64(s) AS h FROM t",
    "python_udf_blake2b": "SELECT py_blake2b_64(s) AS h FROM t",
    "builtin_digest_blake2b": "SELECT digest(s, 'blake2b') AS h FROM t",
    "builtin_md5": "SELECT md5(s) AS h FROM t",
}


def run_hash(variant: str, rows: int, runs: int) -> dict:
    from datafusion import SessionContext

    ctx = SessionContext()
    string_table(ctx, rows)
    if variant == "plugin_stable_hash64":
        from df_plugin_host import load_plugin

        load_plugin(ctx)
    elif variant == "python_udf_blake2b":
        ctx.register_udf(py_blake2b_udf())
    sql = HASH_SQL[variant]
    window = MemoryWindow()
    batches = ctx.sql(sql).collect()
    assert sum(b.num_rows for b in batches) == rows
    timing = timed(lambda: ctx.sql(sql).collect(), runs)
    out = {
        "variant": variant,
        "sql": sql,
        "rows": rows,
        "runs": runs,
        "timing": timing,
        "rows_per_s": rows / timing["min_s"],
        "memory": window.close(),
    }
    if variant in ("plugin_stable_hash64", "python_udf_blake2b"):
        # The two must agree: same contract, same input.
        check = "SELECT sum(h % 1000003) AS c FROM (" + sql + ")"
        out["checksum"] = ctx.sql(check).to_pylist()[0]["c"]
    return out


def run_delta(table: str, scan: str, reader: str, runs: int) -> dict:
    from datafusion import SessionContext

    meta = json.loads(Path(table).with_suffix(".json").read_text())
    sql = meta["full_sql"] if scan == "full" else meta["selective_sql"]
    ctx = SessionContext()
    plugin = None
    if reader == "plugin":
        from df_plugin_host import load_plugin

        plugin = load_plugin(ctx)
    window = MemoryWindow()
    started = time.perf_counter()
    if reader == "plugin":
        ctx.register_table("t", plugin.table("read_delta", table))
    elif reader == "deltalake":
        from deltalake import DeltaTable

        ctx.register_table("t", DeltaTable(table))
    elif reader == "parquet_listing":
        ctx.sql(
            "CREATE EXTERNAL TABLE t (id BIGINT, v DOUBLE, tag VARCHAR, payload VARCHAR, day VARCHAR) "
            f"STORED AS PARQUET PARTITIONED BY (day) LOCATION '{table}/'"
        ).collect()
    else:
        raise ValueError(reader)
    register_s = time.perf_counter() - started
    started = time.perf_counter()
    result = ctx.sql(sql).to_pylist()
    first_s = time.perf_counter() - started
    timing = timed(lambda: ctx.sql(sql).collect(), runs)
    return {
        "scan": scan,
        "reader": reader,
        "sql": sql,
        "table_rows": meta["rows"],
        "table_bytes": meta["bytes"],
        "register_s": register_s,
        "first_query_s": first_s,
        "runs": runs,
        "timing": timing,
        "rows_per_s": meta["rows"] / timing["min_s"],
        "result": json.dumps(result, default=str),
        "memory": window.close(),
    }


def run_load() -> dict:
    started = time.perf_counter()
    from datafusion import SessionContext

    import_datafusion_s = time.perf_counter() - started
    started = time.perf_counter()
    from df_plugin_host import load_plugin

    import_host_s = time.perf_counter() - started
    ctx = SessionContext()
    window = MemoryWindow()
    started = time.perf_counter()
    load_plugin(ctx)
    load_plugin_s = time.perf_counter() - started
    started = time.perf_counter()
    ctx.sql("SELECT stable_hash64('alpha')").collect()
    first_call_s = time.perf_counter() - started
    second = SessionContext()
    started = time.perf_counter()
    load_plugin(second)
    second_load_s = time.perf_counter() - started
    return {
        "import_datafusion_s": import_datafusion_s,
        "import_df_plugin_host_s": import_host_s,
        "load_plugin_s": load_plugin_s,
        "first_call_s": first_call_s,
        "second_load_plugin_s": second_load_s,
        "memory": window.close(),
    }


def run_scenario(spec: dict) -> dict:
    kind = spec["kind"]
    if kind == "hash":
        return run_hash(spec["variant"], spec["rows"], spec["runs"])
    if kind == "delta":
        return run_delta(spec["table"], spec["scan"], spec["reader"], spec["runs"])
    if kind == "load":
        return run_load()
    raise ValueError(kind)


def versions() -> dict:
    import datafusion
    import deltalake
    import pyarrow

    import df_plugin_host

    return {
        "python": sys.version.split()[0],
        "datafusion": getattr(datafusion, "__version__", None),
        "pyarrow": pyarrow.__version__,
        "deltalake": getattr(deltalake, "__version__", None),
        "df_plugin_host_path": df_plugin_host.bundled_plugin_path(),
    }


def plan(args) -> list[dict]:
    steps: list[dict] = []
    groups = set(args.only.split(",")) if args.only else {"load", "hash", "delta"}
    if "load" in groups:
        steps += [{"kind": "load"} for _ in range(args.load_runs)]
    if "hash" in groups:
        for variant in HASH_SQL:
            steps.append({"kind": "hash", "variant": variant, "rows": args.hash_rows, "runs": args.runs})
    if "delta" in groups:
        table = str(Path(args.scratch) / "delta_table")
        if Path(table).with_suffix(".json").exists():
            for scan in ("full", "selective"):
                for reader in ("plugin", "deltalake", "parquet_listing"):
                    steps.append(
                        {"kind": "delta", "table": table, "scan": scan, "reader": reader, "runs": args.runs}
                    )
        else:
            print(f"no generated Delta table under {args.scratch}: run the Rust suite first", file=sys.stderr)
    return steps


def loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


def suite(args) -> None:
    doc = {"versions": versions(), "scenarios": []}
    steps = plan(args)
    for i, spec in enumerate(steps, 1):
        print(f"[{i}/{len(steps)}] python {json.dumps(spec)}", file=sys.stderr)
        before = loadavg()
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, __file__, "run", json.dumps(spec)],
            stdout=subprocess.PIPE,
            text=True,
        )
        wall = time.perf_counter() - started
        result = None
        if proc.returncode == 0:
            for line in reversed(proc.stdout.splitlines()):
                try:
                    result = json.loads(line)
                    break
                except ValueError:
                    continue
        if result is None:
            result = {"error": f"exit status {proc.returncode}", "stdout": proc.stdout[-2000:]}
            print(f"  failed: {result['error']}", file=sys.stderr)
        doc["scenarios"].append(
            {"spec": spec, "wall_s": wall, "loadavg_before": before, "loadavg_after": loadavg(), "result": result}
        )
        Path(args.out).write_text(json.dumps(doc, indent=2))
    Path(args.out).write_text(json.dumps(doc, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("suite")
    s.add_argument("--scratch", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--hash-rows", type=int, default=1_000_000)
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--load-runs", type=int, default=7)
    s.add_argument("--only", default="")
    r = sub.add_parser("run")
    r.add_argument("spec")
    args = parser.parse_args()
    if args.command == "suite":
        suite(args)
    else:
        print(json.dumps(run_scenario(json.loads(args.spec))))
        sys.stdout.flush()
        # Skip interpreter teardown: some extension objects are slow to
        # drop and it is not what is measured.
        os._exit(0)


if __name__ == "__main__":
    main()
