//! The plugin's aggregates against the DataFusion built-ins a user would
//! otherwise write, and against themselves linked in-process.

use std::sync::Arc;

use clap::ValueEnum;
use datafusion::arrow::array::ArrayRef;
use datafusion::common::Result;
use serde_json::{Value, json};

use crate::data;
use crate::measure::{MemoryWindow, time_async};
use crate::scalar::drain;
use crate::sessions::{self, Linkage};

/// The aggregates measured, each with its built-in counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Aggregate {
    /// `count_distinct_agg(v)` vs `count(DISTINCT v)`.
    CountDistinctAgg,
    /// `list_unique(v)` vs `array_agg(DISTINCT v)`.
    ListUnique,
    /// `arg_max(name, score)` vs `first_value(name ORDER BY score DESC)`.
    ArgMax,
}

/// Who computes the aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Implementation {
    /// DataFusion's built-in counterpart.
    Builtin,
    /// The plugin through the dylib.
    Dylib,
    /// The plugin linked in-process.
    Rlib,
}

impl Aggregate {
    /// The plugin's SQL name.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::CountDistinctAgg => "count_distinct_agg",
            Aggregate::ListUnique => "list_unique",
            Aggregate::ArgMax => "arg_max",
        }
    }

    /// The aggregate expression for `implementation`.
    pub fn expr(self, implementation: Implementation) -> &'static str {
        let builtin = implementation == Implementation::Builtin;
        match (self, builtin) {
            (Aggregate::CountDistinctAgg, false) => "count_distinct_agg(v)",
            (Aggregate::CountDistinctAgg, true) => "count(DISTINCT v)",
            (Aggregate::ListUnique, false) => "list_unique(v)",
            (Aggregate::ListUnique, true) => "array_agg(DISTINCT v)",
            (Aggregate::ArgMax, false) => "arg_max(name, score)",
            (Aggregate::ArgMax, true) => "first_value(name ORDER BY score DESC)",
        }
    }

    fn columns(self, rows: usize, groups: usize) -> Vec<(&'static str, ArrayRef)> {
        let g = ("g", data::group_keys(rows, groups));
        match self {
            // 1000 distinct values: with 1K groups every group sees most of
            // them, with 1M groups each group has ~10 rows.
            Aggregate::CountDistinctAgg | Aggregate::ListUnique => {
                vec![g, ("v", data::small_ints(rows, 1000))]
            }
            Aggregate::ArgMax => vec![
                g,
                ("name", data::names(rows)),
                ("score", data::scores(rows)),
            ],
        }
    }
}

/// Measures one aggregate grouped by `groups` keys over `rows` rows.
pub async fn run(
    aggregate: Aggregate,
    implementation: Implementation,
    rows: usize,
    groups: usize,
    runs: usize,
) -> Result<Value> {
    const BATCH: usize = 8192;
    let (_, table) = data::mem_table(aggregate.columns(rows, groups), BATCH, 2)?;
    let ctx = match implementation {
        Implementation::Builtin => sessions::plain(BATCH),
        Implementation::Dylib => sessions::with_plugin(Linkage::Dylib, BATCH),
        Implementation::Rlib => sessions::with_plugin(Linkage::Rlib, BATCH),
    };
    ctx.register_table("t", Arc::new(table))?;
    let sql = format!(
        "SELECT g, {} AS a FROM t GROUP BY g",
        aggregate.expr(implementation)
    );
    let window = MemoryWindow::open();
    let groups_out = drain(&ctx, &sql).await?;
    assert_eq!(
        groups_out,
        groups.min(rows),
        "{sql} returned one row per group"
    );
    let timing = time_async(0, runs, || async {
        drain(&ctx, &sql).await.expect("query runs")
    })
    .await;
    Ok(json!({
        "aggregate": aggregate.name(),
        "implementation": format!("{implementation:?}").to_lowercase(),
        "expr": aggregate.expr(implementation),
        "rows": rows,
        "groups": groups,
        "runs": runs,
        "timing": timing.to_json(),
        "rows_per_s": rows as f64 / timing.min(),
        "memory": window.close(),
    }))
}
