//! Helpers for the functions' unit tests: direct invocation of a UDF and
//! in-process SQL through a `SessionContext`.

use std::sync::Arc;

use datafusion::arrow::datatypes::Field;
use datafusion::common::config::ConfigOptions;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl};
use datafusion::prelude::SessionContext;

/// Invokes `udf` the way the executor does, after planning-time coercion has
/// been applied by the caller.
pub(crate) fn invoke(
    udf: &dyn ScalarUDFImpl,
    args: Vec<ColumnarValue>,
    number_rows: usize,
) -> Result<ColumnarValue> {
    let arg_types: Vec<_> = args.iter().map(ColumnarValue::data_type).collect();
    let arg_fields = arg_types
        .iter()
        .enumerate()
        .map(|(index, data_type)| {
            Arc::new(Field::new(format!("arg{index}"), data_type.clone(), true))
        })
        .collect();
    let return_field = Arc::new(Field::new(udf.name(), udf.return_type(&arg_types)?, true));
    udf.invoke_with_args(ScalarFunctionArgs {
        args,
        arg_fields,
        number_rows,
        return_field,
        config_options: Arc::new(ConfigOptions::default()),
    })
}

/// A session with every plugin scalar UDF registered.
pub(crate) fn session() -> SessionContext {
    let ctx = SessionContext::new();
    for udf in super::scalar_udfs(&crate::config::CodeAnatomyConfig::default()) {
        ctx.register_udf(udf.as_ref().clone());
    }
    ctx
}

/// Runs a one-row, one-column query and returns its single value.
pub(crate) async fn sql_value(sql: &str) -> Result<ScalarValue> {
    let batches = session().sql(sql).await?.collect().await?;
    let rows: usize = batches.iter().map(|batch| batch.num_rows()).sum();
    assert_eq!(rows, 1, "{sql} returned {rows} rows");
    let batch = batches.iter().find(|batch| batch.num_rows() == 1).unwrap();
    assert_eq!(batch.num_columns(), 1, "{sql}");
    ScalarValue::try_from_array(batch.column(0), 0)
}
