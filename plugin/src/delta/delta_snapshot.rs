//! `delta_snapshot(uri [, version])`: one row describing a table version
//! (protocol, features, schema, partitioning, properties, file totals).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Int32Array, Int64Array, ListBuilder, RecordBatch, StringArray, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::Result;
use datafusion::datasource::MemTable;

use super::args::{at_most, optional_version, required_text};
use super::bridge::{block_on, guard_sync};
use super::cache::{self, VersionSpec};
use super::location::TableLocation;
use crate::table_functions::TableFunctionEntry;

const NAME: &str = "delta_snapshot";
const SYNTAX: &str = "SELECT * FROM delta_snapshot('/data/events' [, version => 3])";

/// The registry entry of `delta_snapshot`.
pub fn entry() -> TableFunctionEntry {
    TableFunctionEntry {
        name: NAME,
        parameters: &["uri", "version"],
        description: "One row describing a Delta table version: version, min_reader_version, \
                      min_writer_version, reader_features, writer_features, schema_json, \
                      partition_columns, properties (JSON object), num_files, total_bytes, \
                      and whether the plugin can read it (unsupported_reader_features).",
        syntax_example: SYNTAX,
        function: Arc::new(DeltaSnapshot),
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct DeltaSnapshot;

fn list(values: Option<Vec<String>>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    match values {
        Some(values) => {
            for v in values {
                builder.values().append_value(v);
            }
            builder.append(true);
        }
        None => builder.append(false),
    }
    Arc::new(builder.finish())
}

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

impl TableFunctionImpl for DeltaSnapshot {
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
            let eager = snapshot.eager();
            let protocol = eager.protocol();
            let metadata = eager.metadata();
            let features = |f: Option<&[_]>| {
                f.map(|f: &[_]| f.iter().map(|x| format!("{x}")).collect::<Vec<String>>())
            };
            let properties: BTreeMap<&String, &String> = metadata.configuration().iter().collect();
            let properties = serde_json::to_string(&properties)
                .map_err(|e| snapshot.location.error("cannot describe Delta table", e))?;
            let schema = Arc::new(Schema::new(vec![
                Field::new("version", DataType::Int64, false),
                Field::new("min_reader_version", DataType::Int32, false),
                Field::new("min_writer_version", DataType::Int32, false),
                Field::new("reader_features", list_type(), true),
                Field::new("writer_features", list_type(), true),
                Field::new("schema_json", DataType::Utf8, false),
                Field::new("partition_columns", list_type(), false),
                Field::new("properties", DataType::Utf8, false),
                Field::new("num_files", DataType::Int64, false),
                Field::new("total_bytes", DataType::Int64, false),
                Field::new("table_id", DataType::Utf8, false),
                Field::new("unsupported_reader_features", list_type(), false),
            ]));
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(vec![snapshot.version as i64])),
                Arc::new(Int32Array::from(vec![protocol.min_reader_version()])),
                Arc::new(Int32Array::from(vec![protocol.min_writer_version()])),
                list(features(protocol.reader_features())),
                list(features(protocol.writer_features())),
                Arc::new(StringArray::from(vec![metadata.schema_string().clone()])),
                list(Some(snapshot.partition_columns.clone())),
                Arc::new(StringArray::from(vec![properties])),
                Arc::new(Int64Array::from(vec![snapshot.files.len() as i64])),
                Arc::new(Int64Array::from(vec![snapshot.files.total_bytes() as i64])),
                Arc::new(StringArray::from(vec![metadata.id().to_string()])),
                list(Some(snapshot.unsupported_reader_features.clone())),
            ];
            let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
            Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?) as Arc<dyn TableProvider>)
        })
    }
}
