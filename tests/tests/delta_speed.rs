//! Timing of a selective partition + range scan of a 4M-row Delta table
//! through the plugin, against a plain `ListingTable` over the same Parquet
//! files. Ignored by default (it writes ~4M rows); run with
//! `cargo test -p df-plugin-tests --test delta_speed -- --ignored --nocapture`
//! (add `--release` for meaningful absolute numbers).

use std::time::{Duration, Instant};

use datafusion::prelude::SessionContext;
use df_plugin_tests::{query_rows, run_python_code, scratch_dir, session_with_plugin};

const MAKE: &str = r#"
import sys, os
import pyarrow as pa
from deltalake import write_deltalake
path = sys.argv[1]
rows_per_day = 250_000
for day in range(16):
    ids = range(day * rows_per_day, (day + 1) * rows_per_day)
    t = pa.table({
        "id": pa.array(ids, pa.int64()),
        "v": pa.array([float(i * 7 % 1000) for i in ids], pa.float64()),
        "tag": pa.array([f"t{i % 50}" for i in ids]),
        "day": pa.array([f"2024-01-{day + 1:02d}"] * rows_per_day),
    })
    write_deltalake(path, t, partition_by=["day"], mode="append")
os._exit(0)
"#;

async fn time(ctx: &SessionContext, sql: &str, runs: usize) -> (Duration, Vec<serde_json::Value>) {
    let mut best = Duration::MAX;
    let mut rows = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        rows = query_rows(ctx, sql).await.unwrap();
        best = best.min(started.elapsed());
    }
    (best, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes a 4M-row table; run explicitly to measure"]
async fn selective_scan_is_close_to_listing_table() {
    let dir = scratch_dir("delta_speed").join("big");
    let path = dir.to_str().unwrap();
    run_python_code(MAKE, &[path]);

    let ctx = session_with_plugin();
    let selective = "WHERE day = '2024-01-07' AND id BETWEEN 1600000 AND 1610000";
    let delta_sql =
        format!("SELECT count(*) AS n, sum(v) AS s FROM read_delta('{path}') {selective}");
    let (delta_first, _) = time(&ctx, &delta_sql, 1).await;
    let (delta, delta_rows) = time(&ctx, &delta_sql, 10).await;

    ctx.sql(&format!(
        "CREATE EXTERNAL TABLE listing (id BIGINT, v DOUBLE, tag VARCHAR, day VARCHAR) \
         STORED AS PARQUET PARTITIONED BY (day) LOCATION '{path}/'"
    ))
    .await
    .unwrap();
    let listing_sql = format!("SELECT count(*) AS n, sum(v) AS s FROM listing {selective}");
    let (listing, listing_rows) = time(&ctx, &listing_sql, 10).await;

    ctx.sql(&format!(
        "CREATE EXTERNAL TABLE dt STORED AS DELTATABLE LOCATION '{path}'"
    ))
    .await
    .unwrap();
    let ddl_sql = format!("SELECT count(*) AS n, sum(v) AS s FROM dt {selective}");
    let (ddl, ddl_rows) = time(&ctx, &ddl_sql, 10).await;

    if std::env::var_os("DELTA_SPEED_EXPLAIN").is_some() {
        for sql in [&delta_sql, &listing_sql] {
            let rows = query_rows(&ctx, &format!("EXPLAIN ANALYZE {sql}"))
                .await
                .unwrap();
            eprintln!("{}", rows[0]["plan"].as_str().unwrap_or_default());
        }
    }
    assert_eq!(delta_rows, listing_rows);
    assert_eq!(ddl_rows, listing_rows);
    eprintln!(
        "4M rows, selective partition + range scan (best of 10):\n  \
         read_delta first query (log load): {delta_first:?}\n  \
         read_delta cached: {delta:?}\n  \
         DELTATABLE table: {ddl:?}\n  \
         ListingTable: {listing:?}\n  result {delta_rows:?}"
    );
}
