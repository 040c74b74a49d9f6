"""Reference counting across datafusion-python's capsule protocol:
datafusion-python clones each FFI struct and never takes the original, so
every capsule frees its own. Nothing may crash when contexts, functions and
plugins go away in any order, and nothing may leak per cycle."""

from __future__ import annotations

import gc
import os

import pytest
from datafusion import AggregateUDF, ScalarUDF, SessionContext

from df_plugin_host import load_plugin


def rss_mib() -> float:
    """Resident set size, from /proc/self/statm (no psutil)."""
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_capsules_are_fresh_each_time() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    scalars, aggregates, _ = plugin._native.function_exports("{}")
    export = next(e for e in scalars if e.name == "stable_hash64")
    first, second = export.__datafusion_scalar_udf__(), export.__datafusion_scalar_udf__()
    assert first is not second
    del first, second
    udf = ScalarUDF("ignored", export)
    assert udf.name == "stable_hash64"
    udaf = AggregateUDF("ignored", aggregates[0])
    del export, scalars, aggregates
    gc.collect()
    other = SessionContext()
    other.register_udf(udf)
    other.register_udaf(udaf)
    assert other.sql("SELECT stable_hash64('alpha') AS h").to_pylist() == [
        {"h": 5982700193828047002}
    ]


def test_drop_context_before_plugin() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    plugin.sql("CREATE FUNCTION inc(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
    df = ctx.sql("SELECT inc(1) AS v, stable_hash64('a') AS h")
    del ctx
    gc.collect()
    assert df.to_pylist()[0]["v"] == 2
    del plugin, df
    gc.collect()


def test_drop_plugin_before_context() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    plugin.sql("CREATE FUNCTION inc(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
    provider = plugin.table("codeanatomy_functions", kind="window")
    ctx.register_table("windows", provider)
    del plugin, provider
    gc.collect()
    assert ctx.sql("SELECT inc(stable_hash64('alpha')) AS v").to_pylist() == [
        {"v": 5982700193828047003}
    ]
    assert ctx.sql("SELECT count(*) AS n FROM windows").to_pylist() == [{"n": 3}]
    # the table function still works after the plugin object is gone
    assert ctx.sql("SELECT count(*) AS n FROM codeanatomy_functions('aggregate')").to_pylist()


def test_deregister_functions() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    ctx.deregister_udf("stable_hash64")
    ctx.deregister_udaf("count_distinct_agg")
    ctx.deregister_udwf("lag_window")
    ctx.deregister_udtf("codeanatomy_functions")
    gc.collect()
    for sql in [
        "SELECT stable_hash64('a')",
        "SELECT count_distinct_agg(1)",
        "SELECT lag_window(1) OVER ()",
        "SELECT * FROM codeanatomy_functions()",
    ]:
        with pytest.raises(Exception):
            ctx.sql(sql).collect()
    # other functions are untouched, and loading again brings them back
    assert ctx.sql("SELECT stable_hash128('alpha') AS h").to_pylist()
    load_plugin(ctx)
    assert ctx.sql("SELECT stable_hash64('alpha') AS h").to_pylist() == [
        {"h": 5982700193828047002}
    ]
    del plugin


def test_drop_function_through_plugin_sql() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    plugin.sql("CREATE FUNCTION inc(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
    plugin.sql("DROP FUNCTION inc")
    gc.collect()
    with pytest.raises(Exception, match="Invalid function 'inc'"):
        ctx.sql("SELECT inc(1)")
    # forgotten by the mirror too: creating it again needs no OR REPLACE
    plugin.sql("CREATE FUNCTION inc(x BIGINT) RETURNS BIGINT RETURN $1 + 2")
    assert ctx.sql("SELECT inc(1) AS v").to_pylist() == [{"v": 3}]


def cycle(i: int) -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    row = ctx.sql(
        "SELECT stable_hash64('alpha') AS h, count_distinct_agg(x) AS c "
        "FROM (VALUES (1), (2), (2)) AS t(x)"
    ).to_pylist()
    assert row == [{"h": 5982700193828047002, "c": 2}]
    assert ctx.sql("SELECT count(*) AS n FROM codeanatomy_functions('window')").to_pylist() == [
        {"n": 3}
    ]
    if i % 10 == 0:
        # the SQL front end too: a mirror session, a rewrite, a macro
        assert plugin.sql("SELECT named_struct('k', 1) -> 'k' AS v").to_pylist() == [{"v": 1}]
        plugin.sql("CREATE FUNCTION inc(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
        assert ctx.sql("SELECT inc(1) AS v").to_pylist() == [{"v": 2}]
    if i % 2 == 0:
        ctx.deregister_udf("stable_hash64")
    del plugin, ctx


def test_no_leak_over_1000_cycles() -> None:
    """1000 × (load, register everything, query, drop): RSS must stay
    within a bound that a per-cycle leak of the plugin's objects (about 50
    FFI functions, their registry snapshot, a mirror session) would exceed."""
    for i in range(50):  # warm up allocator pools and lazy statics
        cycle(i)
    gc.collect()
    before = rss_mib()
    for i in range(1000):
        cycle(i)
    gc.collect()
    grown = rss_mib() - before
    assert grown < 48, f"RSS grew by {grown:.1f} MiB over 1000 cycles"
