//! The execution plan node the Delta scans hand to the host.
//!
//! Two datafusion-ffi facts shape it:
//!
//! 1. The task context a foreign plan is executed with is rebuilt on the
//!    plugin side with a *default* runtime environment, so object stores
//!    (and caches) registered anywhere else are invisible to it. The node
//!    therefore executes its inner plan with the plugin's own runtime
//!    environment ([`plugin_runtime_env`]), where every table location
//!    registers its object store, and whose Parquet metadata cache then
//!    lives as long as the process.
//! 2. A host sees a foreign plan only by its name, properties, metrics and
//!    statistics (EXPLAIN prints `FFI_ExecutionPlan: <name>`). The node is a
//!    leaf for the host, and its name carries the scan summary (version,
//!    files kept of total, pruning counts, pushed filters), while its
//!    metrics add the file counts to the Parquet scan's own metrics.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result, Statistics, internal_err};
use datafusion::config::ConfigOptions;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::{RecordBatchStream, SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::metrics::{ExecutionPlanMetricsSet, MetricBuilder, MetricsSet};
use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use futures::Stream;

static RUNTIME_ENV: LazyLock<Arc<RuntimeEnv>> = LazyLock::new(|| {
    RuntimeEnvBuilder::new()
        .build_arc()
        .expect("a default runtime environment builds")
});

/// The plugin's runtime environment: object stores of every Delta table
/// location the plugin opened, and the process-wide Parquet metadata cache.
pub fn plugin_runtime_env() -> &'static Arc<RuntimeEnv> {
    &RUNTIME_ENV
}

/// `ctx` with the plugin's runtime environment.
pub fn on_plugin_env(ctx: &TaskContext) -> Arc<TaskContext> {
    Arc::new(TaskContext::new(
        ctx.task_id(),
        ctx.session_id(),
        ctx.session_config().clone(),
        ctx.scalar_functions().clone(),
        ctx.higher_order_functions().clone(),
        ctx.aggregate_functions().clone(),
        ctx.window_functions().clone(),
        Arc::clone(plugin_runtime_env()),
    ))
}

/// Named counts shown with the node's metrics.
#[derive(Debug, Clone, Default)]
pub struct ScanCounts {
    /// `(metric name, value)` pairs, e.g. `("files_scanned", 2)`.
    pub counts: Vec<(&'static str, usize)>,
}

/// A leaf node (for the host) running `inner` in the plugin's runtime
/// environment. See the module docs.
#[derive(Debug)]
pub struct DeltaScanExec {
    inner: Arc<dyn ExecutionPlan>,
    name: String,
    counts: ScanCounts,
    metrics: ExecutionPlanMetricsSet,
}

impl DeltaScanExec {
    /// Wraps `inner`; `name` is what a host's EXPLAIN shows.
    pub fn new(inner: Arc<dyn ExecutionPlan>, name: String, counts: ScanCounts) -> Self {
        let metrics = ExecutionPlanMetricsSet::new();
        for (metric, value) in &counts.counts {
            MetricBuilder::new(&metrics)
                .global_counter(*metric)
                .add(*value);
        }
        DeltaScanExec {
            inner,
            name,
            counts,
            metrics,
        }
    }

    /// The wrapped plan.
    pub fn inner(&self) -> &Arc<dyn ExecutionPlan> {
        &self.inner
    }

    /// Value of one of the node's own counts.
    pub fn count(&self, metric: &str) -> Option<usize> {
        self.counts
            .counts
            .iter()
            .find(|(name, _)| *name == metric)
            .map(|(_, v)| *v)
    }
}

/// `stream` with a panic while polling turned into an error: a host polls
/// the plugin's streams through `extern "C"` frames, where an unwinding
/// panic would abort the process.
pub fn panic_safe(stream: SendableRecordBatchStream) -> SendableRecordBatchStream {
    Box::pin(PanicSafeStream {
        schema: stream.schema(),
        inner: stream,
        done: false,
    })
}

struct PanicSafeStream {
    inner: SendableRecordBatchStream,
    schema: SchemaRef,
    done: bool,
}

impl Stream for PanicSafeStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        match catch_unwind(AssertUnwindSafe(|| this.inner.as_mut().poll_next(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                this.done = true;
                Poll::Ready(Some(Err(DataFusionError::Execution(format!(
                    "a Delta plan panicked inside the codeanatomy plugin: {}",
                    crate::export::guard::panic_message(payload.as_ref())
                )))))
            }
        }
    }
}

impl RecordBatchStream for PanicSafeStream {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}

impl DisplayAs for DeltaScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl ExecutionPlan for DeltaScanExec {
    fn name(&self) -> &str {
        &self.name
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.inner.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            internal_err!("{} is a leaf and takes no children", self.name)
        }
    }

    fn repartitioned(
        &self,
        target_partitions: usize,
        config: &ConfigOptions,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        let repartitioned = super::bridge::guard_sync("repartitioning a Delta scan", || {
            self.inner.repartitioned(target_partitions, config)
        })?;
        Ok(repartitioned.map(|inner| {
            Arc::new(DeltaScanExec::new(
                inner,
                self.name.clone(),
                self.counts.clone(),
            )) as Arc<dyn ExecutionPlan>
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let inner = super::bridge::guard_sync("the Delta scan", || {
            self.inner.execute(partition, on_plugin_env(&context))
        })?;
        Ok(panic_safe(inner))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        let mut all = self.metrics.clone_inner();
        let mut stack = vec![Arc::clone(&self.inner)];
        while let Some(plan) = stack.pop() {
            if let Some(metrics) = plan.metrics() {
                for metric in metrics.iter() {
                    all.push(Arc::clone(metric));
                }
            }
            stack.extend(plan.children().into_iter().cloned());
        }
        Some(all)
    }

    fn statistics_from_inputs(
        &self,
        _input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> Result<Arc<Statistics>> {
        // The inner plan is hidden from the host; its statistics are the
        // node's.
        super::bridge::guard_sync("Delta scan statistics", || {
            StatisticsContext::new().compute(self.inner.as_ref(), args)
        })
    }
}
