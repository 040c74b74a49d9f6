//! Building the physical scan of one table version: the pruned file list
//! becomes a DataFusion `FileScanConfig` over a `ParquetSource` (as for a
//! `ListingTable`), with typed partition values, per-file statistics, the
//! Inexact filters as the Parquet predicate, the projection and the limit,
//! wrapped in a [`DeltaScanExec`] for the trip across the FFI boundary.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use datafusion::catalog::Session;
use datafusion::common::{DFSchema, Result, Statistics};
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::parquet::CachedParquetFileReaderFactory;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;

use super::exec::{DeltaScanExec, ScanCounts, plugin_runtime_env};
use super::pruning::{FileSelection, physical_conjunction, select_files, split_filters};
use super::snapshot::TableSnapshot;

/// The scan of `snapshot` for one query.
pub fn build_scan(
    snapshot: &Arc<TableSnapshot>,
    session: &dyn Session,
    projection: Option<&Vec<usize>>,
    filters: &[Expr],
    limit: Option<usize>,
) -> Result<Arc<dyn ExecutionPlan>> {
    snapshot.ensure_readable()?;
    let schema = &snapshot.schema;
    let scan_schema = &snapshot.scan_schema;
    let split = split_filters(filters, &snapshot.partition_columns)?;
    let scan_df_schema = DFSchema::try_from(scan_schema.as_ref().clone())?;
    let predicate = physical_conjunction(&split.inexact, &scan_df_schema, session)?;
    let selection = select_files(snapshot, &split, predicate.as_ref(), session, limit)?;

    let table_projection: Vec<usize> = match projection {
        Some(p) => p.clone(),
        None => (0..schema.fields().len()).collect(),
    };
    let scan_projection = table_projection
        .iter()
        .map(|&i| scan_schema.index_of(schema.field(i).name()))
        .collect::<std::result::Result<Vec<_>, _>>()?;

    let name = describe(
        snapshot,
        &selection,
        &split.exact,
        &split.inexact,
        &table_projection,
        limit,
    );
    let counts = ScanCounts {
        counts: vec![
            ("files_total", selection.total),
            ("files_scanned", selection.selected.len()),
            ("files_pruned_by_partition", selection.pruned_by_partition),
            ("files_pruned_by_stats", selection.pruned_by_stats),
            ("files_pruned_by_limit", selection.pruned_by_limit),
        ],
    };

    if selection.selected.is_empty() {
        let projected = Arc::new(schema.project(&table_projection)?);
        return Ok(Arc::new(DeltaScanExec::new(
            Arc::new(EmptyExec::new(projected)),
            name,
            counts,
        )));
    }

    let files = &snapshot.files;
    let partitioned: Vec<(PartitionedFile, u64)> = selection
        .selected
        .iter()
        .map(|&i| {
            let mut file = PartitionedFile::new(String::new(), files.sizes[i]);
            file.object_meta.location = files.paths[i].clone();
            file.object_meta.last_modified = Utc
                .timestamp_millis_opt(files.modification_times[i])
                .single()
                .unwrap_or_default();
            file.partition_values = files.partition_values_of(i);
            file.statistics = Some(Arc::clone(&files.file_statistics[i]));
            (file, files.sizes[i])
        })
        .collect();
    let target = session.config().target_partitions().max(1);
    let groups = balance(partitioned, target);
    let group_stats: Vec<Statistics> = groups
        .iter()
        .map(|g| {
            Statistics::try_merge_iter(
                g.iter().filter_map(|f| f.statistics.as_deref()),
                scan_schema,
            )
        })
        .collect::<Result<_>>()?;
    let total_stats = Statistics::try_merge_iter(group_stats.iter(), scan_schema)?;
    let file_groups: Vec<FileGroup> = groups
        .into_iter()
        .zip(group_stats)
        .map(|(files, stats)| FileGroup::new(files).with_statistics(Arc::new(stats)))
        .collect();

    let partition_fields = snapshot
        .partition_columns
        .iter()
        .map(|c| scan_schema.field_with_name(c).map(|f| Arc::new(f.clone())))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let table_schema = TableSchema::builder(Arc::clone(&snapshot.file_schema))
        .with_table_partition_cols(partition_fields)
        .build();
    let mut parquet_options = session.table_options().parquet.clone();
    parquet_options.global = session.config_options().execution.parquet.clone();
    let store = snapshot.location.log_store()?.object_store(None);
    let metadata_cache = plugin_runtime_env().cache_manager.get_file_metadata_cache();
    let mut source = ParquetSource::new(table_schema)
        .with_table_parquet_options(parquet_options)
        .with_parquet_file_reader_factory(Arc::new(CachedParquetFileReaderFactory::new(
            store,
            metadata_cache,
        )));
    if let Some(predicate) = predicate {
        source = source.with_predicate(predicate);
    }
    let config = FileScanConfigBuilder::new(snapshot.location.object_store_url(), Arc::new(source))
        .with_file_groups(file_groups)
        .with_statistics(total_stats)
        .with_projection_indices(Some(scan_projection))?
        .with_limit(limit)
        .build();
    let exec: Arc<dyn ExecutionPlan> = DataSourceExec::from_data_source(config);
    Ok(Arc::new(DeltaScanExec::new(exec, name, counts)))
}

/// Spreads files over at most `target` groups, largest first onto the
/// lightest group, keeping each group in log order.
fn balance(files: Vec<(PartitionedFile, u64)>, target: usize) -> Vec<Vec<PartitionedFile>> {
    let groups = target.min(files.len()).max(1);
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].1));
    let mut load = vec![0u64; groups];
    let mut assignment = vec![0usize; files.len()];
    for i in order {
        let g = (0..groups).min_by_key(|&g| load[g]).unwrap_or(0);
        load[g] += files[i].1.max(1);
        assignment[i] = g;
    }
    let mut out: Vec<Vec<PartitionedFile>> = (0..groups).map(|_| Vec::new()).collect();
    for (i, (file, _)) in files.into_iter().enumerate() {
        out[assignment[i]].push(file);
    }
    out.retain(|g| !g.is_empty());
    out
}

/// The node name a host's EXPLAIN shows.
fn describe(
    snapshot: &TableSnapshot,
    selection: &FileSelection,
    exact: &[Expr],
    inexact: &[Expr],
    projection: &[usize],
    limit: Option<usize>,
) -> String {
    let list = |filters: &[Expr]| {
        filters
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let columns: Vec<&str> = projection
        .iter()
        .map(|&i| snapshot.schema.field(i).name().as_str())
        .collect();
    let mut name = format!(
        "DeltaScan: version={}, files={}/{} (pruned by partition={}, by stats={}, by limit={}), \
         projection=[{}]",
        snapshot.version,
        selection.selected.len(),
        selection.total,
        selection.pruned_by_partition,
        selection.pruned_by_stats,
        selection.pruned_by_limit,
        columns.join(", "),
    );
    if !exact.is_empty() {
        name.push_str(&format!(", exact_filters=[{}]", list(exact)));
    }
    if !inexact.is_empty() {
        name.push_str(&format!(", inexact_filters=[{}]", list(inexact)));
    }
    if let Some(limit) = limit {
        name.push_str(&format!(", limit={limit}"));
    }
    snapshot.location.redact(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_spreads_by_size() {
        let files: Vec<(PartitionedFile, u64)> = [100u64, 10, 60, 50, 5]
            .iter()
            .enumerate()
            .map(|(i, s)| (PartitionedFile::new(format!("f{i}"), *s), *s))
            .collect();
        let groups = balance(files, 2);
        assert_eq!(groups.len(), 2);
        let sizes: Vec<u64> = groups
            .iter()
            .map(|g| g.iter().map(|f| f.object_meta.size).sum())
            .collect();
        assert!(sizes.iter().all(|s| *s >= 100), "{sizes:?}");
        let one = balance(vec![(PartitionedFile::new("a", 1), 1)], 8);
        assert_eq!(one.len(), 1);
    }
}
