//! `delta_add_actions(uri [, version])`: one row per live data file of a
//! table version, with its partition values and the log's statistics.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::Result;
use datafusion::datasource::MemTable;
use serde_json::{Map, Value};

use super::args::{at_most, optional_version, required_text};
use super::bridge::{block_on, guard_sync};
use super::cache::{self, VersionSpec};
use super::location::TableLocation;
use crate::table_functions::TableFunctionEntry;

const NAME: &str = "delta_add_actions";
const SYNTAX: &str = "SELECT * FROM delta_add_actions('/data/events' [, version => 3])";

/// The registry entry of `delta_add_actions`.
pub fn entry() -> TableFunctionEntry {
    TableFunctionEntry {
        name: NAME,
        parameters: &["uri", "version"],
        description: "One row per live data file of a Delta table version: path (as in the \
                      log), size_bytes, partition_values (JSON object), modification_time, \
                      num_records and stats (JSON object with minValues, maxValues and \
                      nullCount, where the log has them).",
        syntax_example: SYNTAX,
        function: Arc::new(DeltaAddActions),
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct DeltaAddActions;

/// A JSON value for row `i` of `array` (numbers and booleans as such,
/// everything else as its display text).
pub fn json_value(array: &dyn Array, i: usize) -> Value {
    if array.is_null(i) {
        return Value::Null;
    }
    let text = array_value_to_string(array, i).unwrap_or_default();
    match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(i)),
        t if t.is_integer() => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(text)),
        t if t.is_floating() => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(text)),
        _ => Value::String(text),
    }
}

impl TableFunctionImpl for DeltaAddActions {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        guard_sync(NAME, || {
            let exprs = args.exprs();
            at_most(NAME, SYNTAX, exprs, 2)?;
            let uri = required_text(NAME, "uri", exprs, 0)?;
            let spec = match optional_version(NAME, "version", exprs, 1)? {
                Some(v) => VersionSpec::Version(v),
                None => VersionSpec::Latest,
            };
            let location = TableLocation::parse(&uri, HashMap::new())?;
            let snapshot = block_on(NAME, async move { cache::load(&location, spec).await })?;
            let files = &snapshot.files;
            let actions = &files.add_actions;
            let n = files.len();

            let partition_values: Vec<String> = (0..n)
                .map(|i| {
                    let mut map = Map::new();
                    for (field, column) in files
                        .partitions
                        .schema()
                        .fields()
                        .iter()
                        .zip(files.partitions.columns())
                    {
                        map.insert(field.name().clone(), json_value(column.as_ref(), i));
                    }
                    Value::Object(map).to_string()
                })
                .collect();

            // minValues / maxValues / nullCount from the flattened columns.
            let sections = [
                ("min.", "minValues"),
                ("max.", "maxValues"),
                ("null_count.", "nullCount"),
            ];
            let stats: Vec<Option<String>> = (0..n)
                .map(|i| {
                    let mut out = Map::new();
                    for (prefix, key) in sections {
                        let mut section = Map::new();
                        for (field, column) in
                            actions.schema().fields().iter().zip(actions.columns())
                        {
                            if let Some(col) = field.name().strip_prefix(prefix) {
                                let v = json_value(column.as_ref(), i);
                                if !v.is_null() {
                                    section.insert(col.to_string(), v);
                                }
                            }
                        }
                        if !section.is_empty() {
                            out.insert(key.to_string(), Value::Object(section));
                        }
                    }
                    (!out.is_empty()).then(|| Value::Object(out).to_string())
                })
                .collect();

            let num_records: Int64Array = (0..n)
                .map(|i| files.num_records_of(i).map(|v| v as i64))
                .collect();
            let schema = Arc::new(Schema::new(vec![
                Field::new("path", DataType::Utf8, false),
                Field::new("size_bytes", DataType::Int64, false),
                Field::new("partition_values", DataType::Utf8, false),
                Field::new(
                    "modification_time",
                    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                    false,
                ),
                Field::new("num_records", DataType::Int64, true),
                Field::new("stats", DataType::Utf8, true),
            ]));
            let columns: Vec<ArrayRef> = vec![
                Arc::new(StringArray::from(files.raw_paths.clone())),
                Arc::new(Int64Array::from(
                    files.sizes.iter().map(|s| *s as i64).collect::<Vec<_>>(),
                )),
                Arc::new(StringArray::from(partition_values)),
                Arc::new(
                    TimestampMillisecondArray::from(files.modification_times.clone())
                        .with_timezone("UTC"),
                ),
                Arc::new(num_records),
                Arc::new(StringArray::from(stats)),
            ];
            let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
            Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?) as Arc<dyn TableProvider>)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{BooleanArray, Float64Array};

    #[test]
    fn json_values() {
        let ints = Int64Array::from(vec![Some(3), None]);
        assert_eq!(json_value(&ints, 0), Value::from(3));
        assert_eq!(json_value(&ints, 1), Value::Null);
        let floats = Float64Array::from(vec![1.5]);
        assert_eq!(json_value(&floats, 0), Value::from(1.5));
        let bools = BooleanArray::from(vec![true]);
        assert_eq!(json_value(&bools, 0), Value::Bool(true));
        let text = StringArray::from(vec!["a"]);
        assert_eq!(json_value(&text, 0), Value::from("a"));
    }
}
