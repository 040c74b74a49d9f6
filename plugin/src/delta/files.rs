//! The live files of one table version, in columnar form: paths, sizes,
//! typed partition values and the log's per-file statistics (row counts,
//! null counts, min/max), built once per cached snapshot from deltalake's
//! flattened add-actions table.
//!
//! Everything a scan needs to prune files and to give DataFusion per-file
//! statistics is precomputed here, so planning a query over a cached
//! snapshot does no log work at all.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, RecordBatch, RecordBatchOptions, StringArray,
    UInt64Array, new_null_array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef, TimeUnit};
use datafusion::common::stats::Precision;
use datafusion::common::{ColumnStatistics, ScalarValue, Statistics};
use object_store::path::Path;
use url::Url;

/// Delta writers may truncate string statistics; a max this long may be a
/// truncated prefix and is not trusted for pruning.
const STRING_MAX_TRUST_LEN: usize = 32;

/// Min, max and null-count arrays of one data column (one row per file),
/// cast to the column's table type. `None` where the log has no such stat.
#[derive(Debug, Clone, Default)]
pub struct ColumnStatsArrays {
    /// Per-file minimum (null where unknown).
    pub min: Option<ArrayRef>,
    /// Per-file maximum (null where unknown), widened where the log's value
    /// may be truncated.
    pub max: Option<ArrayRef>,
    /// Per-file null count as `UInt64` (null where unknown).
    pub null_count: Option<ArrayRef>,
}

/// The live files of a snapshot. See the module docs.
#[derive(Debug)]
pub struct FileIndex {
    /// Object-store paths relative to the table root.
    pub paths: Vec<Path>,
    /// Paths as stored in the log.
    pub raw_paths: Vec<String>,
    /// File sizes in bytes.
    pub sizes: Vec<u64>,
    /// Modification times (ms since the epoch).
    pub modification_times: Vec<i64>,
    /// Row counts from the log's statistics, as `UInt64` (null where unknown).
    pub num_records: ArrayRef,
    /// Typed partition values: one column per partition column (table
    /// types, nullable), one row per file.
    pub partitions: RecordBatch,
    /// Statistics per data column name.
    pub column_stats: HashMap<String, ColumnStatsArrays>,
    /// Per-file DataFusion statistics over the scan schema (data columns,
    /// then partition columns).
    pub file_statistics: Vec<Arc<Statistics>>,
    /// Statistics of the whole table over the table (logical) schema.
    pub table_statistics: Statistics,
    /// Number of live files carrying a deletion vector.
    pub files_with_deletion_vectors: usize,
    /// The flattened add actions as deltalake produced them.
    pub add_actions: RecordBatch,
}

impl FileIndex {
    /// Builds the index from deltalake's flattened add-actions batch.
    ///
    /// `logical` is the table schema, `partition_columns` the table's
    /// partition columns and `scan_schema` the data columns followed by the
    /// partition columns.
    pub fn build(
        add_actions: RecordBatch,
        table_url: &Url,
        logical: &Schema,
        partition_columns: &[String],
        scan_schema: &SchemaRef,
    ) -> Result<Self, String> {
        let n = add_actions.num_rows();
        let column = |name: &str| add_actions.column_by_name(name).cloned();
        let raw_paths: Vec<String> = match column("path") {
            Some(a) => {
                let a = cast(&a, &DataType::Utf8).map_err(|e| e.to_string())?;
                let a = a.as_string::<i32>();
                (0..n).map(|i| a.value(i).to_string()).collect()
            }
            None if n == 0 => Vec::new(),
            None => return Err("the add actions have no path column".to_string()),
        };
        let paths = raw_paths
            .iter()
            .map(|p| relative_path(p, table_url))
            .collect::<Result<Vec<_>, _>>()?;
        let int64 = |name: &str| -> Result<Option<Int64Array>, String> {
            column(name)
                .map(|a| {
                    cast(&a, &DataType::Int64)
                        .map(|a| a.as_primitive::<Int64Type>().clone())
                        .map_err(|e| format!("{name}: {e}"))
                })
                .transpose()
        };
        let sizes: Vec<u64> = match int64("size_bytes")? {
            Some(a) => a.iter().map(|v| v.unwrap_or(0).max(0) as u64).collect(),
            None => vec![0; n],
        };
        let modification_times: Vec<i64> = match int64("modification_time")? {
            Some(a) => a.iter().map(|v| v.unwrap_or(0)).collect(),
            None => vec![0; n],
        };
        let num_records: ArrayRef = match int64("num_records")? {
            Some(a) => Arc::new(
                a.iter()
                    .map(|v| v.filter(|v| *v >= 0).map(|v| v as u64))
                    .collect::<UInt64Array>(),
            ),
            None => new_null_array(&DataType::UInt64, n),
        };

        // Partition values, typed as the table declares them.
        let partition_fields: Vec<Field> = partition_columns
            .iter()
            .map(|c| {
                logical
                    .field_with_name(c)
                    .map(|f| f.as_ref().clone().with_nullable(true))
                    .map_err(|_| format!("partition column {c} is not in the table schema"))
            })
            .collect::<Result<_, _>>()?;
        let partition_arrays: Vec<ArrayRef> = partition_fields
            .iter()
            .map(|f| match column(&format!("partition.{}", f.name())) {
                Some(a) if a.data_type() == f.data_type() => Ok(a),
                Some(a) => cast(&a, f.data_type())
                    .map_err(|e| format!("partition values of {}: {e}", f.name())),
                None => Ok(new_null_array(f.data_type(), n)),
            })
            .collect::<Result<_, _>>()?;
        let partitions = RecordBatch::try_new_with_options(
            Arc::new(Schema::new(partition_fields)),
            partition_arrays,
            &RecordBatchOptions::new().with_row_count(Some(n)),
        )
        .map_err(|e| e.to_string())?;

        // Per-column statistics of the data columns.
        let mut column_stats = HashMap::new();
        for field in logical.fields() {
            if partition_columns.contains(field.name()) {
                continue;
            }
            let typed = |prefix: &str| {
                column(&format!("{prefix}.{}", field.name()))
                    .and_then(|a| cast(&a, field.data_type()).ok())
            };
            let stats = ColumnStatsArrays {
                min: typed("min"),
                max: typed("max").map(|a| widen_max(&a)),
                null_count: column(&format!("null_count.{}", field.name()))
                    .and_then(|a| cast(&a, &DataType::UInt64).ok()),
            };
            column_stats.insert(field.name().clone(), stats);
        }

        let files_with_deletion_vectors = add_actions
            .schema()
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name().starts_with("deletion_vector."))
            .map(|(i, _)| n - add_actions.column(i).null_count())
            .max()
            .unwrap_or(0);

        let mut index = FileIndex {
            paths,
            raw_paths,
            sizes,
            modification_times,
            num_records,
            partitions,
            column_stats,
            file_statistics: Vec::new(),
            table_statistics: Statistics::new_unknown(logical),
            files_with_deletion_vectors,
            add_actions,
        };
        index.file_statistics = (0..n)
            .map(|i| Arc::new(index.statistics_of(i, scan_schema, partition_columns)))
            .collect();
        index.table_statistics = index.merged_statistics(scan_schema, logical)?;
        Ok(index)
    }

    /// Number of live files.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether the version has no live files.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Total size of the live files in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.sizes.iter().sum()
    }

    /// Row count of file `i`, if the log records it.
    pub fn num_records_of(&self, i: usize) -> Option<u64> {
        let a = self
            .num_records
            .as_primitive::<datafusion::arrow::datatypes::UInt64Type>();
        a.is_valid(i).then(|| a.value(i))
    }

    /// Typed partition values of file `i`, in partition-column order.
    pub fn partition_values_of(&self, i: usize) -> Vec<ScalarValue> {
        self.partitions
            .columns()
            .iter()
            .map(|c| ScalarValue::try_from_array(c, i).unwrap_or_else(|_| ScalarValue::Null))
            .collect()
    }

    fn statistics_of(
        &self,
        i: usize,
        scan_schema: &SchemaRef,
        partition_columns: &[String],
    ) -> Statistics {
        let num_rows = match self.num_records_of(i) {
            Some(n) => Precision::Exact(n as usize),
            None => Precision::Absent,
        };
        let scalar = |a: &Option<ArrayRef>| -> Precision<ScalarValue> {
            a.as_ref()
                .and_then(|a| ScalarValue::try_from_array(a, i).ok())
                .filter(|v| !v.is_null())
                .map(Precision::Inexact)
                .unwrap_or(Precision::Absent)
        };
        let column_statistics = scan_schema
            .fields()
            .iter()
            .map(|field| {
                if let Some(p) = partition_columns.iter().position(|c| c == field.name()) {
                    let value = ScalarValue::try_from_array(self.partitions.column(p), i)
                        .unwrap_or(ScalarValue::Null);
                    return if value.is_null() {
                        ColumnStatistics {
                            null_count: num_rows,
                            ..ColumnStatistics::new_unknown()
                        }
                    } else {
                        ColumnStatistics {
                            null_count: Precision::Exact(0),
                            min_value: Precision::Exact(value.clone()),
                            max_value: Precision::Exact(value),
                            distinct_count: Precision::Exact(1),
                            ..ColumnStatistics::new_unknown()
                        }
                    };
                }
                let Some(stats) = self.column_stats.get(field.name()) else {
                    return ColumnStatistics::new_unknown();
                };
                let null_count = stats
                    .null_count
                    .as_ref()
                    .map(|a| a.as_primitive::<datafusion::arrow::datatypes::UInt64Type>())
                    .filter(|a| a.is_valid(i))
                    .map(|a| Precision::Exact(a.value(i) as usize))
                    .unwrap_or(Precision::Absent);
                ColumnStatistics {
                    null_count,
                    min_value: scalar(&stats.min),
                    max_value: scalar(&stats.max),
                    ..ColumnStatistics::new_unknown()
                }
            })
            .collect();
        Statistics {
            num_rows,
            total_byte_size: Precision::Inexact(self.sizes[i] as usize),
            column_statistics,
        }
    }

    fn merged_statistics(
        &self,
        scan_schema: &SchemaRef,
        logical: &Schema,
    ) -> Result<Statistics, String> {
        let merged = if self.file_statistics.is_empty() {
            let mut s = Statistics::new_unknown(scan_schema);
            s.num_rows = Precision::Exact(0);
            s.total_byte_size = Precision::Exact(0);
            for c in &mut s.column_statistics {
                c.null_count = Precision::Exact(0);
            }
            s
        } else {
            Statistics::try_merge_iter(self.file_statistics.iter().map(|s| s.as_ref()), scan_schema)
                .map_err(|e| e.to_string())?
        };
        // Reorder from scan order to the table's column order.
        let column_statistics = logical
            .fields()
            .iter()
            .map(|f| {
                scan_schema
                    .index_of(f.name())
                    .map(|i| merged.column_statistics[i].clone())
                    .unwrap_or_else(|_| ColumnStatistics::new_unknown())
            })
            .collect();
        Ok(Statistics {
            num_rows: merged.num_rows,
            total_byte_size: merged.total_byte_size.to_inexact(),
            column_statistics,
        })
    }
}

/// Widens per-file maxima the log may have truncated: timestamps written
/// with millisecond precision (+1 ms when on a millisecond boundary) and
/// long strings (unknown).
fn widen_max(max: &ArrayRef) -> ArrayRef {
    match max.data_type() {
        DataType::Timestamp(unit, _) => {
            let (ratio, step) = match unit {
                TimeUnit::Microsecond => (1_000, 1_000),
                TimeUnit::Nanosecond => (1_000_000, 1_000_000),
                _ => return Arc::clone(max),
            };
            let Ok(raw) = cast(max, &DataType::Int64) else {
                return Arc::clone(max);
            };
            let widened: Int64Array = raw
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| {
                    v.map(|v| {
                        if v % ratio == 0 {
                            v.saturating_add(step)
                        } else {
                            v
                        }
                    })
                })
                .collect();
            cast(&(Arc::new(widened) as ArrayRef), max.data_type())
                .unwrap_or_else(|_| new_null_array(max.data_type(), max.len()))
        }
        DataType::Utf8 => {
            let strings = max.as_string::<i32>();
            let trusted: StringArray = strings
                .iter()
                .map(|v| v.filter(|s| s.chars().count() < STRING_MAX_TRUST_LEN))
                .collect();
            Arc::new(trusted)
        }
        DataType::LargeUtf8 | DataType::Utf8View => match cast(max, &DataType::Utf8) {
            Ok(as_utf8) => {
                let trusted = widen_max(&as_utf8);
                cast(&trusted, max.data_type())
                    .unwrap_or_else(|_| new_null_array(max.data_type(), max.len()))
            }
            Err(_) => new_null_array(max.data_type(), max.len()),
        },
        _ => Arc::clone(max),
    }
}

/// The object-store path (relative to the table root) of a log path.
fn relative_path(raw: &str, table_url: &Url) -> Result<Path, String> {
    let path = if raw.contains("://") {
        let Some(rest) = raw.strip_prefix(table_url.as_str()) else {
            return Err(format!(
                "data file {raw} lies outside the table root; absolute paths to other \
                 locations (shallow clones) are not supported"
            ));
        };
        percent_decode(rest)
    } else {
        percent_decode(raw)
    };
    Ok(Path::parse(&path).unwrap_or_else(|_| Path::from(path.as_str())))
}

/// Decodes `%XX` escapes (the log stores paths URL-encoded).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::TimestampMicrosecondArray;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b/c%3Dd.parquet"), "a b/c=d.parquet");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("x%2"), "x%2");
    }

    #[test]
    fn relative_paths() {
        let root = Url::parse("file:///data/t/").unwrap();
        assert_eq!(
            relative_path("p=a/part-1.parquet", &root).unwrap().as_ref(),
            "p=a/part-1.parquet"
        );
        assert_eq!(
            relative_path("p=a%20b/part-1.parquet", &root)
                .unwrap()
                .as_ref(),
            "p=a b/part-1.parquet"
        );
        assert_eq!(
            relative_path("file:///data/t/x.parquet", &root)
                .unwrap()
                .as_ref(),
            "x.parquet"
        );
        assert!(relative_path("s3://other/x.parquet", &root).is_err());
    }

    #[test]
    fn timestamp_and_string_maxima_are_widened() {
        let ts: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from(vec![Some(5_000), Some(5_001), None])
                .with_timezone("UTC"),
        );
        let w = widen_max(&ts);
        let w = cast(&w, &DataType::Int64).unwrap();
        let w = w.as_primitive::<Int64Type>();
        assert_eq!(w.value(0), 6_000);
        assert_eq!(w.value(1), 5_001);
        assert!(w.is_null(2));
        let s: ArrayRef = Arc::new(StringArray::from(vec![
            Some("short"),
            Some(&"x".repeat(40)[..]),
        ]));
        let w = widen_max(&s);
        assert_eq!(w.as_string::<i32>().value(0), "short");
        assert!(w.is_null(1));
    }
}
