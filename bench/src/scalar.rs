//! FFI overhead of scalar functions: the same query over the same batches,
//! with the plugin's functions called through the dylib or linked
//! in-process.

use std::sync::Arc;

use clap::ValueEnum;
use datafusion::arrow::array::ArrayRef;
use datafusion::common::Result;
use datafusion::prelude::SessionContext;
use serde_json::{Value, json};

use crate::data;
use crate::measure::{MemoryWindow, time_async};
use crate::sessions::{self, Linkage};

/// The scalar functions measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Function {
    /// Blake2b-64 of a ~35-byte string.
    StableHash64,
    /// NFKC + case folding + whitespace collapsing.
    Utf8Normalize,
    /// Containment of one span struct in another.
    SpanContains,
    /// A UTF-16 column to a byte offset in a line.
    ColToByte,
}

impl Function {
    /// The SQL function name.
    pub fn name(self) -> &'static str {
        match self {
            Function::StableHash64 => "stable_hash64",
            Function::Utf8Normalize => "utf8_normalize",
            Function::SpanContains => "span_contains",
            Function::ColToByte => "col_to_byte",
        }
    }

    /// The query: only the function over table `t`, streamed and dropped.
    fn sql(self) -> &'static str {
        match self {
            Function::StableHash64 => "SELECT stable_hash64(s) FROM t",
            Function::Utf8Normalize => "SELECT utf8_normalize(s) FROM t",
            Function::SpanContains => "SELECT span_contains(a, b) FROM t",
            Function::ColToByte => "SELECT col_to_byte(line, col, 'utf16') FROM t",
        }
    }

    fn columns(self, rows: usize) -> Vec<(&'static str, ArrayRef)> {
        match self {
            Function::StableHash64 | Function::Utf8Normalize => {
                vec![("s", data::qualnames(rows))]
            }
            Function::SpanContains => {
                let (a, b) = data::span_pairs(rows);
                vec![("a", a), ("b", b)]
            }
            Function::ColToByte => {
                let (line, col) = data::lines_and_columns(rows);
                vec![("line", line), ("col", col)]
            }
        }
    }
}

/// Runs `sql` and drops every batch as it arrives, so the output is never
/// held in memory; returns the row count.
pub async fn drain(ctx: &SessionContext, sql: &str) -> Result<usize> {
    use futures::StreamExt;
    let mut stream = ctx.sql(sql).await?.execute_stream().await?;
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        rows += batch?.num_rows();
    }
    Ok(rows)
}

/// Measures `function` over `rows` rows at each batch size.
pub async fn run(
    function: Function,
    rows: usize,
    linkage: Linkage,
    batch_sizes: &[usize],
    runs: usize,
) -> Result<Value> {
    let columns = function.columns(rows);
    if linkage == Linkage::Dylib {
        // Loaded before measuring, so the memory window sees the query only.
        sessions::loaded_plugin();
    }
    let window = MemoryWindow::open();
    let mut per_batch = Vec::new();
    for &batch_size in batch_sizes {
        let (_, table) = data::mem_table(columns.clone(), batch_size, 2)?;
        let ctx = sessions::with_plugin(linkage, batch_size);
        ctx.register_table("t", Arc::new(table))?;
        let counted = drain(&ctx, function.sql()).await?;
        assert_eq!(counted, rows, "{} returned every row", function.name());
        let timing = time_async(0, runs, || async {
            drain(&ctx, function.sql()).await.expect("query runs")
        })
        .await;
        per_batch.push(json!({
            "batch_size": batch_size,
            "timing": timing.to_json(),
            "rows_per_s": rows as f64 / timing.min(),
        }));
    }
    Ok(json!({
        "function": function.name(),
        "rows": rows,
        "linkage": linkage.name(),
        "runs": runs,
        "batches": per_batch,
        "memory": window.close(),
    }))
}
