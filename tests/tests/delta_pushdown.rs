//! Pushdown into the Delta scan, checked by the plan the host sees (EXPLAIN
//! shows the scan node `DeltaScan: version=.., files=kept/total (...)` with
//! its exact and inexact filters) and by the files actually read (the scan
//! node's `files_scanned` metric after execution), not only by results.

use std::sync::{Arc, OnceLock};

use datafusion::physical_plan::{ExecutionPlan, collect};
use datafusion::prelude::SessionContext;
use df_plugin_tests::{
    batches_to_json, numbers_as_floats, query_rows, run_python, scratch_dir, session_with_plugin,
};
use serde_json::{Value, json};

fn tables() -> &'static Value {
    static TABLES: OnceLock<Value> = OnceLock::new();
    TABLES.get_or_init(|| {
        let dir = scratch_dir("delta_pushdown_tables");
        run_python("make_tables.py", &[dir.to_str().unwrap()])
    })
}

fn path(table: &str) -> String {
    tables()[table]["path"].as_str().unwrap().to_string()
}

/// The physical plan text of `sql` (EXPLAIN's physical_plan row).
async fn physical_plan(ctx: &SessionContext, sql: &str) -> String {
    let rows = query_rows(ctx, &format!("EXPLAIN {sql}")).await.unwrap();
    rows.iter()
        .find(|r| r["plan_type"] == "physical_plan")
        .and_then(|r| r["plan"].as_str())
        .unwrap_or_else(|| panic!("no physical plan for {sql}: {rows:?}"))
        .to_string()
}

/// The Delta scan node of a plan (as the host sees it: a foreign plan).
fn delta_scan(plan: &Arc<dyn ExecutionPlan>) -> Option<Arc<dyn ExecutionPlan>> {
    if plan.name().starts_with("DeltaScan") {
        return Some(Arc::clone(plan));
    }
    plan.children().into_iter().find_map(delta_scan)
}

struct Executed {
    rows: Vec<Value>,
    plan_text: String,
    files_scanned: usize,
    files_total: usize,
}

/// Runs `sql` and reads the scan node's file counts from its metrics.
async fn execute(ctx: &SessionContext, sql: &str) -> Executed {
    let df = ctx.sql(sql).await.unwrap();
    let plan = df.create_physical_plan().await.unwrap();
    let batches = collect(Arc::clone(&plan), ctx.task_ctx()).await.unwrap();
    let scan = delta_scan(&plan).unwrap_or_else(|| {
        panic!(
            "no DeltaScan node in {}",
            datafusion::physical_plan::displayable(plan.as_ref()).indent(false)
        )
    });
    let metrics = scan.metrics().expect("the scan node reports metrics");
    let count = |name: &str| {
        metrics
            .sum_by_name(name)
            .unwrap_or_else(|| panic!("no {name} metric in {metrics}"))
            .as_usize()
    };
    Executed {
        rows: batches_to_json(&batches),
        plan_text: datafusion::physical_plan::displayable(plan.as_ref())
            .indent(false)
            .to_string(),
        files_scanned: count("files_scanned"),
        files_total: count("files_total"),
    }
}

fn latest_rows(table: &str) -> Vec<Value> {
    let latest = tables()[table]["latest"].to_string();
    tables()[table]["versions"][latest]
        .as_array()
        .unwrap()
        .clone()
}

fn add_actions(table: &str) -> Vec<Value> {
    tables()[table]["add_actions"].as_array().unwrap().clone()
}

#[tokio::test]
async fn partition_filters_are_exact_and_prune_files() {
    let ctx = session_with_plugin();
    let p = path("partitioned");
    let sql = format!("SELECT id FROM read_delta('{p}') WHERE p = 'b' ORDER BY id");
    let files_b = add_actions("partitioned")
        .iter()
        .filter(|a| a["partition"]["p"] == "b")
        .count();
    let total = add_actions("partitioned").len();
    assert!(files_b > 0 && files_b < total);

    let plan = physical_plan(&ctx, &sql).await;
    assert!(
        plan.contains(&format!("files={files_b}/{total}")),
        "expected files={files_b}/{total} in:\n{plan}"
    );
    assert!(plan.contains("exact_filters=[p = Utf8(\"b\")]"), "{plan}");
    // Exact: the host does not filter again.
    assert!(!plan.contains("FilterExec"), "{plan}");

    let run = execute(&ctx, &sql).await;
    assert_eq!(run.files_scanned, files_b, "{}", run.plan_text);
    assert_eq!(run.files_total, total);
    let want: Vec<Value> = latest_rows("partitioned")
        .into_iter()
        .filter(|r| r["p"] == "b")
        .map(|r| json!({"id": r["id"]}))
        .collect();
    assert_eq!(run.rows, want);

    // Two partition columns, IN lists and NULL-safe logic stay exact.
    let sql =
        format!("SELECT id FROM read_delta('{p}') WHERE p IN ('a', 'c') AND q = 1 ORDER BY id");
    let files = add_actions("partitioned")
        .iter()
        .filter(|a| {
            (a["partition"]["p"] == "a" || a["partition"]["p"] == "c") && a["partition"]["q"] == 1
        })
        .count();
    let run = execute(&ctx, &sql).await;
    assert_eq!(run.files_scanned, files, "{}", run.plan_text);
    let want: Vec<Value> = latest_rows("partitioned")
        .into_iter()
        .filter(|r| (r["p"] == "a" || r["p"] == "c") && r["q"] == 1)
        .map(|r| json!({"id": r["id"]}))
        .collect();
    assert_eq!(run.rows, want);
    // With exact filters only, the log's row counts answer COUNT(*) without
    // a scan.
    let counted = query_rows(
        &ctx,
        &format!("SELECT count(*) AS n FROM read_delta('{p}') WHERE p IN ('a', 'c') AND q = 1"),
    )
    .await
    .unwrap();
    assert_eq!(counted, vec![json!({"n": want.len()})]);
}

#[tokio::test]
async fn data_filters_skip_files_by_log_statistics_and_stay_inexact() {
    let ctx = session_with_plugin();
    let p = path("unpartitioned");
    let sql = format!("SELECT id, v FROM read_delta('{p}') WHERE id >= 250 ORDER BY id");
    let actions = add_actions("unpartitioned");
    let may_match = actions
        .iter()
        .filter(|a| a["max_id"].as_i64().unwrap() >= 250)
        .count();
    assert!(may_match < actions.len(), "{actions:?}");

    let plan = physical_plan(&ctx, &sql).await;
    assert!(
        plan.contains(&format!("files={may_match}/{}", actions.len())),
        "{plan}"
    );
    assert!(
        plan.contains("inexact_filters=[id >= Int64(250)]"),
        "{plan}"
    );
    // Inexact: the host keeps its filter above the scan.
    assert!(plan.contains("FilterExec"), "{plan}");

    let run = execute(&ctx, &sql).await;
    assert_eq!(run.files_scanned, may_match);
    let want: Vec<Value> = latest_rows("unpartitioned")
        .into_iter()
        .filter(|r| r["id"].as_i64().unwrap() >= 250)
        .map(|r| json!({"id": r["id"], "v": r["v"]}))
        .collect();
    assert_eq!(run.rows, want);

    // A range no file can hold reads nothing at all.
    let run = execute(
        &ctx,
        &format!("SELECT id FROM read_delta('{p}') WHERE id > 100000"),
    )
    .await;
    assert_eq!(run.files_scanned, 0);
    assert_eq!(run.rows, Vec::<Value>::new());

    // IS NULL uses the null counts: every file has NULLs in n (i % 10 == 0).
    let run = execute(
        &ctx,
        &format!("SELECT count(*) AS n FROM read_delta('{p}') WHERE n IS NULL"),
    )
    .await;
    let nulls = latest_rows("unpartitioned")
        .iter()
        .filter(|r| r["n"].is_null())
        .count();
    assert_eq!(run.rows, vec![json!({"n": nulls})]);
}

#[tokio::test]
async fn mixed_filters_use_both_kinds() {
    let ctx = session_with_plugin();
    let p = path("partitioned");
    let sql = format!(
        "SELECT id, s FROM read_delta('{p}') WHERE p = 'c' AND id > 100 AND s LIKE 's%' ORDER BY id"
    );
    let files = add_actions("partitioned")
        .iter()
        .filter(|a| a["partition"]["p"] == "c" && a["max_id"].as_i64().unwrap() > 100)
        .count();
    let run = execute(&ctx, &sql).await;
    assert!(
        run.plan_text.contains("exact_filters=[p = Utf8(\"c\")]"),
        "{}",
        run.plan_text
    );
    assert!(
        run.plan_text.contains("inexact_filters=["),
        "{}",
        run.plan_text
    );
    assert_eq!(run.files_scanned, files, "{}", run.plan_text);
    let want: Vec<Value> = latest_rows("partitioned")
        .into_iter()
        .filter(|r| {
            r["p"] == "c"
                && r["id"].as_i64().unwrap() > 100
                && r["s"].as_str().unwrap().starts_with('s')
        })
        .map(|r| json!({"id": r["id"], "s": r["s"]}))
        .collect();
    assert_eq!(run.rows, want);
}

#[tokio::test]
async fn timestamp_and_string_statistics_prune_safely() {
    // Delta truncates timestamp statistics to milliseconds and may truncate
    // long strings; the equality below hits rows whose exact value lies
    // past a truncated maximum.
    let ctx = session_with_plugin();
    let p = path("partitioned");
    for r in latest_rows("partitioned").iter().step_by(7) {
        let ts = r["ts"].as_i64().unwrap();
        let s = r["s"].as_str().unwrap();
        let rows = query_rows(
            &ctx,
            &format!(
                "SELECT id FROM read_delta('{p}') WHERE ts = to_timestamp_micros({ts}) AND s = '{s}'"
            ),
        )
        .await
        .unwrap();
        assert_eq!(rows, vec![json!({"id": r["id"]})], "ts={ts} s={s}");
        let rows = query_rows(
            &ctx,
            &format!("SELECT id FROM read_delta('{p}') WHERE ts >= to_timestamp_micros({ts}) AND ts <= to_timestamp_micros({ts})"),
        )
        .await
        .unwrap();
        assert_eq!(rows, vec![json!({"id": r["id"]})], "ts={ts}");
    }
}

#[tokio::test]
async fn projection_and_limit_are_pushed() {
    let ctx = session_with_plugin();
    let p = path("unpartitioned");
    let sql = format!("SELECT v FROM read_delta('{p}') LIMIT 10");
    let plan = physical_plan(&ctx, &sql).await;
    assert!(plan.contains("projection=[v]"), "{plan}");
    assert!(plan.contains("limit=10"), "{plan}");
    // The first file holds at least 10 rows: the others are never listed.
    assert!(plan.contains("files=1/4"), "{plan}");
    let run = execute(&ctx, &sql).await;
    assert_eq!(run.files_scanned, 1);
    assert_eq!(run.rows.len(), 10);
}

#[tokio::test]
async fn statistics_cross_the_boundary() {
    let ctx = session_with_plugin();
    let p = path("unpartitioned");
    // Exact row counts from the log let the host answer COUNT(*) without
    // scanning, with or without partition-exact filters.
    let sql = format!("SELECT count(*) AS n FROM read_delta('{p}')");
    let plan = physical_plan(&ctx, &sql).await;
    let rows = query_rows(&ctx, &sql).await.unwrap();
    assert_eq!(rows, vec![json!({"n": latest_rows("unpartitioned").len()})]);
    assert!(
        !plan.contains("DeltaScan"),
        "COUNT(*) was not answered from statistics:\n{plan}"
    );

    let state = ctx.state();
    let args = [datafusion::prelude::lit(p.clone())];
    let provider = ctx
        .table_function("read_delta")
        .unwrap()
        .create_table_provider_with_args(datafusion::catalog::TableFunctionArgs::new(&args, &state))
        .unwrap();
    let stats = provider
        .statistics()
        .expect("statistics cross the FFI boundary");
    assert_eq!(
        stats.num_rows,
        datafusion::common::stats::Precision::Exact(latest_rows("unpartitioned").len())
    );
    let n_index = provider.schema().index_of("n").unwrap();
    let nulls = latest_rows("unpartitioned")
        .iter()
        .filter(|r| r["n"].is_null())
        .count();
    assert_eq!(
        stats.column_statistics[n_index].null_count,
        datafusion::common::stats::Precision::Exact(nulls)
    );
}

#[tokio::test]
async fn results_match_without_pushdown() {
    // The same queries with every filter hidden from the scan (wrapped in a
    // subquery with OFFSET 0) give the same rows.
    let ctx = session_with_plugin();
    let p = path("partitioned");
    for filter in [
        "p = 'a'",
        "p <> 'a' AND q = 0",
        "p IS NULL OR id < 20",
        "x > 40.0",
        "x IS NULL",
        "d >= DATE '2022-01-01'",
        "s > 'long'",
        "NOT (p = 'b') AND id BETWEEN 10 AND 120",
        "upper(p) = 'C'",
    ] {
        let pushed = query_rows(
            &ctx,
            &format!("SELECT id FROM read_delta('{p}') WHERE {filter} ORDER BY id"),
        )
        .await
        .unwrap();
        let hidden = query_rows(
            &ctx,
            &format!(
                "SELECT id FROM (SELECT * FROM read_delta('{p}') OFFSET 0) WHERE {filter} ORDER BY id"
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            numbers_as_floats(Value::Array(pushed)),
            numbers_as_floats(Value::Array(hidden)),
            "{filter}"
        );
    }
}

#[tokio::test]
async fn escaped_null_and_typed_partition_values_prune_exactly() {
    let ctx = session_with_plugin();
    let p = path("edge");
    let actions = add_actions("edge");
    for (filter, matches) in [
        (
            "\"Name\" IS NULL",
            Box::new(|a: &Value| a["partition"]["Name"].is_null()) as Box<dyn Fn(&Value) -> bool>,
        ),
        (
            "\"Name\" = 'x=y'",
            Box::new(|a: &Value| a["partition"]["Name"] == "x=y"),
        ),
        (
            "\"Name\" IN ('a b', 'ü/ß', '%41')",
            Box::new(|a: &Value| {
                ["a b", "ü/ß", "%41"]
                    .iter()
                    .any(|n| a["partition"]["Name"] == *n)
            }),
        ),
        (
            "day = DATE '2022-01-09'",
            Box::new(|a: &Value| a["partition"]["day"] == "2022-01-09"),
        ),
        (
            "day > DATE '2022-01-08' OR \"Name\" IS NULL",
            Box::new(|a: &Value| {
                a["partition"]["day"].is_null()
                    || a["partition"]["day"].as_str().unwrap() > "2022-01-08"
            }),
        ),
    ] {
        let files = actions.iter().filter(|a| matches(a)).count();
        let sql =
            format!("SELECT id, \"Name\", k FROM read_delta('{p}') WHERE {filter} ORDER BY id, k");
        let run = execute(&ctx, &sql).await;
        assert_eq!(run.files_scanned, files, "{filter}: {}", run.plan_text);
        assert!(
            run.plan_text.contains("exact_filters=["),
            "{filter}: {}",
            run.plan_text
        );
        assert!(
            !run.plan_text.contains("FilterExec"),
            "{filter}: {}",
            run.plan_text
        );
        let hidden = query_rows(
            &ctx,
            &format!(
                "SELECT id, \"Name\", k FROM (SELECT * FROM read_delta('{p}') OFFSET 0) WHERE {filter} ORDER BY id, k"
            ),
        )
        .await
        .unwrap();
        assert_eq!(run.rows, hidden, "{filter}");
        assert!(!hidden.is_empty(), "{filter}");
    }
}
