//! `read_delta` through the real dylib, checked against the Python
//! `deltalake` package (tests/delta/make_tables.py): every version of every
//! table, time travel by version and by timestamp, new commits, the snapshot
//! cache, bad input and the protocol gate, from current-thread and
//! multi-thread host runtimes.

use std::sync::OnceLock;

use datafusion::prelude::SessionContext;
use df_plugin_tests::{
    numbers_as_floats, query_rows, run_python, run_python_code, scratch_dir, session_with_plugin,
};
use serde_json::{Value, json};

/// The tables make_tables.py created for this test binary, and what they hold.
fn tables() -> &'static Value {
    static TABLES: OnceLock<Value> = OnceLock::new();
    TABLES.get_or_init(|| {
        let dir = scratch_dir("delta_read_tables");
        run_python("make_tables.py", &[dir.to_str().unwrap()])
    })
}

fn path(table: &str) -> String {
    tables()[table]["path"].as_str().unwrap().to_string()
}

/// The SELECT list turning rows into make_tables.py's canonical form.
fn canonical_columns(table: &str) -> &'static str {
    match table {
        "partitioned" => "id, p, q, x, s, CAST(ts AS BIGINT) AS ts, CAST(d AS INT) AS d",
        "unpartitioned" => "id, v, n",
        "cdf" => "id, name, g",
        "edge" => "id, \"Name\", CAST(day AS INT) AS day, k",
        other => panic!("no canonical columns for {other}"),
    }
}

async fn rows(ctx: &SessionContext, table: &str, from: &str) -> Vec<Value> {
    let sql = format!(
        "SELECT {} FROM {from} ORDER BY id, 2",
        canonical_columns(table)
    );
    query_rows(ctx, &sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn expected(table: &str, version: &str) -> Value {
    numbers_as_floats(tables()[table]["versions"][version].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_version_matches_python_deltalake() {
    let ctx = session_with_plugin();
    for table in ["partitioned", "unpartitioned", "cdf", "edge"] {
        let latest = tables()[table]["latest"].as_u64().unwrap();
        for v in 0..=latest {
            let got = rows(&ctx, table, &format!("read_delta('{}', {v})", path(table))).await;
            assert_eq!(
                numbers_as_floats(Value::Array(got)),
                expected(table, &v.to_string()),
                "{table} version {v}"
            );
        }
        let got = rows(&ctx, table, &format!("read_delta('{}')", path(table))).await;
        assert_eq!(
            numbers_as_floats(Value::Array(got)),
            expected(table, &latest.to_string()),
            "{table} latest"
        );
    }
}

#[tokio::test]
async fn schema_is_the_tables_in_table_order() {
    let ctx = session_with_plugin();
    let df = ctx
        .sql(&format!(
            "SELECT * FROM read_delta('{}')",
            path("partitioned")
        ))
        .await
        .unwrap();
    let names: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(json!(names), tables()["partitioned"]["columns"]);
}

#[tokio::test]
async fn null_arguments_mean_absent_and_timestamps_travel_like_deltalake() {
    let ctx = session_with_plugin();
    for table in ["partitioned", "unpartitioned"] {
        let stamps = tables()[table]["timestamps"].as_object().unwrap();
        for (ts, version) in stamps {
            let from = format!("read_delta('{}', NULL, '{ts}')", path(table));
            let got = rows(&ctx, table, &from).await;
            assert_eq!(
                numbers_as_floats(Value::Array(got)),
                expected(table, &version.to_string()),
                "{table} at {ts} (deltalake resolves version {version})"
            );
        }
        // A NULL version and a NULL timestamp: the latest version.
        let latest = tables()[table]["latest"].to_string();
        let got = rows(
            &ctx,
            table,
            &format!("read_delta('{}', NULL, NULL)", path(table)),
        )
        .await;
        assert_eq!(
            numbers_as_floats(Value::Array(got)),
            expected(table, &latest)
        );
    }
}

#[tokio::test]
async fn named_arguments_reach_their_positions() {
    let ctx = session_with_plugin();
    let p = path("unpartitioned");
    let count = |sql: String| {
        let ctx = ctx.clone();
        async move {
            query_rows(&ctx, &sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    };
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM read_delta('{p}', version => 1)"
        ))
        .await,
        vec![json!({"n": 200})]
    );
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM read_delta('{p}', timestamp => '2024-01-01T02:30:00Z')"
        ))
        .await,
        vec![json!({"n": 300})]
    );
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM read_delta(uri => '{p}', version => 0)"
        ))
        .await,
        vec![json!({"n": 100})]
    );
}

async fn error_of(ctx: &SessionContext, sql: &str) -> String {
    match ctx.sql(sql).await {
        Ok(df) => match df.collect().await {
            Ok(batches) => panic!("{sql} succeeded: {batches:?}"),
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    let ctx = session_with_plugin();
    let p = path("partitioned");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("SELECT * FROM read_delta('{p}', 2, '2024-01-01T00:00:00Z')"),
            vec!["either a version or a timestamp, not both"],
        ),
        (
            format!("SELECT * FROM read_delta('{p}', 99)"),
            vec!["version 99", "does not exist", "latest version is 4"],
        ),
        (
            format!("SELECT * FROM read_delta('{p}', NULL, '2023-12-31T23:00:00Z')"),
            vec!["before the first commit", "version 0"],
        ),
        (
            format!("SELECT * FROM read_delta('{p}', NULL, 'last tuesday')"),
            vec!["RFC 3339"],
        ),
        (
            format!("SELECT * FROM read_delta('{p}', 'one')"),
            vec!["integer version"],
        ),
        (format!("SELECT * FROM read_delta('{p}', -1)"), vec![">= 0"]),
        (
            format!("SELECT * FROM read_delta('{}')", path("empty_dir")),
            vec!["is not a Delta table"],
        ),
        (
            "SELECT * FROM read_delta('/no/such/delta/table')".to_string(),
            vec!["/no/such/delta/table"],
        ),
        (
            "SELECT * FROM read_delta()".to_string(),
            vec!["uri", "required"],
        ),
        (
            format!("SELECT * FROM read_delta('{p}', 1, NULL, 'x')"),
            vec!["at most 3 arguments"],
        ),
        (
            format!("SELECT * FROM read_delta('{}')", path("corrupt")),
            vec!["corrupt", "version 1"],
        ),
    ];
    for (sql, needles) in cases {
        let err = error_of(&ctx, &sql).await;
        for needle in needles {
            assert!(err.contains(needle), "{sql}: expected '{needle}' in: {err}");
        }
    }
    // The session (and the process) is still fine.
    let ok = query_rows(
        &ctx,
        &format!("SELECT count(*) AS n FROM read_delta('{p}')"),
    )
    .await
    .unwrap();
    assert_eq!(ok, vec![json!({"n": 78})]);
}

#[tokio::test]
async fn unsupported_reader_features_are_refused_by_name() {
    let ctx = session_with_plugin();
    let dv = &tables()["dv"];
    assert!(
        dv["reader_features"]
            .as_array()
            .unwrap()
            .contains(&json!("deletionVectors")),
        "{dv}"
    );
    let err = error_of(
        &ctx,
        &format!(
            "SELECT * FROM read_delta('{}')",
            dv["path"].as_str().unwrap()
        ),
    )
    .await;
    assert!(err.contains("deletionVectors"), "{err}");
    assert!(err.contains("does not support"), "{err}");
    // Metadata stays inspectable.
    let rows = query_rows(
        &ctx,
        &format!(
            "SELECT min_reader_version, unsupported_reader_features FROM delta_snapshot('{}')",
            dv["path"].as_str().unwrap()
        ),
    )
    .await
    .unwrap();
    assert_eq!(rows[0]["min_reader_version"], json!(3));
    assert!(
        rows[0]["unsupported_reader_features"]
            .as_array()
            .unwrap()
            .contains(&json!("deletionVectors")),
        "{rows:?}"
    );
}

/// Copies a table directory (data and log) to a private location.
fn copy_table(table: &str, name: &str) -> String {
    let dest = scratch_dir(name).join(table);
    copy_dir(std::path::Path::new(&path(table)), &dest);
    dest.to_str().unwrap().to_string()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[tokio::test]
async fn without_a_version_new_commits_are_seen() {
    let ctx = session_with_plugin();
    let p = copy_table("unpartitioned", "delta_read_new_commits");
    let count = |ctx: &SessionContext, p: &str| {
        let sql = format!("SELECT count(*) AS n, max(id) AS m FROM read_delta('{p}')");
        let ctx = ctx.clone();
        async move { query_rows(&ctx, &sql).await.unwrap() }
    };
    assert_eq!(count(&ctx, &p).await, vec![json!({"n": 350, "m": 399})]);
    run_python_code(
        "import sys, os, pyarrow as pa\n\
         from deltalake import write_deltalake\n\
         t = pa.table({'id': pa.array([1000, 1001], pa.int64()), 'v': ['a', 'b'], 'n': pa.array([1, 2], pa.int64())})\n\
         write_deltalake(sys.argv[1], t, mode='append')\n\
         os._exit(0)",
        &[&p],
    );
    assert_eq!(count(&ctx, &p).await, vec![json!({"n": 352, "m": 1001})]);
    // A table registered once follows the table too.
    let state = ctx.state();
    let args = [datafusion::prelude::lit(p.clone())];
    let provider = ctx
        .table_function("read_delta")
        .unwrap()
        .create_table_provider_with_args(datafusion::catalog::TableFunctionArgs::new(&args, &state))
        .unwrap();
    ctx.register_table("followed", provider).unwrap();
    let q = "SELECT count(*) AS n FROM followed";
    assert_eq!(query_rows(&ctx, q).await.unwrap(), vec![json!({"n": 352})]);
    run_python_code(
        "import sys, os, pyarrow as pa\n\
         from deltalake import write_deltalake\n\
         t = pa.table({'id': pa.array([2000], pa.int64()), 'v': ['c'], 'n': pa.array([3], pa.int64())})\n\
         write_deltalake(sys.argv[1], t, mode='append')\n\
         os._exit(0)",
        &[&p],
    );
    assert_eq!(query_rows(&ctx, q).await.unwrap(), vec![json!({"n": 353})]);
}

#[tokio::test]
async fn loaded_versions_are_cached_not_replayed() {
    let ctx = session_with_plugin();
    let p = copy_table("unpartitioned", "delta_read_cache");
    let q = format!("SELECT count(*) AS n FROM read_delta('{p}', 2)");
    assert_eq!(query_rows(&ctx, &q).await.unwrap(), vec![json!({"n": 300})]);
    // Destroy the commits version 2 is replayed from: only the cached
    // snapshot can still answer.
    for v in 0..=2 {
        std::fs::write(
            format!("{p}/_delta_log/{v:020}.json"),
            "this is not a commit\n",
        )
        .unwrap();
    }
    let started = std::time::Instant::now();
    assert_eq!(query_rows(&ctx, &q).await.unwrap(), vec![json!({"n": 300})]);
    eprintln!("cached read_delta query: {:?}", started.elapsed());
    // A version never loaded must now be replayed, and fails clearly.
    let err = error_of(&ctx, &format!("SELECT * FROM read_delta('{p}', 1)")).await;
    assert!(err.contains("version 1"), "{err}");
}

fn query_on_runtime(rt: tokio::runtime::Runtime) {
    let p = path("partitioned");
    let rows = rt.block_on(async move {
        let ctx = session_with_plugin();
        query_rows(
            &ctx,
            &format!("SELECT count(*) AS n FROM read_delta('{p}') WHERE p = 'b' AND id > 10"),
        )
        .await
        .unwrap()
    });
    let expected = tables()["partitioned"]["versions"]["4"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["p"] == "b" && r["id"].as_i64().unwrap() > 10)
        .count();
    assert_eq!(rows, vec![json!({"n": expected})]);
}

#[test]
fn works_from_a_current_thread_host_runtime() {
    query_on_runtime(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
    );
}

#[test]
fn works_from_a_multi_thread_host_runtime() {
    query_on_runtime(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    );
}

#[tokio::test]
async fn the_registry_lists_the_delta_functions() {
    let ctx = SessionContext::new();
    let report = df_plugin_tests::load_plugin().install(&ctx).unwrap();
    for name in [
        "read_delta",
        "read_delta_cdf",
        "delta_snapshot",
        "delta_add_actions",
    ] {
        assert!(
            report.table_functions.iter().any(|n| n == name),
            "{name}: {report:?}"
        );
    }
    assert!(
        report
            .table_factories
            .iter()
            .any(|f| f.eq_ignore_ascii_case("DELTATABLE")),
        "{report:?}"
    );
    let rows = query_rows(
        &ctx,
        "SELECT name, parameters, description FROM codeanatomy_functions() \
         WHERE name LIKE '%delta%' ORDER BY name",
    )
    .await
    .unwrap();
    let read_delta = rows.iter().find(|r| r["name"] == "read_delta").unwrap();
    assert_eq!(read_delta["parameters"], json!("uri, version, timestamp"));
    assert!(rows.len() >= 4, "{rows:?}");
}
