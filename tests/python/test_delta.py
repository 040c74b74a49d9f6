"""Delta Lake tables across datafusion-python: written by the Python
``deltalake`` package and read through the plugin (table function,
``Plugin.table`` provider, ``STORED AS DELTATABLE``), and written through
the plugin (``INSERT INTO``) and read by ``deltalake``."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from conftest import new_session

deltalake = pytest.importorskip("deltalake")


@pytest.fixture
def written_by_deltalake(tmp_path: Path) -> str:
    uri = str(tmp_path / "people")
    deltalake.write_deltalake(uri, pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}))
    deltalake.write_deltalake(uri, pa.table({"id": [4], "name": ["d"]}), mode="append")
    return uri


def test_read_delta_table_function(written_by_deltalake: str) -> None:
    ctx, plugin = new_session()
    uri = written_by_deltalake
    rows = ctx.sql(f"SELECT id, name FROM read_delta('{uri}') ORDER BY id").to_pylist()
    assert rows == [
        {"id": 1, "name": "a"},
        {"id": 2, "name": "b"},
        {"id": 3, "name": "c"},
        {"id": 4, "name": "d"},
    ]
    # time travel, with named arguments through Plugin.sql
    assert ctx.sql(f"SELECT count(*) AS n FROM read_delta('{uri}', 0)").to_pylist() == [{"n": 3}]
    assert plugin.sql(
        f"SELECT count(*) AS n FROM read_delta(uri => '{uri}', version => 0)"
    ).to_pylist() == [{"n": 3}]
    snapshot = ctx.sql(f"SELECT version, num_files FROM delta_snapshot('{uri}')").to_pylist()
    assert snapshot == [{"version": 1, "num_files": 2}]


def test_plugin_table_provider(written_by_deltalake: str) -> None:
    ctx, plugin = new_session()
    provider = plugin.table("read_delta", written_by_deltalake, version=0)
    assert pa.schema(provider).names == ["id", "name"]
    ctx.register_table("people_v0", provider)
    rows = ctx.sql("SELECT max(id) AS m, count(*) AS n FROM people_v0 WHERE id > 1").to_pylist()
    assert rows == [{"m": 3, "n": 2}]
    latest = plugin.table("read_delta", uri=written_by_deltalake)
    ctx.register_table("people", latest)
    assert ctx.sql("SELECT count(*) AS n FROM people").to_pylist() == [{"n": 4}]


def test_plugin_table_refuses_unknown_functions() -> None:
    _, plugin = new_session()
    with pytest.raises(ValueError, match="has no table function named nope"):
        plugin.table("nope")
    with pytest.raises(ValueError, match="read_delta has no parameter named 'colour'"):
        plugin.table("read_delta", "/tmp/x", colour=1)


def test_external_table_and_insert_round_trip(written_by_deltalake: str) -> None:
    ctx, _ = new_session()
    uri = written_by_deltalake
    ctx.sql(f"CREATE EXTERNAL TABLE people STORED AS DELTATABLE LOCATION '{uri}'")
    assert ctx.sql("SELECT count(*) AS n FROM people").to_pylist() == [{"n": 4}]
    inserted = ctx.sql("INSERT INTO people VALUES (5, 'e'), (6, NULL)").to_pylist()
    assert inserted == [{"count": 2}]
    # the reverse direction: written through the plugin, read by deltalake
    table = deltalake.DeltaTable(uri)
    assert table.version() == 2
    assert table.to_pyarrow_table().sort_by("id").to_pylist() == [
        {"id": 1, "name": "a"},
        {"id": 2, "name": "b"},
        {"id": 3, "name": "c"},
        {"id": 4, "name": "d"},
        {"id": 5, "name": "e"},
        {"id": 6, "name": None},
    ]
    assert ctx.sql("SELECT count(*) AS n FROM people").to_pylist() == [{"n": 6}]
