//! Planning of the aggregates' arguments: arity, the type each argument is
//! read as, and constant arguments (a separator) read at accumulator
//! creation.
//!
//! Value and key arguments ([`coerce_value_type`]) are narrowed to a few
//! layouts so the accumulators' fast lanes (see [`super::lanes`]) cover the
//! common cases: small integers widen to `Int32`, `Int64`/`UInt32` to `Int64`,
//! floats to `Float64`, every string layout (and a dictionary of one) to
//! `Utf8`, and the untyped `NULL` literal to `Int64`. Any other orderable
//! scalar type (booleans, decimals, dates, timestamps, binary, `UInt64`, ...)
//! is kept as it is and handled by the row-format lane. Nested types (lists,
//! structs, maps, unions) are refused with a plan error naming the function
//! and the argument.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;

/// Checks that a fixed-arity call has one argument per parameter, with the
/// plugin's usual message (`f expects 2 arguments (value, key), got 1`).
pub(crate) fn check_arity(
    function: &str,
    parameters: &[&str],
    arg_types: &[DataType],
) -> Result<()> {
    if arg_types.len() == parameters.len() {
        return Ok(());
    }
    let plural = if parameters.len() == 1 { "" } else { "s" };
    plan_err!(
        "{function} expects {} argument{plural} ({}), got {}",
        parameters.len(),
        parameters.join(", "),
        arg_types.len()
    )
}

/// The type a value or key argument is read as (see the module docs), or a
/// plan error naming the function, the argument and the type found.
pub(crate) fn coerce_value_type(
    function: &str,
    parameter: &str,
    data_type: &DataType,
) -> Result<DataType> {
    use DataType::*;
    let coerced = match data_type {
        Null | Int64 | UInt32 => Int64,
        Int8 | Int16 | Int32 | UInt8 | UInt16 => Int32,
        Float16 | Float32 | Float64 => Float64,
        Utf8 | LargeUtf8 | Utf8View => Utf8,
        Dictionary(_, value_type) => return coerce_value_type(function, parameter, value_type),
        List(_) | LargeList(_) | ListView(_) | LargeListView(_) | FixedSizeList(..) | Struct(_)
        | Map(..) | Union(..) | RunEndEncoded(..) => {
            return plan_err!(
                "{function} expects a scalar value (number, string, boolean, date/time, \
                 decimal or binary) for argument '{parameter}', got {data_type}"
            );
        }
        other => {
            if !RowConverter::supports_fields(&[SortField::new(other.clone())]) {
                return plan_err!(
                    "{function} cannot order or compare argument '{parameter}' of type {other}"
                );
            }
            other.clone()
        }
    };
    Ok(coerced)
}

/// The value of `expr` when it is a constant (a literal, possibly cast),
/// `None` when it depends on the row.
///
/// In-process the expression is DataFusion's own; through the dylib it is a
/// datafusion-ffi foreign expression that cannot be downcast, so the value
/// is found the same way for both: by evaluating the expression against a
/// one-row batch with no columns. A literal yields a scalar; a column
/// reference fails its bounds check; a volatile function yields an array.
pub(crate) fn constant_value(expr: &Arc<dyn PhysicalExpr>) -> Option<ScalarValue> {
    let batch = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .ok()?;
    match expr.evaluate(&batch) {
        Ok(ColumnarValue::Scalar(value)) => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{Field, TimeUnit};
    use datafusion::physical_expr::expressions::{Column, lit};

    use super::*;

    #[test]
    fn value_types_narrow_to_the_fast_lanes() {
        for (from, to) in [
            (DataType::Null, DataType::Int64),
            (DataType::Int16, DataType::Int32),
            (DataType::UInt32, DataType::Int64),
            (DataType::Float32, DataType::Float64),
            (DataType::Utf8View, DataType::Utf8),
            (DataType::LargeUtf8, DataType::Utf8),
            (
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::LargeUtf8)),
                DataType::Utf8,
            ),
            (DataType::Boolean, DataType::Boolean),
            (DataType::UInt64, DataType::UInt64),
            (DataType::Date32, DataType::Date32),
            (
                DataType::Timestamp(TimeUnit::Microsecond, None),
                DataType::Timestamp(TimeUnit::Microsecond, None),
            ),
            (DataType::Decimal128(10, 2), DataType::Decimal128(10, 2)),
        ] {
            assert_eq!(
                coerce_value_type("f", "value", &from).unwrap(),
                to,
                "{from}"
            );
        }
        let err =
            coerce_value_type("f", "key", &DataType::new_list(DataType::Int64, true)).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects a scalar value (number, string, boolean, date/time, decimal or binary) for argument 'key', got List"),
            "{err}"
        );
    }

    #[test]
    fn arity_errors_name_every_parameter() {
        let err = check_arity("arg_max", &["value", "key"], &[DataType::Int64]).unwrap_err();
        assert!(
            err.to_string()
                .contains("arg_max expects 2 arguments (value, key), got 1"),
            "{err}"
        );
        assert!(check_arity("count_if", &["predicate"], &[DataType::Boolean]).is_ok());
    }

    #[test]
    fn constants_are_read_and_columns_are_not() {
        assert_eq!(
            constant_value(&lit(", ")),
            Some(ScalarValue::Utf8(Some(", ".into())))
        );
        let schema = Schema::new(vec![Field::new("a", DataType::Utf8, true)]);
        let column: Arc<dyn PhysicalExpr> =
            Arc::new(Column::new_with_schema("a", &schema).unwrap());
        assert_eq!(constant_value(&column), None);
    }
}
