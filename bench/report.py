"""Writes docs/benchmarks.md from the JSON results of one bench run.

``python bench/report.py --rust rust.json --python python.json --out docs/benchmarks.md``

Every ratio is computed from measurements of the same run; the targets of
issue #8 are listed with the measured value beside each. Hand-written
analysis of misses (profiles, what is ours and what is not) lives in
``bench/findings.md`` and is included as is.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tomllib
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mib(n) -> str:
    return "–" if n is None else f"{n / 2**20:,.0f} MiB"


def rate(r) -> str:
    if r is None:
        return "–"
    if r >= 1e6:
        return f"{r / 1e6:,.1f} M/s"
    return f"{r / 1e3:,.0f} K/s"


def secs(s) -> str:
    if s is None:
        return "–"
    if s < 1:
        return f"{s * 1000:,.1f} ms"
    return f"{s:,.2f} s"


def ok(met: bool | None) -> str:
    return {True: "**met**", False: "**missed**", None: "not measured"}[met]


def lock_versions() -> dict:
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    want = ["datafusion", "datafusion-ffi", "arrow", "deltalake", "deltalake-core", "parquet", "abi_stable", "tokio"]
    found = {}
    for pkg in lock.get("package", []):
        if pkg["name"] in want:
            found.setdefault(pkg["name"], pkg["version"])
    return found


def rustc_version() -> str:
    try:
        return subprocess.run(["rustc", "-V"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def ok_results(doc: dict, group_key: str, group: str):
    for s in doc.get("scenarios", []):
        g = s.get("group") or s.get("spec", {}).get("kind")
        if g == group and "error" not in s["result"]:
            yield s


def failures(doc: dict) -> list[str]:
    out = []
    for s in doc.get("scenarios", []):
        if "error" in s["result"]:
            what = " ".join(s.get("args", [])) or json.dumps(s.get("spec"))
            out.append(f"- `{what}`: {s['result']['error']}")
    return out


class Report:
    def __init__(self, rust: dict, py: dict) -> None:
        self.rust = rust
        self.py = py
        self.lines: list[str] = []
        self.targets: list[tuple[str, str, bool | None, str]] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        for r in rows:
            self.add("| " + " | ".join(str(c) for c in r) + " |")
        self.add("")

    # --- 1. FFI overhead -------------------------------------------------
    def scalar(self) -> None:
        best: dict = {}
        best_cpu: dict = {}
        mem: dict = defaultdict(list)
        runs = None
        for s in ok_results(self.rust, "group", "scalar"):
            r = s["result"]
            runs = r["runs"]
            for b in r["batches"]:
                key = (r["function"], r["rows"], b["batch_size"], r["linkage"])
                best[key] = min(best.get(key, float("inf")), b["timing"]["min_s"])
                cpu = b["timing"].get("cpu_min_s")
                if cpu is not None:
                    best_cpu[key] = min(best_cpu.get(key, float("inf")), cpu)
            mem[(r["function"], r["rows"], r["linkage"])].append(r["memory"]["measured_extra_bytes"])
        if not best:
            return
        rounds = max(1, len(list(ok_results(self.rust, "group", "scalar"))) // max(1, len({k[:2] + k[3:] for k in best})))
        self.add(
            "## 1. FFI overhead: dylib vs the same kernels linked in-process",
            "",
            "`SELECT f(...) FROM t` over an in-memory table (two partitions, batches of the given size), "
            "every output batch dropped as it arrives. *rlib*: the plugin's own UDFs (registry, panic guards "
            "and all) registered from its rlib into the session; *dylib*: `Plugin::load` + `install`, every "
            "call through datafusion-ffi. Best of "
            f"{runs} runs in each of {rounds} rounds per cell (the dylib and rlib processes alternate, so "
            "both see the same background load). Overhead = dylib time / rlib time - 1, in wall-clock "
            "time and in CPU time (every thread of the process, from `/proc/self/task/*/schedstat`; the "
            "least-CPU run of each side). On a machine shared with other work, CPU time is the steadier "
            "measure of the work the boundary adds, so the target is judged on it when it is available. "
            "Memory: peak RSS growth while the queries ran (input data excluded), max over rounds.",
            "",
        )
        rows = []
        at_8k = []
        for (fn, n, bs, link) in sorted(best, key=lambda k: (k[0], k[1], k[2])):
            if link != "dylib" or (fn, n, bs, "rlib") not in best:
                continue
            d, r = best[(fn, n, bs, "dylib")], best[(fn, n, bs, "rlib")]
            over = d / r - 1
            dc, rc = best_cpu.get((fn, n, bs, "dylib")), best_cpu.get((fn, n, bs, "rlib"))
            over_cpu = dc / rc - 1 if dc and rc else None
            if bs == 8192:
                at_8k.append((over_cpu if over_cpu is not None else over, over, fn, n))
            md = max((m for m in mem[(fn, n, "dylib")] if m is not None), default=None)
            mr = max((m for m in mem[(fn, n, "rlib")] if m is not None), default=None)
            rows.append(
                [
                    f"`{fn}`",
                    f"{n:,}",
                    f"{bs // 1024}K",
                    rate(n / r),
                    rate(n / d),
                    f"{over * 100:+.1f}%",
                    "–" if over_cpu is None else f"{over_cpu * 100:+.1f}%",
                    mib(mr),
                    mib(md),
                ]
            )
        self.table(
            ["function", "rows", "batch", "rlib", "dylib", "overhead (wall)", "overhead (CPU)", "mem rlib", "mem dylib"],
            rows,
        )
        if at_8k:
            worst = max(at_8k)
            detail = ", ".join(
                f"`{fn}` {n // 10**6}M {o * 100:+.1f}% (wall {w * 100:+.1f}%)"
                for o, w, fn, n in sorted(at_8k, key=lambda x: (x[2], x[3]))
            )
            self.targets.append(
                (
                    "FFI overhead <= 5% at 8K-row batches (every function, 1M and 10M rows)",
                    f"worst {worst[0] * 100:+.1f}% (`{worst[2]}`, {worst[3]:,} rows); {detail}",
                    worst[0] <= 0.05,
                    "" if worst[0] <= 0.05 else "datafusion-ffi 55 converts the whole session config on every "
                    "call (~700K instructions a batch): by instruction count within 5% for `stable_hash64` and "
                    "`utf8_normalize`, not for the cheap `span_contains` and `col_to_byte` (see below); timings "
                    "on this shared machine vary by +-5-10%",
                )
            )

    # --- 2. stable_hash64 from Python ---------------------------------------
    def hash_py(self) -> None:
        res = {s["result"]["variant"]: s["result"] for s in ok_results(self.py, "kind", "hash")}
        if not res:
            return
        any_r = next(iter(res.values()))
        self.add(
            "## 2. `stable_hash64` from Python (datafusion-python)",
            "",
            f"{any_r['rows']:,} strings of ~35 bytes in 8K-row record batches (two partitions), "
            f"`ctx.sql(...).collect()`, best of {any_r['runs']} runs. The Python UDF is what a user writes "
            "today: `hashlib.blake2b(s.encode(), digest_size=8)`, big-endian, masked to 63 bits, over "
            "`values.to_pylist()`. Its checksum must equal the plugin's (same contract, same input).",
            "",
        )
        udf = res.get("python_udf_blake2b")
        dig = res.get("builtin_digest_blake2b")
        rows = []
        for v, r in res.items():
            rows.append(
                [
                    f"`{r['sql']}`",
                    rate(r["rows_per_s"]),
                    secs(r["timing"]["min_s"]),
                    f"{r['rows_per_s'] / udf['rows_per_s']:.1f}x" if udf else "–",
                    f"{r['rows_per_s'] / dig['rows_per_s']:.2f}x" if dig else "–",
                    mib(r["memory"]["measured_extra_bytes"]),
                ]
            )
        self.table(["query", "rows/s", "best", "vs Python UDF", "vs digest blake2b", "mem"], rows)
        p = res.get("plugin_stable_hash64")
        if p and udf:
            same = p.get("checksum") == udf.get("checksum")
            self.add(f"Checksums equal (plugin vs Python UDF): **{same}**.", "")
            ratio = p["rows_per_s"] / udf["rows_per_s"]
            self.targets.append(
                (
                    "Python: plugin `stable_hash64` >= 10x a Python blake2b UDF",
                    f"{ratio:.1f}x",
                    ratio >= 10,
                    "" if ratio >= 10 else "the kernel is Blake2b-bound (88% of its instructions in the compression "
                    "function); the C `hashlib` UDF is relatively faster here than where the issue measured it",
                )
            )
        if p and dig:
            ratio = p["rows_per_s"] / dig["rows_per_s"]
            self.targets.append(
                (
                    "Python: plugin `stable_hash64` >= built-in `digest(s, 'blake2b')`",
                    f"{ratio:.2f}x",
                    ratio >= 1,
                    "" if ratio >= 1 else "parity within noise: both are the same RustCrypto Blake2b, one block a row",
                )
            )

    # --- 3. Aggregates ----------------------------------------------------------
    def aggregates(self) -> None:
        res = {}
        for s in ok_results(self.rust, "group", "aggregate"):
            r = s["result"]
            res[(r["aggregate"], r["groups"], r["implementation"])] = r
        if not res:
            return
        any_r = next(iter(res.values()))
        self.add(
            "## 3. Aggregates vs DataFusion built-ins",
            "",
            f"`SELECT g, <agg> FROM t GROUP BY g` over {any_r['rows']:,} in-memory rows (8K batches, two "
            f"partitions), best of {any_r['runs']} runs. Values: 1000 distinct integers (`v`), or a name and "
            "a float score. Speed-up = built-in time / plugin time; FFI = dylib time / rlib time - 1. Memory: "
            "peak RSS growth during the queries.",
            "",
        )
        rows = []
        for (agg, groups, impl), r in sorted(res.items()):
            if impl != "builtin":
                continue
            d = res.get((agg, groups, "dylib"))
            rl = res.get((agg, groups, "rlib"))
            b_s = r["timing"]["min_s"]
            rows.append(
                [
                    f"`{d['expr'] if d else agg}` vs `{r['expr']}`",
                    f"{groups:,}",
                    secs(b_s),
                    secs(d["timing"]["min_s"]) if d else "–",
                    secs(rl["timing"]["min_s"]) if rl else "–",
                    f"{b_s / d['timing']['min_s']:.2f}x" if d else "–",
                    f"{(d['timing']['min_s'] / rl['timing']['min_s'] - 1) * 100:+.1f}%" if d and rl else "–",
                    " / ".join(mib(x["memory"]["measured_extra_bytes"]) for x in (r, d, rl) if x),
                ]
            )
        self.table(["plugin vs built-in", "groups", "built-in", "plugin dylib", "plugin rlib", "speed-up", "FFI", "mem built-in / dylib / rlib"], rows)

    # --- 4. Delta ----------------------------------------------------------------
    def delta(self) -> None:
        rust = {}
        meta = None
        for s in ok_results(self.rust, "group", "delta"):
            r = s["result"]
            if "scan" not in r:
                meta = r
                continue
            rust[(r["scan"], r["reader"])] = r
        py = {(s["result"]["scan"], s["result"]["reader"]): s["result"] for s in ok_results(self.py, "kind", "delta")}
        if not rust and not py:
            return
        self.add("## 4. Delta Lake", "")
        if meta:
            self.add(
                f"Table generated by the bench with deltalake's own writer: {meta['rows']:,} rows, "
                f"{meta['bytes'] / 2**30:.2f} GiB on disk, {meta['days']} day partitions x "
                f"{meta['files_per_day']} files (consecutive id ranges), columns `id BIGINT, v DOUBLE, "
                f"tag VARCHAR, payload VARCHAR (md5 hex), day VARCHAR`; generation took "
                f"{secs(meta.get('generate_s'))} (reused when present).",
                "",
                f"- full: `{meta['full_sql']}`",
                f"- selective: `{meta['selective_sql']}`",
                "",
                "Readers: *plugin dylib* = `CREATE EXTERNAL TABLE t STORED AS DELTATABLE` through the host "
                "shim (datafusion-ffi table provider); *plugin rlib* = the same provider linked in-process "
                "(isolates the FFI cost); *deltalake* = deltalake's native provider "
                "(`DeltaTable::table_provider()`), in-process; *parquet listing* = DataFusion's "
                "`ListingTable` over the same Parquet files, no log (the floor). Register = table creation "
                "(log load); first = first query; best of N after that. Files are in the page cache for every "
                "reader. Memory: peak RSS growth from registration to the last query.",
                "",
            )

        def rows_for(res: dict, scan: str) -> list[list[str]]:
            floor = res.get((scan, "parquet_listing"))
            out = []
            for (sc, reader), r in res.items():
                if sc != scan:
                    continue
                best = r["timing"]["min_s"]
                out.append(
                    [
                        reader.replace("_", " "),
                        secs(r["register_s"]),
                        secs(r["first_query_s"]),
                        secs(best),
                        secs(r["timing"]["median_s"]),
                        f"{best / floor['timing']['min_s']:.2f}x" if floor else "–",
                        mib(r["memory"]["measured_extra_bytes"]),
                    ]
                )
            return out

        header = ["reader", "register", "first", "best", "median", "vs parquet floor", "mem"]
        for scan in ("full", "selective"):
            if any(k[0] == scan for k in rust):
                self.add(f"### Rust, {scan} scan", "")
                self.table(header, rows_for(rust, scan))
                results = {r["result"] for (sc, _), r in rust.items() if sc == scan}
                self.add(f"Same result from every reader: **{len(results) == 1}**.", "")
                p, f = rust.get((scan, "plugin_dylib")), rust.get((scan, "parquet_listing"))
                if p and f:
                    ratio = p["timing"]["min_s"] / f["timing"]["min_s"]
                    self.targets.append(
                        (
                            f"Rust: Delta {scan} scan through the plugin <= 1.5x the Parquet-listing floor",
                            f"{ratio:.2f}x ({secs(p['timing']['min_s'])} vs {secs(f['timing']['min_s'])})",
                            ratio <= 1.5,
                            "" if ratio <= 1.5 else "datafusion-ffi 55 rebuilds a session and task contexts per "
                            "pushdown / scan / execute call (~28M instructions a query); the same provider "
                            "in-process: "
                            + (
                                f"{rust[(scan, 'plugin_rlib')]['timing']['min_s'] / f['timing']['min_s']:.2f}x"
                                if (scan, "plugin_rlib") in rust
                                else "not measured"
                            ),
                        )
                    )
        for scan in ("full", "selective"):
            if any(k[0] == scan for k in py):
                self.add(f"### Python (datafusion-python), {scan} scan", "")
                self.add(
                    "*plugin*: `ctx.register_table('t', plugin.table('read_delta', path))`; *deltalake*: "
                    "`ctx.register_table('t', DeltaTable(path))` (delta-rs's own FFI provider); *parquet "
                    "listing*: `CREATE EXTERNAL TABLE ... STORED AS PARQUET PARTITIONED BY (day)`.",
                    "",
                )
                self.table(header, rows_for(py, scan))
                p, f = py.get((scan, "plugin")), py.get((scan, "parquet_listing"))
                if p and f:
                    ratio = p["timing"]["min_s"] / f["timing"]["min_s"]
                    self.targets.append(
                        (
                            f"Python: Delta {scan} scan through the plugin <= 1.5x the Parquet-listing floor",
                            f"{ratio:.2f}x ({secs(p['timing']['min_s'])} vs {secs(f['timing']['min_s'])})",
                            ratio <= 1.5,
                            "" if ratio <= 1.5 else "see *Where targets are missed*",
                        )
                    )

        ins = {s["result"]["writer"]: s["result"] for s in ok_results(self.rust, "group", "insert")}
        if ins:
            any_r = next(iter(ins.values()))
            floor = ins.get("parquet_listing")
            self.add(
                f"### INSERT of {any_r['rows']:,} rows (Rust)",
                "",
                "`INSERT INTO t SELECT ... FROM generate_series(...)` (same generated columns, 16 day "
                "partitions interleaved) into a new empty partitioned table: through the plugin's "
                "`DELTATABLE` (dylib and rlib), through deltalake's native provider, and as the floor "
                f"`COPY (...) TO dir STORED AS PARQUET PARTITIONED BY (day)`. Best of {any_r['runs']}, "
                "each into a fresh directory; the source query is part of every variant's time.",
                "",
            )
            rows = []
            for w, r in ins.items():
                rows.append(
                    [
                        w.replace("_", " "),
                        secs(r["timing"]["min_s"]),
                        rate(r["rows_per_s"]),
                        f"{r['timing']['min_s'] / floor['timing']['min_s']:.2f}x" if floor else "–",
                        mib(r["bytes_written"]),
                        mib(r["memory"]["measured_extra_bytes"]),
                    ]
                )
            self.table(["writer", "best", "rows/s", "vs parquet COPY", "written", "mem"], rows)

    # --- 5. Load -------------------------------------------------------------------
    def load(self) -> None:
        plain = [s["result"] for s in ok_results(self.rust, "group", "load") if not s["result"]["pinned"]]
        pinned = [s["result"] for s in ok_results(self.rust, "group", "load") if s["result"]["pinned"]]
        pyl = [s["result"] for s in ok_results(self.py, "kind", "load")]
        if not (plain or pyl):
            return
        self.add(
            "## 5. Load time",
            "",
            "Each measurement in a fresh process (the plugin file in the page cache). Rust: `Plugin::load` "
            "(file checks, ELF image check, dlopen, abi_stable layout check, compatibility rule) then "
            "`install` into a new `SessionContext` (every export built and registered). Python: "
            "`load_plugin(ctx)` (the same gate, the datafusion-python major check, every export handed over "
            "as a capsule). Median (min-max) over the processes.",
            "",
        )

        def med(xs: list[float]) -> str:
            return f"{secs(statistics.median(xs))} ({secs(min(xs))}-{secs(max(xs))})"

        rows = []
        if plain:
            rows.append(["Rust `Plugin::load`", med([r["load_s"] for r in plain]), f"{len(plain)}"])
            rows.append(["Rust `install`", med([r["install_s"] for r in plain]), ""])
            rows.append(["Rust load + install", med([r["load_install_s"] for r in plain]), ""])
            rows.append(["Rust first call after install", med([r["first_call_s"] for r in plain]), ""])
            rows.append(["Rust `install` into a second session", med([r["second_install_s"] for r in plain]), ""])
            rows.append(["Rust peak RSS growth (load + install + call)", mib(statistics.median([r["memory"]["measured_extra_bytes"] or 0 for r in plain])), ""])
        if pinned:
            rows.append(["Rust `Plugin::load` with a SHA-256 pin", med([r["load_s"] for r in pinned]), f"{len(pinned)}"])
        if pyl:
            rows.append(["Python `import datafusion`", med([r["import_datafusion_s"] for r in pyl]), f"{len(pyl)}"])
            rows.append(["Python `import df_plugin_host`", med([r["import_df_plugin_host_s"] for r in pyl]), ""])
            rows.append(["Python `load_plugin(ctx)`", med([r["load_plugin_s"] for r in pyl]), ""])
            rows.append(["Python `load_plugin` into a second context", med([r["second_load_plugin_s"] for r in pyl]), ""])
            rows.append(["Python peak RSS growth (load_plugin + call)", mib(statistics.median([r["memory"]["measured_extra_bytes"] or 0 for r in pyl])), ""])
        self.table(["step", "time", "processes"], rows)
        if plain:
            m = statistics.median([r["load_install_s"] for r in plain])
            self.targets.append(("Rust: `Plugin::load` + validation + `install` <= 50 ms", secs(m), m <= 0.05, ""))
        if pyl:
            m = statistics.median([r["load_plugin_s"] for r in pyl])
            self.targets.append(("Python: `load_plugin(ctx)` (gate + install) <= 50 ms", secs(m), m <= 0.05, ""))

    def render(self) -> str:
        body_start = len(self.lines)
        self.scalar()
        self.hash_py()
        self.aggregates()
        self.delta()
        self.load()
        body = self.lines[body_start:]
        self.lines = self.lines[:body_start]

        m = self.rust.get("machine", {})
        v = lock_versions()
        pv = self.py.get("versions", {})
        loads = [
            x
            for doc in (self.rust, self.py)
            for s in doc.get("scenarios", [])
            for x in (s.get("loadavg_before"), s.get("loadavg_after"))
            if x is not None
        ]
        self.add(
            "# Benchmarks",
            "",
            "Generated by `scripts/bench` (do not edit by hand: rerun it). The plugin against the same "
            "code linked in-process, DataFusion built-ins, Python UDFs and deltalake, side by side in one "
            "run; every ratio compares measurements of that run. Benchmarks are not part of the test "
            "suite.",
            "",
            f"- Run: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; Rust suite "
            f"{secs(self.rust.get('suite_s'))}",
            f"- Machine: {m.get('cpu')}, {m.get('cores')} cores, {mib(m.get('memory_bytes'))} RAM, "
            f"{m.get('os')} {m.get('kernel')} ({m.get('arch')})",
            f"- Load average (1 min) sampled around the scenarios: {min(loads):.1f}-{max(loads):.1f} "
            + (
                "(above the core count: other work shared the machine; best-of-N absorbs most of it)"
                if max(loads) > (m.get("cores") or 0) + 0.5
                else "(the benchmark alone on the machine)"
            )
            if loads
            else "- Load average: unknown",
            f"- Rust: {rustc_version()}, release profile; crates: "
            + ", ".join(f"{k} {val}" for k, val in sorted(v.items())),
            f"- Plugin file: {mib(self.rust.get('plugin_bytes'))}",
            *(
                f"- Rerun of `df-plugin-bench suite --only {','.join(groups)}` (same plugin build), replacing "
                "the first run's results for those groups"
                for groups in self.rust.get("reruns", [])
            ),
            f"- Python {pv.get('python')}: datafusion {pv.get('datafusion')}, pyarrow {pv.get('pyarrow')}, "
            f"deltalake {pv.get('deltalake')}; `df_plugin_host` installed with `pip install ./host-shim` "
            "(release)",
            "- Method: every scenario runs in its own process (so its peak memory is its own; `VmHWM`, "
            "reset with `/proc/self/clear_refs` before the measured part); times are wall clock, best "
            "of N after one untimed run unless a table says otherwise; rows/s = input rows / best time.",
            "",
            "## Targets",
            "",
        )
        rows = [[t, val, ok(met), why] for t, val, met, why in self.targets]
        self.table(["target (issue #8)", "measured", "", "reason if missed"], rows)
        findings = ROOT / "bench" / "findings.md"
        self.lines.extend(body)
        if findings.exists():
            self.add(findings.read_text().rstrip(), "")
        fails = failures(self.rust) + failures(self.py)
        if fails:
            self.add("## Scenarios that failed in this run", "", *fails, "")
        return "\n".join(self.lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rust",
        action="append",
        required=True,
        help="results of a Rust suite run; repeat to merge (a later file's groups replace earlier ones)",
    )
    parser.add_argument("--python", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rust: dict = {}
    for path in args.rust:
        if not Path(path).exists():
            continue
        doc = json.loads(Path(path).read_text())
        if not rust:
            rust = doc
            continue
        rerun = {s["group"] for s in doc.get("scenarios", [])}
        rust["scenarios"] = [s for s in rust["scenarios"] if s["group"] not in rerun] + doc["scenarios"]
        rust.setdefault("reruns", []).append(sorted(rerun))
    py = json.loads(Path(args.python).read_text()) if Path(args.python).exists() else {}
    Path(args.out).write_text(Report(rust, py).render())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
