//! The Delta table provider behind `read_delta(...)` and
//! `CREATE EXTERNAL TABLE ... STORED AS DELTATABLE`.
//!
//! A provider opened without a version or timestamp *follows* the table:
//! each scan and each insert first checks the latest version (one
//! `_delta_log` listing) and, when it moved, switches to it (from the
//! snapshot cache or an incremental load). The one exception is the first
//! scan within [`FRESH_FOR`] of opening, which reuses the version just
//! checked at open (the table function call and the scan of one query), so
//! a query lists the log once. A provider opened at a version or timestamp
//! is pinned to it and read-only.
//!
//! Scans run on the session passed to `scan`, never on a session of the
//! plugin's own; async work is bridged onto the plugin's runtime.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{Result, Statistics};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;

use super::bridge::{guard_async, guard_sync, on_plugin_runtime};
use super::cache::{self, VersionSpec};
use super::location::TableLocation;
use super::pruning::pushdown_kind;
use super::snapshot::TableSnapshot;
use super::{scan, write};

/// How a provider picks the table version it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionMode {
    /// The latest version at each scan; writable.
    Latest,
    /// A fixed version (given directly or by timestamp); read-only.
    Pinned,
}

/// How long after opening the first scan may reuse the version checked at
/// open instead of listing the log again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// See the module docs.
pub struct DeltaTableProvider {
    location: TableLocation,
    mode: VersionMode,
    schema: SchemaRef,
    current: Mutex<Arc<TableSnapshot>>,
    /// Until when the next scan may skip the latest-version check (taken
    /// by the first scan).
    fresh_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for DeltaTableProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DeltaTableProvider({:?}, {:?}, version={})",
            self.location,
            self.mode,
            self.snapshot().version
        )
    }
}

impl DeltaTableProvider {
    /// A provider over an already loaded snapshot.
    pub fn new(snapshot: Arc<TableSnapshot>, mode: VersionMode) -> Self {
        DeltaTableProvider {
            location: snapshot.location.clone(),
            mode,
            schema: Arc::clone(&snapshot.schema),
            current: Mutex::new(snapshot),
            fresh_until: Mutex::new(Some(Instant::now() + FRESH_FOR)),
        }
    }

    /// Loads `spec` of the table at `location` (on the plugin runtime) and
    /// opens a provider over it; a version or timestamp pins it.
    pub async fn open(location: TableLocation, spec: VersionSpec) -> Result<Self> {
        let loc = location.clone();
        let snapshot = on_plugin_runtime("loading a Delta table", async move {
            cache::load(&loc, spec).await
        })
        .await?;
        snapshot.ensure_readable()?;
        let mode = match spec {
            VersionSpec::Latest => VersionMode::Latest,
            _ => VersionMode::Pinned,
        };
        Ok(Self::new(snapshot, mode))
    }

    /// Where the table lives.
    pub fn location(&self) -> &TableLocation {
        &self.location
    }

    /// Latest-following or pinned.
    pub fn mode(&self) -> VersionMode {
        self.mode
    }

    /// The snapshot the provider currently reads.
    pub fn snapshot(&self) -> Arc<TableSnapshot> {
        Arc::clone(&self.current.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The snapshot a scan should read: the pinned one, the one checked at
    /// open (first scan, shortly after opening), or the latest.
    pub async fn snapshot_for_scan(&self) -> Result<Arc<TableSnapshot>> {
        let fresh = self
            .fresh_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .is_some_and(|until| Instant::now() < until);
        if fresh {
            return Ok(self.snapshot());
        }
        self.snapshot_for_query().await
    }

    /// The snapshot a new query should read: the pinned one, or the latest
    /// (refreshed through the cache).
    pub async fn snapshot_for_query(&self) -> Result<Arc<TableSnapshot>> {
        // Any refresh (an insert in particular) ends the post-open grace.
        self.fresh_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if self.mode == VersionMode::Pinned {
            return Ok(self.snapshot());
        }
        let loc = self.location.clone();
        let latest = on_plugin_runtime("refreshing a Delta table", async move {
            cache::load(&loc, VersionSpec::Latest).await
        })
        .await?;
        if latest.schema.fields() != self.schema.fields() {
            return Err(self.location.plan_error(format!(
                "the schema of Delta table '{}' changed in version {} (now {}); open the table \
                 again to read it",
                self.location.uri(),
                latest.version,
                describe_schema(&latest.schema)
            )));
        }
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Arc::clone(&latest);
        Ok(latest)
    }
}

/// `name: type` pairs of a schema, for messages.
pub fn describe_schema(schema: &SchemaRef) -> String {
    let fields: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect();
    format!("({})", fields.join(", "))
}

#[async_trait]
impl TableProvider for DeltaTableProvider {
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
        guard_sync("Delta filter pushdown", || {
            let partition_columns = &self.snapshot().partition_columns;
            Ok(filters
                .iter()
                .map(|f| pushdown_kind(f, partition_columns))
                .collect())
        })
    }

    fn statistics(&self) -> Option<Statistics> {
        Some(self.snapshot().files.table_statistics.clone())
    }

    async fn scan(
        &self,
        session: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        guard_async("Delta scan", async {
            let snapshot = self.snapshot_for_scan().await?;
            scan::build_scan(&snapshot, session, projection, filters, limit)
        })
        .await
    }

    async fn insert_into(
        &self,
        session: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        guard_async(
            "Delta insert",
            write::plan_insert(self, session, input, insert_op),
        )
        .await
    }
}
