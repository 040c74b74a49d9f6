"""Creates the Delta tables the plugin's Delta tests read, with the Python
`deltalake` package (delta-rs), and prints what each version must contain.

Usage: make_tables.py OUT_DIR

Writes under OUT_DIR:
  partitioned/    partitioned by p (string) and q (int); appends, a delete,
                  a replace-where overwrite and a checkpoint: time travel
                  matters
  unpartitioned/  disjoint id ranges per file, so statistics skip files
  cdf/            delta.enableChangeDataFeed = true; insert, update, delete
  dv/             deletion vectors enabled (a reader feature the plugin
                  refuses)
  corrupt/        a copy of a small table whose version-1 commit is not JSON
  empty_dir/      no Delta table at all

and prints one JSON document on stdout: for every table its path, latest
version, and per version the rows (sorted by id, timestamps as epoch
microseconds, dates as epoch days), plus expected timestamp resolutions and
the expected change data feed. Commit file modification times are set to
2024-01-01T00:00:00Z + version hours, so timestamp time travel is
deterministic.
"""

import datetime as dt
import json
import os
import shutil
import sys

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

BASE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


def canonical(table: pa.Table) -> list:
    """Rows as JSON-able dicts: timestamps as int microseconds since the
    epoch, dates as int days, sorted by (id, _commit_version, _change_type)
    when present."""
    columns = {}
    for name in table.column_names:
        col = table.column(name)
        t = col.type
        if pa.types.is_timestamp(t):
            col = pc.cast(pc.cast(col, pa.timestamp("us", tz=t.tz)), pa.int64())
        elif pa.types.is_date32(t):
            col = pc.cast(col, pa.int32())
        elif pa.types.is_dictionary(t):
            col = pc.cast(col, t.value_type)
        columns[name] = col.to_pylist()
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    key = lambda r: (
        r.get("id") if r.get("id") is not None else -1,
        r.get("_commit_version") or 0,
        r.get("_change_type") or "",
    )
    return sorted(rows, key=key)


def set_commit_times(path: str) -> None:
    log = os.path.join(path, "_delta_log")
    for name in os.listdir(log):
        if name.endswith(".json") and name[:20].isdigit():
            version = int(name[:20])
            t = (BASE + dt.timedelta(hours=version)).timestamp()
            os.utime(os.path.join(log, name), (t, t))


def batch(ids, p, q, offset=0.0):
    n = len(ids)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "p": pa.array(p, pa.string()),
            "q": pa.array(q, pa.int32()),
            "x": pa.array([None if i % 7 == 3 else i * 1.5 + offset for i in ids], pa.float64()),
            "s": pa.array(
                [("long-" + "z" * 40 + str(i)) if i % 11 == 0 else f"s{i:04d}" for i in ids],
                pa.string(),
            ),
            "ts": pa.array(
                [1_700_000_000_000_000 + i * 1_000_001 for i in ids],
                pa.timestamp("us", tz="UTC"),
            ),
            "d": pa.array([19_000 + i for i in ids], pa.date32()),
        }
    )


def make_partitioned(root: str) -> dict:
    path = os.path.join(root, "partitioned")
    parts = ["a", "b", "c"]
    ids = list(range(0, 60))
    write_deltalake(
        path,
        batch(ids, [parts[i % 3] for i in ids], [i % 2 for i in ids]),
        partition_by=["p", "q"],
    )
    ids = list(range(60, 100))
    write_deltalake(
        path,
        batch(ids, [["a", "d"][i % 2] for i in ids], [i % 2 for i in ids]),
        mode="append",
        partition_by=["p", "q"],
    )
    DeltaTable(path).delete("id % 5 = 0")
    ids = list(range(100, 130))
    write_deltalake(
        path,
        batch(ids, [parts[i % 3] for i in ids], [i % 2 for i in ids], offset=0.25),
        mode="append",
        partition_by=["p", "q"],
    )
    DeltaTable(path).create_checkpoint()
    ids = list(range(200, 210))
    write_deltalake(
        path,
        batch(ids, ["a"] * len(ids), [0] * len(ids)),
        mode="overwrite",
        predicate="p = 'a'",
        partition_by=["p", "q"],
    )
    set_commit_times(path)
    return describe(path)


def make_unpartitioned(root: str) -> dict:
    path = os.path.join(root, "unpartitioned")
    for k in range(4):
        ids = list(range(k * 100, k * 100 + 100))
        t = pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "v": pa.array([f"v{i}" for i in ids], pa.string()),
                "n": pa.array([None if i % 10 == 0 else i * 2 for i in ids], pa.int64()),
            }
        )
        write_deltalake(path, t, mode="append" if k else "error")
    DeltaTable(path).delete("id < 50")
    set_commit_times(path)
    return describe(path)


def make_cdf(root: str) -> dict:
    path = os.path.join(root, "cdf")
    t = pa.table(
        {
            "id": pa.array([1, 2, 3, 4], pa.int64()),
            "name": pa.array(["a", "b", "c", "d"], pa.string()),
            "g": pa.array(["x", "x", "y", "y"], pa.string()),
        }
    )
    write_deltalake(
        path, t, partition_by=["g"], configuration={"delta.enableChangeDataFeed": "true"}
    )
    t2 = pa.table(
        {
            "id": pa.array([5, 6], pa.int64()),
            "name": pa.array(["e", "f"], pa.string()),
            "g": pa.array(["x", "y"], pa.string()),
        }
    )
    write_deltalake(path, t2, mode="append", partition_by=["g"])
    DeltaTable(path).update(updates={"name": "'B'"}, predicate="id = 2")
    DeltaTable(path).delete("id = 3")
    set_commit_times(path)
    out = describe(path)
    feeds = {}
    for start, end in [(0, 3), (1, 2), (2, 3)]:
        reader = DeltaTable(path).load_cdf(starting_version=start, ending_version=end)
        feed = pa.RecordBatchReader.from_stream(reader).read_all()
        feed = feed.drop_columns(["_commit_timestamp"])
        feeds[f"{start}-{end}"] = canonical(feed)
    out["cdf"] = feeds
    return out


def make_edge(root: str) -> dict:
    """Partition values that need escaping, NULL partitions, typed
    (date, int) partition columns and column names with capitals."""
    path = os.path.join(root, "edge")
    t = pa.table(
        {
            "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
            "Name": pa.array(["a b", "x=y", "ü/ß", None, "%41", "plain"], pa.string()),
            "day": pa.array([19000, 19000, 19001, None, 19002, 19001], pa.date32()),
            "k": pa.array([1, 2, None, 1, 2, 3], pa.int32()),
        }
    )
    write_deltalake(path, t, partition_by=["Name", "day"])
    write_deltalake(path, t.slice(0, 2), mode="append", partition_by=["Name", "day"])
    set_commit_times(path)
    return describe(path)


def make_dv(root: str) -> dict:
    path = os.path.join(root, "dv")
    t = pa.table({"id": pa.array([1, 2, 3], pa.int64())})
    write_deltalake(path, t, configuration={"delta.enableDeletionVectors": "true"})
    dtab = DeltaTable(path)
    protocol = dtab.protocol()
    return {
        "path": path,
        "reader_features": list(protocol.reader_features or []),
        "min_reader_version": protocol.min_reader_version,
    }


def make_corrupt(root: str) -> dict:
    path = os.path.join(root, "corrupt")
    t = pa.table({"id": pa.array([1, 2], pa.int64())})
    write_deltalake(path, t)
    write_deltalake(path, t, mode="append")
    with open(os.path.join(path, "_delta_log", f"{1:020}.json"), "w") as f:
        f.write('{"add": {"path": "x.parquet", this is not json\n')
    return {"path": path}


def describe(path: str) -> dict:
    latest = DeltaTable(path).version()
    versions = {}
    files = {}
    for v in range(latest + 1):
        table = DeltaTable(path, version=v)
        versions[str(v)] = canonical(table.to_pyarrow_table())
        files[str(v)] = len(table.file_uris())
    # Timestamp time travel, resolved by delta-rs itself.
    timestamps = {}
    for v in range(latest + 1):
        for minutes in (0, 30):
            ts = BASE + dt.timedelta(hours=v, minutes=minutes)
            table = DeltaTable(path)
            table.load_as_version(ts)
            timestamps[ts.isoformat().replace("+00:00", "Z")] = table.version()
    actions = pa.table(DeltaTable(path).get_add_actions(flatten=True)).to_pylist()
    add_actions = [
        {
            "path": a["path"],
            "size_bytes": a["size_bytes"],
            "num_records": a.get("num_records"),
            "partition": {
                k[len("partition.") :]: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in a.items()
                if k.startswith("partition.")
            },
            "min_id": a.get("min.id"),
            "max_id": a.get("max.id"),
            "null_count_id": a.get("null_count.id"),
        }
        for a in actions
    ]
    latest_table = DeltaTable(path)
    protocol = latest_table.protocol()
    metadata = latest_table.metadata()
    return {
        "path": path,
        "latest": latest,
        "add_actions": add_actions,
        "min_reader_version": protocol.min_reader_version,
        "min_writer_version": protocol.min_writer_version,
        "partition_columns": metadata.partition_columns,
        "configuration": metadata.configuration,
        "columns": latest_table.to_pyarrow_table().column_names,
        "versions": versions,
        "files": files,
        "timestamps": timestamps,
        "first_commit": BASE.isoformat().replace("+00:00", "Z"),
    }


def main() -> None:
    root = sys.argv[1]
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    os.makedirs(os.path.join(root, "empty_dir"))
    out = {
        "partitioned": make_partitioned(root),
        "unpartitioned": make_unpartitioned(root),
        "cdf": make_cdf(root),
        "edge": make_edge(root),
        "dv": make_dv(root),
        "corrupt": make_corrupt(root),
        "empty_dir": {"path": os.path.join(root, "empty_dir")},
        "deltalake_version": __import__("deltalake").__version__,
    }
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()
    # deltalake's runtime can abort during interpreter shutdown; the work is
    # done and flushed, so leave without running finalizers.
    os._exit(0)


if __name__ == "__main__":
    main()
