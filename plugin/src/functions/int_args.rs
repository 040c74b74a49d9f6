//! Planning and reading of integer arguments, shared by every function that
//! takes offsets, columns or codes.
//!
//! Planning ([`coerce_int_type`]) widens every integer type (and the untyped
//! `NULL` literal) to `Int64`, so kernels read one layout; anything else is
//! refused with a plan error naming the function and the argument, because
//! silently truncating a float or parsing a string into an offset would
//! hide a caller's mistake. Reading ([`IntArg`]) still accepts any integer
//! layout, because callers that invoke a UDF directly skip coercion.

use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::ColumnarValue;

/// Whether values of `data_type` are read as integer arguments.
pub fn is_int_type(data_type: &DataType) -> bool {
    data_type.is_integer() || data_type == &DataType::Null
}

/// The planning type an integer argument is read as (`Int64`), or a plan
/// error naming the function, the argument and the type found.
pub fn coerce_int_type(function: &str, parameter: &str, data_type: &DataType) -> Result<DataType> {
    if is_int_type(data_type) {
        Ok(DataType::Int64)
    } else {
        plan_err!("{function} expects an integer for argument '{parameter}', got {data_type}")
    }
}

/// One integer argument of a call: a scalar is never expanded to an array,
/// and an `Int64` array is shared, not copied.
#[derive(Debug)]
pub enum IntArg {
    /// The same value (or NULL) for every row.
    Scalar(Option<i64>),
    /// One value per row (cheap to hold: its buffers are reference counted).
    Column(Int64Array),
}

impl IntArg {
    /// Reads `value` as an integer argument; `function` and `parameter` only
    /// serve the error for a type that planning should have ruled out.
    pub fn try_new(function: &str, parameter: &str, value: &ColumnarValue) -> Result<Self> {
        match value {
            ColumnarValue::Scalar(scalar) => match scalar {
                ScalarValue::Null => Ok(Self::Scalar(None)),
                scalar if scalar.data_type().is_integer() => {
                    match scalar.cast_to(&DataType::Int64)? {
                        ScalarValue::Int64(value) => Ok(Self::Scalar(value)),
                        other => exec_err!(
                            "{function}: argument '{parameter}' did not widen to Int64 (got {other:?})"
                        ),
                    }
                }
                other => exec_err!(
                    "{function} expects an integer for argument '{parameter}', got {}",
                    other.data_type()
                ),
            },
            ColumnarValue::Array(array) => match array.data_type() {
                DataType::Int64 => Ok(Self::Column(array.as_primitive::<Int64Type>().clone())),
                DataType::Null => Ok(Self::Scalar(None)),
                data_type if data_type.is_integer() => Ok(Self::Column(
                    cast(array, &DataType::Int64)?
                        .as_primitive::<Int64Type>()
                        .clone(),
                )),
                other => exec_err!(
                    "{function} expects an integer for argument '{parameter}', got {other}"
                ),
            },
        }
    }

    /// The value at `row`, `None` for NULL.
    #[inline]
    pub fn value(&self, row: usize) -> Option<i64> {
        match self {
            Self::Scalar(value) => *value,
            Self::Column(values) => values.is_valid(row).then(|| values.value(row)),
        }
    }

    /// The value if this argument is a scalar.
    pub fn as_scalar(&self) -> Option<Option<i64>> {
        match self {
            Self::Scalar(value) => Some(*value),
            Self::Column(_) => None,
        }
    }

    /// The validity of this argument over `rows` rows, in the form an output
    /// array takes it (`None` when no row is NULL).
    pub fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        match self {
            Self::Scalar(Some(_)) => None,
            Self::Scalar(None) => Some(NullBuffer::new_null(rows)),
            Self::Column(values) => values.logical_nulls(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int32Array, NullArray, StringArray, UInt8Array};

    use super::*;

    #[test]
    fn coercion_widens_integers_and_refuses_the_rest() {
        for data_type in [
            DataType::Int8,
            DataType::Int32,
            DataType::Int64,
            DataType::UInt32,
            DataType::Null,
        ] {
            assert_eq!(
                coerce_int_type("f", "n", &data_type).unwrap(),
                DataType::Int64
            );
        }
        let err = coerce_int_type("f", "n", &DataType::Float64).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects an integer for argument 'n', got Float64"),
            "{err}"
        );
        assert!(coerce_int_type("f", "n", &DataType::Utf8).is_err());
    }

    #[test]
    fn reads_every_integer_layout() {
        let int32 = ColumnarValue::Array(Arc::new(Int32Array::from(vec![Some(1), None, Some(-3)])));
        let arg = IntArg::try_new("f", "n", &int32).unwrap();
        assert_eq!(
            (0..3).map(|row| arg.value(row)).collect::<Vec<_>>(),
            vec![Some(1), None, Some(-3)]
        );
        assert_eq!(arg.nulls(3).unwrap().null_count(), 1);

        let uint8 = ColumnarValue::Array(Arc::new(UInt8Array::from(vec![255])));
        assert_eq!(
            IntArg::try_new("f", "n", &uint8).unwrap().value(0),
            Some(255)
        );

        let scalar = ColumnarValue::Scalar(ScalarValue::Int32(Some(7)));
        assert_eq!(
            IntArg::try_new("f", "n", &scalar).unwrap().as_scalar(),
            Some(Some(7))
        );
        let null = ColumnarValue::Scalar(ScalarValue::Null);
        assert_eq!(
            IntArg::try_new("f", "n", &null).unwrap().as_scalar(),
            Some(None)
        );
        let nulls = ColumnarValue::Array(Arc::new(NullArray::new(2)));
        assert_eq!(IntArg::try_new("f", "n", &nulls).unwrap().value(1), None);
    }

    #[test]
    fn refuses_non_integers() {
        let strings = ColumnarValue::Array(Arc::new(StringArray::from(vec!["1"])));
        let err = IntArg::try_new("f", "n", &strings).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects an integer for argument 'n', got Utf8"),
            "{err}"
        );
    }
}
