//! `read_delta_cdf` through the real dylib, against the change data feed
//! the Python `deltalake` package reads from the same table.

use std::sync::OnceLock;

use df_plugin_tests::{query_rows, run_python, scratch_dir, session_with_plugin};
use serde_json::{Value, json};

fn tables() -> &'static Value {
    static TABLES: OnceLock<Value> = OnceLock::new();
    TABLES.get_or_init(|| {
        let dir = scratch_dir("delta_cdf_tables");
        run_python("make_tables.py", &[dir.to_str().unwrap()])
    })
}

fn path(table: &str) -> String {
    tables()[table]["path"].as_str().unwrap().to_string()
}

const COLUMNS: &str = "id, name, g, _change_type, _commit_version";
const ORDER: &str = "ORDER BY id, _commit_version, _change_type";

#[tokio::test]
async fn change_data_feed_matches_deltalake() {
    let ctx = session_with_plugin();
    let p = path("cdf");
    for (range, sql) in [
        (
            "0-3",
            format!("SELECT {COLUMNS} FROM read_delta_cdf('{p}', 0, 3) {ORDER}"),
        ),
        (
            "1-2",
            format!("SELECT {COLUMNS} FROM read_delta_cdf('{p}', 1, 2) {ORDER}"),
        ),
        (
            "2-3",
            format!("SELECT {COLUMNS} FROM read_delta_cdf('{p}', 2) {ORDER}"),
        ),
        (
            "1-2",
            format!(
                "SELECT {COLUMNS} FROM read_delta_cdf('{p}', starting_version => 1, ending_version => 2) {ORDER}"
            ),
        ),
    ] {
        let rows = query_rows(&ctx, &sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(Value::Array(rows), tables()["cdf"]["cdf"][range], "{sql}");
    }
}

#[tokio::test]
async fn change_data_feed_columns_and_filters() {
    let ctx = session_with_plugin();
    let p = path("cdf");
    let df = ctx
        .sql(&format!("SELECT * FROM read_delta_cdf('{p}', 0)"))
        .await
        .unwrap();
    let names: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    for c in [
        "id",
        "name",
        "g",
        "_change_type",
        "_commit_version",
        "_commit_timestamp",
    ] {
        assert!(names.iter().any(|n| n == c), "{c} in {names:?}");
    }
    // Filters (on data and partition columns) are applied by the host.
    let rows = query_rows(
        &ctx,
        &format!(
            "SELECT id, _change_type FROM read_delta_cdf('{p}', 0) \
             WHERE g = 'x' AND _change_type <> 'insert' ORDER BY _change_type"
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            json!({"id": 2, "_change_type": "update_postimage"}),
            json!({"id": 2, "_change_type": "update_preimage"}),
        ]
    );
    // Commit timestamps are those of the commits.
    let rows = query_rows(
        &ctx,
        &format!(
            "SELECT DISTINCT _commit_version, _commit_timestamp IS NOT NULL AS has_ts \
             FROM read_delta_cdf('{p}', 0) ORDER BY _commit_version"
        ),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|r| r["has_ts"] == json!(true)), "{rows:?}");
}

#[tokio::test]
async fn change_data_feed_errors_are_clear() {
    let ctx = session_with_plugin();
    let cases = [
        (
            format!(
                "SELECT * FROM read_delta_cdf('{}', 0)",
                path("unpartitioned")
            ),
            "change data",
        ),
        (
            format!("SELECT * FROM read_delta_cdf('{}', 9)", path("cdf")),
            "does not exist",
        ),
        (
            format!("SELECT * FROM read_delta_cdf('{}', 2, 1)", path("cdf")),
            "before starting_version",
        ),
        (
            format!("SELECT * FROM read_delta_cdf('{}')", path("cdf")),
            "starting_version or a starting_timestamp",
        ),
        (
            format!(
                "SELECT * FROM read_delta_cdf('{}', 0, NULL, '2024-01-01T00:00:00Z')",
                path("cdf")
            ),
            "not both",
        ),
    ];
    for (sql, needle) in cases {
        let err = match ctx.sql(&sql).await {
            Ok(df) => df.collect().await.map(|_| ()).unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        assert!(
            err.to_lowercase().contains(&needle.to_lowercase()),
            "{sql}: {err}"
        );
    }
}
