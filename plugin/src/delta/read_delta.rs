//! `read_delta(uri [, version] [, timestamp])`: a Delta table as a table.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::Result;

use super::args::{at_most, optional_timestamp, optional_version, required_text, version_spec};
use super::bridge::{block_on, guard_sync};
use super::ffi_pushdown::with_filter_pushdown;
use super::location::TableLocation;
use super::provider::DeltaTableProvider;
use crate::table_functions::TableFunctionEntry;

const NAME: &str = "read_delta";
const SYNTAX: &str = "SELECT * FROM read_delta('/data/events' [, version => 3 | timestamp => \
                      '2024-01-02T00:00:00Z'])";

/// The registry entry of `read_delta`.
pub fn entry() -> TableFunctionEntry {
    TableFunctionEntry {
        name: NAME,
        parameters: &["uri", "version", "timestamp"],
        description: "Reads a Delta Lake table: the latest version, a given version, or the \
                      version current at an RFC 3339 timestamp (not both). Partition filters \
                      prune files exactly, other filters skip files by the log's statistics and \
                      prune Parquet row groups; projection, limit and statistics are pushed \
                      down. Without a version the table is writable (INSERT INTO / INSERT \
                      OVERWRITE) once registered.",
        syntax_example: SYNTAX,
        function: Arc::new(ReadDelta),
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct ReadDelta;

impl TableFunctionImpl for ReadDelta {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        guard_sync(NAME, || {
            let exprs = args.exprs();
            at_most(NAME, SYNTAX, exprs, 3)?;
            let uri = required_text(NAME, "uri", exprs, 0)?;
            let version = optional_version(NAME, "version", exprs, 1)?;
            let timestamp = optional_timestamp(NAME, "timestamp", exprs, 2)?;
            let spec = version_spec(NAME, version, timestamp)?;
            let location = TableLocation::parse(&uri, HashMap::new())?;
            let provider = block_on(NAME, async move {
                DeltaTableProvider::open(location, spec).await
            })?;
            Ok(with_filter_pushdown(
                "read_delta",
                Arc::new(provider),
                args.session(),
            ))
        })
    }
}
