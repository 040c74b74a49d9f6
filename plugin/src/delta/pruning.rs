//! Filter pushdown: which filters the Delta scan applies exactly, and the
//! file selection they and the others allow.
//!
//! - A filter that references partition columns only (and no volatile or
//!   stable function) is **Exact**: it is evaluated on the typed partition
//!   values of every file, and only files where it is true are read, so the
//!   host need not re-apply it.
//! - Every other filter is **Inexact**: files whose log statistics
//!   (min/max/null count/row count; partition values count as min = max)
//!   prove it false are skipped, and it is handed to the Parquet reader for
//!   row-group and page pruning; the host keeps its own filter above.
//! - A limit (only ever pushed when no Inexact filter is left) stops the
//!   file list once the log's row counts cover it.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, UInt64Type};
use datafusion::catalog::Session;
use datafusion::common::pruning::PruningStatistics;
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode};
use datafusion::common::{Column, DFSchema, Result, ScalarValue};
use datafusion::datasource::listing::helpers::expr_applicable_for_cols;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_expr::{PhysicalExpr, create_physical_expr};
use datafusion::physical_optimizer::pruning::PruningPredicateBuilder;

use super::files::FileIndex;
use super::snapshot::TableSnapshot;

/// How the scan handles `filter` on a table with `partition_columns`.
pub fn pushdown_kind(filter: &Expr, partition_columns: &[String]) -> TableProviderFilterPushDown {
    let cols: Vec<&str> = partition_columns.iter().map(String::as_str).collect();
    if !cols.is_empty() && expr_applicable_for_cols(&cols, filter) {
        TableProviderFilterPushDown::Exact
    } else {
        TableProviderFilterPushDown::Inexact
    }
}

/// Filters split by how the scan applies them (columns unqualified).
#[derive(Debug, Default, Clone)]
pub struct FilterSplit {
    /// Partition-only filters, applied exactly by file selection.
    pub exact: Vec<Expr>,
    /// Filters used for file skipping and Parquet pruning only.
    pub inexact: Vec<Expr>,
}

/// Splits the filters a scan received.
pub fn split_filters(filters: &[Expr], partition_columns: &[String]) -> Result<FilterSplit> {
    let mut split = FilterSplit::default();
    for filter in filters {
        let filter = unqualify(filter.clone())?;
        match pushdown_kind(&filter, partition_columns) {
            TableProviderFilterPushDown::Exact => split.exact.push(filter),
            _ => split.inexact.push(filter),
        }
    }
    Ok(split)
}

/// Drops table qualifiers from column references (the scan resolves
/// columns by name against its own schemas).
fn unqualify(expr: Expr) -> Result<Expr> {
    expr.transform(|e| {
        Ok(match e {
            Expr::Column(c) if c.relation.is_some() => {
                Transformed::yes(Expr::Column(Column::new_unqualified(c.name)))
            }
            other => Transformed::no(other),
        })
    })
    .data()
}

/// The conjunction of `filters` as a physical expression over `schema`.
///
/// Planned in the plugin, not through `Session::create_physical_expr`: on
/// a datafusion-ffi `ForeignSession` that returns an opaque foreign
/// expression, which the Parquet opener cannot rewrite (partition columns
/// into literals) and which fails against the file schema.
pub fn physical_conjunction(
    filters: &[Expr],
    schema: &DFSchema,
    session: &dyn Session,
) -> Result<Option<Arc<dyn PhysicalExpr>>> {
    conjunction(filters.iter().cloned())
        .map(|expr| {
            create_physical_expr(
                &expr,
                schema,
                session.execution_props(),
                &PhysicalPlanningContext::default(),
            )
        })
        .transpose()
}

/// The files a scan reads and why the others were skipped.
#[derive(Debug, Clone, Default)]
pub struct FileSelection {
    /// Indices into the snapshot's file index, in log order.
    pub selected: Vec<usize>,
    /// Live files of the version.
    pub total: usize,
    /// Skipped because an Exact (partition) filter is false for them.
    pub pruned_by_partition: usize,
    /// Skipped because their statistics prove an Inexact filter false.
    pub pruned_by_stats: usize,
    /// Skipped because earlier files already hold `limit` rows.
    pub pruned_by_limit: usize,
}

/// Selects the files of `snapshot` a scan with these filters must read.
pub fn select_files(
    snapshot: &TableSnapshot,
    split: &FilterSplit,
    inexact_predicate: Option<&Arc<dyn PhysicalExpr>>,
    session: &dyn Session,
    limit: Option<usize>,
) -> Result<FileSelection> {
    let files = &snapshot.files;
    let n = files.len();
    let mut keep = vec![true; n];
    let mut selection = FileSelection {
        total: n,
        ..Default::default()
    };

    if !split.exact.is_empty() && n > 0 {
        let batch = &files.partitions;
        let schema = DFSchema::try_from(batch.schema().as_ref().clone())?;
        if let Some(predicate) = physical_conjunction(&split.exact, &schema, session)? {
            let mask = predicate.evaluate(batch)?.into_array(n)?;
            let mask = mask
                .as_boolean_opt()
                .ok_or_else(|| {
                    datafusion::common::DataFusionError::Plan(format!(
                        "partition filter {predicate} did not evaluate to booleans"
                    ))
                })?
                .clone();
            for (i, k) in keep.iter_mut().enumerate() {
                if !(mask.is_valid(i) && mask.value(i)) {
                    *k = false;
                    selection.pruned_by_partition += 1;
                }
            }
        }
    }

    if let Some(predicate) = inexact_predicate
        && n > 0
    {
        // A predicate the pruning rewrite cannot handle keeps every file.
        if let Some(pruning) = PruningPredicateBuilder::new()
            .with_file_schema(Arc::clone(&snapshot.scan_schema))
            .build(Arc::clone(predicate))
        {
            let stats = FileStatistics {
                files,
                partition_columns: &snapshot.partition_columns,
            };
            let verdicts = pruning.prune(&stats)?;
            for (i, may_match) in verdicts.into_iter().enumerate() {
                if keep[i] && !may_match {
                    keep[i] = false;
                    selection.pruned_by_stats += 1;
                }
            }
        }
    }

    let mut rows_covered: u64 = 0;
    for (i, k) in keep.into_iter().enumerate() {
        if !k {
            continue;
        }
        if let Some(limit) = limit
            && split.inexact.is_empty()
            && rows_covered >= limit as u64
        {
            selection.pruned_by_limit += 1;
            continue;
        }
        selection.selected.push(i);
        rows_covered += files.num_records_of(i).unwrap_or(0);
    }
    Ok(selection)
}

/// The log's per-file statistics as DataFusion pruning statistics (one
/// container per live file).
struct FileStatistics<'a> {
    files: &'a FileIndex,
    partition_columns: &'a [String],
}

impl FileStatistics<'_> {
    fn partition_index(&self, column: &Column) -> Option<usize> {
        self.partition_columns
            .iter()
            .position(|c| *c == column.name)
    }
}

impl PruningStatistics for FileStatistics<'_> {
    fn min_values(&self, column: &Column) -> Option<ArrayRef> {
        match self.partition_index(column) {
            Some(p) => Some(Arc::clone(self.files.partitions.column(p))),
            None => self.files.column_stats.get(&column.name)?.min.clone(),
        }
    }

    fn max_values(&self, column: &Column) -> Option<ArrayRef> {
        match self.partition_index(column) {
            Some(p) => Some(Arc::clone(self.files.partitions.column(p))),
            None => self.files.column_stats.get(&column.name)?.max.clone(),
        }
    }

    fn num_containers(&self) -> usize {
        self.files.len()
    }

    fn null_counts(&self, column: &Column) -> Option<ArrayRef> {
        match self.partition_index(column) {
            Some(p) => {
                let values = self.files.partitions.column(p);
                let rows = self.files.num_records.as_primitive::<UInt64Type>();
                let counts: UInt64Array = (0..values.len())
                    .map(|i| {
                        if values.is_null(i) {
                            rows.is_valid(i).then(|| rows.value(i))
                        } else {
                            Some(0)
                        }
                    })
                    .collect();
                Some(Arc::new(counts))
            }
            None => self
                .files
                .column_stats
                .get(&column.name)?
                .null_count
                .clone(),
        }
    }

    fn row_counts(&self) -> Option<ArrayRef> {
        (self.files.num_records.data_type() == &DataType::UInt64)
            .then(|| Arc::clone(&self.files.num_records))
    }

    fn contained(&self, _column: &Column, _values: &HashSet<ScalarValue>) -> Option<BooleanArray> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    #[test]
    fn partition_only_filters_are_exact() {
        let parts = vec!["p".to_string(), "q".to_string()];
        let exact = col("p").eq(lit("a")).and(col("q").gt(lit(3)));
        assert_eq!(
            pushdown_kind(&exact, &parts),
            TableProviderFilterPushDown::Exact
        );
        let mixed = col("p").eq(lit("a")).or(col("x").gt(lit(3)));
        assert_eq!(
            pushdown_kind(&mixed, &parts),
            TableProviderFilterPushDown::Inexact
        );
        let data = col("x").is_null();
        assert_eq!(
            pushdown_kind(&data, &parts),
            TableProviderFilterPushDown::Inexact
        );
        // Unpartitioned tables have no exact filters at all.
        assert_eq!(
            pushdown_kind(&lit(true), &[]),
            TableProviderFilterPushDown::Inexact
        );
    }

    #[test]
    fn split_unqualifies_columns() {
        let qualified = Expr::Column(Column::new(Some("t"), "p")).eq(lit(1));
        let split = split_filters(&[qualified, col("x").lt(lit(2))], &["p".to_string()]).unwrap();
        assert_eq!(split.exact.len(), 1);
        assert_eq!(split.inexact.len(), 1);
        assert_eq!(split.exact[0].to_string(), "p = Int32(1)");
    }
}
