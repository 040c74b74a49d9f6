//! `read_delta_cdf(uri, starting_version [, ending_version]
//! [, starting_timestamp] [, ending_timestamp])`: the change data feed of a
//! Delta table (tables with `delta.enableChangeDataFeed = true`), each row
//! with `_change_type`, `_commit_version` and `_commit_timestamp`.
//!
//! The feed is deltalake's `DeltaCdfTableProvider`, planned on the host
//! session with the plugin's runtime entered, and its plan runs in the
//! plugin's runtime environment (where the table's store is registered) via
//! [`DeltaScanExec`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use deltalake::delta_datafusion::DeltaCdfTableProvider;
use url::Url;

use super::args::{at_most, optional_timestamp, optional_version, required_text};
use super::bridge::{block_on, guard_async, guard_sync, in_plugin_context};
use super::cache::{self, VersionSpec};
use super::exec::{DeltaScanExec, ScanCounts, plugin_runtime_env};
use super::ffi_pushdown::with_filter_pushdown;
use super::location::TableLocation;
use crate::table_functions::TableFunctionEntry;

const NAME: &str = "read_delta_cdf";
const SYNTAX: &str = "SELECT * FROM read_delta_cdf('/data/events', 1 [, ending_version => 4] \
                      [, starting_timestamp => '...'] [, ending_timestamp => '...'])";

/// The registry entry of `read_delta_cdf`.
pub fn entry() -> TableFunctionEntry {
    TableFunctionEntry {
        name: NAME,
        parameters: &[
            "uri",
            "starting_version",
            "ending_version",
            "starting_timestamp",
            "ending_timestamp",
        ],
        description: "The change data feed of a Delta table with delta.enableChangeDataFeed = \
                      true: the table's columns plus _change_type (insert, delete, \
                      update_preimage, update_postimage), _commit_version and \
                      _commit_timestamp, for the commits from starting_version (or \
                      starting_timestamp) to ending_version (or ending_timestamp), inclusive.",
        syntax_example: SYNTAX,
        function: Arc::new(ReadDeltaCdf),
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct ReadDeltaCdf;

impl TableFunctionImpl for ReadDeltaCdf {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        guard_sync(NAME, || {
            let exprs = args.exprs();
            at_most(NAME, SYNTAX, exprs, 5)?;
            let uri = required_text(NAME, "uri", exprs, 0)?;
            let starting_version = optional_version(NAME, "starting_version", exprs, 1)?;
            let ending_version = optional_version(NAME, "ending_version", exprs, 2)?;
            let starting_timestamp = optional_timestamp(NAME, "starting_timestamp", exprs, 3)?;
            let ending_timestamp = optional_timestamp(NAME, "ending_timestamp", exprs, 4)?;
            if starting_version.is_none() && starting_timestamp.is_none() {
                return plan_err!("{NAME}: give a starting_version or a starting_timestamp");
            }
            if starting_version.is_some() && starting_timestamp.is_some() {
                return plan_err!(
                    "{NAME}: give either a starting_version or a starting_timestamp, not both"
                );
            }
            if ending_version.is_some() && ending_timestamp.is_some() {
                return plan_err!(
                    "{NAME}: give either an ending_version or an ending_timestamp, not both"
                );
            }
            if let (Some(start), Some(end)) = (starting_version, ending_version)
                && end < start
            {
                return plan_err!(
                    "{NAME}: ending_version {end} is before starting_version {start}"
                );
            }
            let location = TableLocation::parse(&uri, HashMap::new())?;
            let loc = location.clone();
            let snapshot = block_on(
                NAME,
                async move { cache::load(&loc, VersionSpec::Latest).await },
            )?;
            if let Some(start) = starting_version
                && start > snapshot.version
            {
                return Err(location.plan_error(format!(
                    "{NAME}: starting_version {start} of Delta table '{}' does not exist (the \
                     latest version is {})",
                    location.uri(),
                    snapshot.version
                )));
            }
            let mut builder = snapshot.table.clone().scan_cdf();
            if let Some(v) = starting_version {
                builder = builder.with_starting_version(v);
            }
            if let Some(v) = ending_version {
                builder = builder.with_ending_version(v);
            }
            if let Some(t) = starting_timestamp {
                builder = builder.with_starting_timestamp(t);
            }
            if let Some(t) = ending_timestamp {
                builder = builder.with_ending_timestamp(t);
            }
            let inner = DeltaCdfTableProvider::try_new(builder).map_err(|e| {
                location.error("cannot read the change data feed of Delta table", e)
            })?;
            // The feed's scans read through deltalake's per-table store URL.
            let log_store = location.log_store()?;
            let store_url = log_store.object_store_url();
            let url: &Url = store_url.as_ref();
            plugin_runtime_env().register_object_store(url, log_store.object_store(None));
            let provider = CdfProvider {
                location,
                schema: inner.schema(),
                inner: Arc::new(inner),
            };
            Ok(with_filter_pushdown(
                "read_delta_cdf",
                Arc::new(provider),
                args.session(),
            ))
        })
    }
}

/// deltalake's change-data-feed provider, bridged for the FFI boundary.
struct CdfProvider {
    location: TableLocation,
    schema: SchemaRef,
    inner: Arc<dyn TableProvider>,
}

impl fmt::Debug for CdfProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CdfProvider({:?})", self.location)
    }
}

#[async_trait]
impl TableProvider for CdfProvider {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // deltalake plans the feed's filters with `Session::create_physical_expr`,
        // which on a host session yields opaque foreign expressions its
        // Parquet scans cannot use; the host applies them instead.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        session: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        guard_async("Delta change data feed scan", async {
            let plan = in_plugin_context(self.inner.scan(session, projection, &[], limit))
                .await
                .map_err(|e| {
                    self.location
                        .error("cannot read the change data feed of Delta table", e)
                })?;
            let name = self
                .location
                .redact(&format!("DeltaCdfScan: limit={limit:?}"));
            Ok(
                Arc::new(DeltaScanExec::new(plan, name, ScanCounts::default()))
                    as Arc<dyn ExecutionPlan>,
            )
        })
        .await
    }
}
