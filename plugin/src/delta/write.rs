//! `INSERT INTO` / `INSERT OVERWRITE` through the Delta provider.
//!
//! The writer is deltalake's own `DeltaDataSink` (reached through its public
//! `DeltaScan::insert_into`): the input is streamed into new
//! Parquet files and committed as exactly one new version (an append, or a
//! write that also removes every live file for an overwrite). Nothing is
//! committed if the input fails, so a failed write leaves the table at its
//! previous version; concurrent appends are reconciled by deltalake's
//! commit retry (appends do not conflict with each other).
//!
//! Before the sink the plugin
//! - refuses pinned (version/timestamp) providers and tables whose writer
//!   features deltalake does not support,
//! - checks that the input has the table's column names and types,
//! - runs the sink in its own plan node ([`DeltaInsertExec`]), which polls
//!   the host's input on the host's threads, merges its partitions and
//!   reorders the columns to deltalake's write order (data columns, then
//!   partition columns).

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::catalog::Session;
use datafusion::catalog::TableProvider;
use datafusion::common::{Result, SchemaExt};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use deltalake::delta_datafusion::DeltaScanNext;

use super::bridge::in_plugin_context;
use super::insert_exec::DeltaInsertExec;
use super::protocol::check_writable;
use super::provider::{DeltaTableProvider, VersionMode, describe_schema};

/// Plans an insert of `input` into the provider's table.
pub async fn plan_insert(
    provider: &DeltaTableProvider,
    session: &dyn Session,
    input: Arc<dyn ExecutionPlan>,
    insert_op: InsertOp,
) -> Result<Arc<dyn ExecutionPlan>> {
    let location = provider.location();
    if provider.mode() == VersionMode::Pinned {
        return Err(location.plan_error(format!(
            "Delta table '{}' was opened at a fixed version or timestamp and is read-only; \
             open it without a version to write to it",
            location.uri()
        )));
    }
    if insert_op == InsertOp::Replace {
        return Err(location.plan_error(format!(
            "REPLACE INTO is not supported for Delta table '{}'; use INSERT INTO to append or \
             INSERT OVERWRITE to replace the table's rows",
            location.uri()
        )));
    }
    let snapshot = provider.snapshot_for_query().await?;
    let eager = snapshot.eager().clone();
    check_writable(location, &eager)?;

    let table_schema = &snapshot.schema;
    let input_schema = input.schema();
    if table_schema
        .logically_equivalent_names_and_types(&input_schema)
        .is_err()
    {
        return Err(location.plan_error(format!(
            "cannot insert into Delta table '{}': the input columns {} do not match the table's \
             columns {}",
            location.uri(),
            describe_schema(&input_schema),
            describe_schema(table_schema)
        )));
    }

    let reorder = snapshot
        .scan_schema
        .fields()
        .iter()
        .map(|field| table_schema.index_of(field.name()))
        .collect::<Result<Vec<_>, _>>()?;
    let sink_input_schema = Arc::new(Schema::new(
        snapshot
            .scan_schema
            .fields()
            .iter()
            .zip(&reorder)
            .map(|(field, &i)| {
                field
                    .as_ref()
                    .clone()
                    .with_nullable(input_schema.field(i).is_nullable() || field.is_nullable())
            })
            .collect::<Vec<_>>(),
    ));

    // deltalake's sink, planned over a placeholder: only the sink is used.
    let placeholder: Arc<dyn ExecutionPlan> =
        Arc::new(EmptyExec::new(Arc::clone(&sink_input_schema)));
    let delta = DeltaScanNext::builder()
        .with_log_store(location.log_store()?)
        .with_eager_snapshot(Arc::new(eager))
        .build()
        .await
        .map_err(|e| location.error("cannot prepare a write to Delta table", e))?;
    let sink_plan = in_plugin_context(delta.insert_into(session, placeholder, insert_op))
        .await
        .map_err(|e| location.error("cannot plan a write to Delta table", e))?;
    let verb = match insert_op {
        InsertOp::Overwrite => "overwrite",
        _ => "append",
    };
    let name = location.redact(&format!(
        "DeltaInsert: {verb} to version {} of {}",
        snapshot.version + 1,
        location.uri()
    ));
    Ok(Arc::new(DeltaInsertExec::try_new(
        input,
        sink_plan,
        reorder,
        sink_input_schema,
        name,
    )?))
}
