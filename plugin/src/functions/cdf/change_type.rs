//! The Delta change data feed's `_change_type` values and how the
//! `cdf_*` functions read them.

use std::sync::Arc;

use datafusion::arrow::array::BooleanArray;
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::ColumnarValue;

use crate::functions::string_args::{StringArg, coerce_string_args};

/// The one parameter of every `cdf_*` function.
pub(crate) const PARAMETERS: [&str; 1] = ["change_type"];

/// A `_change_type` as Delta writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangeType {
    Insert,
    Delete,
    UpdatePreimage,
    UpdatePostimage,
}

impl ChangeType {
    /// Exact, case-sensitive: Delta writes these four spellings and no
    /// other, so anything else is not a change type (not a typo to forgive).
    #[inline]
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "insert" => Some(Self::Insert),
            "delete" => Some(Self::Delete),
            "update_preimage" => Some(Self::UpdatePreimage),
            "update_postimage" => Some(Self::UpdatePostimage),
            _ => None,
        }
    }
}

/// Plans the single string argument of a `cdf_*` function.
pub(crate) fn coerce_change_type(function: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    coerce_string_args(function, &PARAMETERS, arg_types)
}

/// Reads the single argument of a `cdf_*` call.
pub(crate) fn read_change_type<'a>(
    function: &str,
    args: &'a [ColumnarValue],
) -> Result<StringArg<'a>> {
    let [value] = take_function_args(function, args)?;
    StringArg::try_new(function, PARAMETERS[0], value)
}

/// `predicate` of every row's change type (`None` for a text that is not
/// one), NULL where the text is NULL; a scalar for a scalar.
pub(crate) fn test_change_types(
    value: &StringArg<'_>,
    rows: usize,
    predicate: impl Fn(Option<ChangeType>) -> bool,
) -> ColumnarValue {
    if let Some(text) = value.as_scalar() {
        let flag = text.map(|text| predicate(ChangeType::parse(text)));
        return ColumnarValue::Scalar(ScalarValue::Boolean(flag));
    }
    // NULL rows are masked by the validity buffer whatever their bit.
    let flags = BooleanBuffer::collect_bool(rows, |row| {
        value
            .value(row)
            .is_some_and(|text| predicate(ChangeType::parse(text)))
    });
    ColumnarValue::Array(Arc::new(BooleanArray::new(flags, value.nulls(rows))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_the_delta_spellings() {
        assert_eq!(ChangeType::parse("insert"), Some(ChangeType::Insert));
        assert_eq!(ChangeType::parse("delete"), Some(ChangeType::Delete));
        assert_eq!(
            ChangeType::parse("update_preimage"),
            Some(ChangeType::UpdatePreimage)
        );
        assert_eq!(
            ChangeType::parse("update_postimage"),
            Some(ChangeType::UpdatePostimage)
        );
        for other in ["INSERT", " insert", "update", "", "upsert"] {
            assert_eq!(ChangeType::parse(other), None, "{other:?}");
        }
    }
}
