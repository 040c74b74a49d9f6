"""Loading and installing: the bundled plugin, a plugin file given by path,
what is registered, the plugin's self-description."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pytest
from conftest import new_session
from datafusion import SessionConfig, SessionContext, udf

import df_plugin_host
from df_plugin_host import Plugin, _native, bundled_plugin_path, config_extension, load_plugin


def hashlib_hash64(text: str) -> int:
    """stable_hash64 as the README specifies it: Blake2b, 8-byte digest,
    big-endian, masked to 63 bits."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ((1 << 63) - 1)


def test_done_command_prints_the_hashlib_value() -> None:
    ctx = SessionContext()
    load_plugin(ctx)
    rows = ctx.sql("SELECT stable_hash64('alpha')").to_pylist()
    assert list(rows[0].values()) == [hashlib_hash64("alpha")] == [5982700193828047002]


def test_bundled_plugin_is_the_extension_module() -> None:
    path = bundled_plugin_path()
    assert path == _native.__file__
    assert os.path.isfile(path)
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    assert plugin.path == path
    assert plugin.ctx is ctx


def test_manifest_registry_and_capabilities_are_dicts() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    manifest = plugin.manifest
    assert manifest["plugin_name"] == "codeanatomy"
    assert manifest["abi_major"] == 1
    assert manifest["datafusion_ffi_major"] == _native.DATAFUSION_FFI_MAJOR == 55
    assert {c["name"] for c in manifest["capabilities"]} >= {"scalar_udf", "table_function"}
    registry = plugin.registry_snapshot()
    assert isinstance(registry, list)
    by_name = {e["name"]: e for e in registry}
    assert by_name["stable_hash64"]["kind"] == "scalar"
    assert by_name["stable_hash64"]["parameters"] == ["value"]
    assert by_name["read_delta"]["kind"] == "table"
    capabilities = plugin.capabilities()
    assert capabilities["config"]["namespace"] == "codeanatomy_udf"
    assert "span_line_base" in capabilities["config"]["defaults"]
    assert "codeanatomy" in repr(plugin)


def test_every_export_is_registered() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    report = plugin.install_report
    registry = plugin.registry_snapshot()
    for kind, key in [
        ("scalar", "scalar_udfs"),
        ("aggregate", "aggregate_udfs"),
        ("window", "window_udfs"),
        ("table", "table_functions"),
    ]:
        assert sorted(report[key]) == sorted(e["name"] for e in registry if e["kind"] == kind)
    assert report["table_factories"] == ["DELTATABLE"]
    assert report["config_namespace"] == "codeanatomy_udf"
    assert set(report["scalar_udfs"]) <= set(ctx.udfs())
    assert set(report["aggregate_udfs"]) <= set(ctx.udafs())
    assert set(report["window_udfs"]) <= set(ctx.udwfs())
    # one call of each kind through datafusion-python
    row = ctx.sql(
        "SELECT stable_hash64('alpha') AS h, hash64('alpha') AS alias, "
        "count_distinct_agg(x) AS c, max(r) AS r "
        "FROM (SELECT x, row_number_window() OVER (ORDER BY x) AS r "
        "FROM (VALUES (1), (2), (2)) AS t(x))"
    ).to_pylist()
    assert row == [{"h": 5982700193828047002, "alias": 5982700193828047002, "c": 2, "r": 3}]
    assert ctx.sql("SELECT count(*) AS n FROM codeanatomy_functions()").to_pylist() == [
        {"n": len(registry)}
    ]


def test_table_function_arguments_resolve_against_the_users_context() -> None:
    """The table function gets the codec of the session datafusion-python
    passes, so an argument may call a function only that context has."""
    ctx = SessionContext()
    load_plugin(ctx)
    kind = udf(
        lambda a: pa.array(["window"] * len(a)),
        [pa.int64()],
        pa.string(),
        volatility="immutable",
        name="users_only_kind",
    )
    ctx.register_udf(kind)
    rows = ctx.sql(
        "SELECT name FROM codeanatomy_functions(users_only_kind(1)) ORDER BY name"
    ).to_pylist()
    assert [r["name"] for r in rows] == ["lag_window", "lead_window", "row_number_window"]


def test_install_options_reach_the_functions() -> None:
    ctx = SessionContext()
    load_plugin(ctx, options={"span_line_base": 1})
    base = ctx.sql("SELECT span_make(0, 4)['line_base'] AS b").to_pylist()
    assert base == [{"b": 1}]


def test_config_extension_makes_set_work() -> None:
    extension = config_extension(options={"map_normalize_key_case": "lower"})
    assert extension.namespace == "codeanatomy_udf"
    assert ("codeanatomy_udf.map_normalize_key_case", "lower") in extension.entries()
    ctx = SessionContext(SessionConfig().with_extension(extension))
    load_plugin(ctx)
    ctx.sql("SET codeanatomy_udf.map_normalize_key_case = 'upper'")
    rows = ctx.sql("SELECT map_keys(map_normalize(MAP {'a': 1})) AS k").to_pylist()
    assert rows == [{"k": ["A"]}]


def test_set_without_the_extension_is_refused_by_datafusion_python() -> None:
    ctx = SessionContext()
    load_plugin(ctx)
    with pytest.raises(Exception, match="codeanatomy_udf"):
        ctx.sql("SET codeanatomy_udf.map_normalize_key_case = 'upper'")


def test_loading_twice_into_one_context_replaces_the_functions() -> None:
    ctx = SessionContext()
    first = load_plugin(ctx)
    second = load_plugin(ctx)
    assert first.manifest == second.manifest
    assert ctx.sql("SELECT stable_id('fn', 'a.b') AS i").to_pylist() == [
        {"i": "fn:ee1c40570f1cb396856159a5b49a3d17"}
    ]


def test_a_separately_built_plugin_file(separate_plugin) -> None:
    """A plugin file given by path (its own DataFusion, datafusion-ffi and
    tokio copies): every kind, including a table function run on the
    plugin's own multi-thread runtime, and Plugin.sql through the mirror."""
    ctx, plugin = new_session(separate_plugin)
    assert plugin.path == str(separate_plugin)
    assert ctx.sql("SELECT stable_hash64('alpha') AS h").to_pylist() == [
        {"h": 5982700193828047002}
    ]
    n = len(plugin.registry_snapshot())
    assert ctx.sql("SELECT count(*) AS n FROM codeanatomy_functions()").to_pylist() == [{"n": n}]
    rows = plugin.sql(
        "SELECT span(0, 10) @> span(2, 5) AS c, stable_hash64(value => 'alpha') AS h"
    ).to_pylist()
    assert rows == [{"c": True, "h": 5982700193828047002}]
    plugin.sql("CREATE FUNCTION h_plus(x BIGINT) RETURNS BIGINT RETURN stable_hash64('alpha') + $1")
    assert ctx.sql("SELECT h_plus(1) AS v").to_pylist() == [{"v": 5982700193828047003}]


@pytest.mark.parametrize("which", ["bundled", "separate"])
def test_table_functions_from_many_threads(which: str, separate_plugin) -> None:
    """datafusion-python runs plugin table functions on its tokio runtime;
    the plugin blocks on its own multi-thread runtime inside them. Many
    Python threads at once must neither deadlock nor crash."""
    ctx, plugin = new_session(None if which == "bundled" else separate_plugin)
    expected = len(plugin.registry_snapshot())
    barrier = threading.Barrier(4)

    def work(_: int) -> set[int]:
        barrier.wait()
        return {
            ctx.sql("SELECT count(*) AS n FROM codeanatomy_functions()").to_pylist()[0]["n"]
            for _ in range(10)
        }

    with ThreadPoolExecutor(4) as pool:
        seen = set().union(*pool.map(work, range(4)))
    assert seen == {expected}


def test_public_api() -> None:
    assert df_plugin_host.load_plugin is load_plugin
    assert issubclass(df_plugin_host.DataFusionPythonVersionError, df_plugin_host.IncompatibleError)
    assert issubclass(df_plugin_host.IncompatibleError, df_plugin_host.PluginLoadError)
    assert isinstance(load_plugin(SessionContext()), Plugin)
