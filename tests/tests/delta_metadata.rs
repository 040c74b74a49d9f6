//! `delta_snapshot` and `delta_add_actions` through the real dylib, against
//! what the Python `deltalake` package reports for the same tables.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use df_plugin_tests::{query_rows, run_python, scratch_dir, session_with_plugin};
use serde_json::{Value, json};

fn tables() -> &'static Value {
    static TABLES: OnceLock<Value> = OnceLock::new();
    TABLES.get_or_init(|| {
        let dir = scratch_dir("delta_metadata_tables");
        run_python("make_tables.py", &[dir.to_str().unwrap()])
    })
}

fn path(table: &str) -> String {
    tables()[table]["path"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn delta_snapshot_describes_the_table_like_deltalake() {
    let ctx = session_with_plugin();
    for table in ["partitioned", "unpartitioned", "cdf", "edge"] {
        let t = &tables()[table];
        let rows = query_rows(
            &ctx,
            &format!("SELECT * FROM delta_snapshot('{}')", path(table)),
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row["version"], t["latest"], "{table}");
        assert_eq!(
            row["min_reader_version"], t["min_reader_version"],
            "{table}"
        );
        assert_eq!(
            row["min_writer_version"], t["min_writer_version"],
            "{table}"
        );
        assert_eq!(row["partition_columns"], t["partition_columns"], "{table}");
        let actions = t["add_actions"].as_array().unwrap();
        assert_eq!(row["num_files"], json!(actions.len()), "{table}");
        let bytes: i64 = actions
            .iter()
            .map(|a| a["size_bytes"].as_i64().unwrap())
            .sum();
        assert_eq!(row["total_bytes"], json!(bytes), "{table}");
        let props: Value = serde_json::from_str(row["properties"].as_str().unwrap()).unwrap();
        assert_eq!(props, t["configuration"], "{table}");
        let schema: Value = serde_json::from_str(row["schema_json"].as_str().unwrap()).unwrap();
        let names: Vec<&Value> = schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["name"])
            .collect();
        assert_eq!(json!(names), t["columns"], "{table}");
        assert_eq!(row["unsupported_reader_features"], json!([]), "{table}");
    }
    // An older version.
    let rows = query_rows(
        &ctx,
        &format!(
            "SELECT version, num_files FROM delta_snapshot('{}', 1)",
            path("partitioned")
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![json!({"version": 1, "num_files": tables()["partitioned"]["files"]["1"]})]
    );
}

#[tokio::test]
async fn delta_add_actions_lists_the_live_files_like_deltalake() {
    let ctx = session_with_plugin();
    for table in ["partitioned", "unpartitioned", "edge"] {
        let rows = query_rows(
            &ctx,
            &format!(
                "SELECT path, size_bytes, partition_values, num_records, stats, \
                 CAST(modification_time AS BIGINT) AS mtime FROM delta_add_actions('{}')",
                path(table)
            ),
        )
        .await
        .unwrap();
        let mine: BTreeMap<String, &Value> = rows
            .iter()
            .map(|r| (r["path"].as_str().unwrap().to_string(), r))
            .collect();
        let theirs: BTreeMap<String, &Value> = tables()[table]["add_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["path"].as_str().unwrap().to_string(), a))
            .collect();
        assert_eq!(
            mine.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{table}: live files"
        );
        for (file, r) in &mine {
            let a = theirs[file];
            assert_eq!(r["size_bytes"], a["size_bytes"], "{file}");
            assert_eq!(r["num_records"], a["num_records"], "{file}");
            let parts: Value =
                serde_json::from_str(r["partition_values"].as_str().unwrap()).unwrap();
            assert_eq!(parts, a["partition"], "{file}");
            let stats: Value = serde_json::from_str(r["stats"].as_str().unwrap()).unwrap();
            assert_eq!(stats["minValues"]["id"], a["min_id"], "{file}");
            assert_eq!(stats["maxValues"]["id"], a["max_id"], "{file}");
            assert_eq!(stats["nullCount"]["id"], a["null_count_id"], "{file}");
            assert!(
                r["mtime"].as_i64().unwrap() > 1_600_000_000_000,
                "{file}: {r}"
            );
        }
    }
    // Version 0 of the partitioned table had other files.
    let rows = query_rows(
        &ctx,
        &format!(
            "SELECT count(*) AS n FROM delta_add_actions('{}', 0)",
            path("partitioned")
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![json!({"n": tables()["partitioned"]["files"]["0"]})]
    );
}

#[tokio::test]
async fn metadata_functions_report_bad_input_clearly() {
    let ctx = session_with_plugin();
    for (sql, needle) in [
        (
            format!("SELECT * FROM delta_snapshot('{}')", path("empty_dir")),
            "is not a Delta table",
        ),
        (
            format!(
                "SELECT * FROM delta_add_actions('{}', 42)",
                path("partitioned")
            ),
            "does not exist",
        ),
        (
            "SELECT * FROM delta_snapshot(1)".to_string(),
            "must be text",
        ),
    ] {
        let err = match ctx.sql(&sql).await {
            Ok(df) => df.collect().await.map(|_| ()).unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(needle), "{sql}: {err}");
    }
}
