//! Panic containment for table functions, table provider factories, the
//! providers they return and the plans those providers build.
//!
//! datafusion-ffi runs `scan`, `insert_into` and `create` inside FFI futures
//! (a panic there resumes unwinding in the *host's* thread) and `execute` and
//! stream polling inside plain `extern "C"` frames (a panic there aborts the
//! host). Every layer is therefore wrapped here, so each panic reaches the
//! host as a `DataFusionError` naming the table and the step.

use std::borrow::Cow;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{
    Session, TableFunctionArgs, TableFunctionImpl, TableProvider, TableProviderFactory,
};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{Constraints, Result, Statistics};
use datafusion::config::ConfigOptions;
use datafusion::datasource::TableType;
use datafusion::execution::{RecordBatchStream, SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{
    CreateExternalTable, Expr, LogicalPlan, TableProviderFilterPushDown,
};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::execution_plan::{ChildrenPropertiesMode, ReplaceChildrenOptions};
use datafusion::physical_plan::metrics::MetricsSet;
use datafusion::physical_plan::{
    ChildStats, DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, StatisticsArgs,
};
use datafusion_ffi::table_provider::ForeignTableProvider;
use futures::{FutureExt, Stream};

use super::{guarded_as as guarded, panicked};

async fn guarded_async<T>(what: &str, step: &str, f: impl Future<Output = Result<T>>) -> Result<T> {
    AssertUnwindSafe(f)
        .catch_unwind()
        .await
        .unwrap_or_else(|p| Err(panicked(what, step, p.as_ref())))
}

/// A table function whose calls, and the providers they return, are guarded.
#[derive(Debug)]
pub struct PanicGuardedTableFunction {
    /// `table function <name>`, as errors name it.
    what: String,
    inner: Arc<dyn TableFunctionImpl>,
}

impl PanicGuardedTableFunction {
    /// Wraps the table function `name`.
    pub fn wrap(name: &str, inner: Arc<dyn TableFunctionImpl>) -> Arc<dyn TableFunctionImpl> {
        Arc::new(PanicGuardedTableFunction {
            what: format!("table function {name}"),
            inner,
        })
    }
}

impl PanicGuardedTableFunction {
    /// Guards `provider`, unless it is already a datafusion-ffi provider:
    /// datafusion-ffi re-exports those as they are (which is how a table
    /// function keeps filter pushdown, see `delta::ffi_pushdown`, which
    /// guards the provider inside), and a wrapper would hide it.
    fn guard_provider(&self, provider: Arc<dyn TableProvider>) -> Arc<dyn TableProvider> {
        if provider.is::<ForeignTableProvider>() {
            return provider;
        }
        PanicGuardedTableProvider::wrap(self.what.clone(), provider)
    }
}

impl TableFunctionImpl for PanicGuardedTableFunction {
    // datafusion-ffi 55 still exposes the deprecated `call` to older hosts.
    #[allow(deprecated)]
    fn call(&self, exprs: &[Expr]) -> Result<Arc<dyn TableProvider>> {
        guarded(&self.what, "call", || self.inner.call(exprs)).map(|p| self.guard_provider(p))
    }

    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        guarded(&self.what, "call", || self.inner.call_with_args(args))
            .map(|p| self.guard_provider(p))
    }
}

/// A table provider factory whose `create`, and the providers it returns, are
/// guarded.
#[derive(Debug)]
pub struct PanicGuardedTableFactory {
    format: String,
    inner: Arc<dyn TableProviderFactory + Send>,
}

impl PanicGuardedTableFactory {
    /// Wraps the factory for `STORED AS format`.
    pub fn wrap(
        format: &str,
        inner: Arc<dyn TableProviderFactory + Send>,
    ) -> Arc<dyn TableProviderFactory + Send> {
        Arc::new(PanicGuardedTableFactory {
            format: format.to_string(),
            inner,
        })
    }
}

#[async_trait]
impl TableProviderFactory for PanicGuardedTableFactory {
    async fn create(
        &self,
        state: &dyn Session,
        cmd: &CreateExternalTable,
    ) -> Result<Arc<dyn TableProvider>> {
        let what = format!("table provider factory {}", self.format);
        guarded_async(&what, "create", self.inner.create(state, cmd))
            .await
            .map(|provider| {
                PanicGuardedTableProvider::wrap(format!("{} table", self.format), provider)
            })
    }
}

/// A table provider whose every fallible method is guarded, and whose plans
/// are wrapped in [`PanicGuardedExec`].
#[derive(Debug)]
pub struct PanicGuardedTableProvider {
    what: String,
    inner: Arc<dyn TableProvider>,
}

impl PanicGuardedTableProvider {
    /// Wraps `inner`; `what` names it in errors (e.g. `table function read_delta`).
    pub fn wrap(what: String, inner: Arc<dyn TableProvider>) -> Arc<dyn TableProvider> {
        Arc::new(PanicGuardedTableProvider { what, inner })
    }
}

#[async_trait]
impl TableProvider for PanicGuardedTableProvider {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn constraints(&self) -> Option<&Constraints> {
        self.inner.constraints()
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    fn get_table_definition(&self) -> Option<&str> {
        self.inner.get_table_definition()
    }

    fn get_logical_plan(&self) -> Option<Cow<'_, LogicalPlan>> {
        self.inner.get_logical_plan()
    }

    fn get_column_default(&self, column: &str) -> Option<&Expr> {
        self.inner.get_column_default(column)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        guarded_async(
            &self.what,
            "scan",
            self.inner.scan(state, projection, filters, limit),
        )
        .await
        .map(|plan| PanicGuardedExec::wrap(self.what.clone(), plan))
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        guarded(&self.what, "filter pushdown", || {
            self.inner.supports_filters_pushdown(filters)
        })
    }

    fn statistics(&self) -> Option<Statistics> {
        catch_unwind(AssertUnwindSafe(|| self.inner.statistics()))
            .ok()
            .flatten()
    }

    async fn insert_into(
        &self,
        state: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        guarded_async(
            &self.what,
            "insert planning",
            self.inner.insert_into(state, input, insert_op),
        )
        .await
        .map(|plan| PanicGuardedExec::wrap(self.what.clone(), plan))
    }
}

/// An execution plan whose `execute` and output streams are guarded. It
/// shows as its inner plan (name, `EXPLAIN` text, metrics, statistics).
#[derive(Debug)]
pub struct PanicGuardedExec {
    what: String,
    inner: Arc<dyn ExecutionPlan>,
}

impl PanicGuardedExec {
    /// Wraps `inner`; `what` names its table in errors.
    pub fn wrap(what: String, inner: Arc<dyn ExecutionPlan>) -> Arc<dyn ExecutionPlan> {
        Arc::new(PanicGuardedExec { what, inner })
    }
}

impl DisplayAs for PanicGuardedExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.fmt_as(t, f)
    }
}

impl ExecutionPlan for PanicGuardedExec {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn downcast_delegate(&self) -> Option<&dyn ExecutionPlan> {
        Some(self.inner.as_ref())
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.inner.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        self.inner.children()
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        self.inner.apply_expressions(f)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let inner = Arc::clone(&self.inner).replace_children(children, options)?;
        Ok(PanicGuardedExec::wrap(self.what.clone(), inner))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn repartitioned(
        &self,
        target_partitions: usize,
        config: &ConfigOptions,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        let plan = guarded(&self.what, "repartitioning", || {
            self.inner.repartitioned(target_partitions, config)
        })?;
        Ok(plan.map(|p| PanicGuardedExec::wrap(self.what.clone(), p)))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let stream = guarded(&self.what, "execution", || {
            self.inner.execute(partition, context)
        })?;
        Ok(Box::pin(PanicGuardedStream {
            what: self.what.clone(),
            schema: stream.schema(),
            inner: Some(stream),
        }))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        self.inner.metrics()
    }

    // Still called by DataFusion 55's default `statistics_from_inputs`.
    #[allow(deprecated)]
    fn partition_statistics(&self, partition: Option<usize>) -> Result<Arc<Statistics>> {
        guarded(&self.what, "statistics", || {
            self.inner.partition_statistics(partition)
        })
    }

    fn statistics_from_inputs(
        &self,
        input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> Result<Arc<Statistics>> {
        guarded(&self.what, "statistics", || {
            self.inner.statistics_from_inputs(input_stats, args)
        })
    }

    fn child_stats_requests(&self, partition: Option<usize>) -> Vec<ChildStats> {
        self.inner.child_stats_requests(partition)
    }

    fn supports_limit_pushdown(&self) -> bool {
        self.inner.supports_limit_pushdown()
    }

    fn fetch(&self) -> Option<usize> {
        self.inner.fetch()
    }
}

/// A record batch stream that turns a panic while polling into one error and
/// then ends (the inner stream is dropped: its state is unknown).
struct PanicGuardedStream {
    what: String,
    schema: SchemaRef,
    inner: Option<SendableRecordBatchStream>,
}

impl Stream for PanicGuardedStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll_next(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let error = panicked(&self.what, "execution", payload.as_ref());
                self.inner = None;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

impl RecordBatchStream for PanicGuardedStream {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
