//! Helpers for the aggregate and window unit tests: in-process SQL over a
//! session holding the plugin's aggregates and windows exactly as they are
//! exported (panic guards included), run with one partition and with
//! several, so that partial aggregation and state merging really happen.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::AccumulatorArgs;
use datafusion::logical_expr::{Accumulator, AggregateUDF};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::col;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::registry::{InstallOptions, aggregate_udfs, window_udfs};

/// The session layouts a query is run under: (name, target partitions,
/// batch size, skip partial aggregation early).
const LAYOUTS: [(&str, usize, usize, bool); 3] = [
    ("1 partition", 1, 8192, false),
    ("4 partitions, batches of 2", 4, 2, false),
    ("4 partitions, partial aggregation skipped", 4, 2, true),
];

/// A session with every plugin aggregate and window function.
pub(crate) fn session(config: SessionConfig) -> SessionContext {
    let ctx = SessionContext::new_with_config(config);
    let options = InstallOptions::default();
    for udaf in aggregate_udfs(&options) {
        ctx.register_udaf(udaf.as_ref().clone());
    }
    for udwf in window_udfs(&options) {
        ctx.register_udwf(udwf.as_ref().clone());
    }
    ctx
}

fn config(partitions: usize, batch_size: usize, skip_partial: bool) -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_target_partitions(partitions)
        .with_batch_size(batch_size);
    if skip_partial {
        let execution = &mut config.options_mut().execution;
        execution.skip_partial_aggregation_probe_rows_threshold = 1;
        execution.skip_partial_aggregation_probe_ratio_threshold = 0.0;
    }
    config
}

/// Rows as text: cells as Arrow prints them (`NULL` for nulls) joined by
/// `" | "`.
pub(crate) fn text_rows(batches: &[RecordBatch]) -> Vec<String> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters: Vec<_> = batch
            .columns()
            .iter()
            .map(|column| ArrayFormatter::try_new(column.as_ref(), &options).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
        }
    }
    rows
}

/// Runs `setup` then `sql` in a fresh session with `config`.
pub(crate) async fn run(
    config: SessionConfig,
    setup: &[impl AsRef<str>],
    sql: &str,
) -> Result<Vec<String>> {
    let ctx = session(config);
    for statement in setup {
        ctx.sql(statement.as_ref()).await?.collect().await?;
    }
    let batches = ctx.sql(sql).await?.collect().await?;
    Ok(text_rows(&batches))
}

/// Runs `sql` (after `setup`) under every layout and checks that all give
/// the same rows, which are returned. Queries should `ORDER BY` their
/// output.
pub(crate) async fn rows_everywhere(setup: &[impl AsRef<str>], sql: &str) -> Vec<String> {
    let mut first: Option<Vec<String>> = None;
    for (name, partitions, batch_size, skip) in LAYOUTS {
        let rows = run(config(partitions, batch_size, skip), setup, sql)
            .await
            .unwrap_or_else(|e| panic!("{sql} ({name}): {e}"));
        match &first {
            None => first = Some(rows),
            Some(expected) => assert_eq!(&rows, expected, "{sql} ({name})"),
        }
    }
    first.unwrap()
}

/// The error message of `sql` (which must fail) in a default session.
pub(crate) async fn error_of(sql: &str) -> String {
    match run(SessionConfig::new(), &[] as &[&str], sql).await {
        Ok(rows) => panic!("{sql} succeeded with {rows:?}"),
        Err(e) => e.to_string(),
    }
}

/// A table `name(columns)` filled two rows per `INSERT`, so that a scan
/// yields many small batches that round-robin repartitioning spreads over
/// every partition.
pub(crate) fn table(name: &str, columns: &str, rows: &[&str]) -> Vec<String> {
    let mut statements = vec![format!("CREATE TABLE {name} ({columns})")];
    for pair in rows.chunks(2) {
        statements.push(format!("INSERT INTO {name} VALUES {}", pair.join(", ")));
    }
    statements
}

/// `picks(g, v, k)`, the table of the ordered-pick tests: ties on the
/// smallest and largest keys, NULL keys and NULL values.
///
/// | g | rows (v, k)                               |
/// |---|-------------------------------------------|
/// | a | (x, 1) (y, 3) (b, 3) (z, NULL)            |
/// | b | (NULL, 2) (q, 2) (r, 1) (p, 1)            |
/// | c | (n, NULL)                                 |
/// | d | (NULL, 5)                                 |
pub(crate) fn picks_table() -> Vec<String> {
    table(
        "picks",
        "g VARCHAR, v VARCHAR, k BIGINT",
        &[
            "('a', 'x', 1)",
            "('b', NULL, 2)",
            "('a', 'y', 3)",
            "('b', 'q', 2)",
            "('c', 'n', NULL)",
            "('a', 'b', 3)",
            "('b', 'r', 1)",
            "('d', NULL, 5)",
            "('a', 'z', NULL)",
            "('b', 'p', 1)",
        ],
    )
}

/// `sets(id, g, v, s)`, the table of the set-aggregate tests: duplicates,
/// NULLs and a group with only NULLs.
///
/// | id | g | v    | s    |
/// |----|---|------|------|
/// | 1  | a | 3    | x    |
/// | 2  | a | 1    | y    |
/// | 3  | a | 3    | x    |
/// | 4  | a | NULL | NULL |
/// | 5  | b | NULL | NULL |
/// | 6  | c | 2    | b    |
/// | 7  | c | -1   | a    |
/// | 8  | c | 2    | c    |
pub(crate) fn sets_table() -> Vec<String> {
    table(
        "sets",
        "id BIGINT, g VARCHAR, v BIGINT, s VARCHAR",
        &[
            "(1, 'a', 3, 'x')",
            "(2, 'a', 1, 'y')",
            "(3, 'a', 3, 'x')",
            "(4, 'a', NULL, NULL)",
            "(5, 'b', NULL, NULL)",
            "(6, 'c', 2, 'b')",
            "(7, 'c', -1, 'a')",
            "(8, 'c', 2, 'c')",
        ],
    )
}

/// `udaf`'s accumulator for arguments of `types` (a single group, as used
/// without `GROUP BY` and for windows).
pub(crate) fn accumulator(
    udaf: &AggregateUDF,
    types: &[DataType],
    distinct: bool,
) -> Box<dyn Accumulator> {
    let schema = Schema::new(
        types
            .iter()
            .enumerate()
            .map(|(i, t)| Field::new(format!("a{i}"), t.clone(), true))
            .collect::<Vec<_>>(),
    );
    let exprs: Vec<Arc<dyn PhysicalExpr>> = schema
        .fields()
        .iter()
        .map(|f| col(f.name(), &schema).unwrap())
        .collect();
    let fields: Vec<FieldRef> = schema.fields().iter().cloned().collect();
    let return_field = udaf.return_field(&fields).unwrap();
    udaf.accumulator(AccumulatorArgs {
        return_field,
        schema: &schema,
        expr_fields: &fields,
        ignore_nulls: false,
        order_bys: &[],
        is_reversed: false,
        name: udaf.name(),
        is_distinct: distinct,
        exprs: &exprs,
    })
    .unwrap()
}

/// Checks the accumulator's state round trip: one accumulator per batch,
/// their states merged (`state` -> `merge_batch`) into a fresh one, must
/// evaluate as one accumulator fed every batch; returns that result.
pub(crate) fn merged_equals_whole(
    udaf: &AggregateUDF,
    types: &[DataType],
    batches: &[Vec<ArrayRef>],
) -> ScalarValue {
    let mut whole = accumulator(udaf, types, false);
    for batch in batches {
        whole.update_batch(batch).unwrap();
    }
    let expected = whole.evaluate().unwrap();
    let mut merged = accumulator(udaf, types, false);
    for batch in batches.iter().rev() {
        let mut part = accumulator(udaf, types, false);
        part.update_batch(batch).unwrap();
        let states: Vec<ArrayRef> = part
            .state()
            .unwrap()
            .into_iter()
            .map(|state| state.to_array().unwrap())
            .collect();
        merged.merge_batch(&states).unwrap();
    }
    assert_eq!(merged.evaluate().unwrap(), expected, "{}", udaf.name());
    expected
}
