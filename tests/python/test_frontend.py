"""Plugin.sql: the plugin's operators, named arguments and function factory
for datafusion-python, beyond what the .slt files cover."""

from __future__ import annotations

import pyarrow as pa
import pytest
from conftest import new_session
from datafusion import SessionContext, udf

from df_plugin_host import PluginSqlError, load_plugin


@pytest.fixture
def docs():
    ctx, plugin = new_session()
    ctx.sql(
        "CREATE TABLE docs AS SELECT named_struct('k', 'v1', 'n', 42, "
        "'inner', named_struct('leaf', 'deep')) AS s, MAP {'a': 'x'} AS m, "
        "span(0, 10) AS outer_span, span(2, 5) AS inner_span"
    )
    return ctx, plugin


def test_operators_keep_the_rust_hosts_column_names(docs) -> None:
    ctx, plugin = docs
    df = plugin.sql("SELECT s -> 'k', s ->> 'n', s #>> '{inner,leaf}', m -> 'a' FROM docs")
    assert df.to_pylist() == [
        {"s -> 'k'": "v1", "s ->> 'n'": "42", "s #>> '{inner,leaf}'": "deep", "m -> 'a'": "x"}
    ]
    # ->> is text exactly as the plugin says (Utf8, not the session's VARCHAR mapping)
    assert plugin.sql("SELECT arrow_typeof(s ->> 'n') AS t FROM docs").to_pylist() == [
        {"t": "Utf8"}
    ]


def test_rewrite_is_plain_sql(docs) -> None:
    _, plugin = docs
    text = plugin.rewrite_sql(
        "SELECT outer_span @> inner_span AS a, inner_span <@ outer_span AS b, "
        "outer_span && inner_span AS c, make_array(1, 2) @> make_array(1) AS d FROM docs"
    )
    assert "span_contains((outer_span), (inner_span)) AS a" in text
    assert "span_contains((outer_span), (inner_span)) AS b" in text
    assert "span_overlaps((outer_span), (inner_span)) AS c" in text
    # lists stay DataFusion's own operator
    assert "make_array(1, 2) @> make_array(1) AS d" in text
    unchanged = "SELECT 1 AS one, stable_hash64('x') AS h"
    assert plugin.rewrite_sql(unchanged) == unchanged


def test_operators_in_subqueries_ctes_and_filters(docs) -> None:
    _, plugin = docs
    rows = plugin.sql(
        "WITH d AS (SELECT s -> 'inner' AS i, s FROM docs) "
        "SELECT i ->> 'leaf' AS leaf FROM d WHERE (s -> 'k') = 'v1' "
        "AND (SELECT count(*) FROM docs WHERE outer_span @> inner_span) = 1"
    ).to_pylist()
    assert rows == [{"leaf": "deep"}]
    explain = plugin.sql("EXPLAIN SELECT s -> 'k' FROM docs").to_pylist()
    assert "get_field" in str(explain)


def test_plugin_refusals_are_plugin_sql_errors(docs) -> None:
    _, plugin = docs
    with pytest.raises(PluginSqlError, match="operator -> on a struct needs a literal field name"):
        plugin.sql("SELECT count(*) FROM docs WHERE s -> 'k' = 'v1'")
    with pytest.raises(PluginSqlError, match="needs a literal path"):
        plugin.sql("SELECT s #> concat('{', 'k', '}') FROM docs")
    with pytest.raises(PluginSqlError, match=r"Unknown parameter name 'nope'"):
        plugin.sql("SELECT stable_hash64(nope => 'alpha')")
    with pytest.raises(PluginSqlError, match="read_delta has no parameter named 'colour'"):
        plugin.sql("SELECT * FROM read_delta(colour => 'red')")
    with pytest.raises(PluginSqlError, match="language 'python' is not allowed"):
        plugin.sql("CREATE FUNCTION py(x BIGINT) RETURNS BIGINT LANGUAGE python AS 'return x'")
    assert isinstance(PluginSqlError("x"), ValueError)


def test_statements_the_mirror_cannot_plan_go_to_python(docs) -> None:
    """A function only the Python context has: the mirror cannot plan the
    statement, the operators it did plan are rewritten, Python decides."""
    ctx, plugin = docs
    only_here = udf(
        lambda a: pa.array([v.as_py() * 2 for v in a]),
        [pa.int64()],
        pa.int64(),
        volatility="immutable",
        name="only_here",
    )
    ctx.register_udf(only_here)
    rows = plugin.sql("SELECT s -> 'n' AS n, only_here(s -> 'n') AS twice FROM docs").to_pylist()
    assert rows == [{"n": 42, "twice": 84}]
    # and a Python-side error stays datafusion-python's own
    with pytest.raises(Exception, match="not_a_table"):
        plugin.sql("SELECT s -> 'k' FROM not_a_table")


def test_named_arguments_everywhere(docs) -> None:
    _, plugin = docs
    rows = plugin.sql(
        "SELECT stable_id(value => 'a.b', prefix => 'fn') AS id, "
        "count_if(predicate => x > 1) AS c "
        "FROM (VALUES (1), (2), (3)) AS t(x)"
    ).to_pylist()
    assert rows == [{"id": "fn:ee1c40570f1cb396856159a5b49a3d17", "c": 2}]
    lagged = plugin.sql(
        "SELECT x, lag_window(offset => 1, value => x) OVER (ORDER BY x) AS l "
        "FROM (VALUES (1), (2), (3)) AS t(x) ORDER BY x"
    ).to_pylist()
    assert [r["l"] for r in lagged] == [None, 1, 2]
    names = plugin.sql(
        "SELECT name FROM codeanatomy_functions(kind => 'window') ORDER BY name"
    ).to_pylist()
    assert [r["name"] for r in names] == ["lag_window", "lead_window", "row_number_window"]


def test_create_function_sees_python_only_functions(docs) -> None:
    ctx, plugin = docs
    ctx.register_udf(
        udf(lambda a: a, [pa.int64()], pa.int64(), volatility="immutable", name="mine")
    )
    with pytest.raises(PluginSqlError, match="already exists"):
        plugin.sql("CREATE FUNCTION mine(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
    plugin.sql("CREATE OR REPLACE FUNCTION mine(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
    assert ctx.sql("SELECT mine(1) AS v").to_pylist() == [{"v": 2}]


def test_macros_call_plugin_functions_and_use_operators(docs) -> None:
    ctx, plugin = docs
    plugin.sql("CREATE FUNCTION leaf_id(leaf VARCHAR) RETURNS VARCHAR RETURN stable_id('leaf', $1)")
    rows = plugin.sql(
        "SELECT leaf_id(s #>> '{inner,leaf}') = stable_id('leaf', 'deep') AS same FROM docs"
    ).to_pylist()
    assert rows == [{"same": True}]
    # an operator in a macro body is planned by the plugin when the macro is built
    plugin.sql("CREATE FUNCTION k_of(x BIGINT) RETURNS BIGINT RETURN named_struct('k', $1) -> 'k'")
    assert ctx.sql("SELECT k_of(7) AS k").to_pylist() == [{"k": 7}]
    # named arguments of a macro, through Plugin.sql
    plugin.sql("CREATE FUNCTION scaled(v BIGINT, factor BIGINT) RETURNS BIGINT RETURN $v * $factor")
    assert plugin.sql("SELECT scaled(factor => 3, v => 2) AS v").to_pylist() == [{"v": 6}]


def test_aliases_of_each_kind() -> None:
    ctx, plugin = new_session()
    plugin.sql(
        "CREATE FUNCTION dc(v BIGINT) RETURNS BIGINT LANGUAGE aggregate RETURN count_distinct_agg($1)"
    )
    plugin.sql("CREATE FUNCTION rn() RETURNS BIGINT LANGUAGE window RETURN 'row_number_window'")
    plugin.sql("CREATE FUNCTION fns() LANGUAGE table RETURN 'codeanatomy_functions'")
    rows = ctx.sql(
        "SELECT (SELECT dc(x) FROM (VALUES (1), (1), (2)) t(x)) AS d, "
        "(SELECT max(r) FROM (SELECT rn() OVER () AS r FROM (VALUES (1), (2)))) AS r, "
        "(SELECT count(*) FROM fns('table')) AS f"
    ).to_pylist()
    assert rows == [{"d": 2, "r": 2, "f": 5}]


def test_sql_passes_arguments_to_ctx_sql() -> None:
    ctx = SessionContext()
    plugin = load_plugin(ctx)
    rows = plugin.sql("SELECT stable_hash64($word) AS h", param_values={"word": "alpha"}).to_pylist()
    assert rows == [{"h": 5982700193828047002}]
