//! The plan node of `INSERT INTO` / `INSERT OVERWRITE`: streams the host's
//! input into deltalake's data sink, which writes Parquet files and commits
//! once.
//!
//! Why not deltalake's `DataSinkExec` as is: its input is the *host's*
//! plan. When a host optimizer rewrites that input it re-exports the new
//! children through datafusion-ffi without a runtime handle, so polling them
//! from a plugin thread (deltalake's writer tasks, or a plugin
//! `CoalescePartitionsExec`) runs host operators outside any host tokio
//! context, and a host operator that spawns (RepartitionExec,
//! CoalescePartitionsExec) panics inside an `extern "C"` frame: the process
//! aborts. This node therefore polls every input partition *inline*, in the
//! host's own poll of this node's stream (a host thread, host runtime
//! context intact), merges them, reorders columns to deltalake's write order
//! and pumps the batches through a bounded channel to the sink, whose
//! writer tasks run on the plugin's runtime.
//!
//! The input stays visible to the host as this node's child, so the host
//! still optimises it.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result, internal_err};
use datafusion::datasource::sink::DataSinkExec;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties,
};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

/// See the module docs.
pub struct DeltaInsertExec {
    input: Arc<dyn ExecutionPlan>,
    /// deltalake's `DataSinkExec` (only its sink is used).
    sink_plan: Arc<dyn ExecutionPlan>,
    /// Input column index for each column of the sink's write order.
    reorder: Vec<usize>,
    /// Schema of the batches the sink receives.
    sink_input_schema: SchemaRef,
    properties: Arc<PlanProperties>,
    name: String,
}

impl fmt::Debug for DeltaInsertExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]))
}

impl DeltaInsertExec {
    /// `sink_plan` must be a `DataSinkExec`; `reorder[i]` is the input
    /// column feeding column `i` of `sink_input_schema`.
    pub fn try_new(
        input: Arc<dyn ExecutionPlan>,
        sink_plan: Arc<dyn ExecutionPlan>,
        reorder: Vec<usize>,
        sink_input_schema: SchemaRef,
        name: String,
    ) -> Result<Self> {
        if !sink_plan.is::<DataSinkExec>() {
            return internal_err!(
                "DeltaInsertExec needs a DataSinkExec, got {}",
                sink_plan.name()
            );
        }
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(count_schema()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        Ok(DeltaInsertExec {
            input,
            sink_plan,
            reorder,
            sink_input_schema,
            properties,
            name,
        })
    }
}

impl DisplayAs for DeltaInsertExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl ExecutionPlan for DeltaInsertExec {
    fn name(&self) -> &str {
        &self.name
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return internal_err!("{} takes exactly one input", self.name);
        }
        Ok(Arc::new(DeltaInsertExec::try_new(
            children.remove(0),
            Arc::clone(&self.sink_plan),
            self.reorder.clone(),
            Arc::clone(&self.sink_input_schema),
            self.name.clone(),
        )?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return internal_err!(
                "{} has one output partition, asked for {partition}",
                self.name
            );
        }
        super::bridge::guard_sync("a Delta insert", || self.execute_inner(context))
            .map(super::exec::panic_safe)
    }
}

impl DeltaInsertExec {
    fn execute_inner(&self, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        // Executing the input here runs on the host's thread (this call
        // comes from the host); so does every poll of `merged` below.
        let partitions = self.input.output_partitioning().partition_count();
        let streams = (0..partitions)
            .map(|p| self.input.execute(p, Arc::clone(&context)))
            .collect::<Result<Vec<_>>>()?;
        let mut merged = futures::stream::select_all(streams);
        let reorder = self.reorder.clone();
        let sink_schema = Arc::clone(&self.sink_input_schema);
        let sink_plan = Arc::clone(&self.sink_plan);
        let (mut tx, rx) = mpsc::channel::<Result<RecordBatch>>(2);

        let pump = async move {
            while let Some(batch) = merged.next().await {
                let batch = batch.and_then(|b| {
                    let columns = reorder.iter().map(|&i| Arc::clone(b.column(i))).collect();
                    RecordBatch::try_new(Arc::clone(&sink_schema), columns).map_err(Into::into)
                });
                let failed = batch.is_err();
                if tx.send(batch).await.is_err() || failed {
                    // The writer stopped (it reports why), or the input
                    // failed and the writer was told.
                    break;
                }
            }
            tx.close_channel();
        };
        let sink_input: SendableRecordBatchStream = Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.sink_input_schema),
            rx,
        ));
        let write = async move {
            let sink = sink_plan
                .downcast_ref::<DataSinkExec>()
                .ok_or_else(|| DataFusionError::Internal("lost the Delta data sink".into()))?
                .sink();
            sink.write_all(sink_input, &context).await
        };
        let outcome = futures::stream::once(async move {
            let ((), written) = futures::join!(pump, write);
            let count: ArrayRef = Arc::new(UInt64Array::from(vec![written?]));
            Ok(RecordBatch::try_new(count_schema(), vec![count])?)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            count_schema(),
            outcome,
        )))
    }
}
