//! What the two-span predicates share: planning `(a, b)` span arguments and
//! evaluating a predicate over their half-open ranges.

use std::sync::Arc;

use datafusion::arrow::array::BooleanArray;
use datafusion::arrow::buffer::{BooleanBuffer, NullBuffer};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

use super::span_type::{SpanArg, coerce_span_type};

/// Name of the first span parameter.
pub(crate) const A: &str = "a";
/// Name of the second span parameter.
pub(crate) const B: &str = "b";

/// Plans the `(a, b)` arguments of a two-span function.
pub(crate) fn coerce_span_pair(function: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [a, b] => Ok(vec![
            coerce_span_type(function, A, a)?,
            coerce_span_type(function, B, b)?,
        ]),
        other => plan_err!(
            "{function} expects 2 arguments ({A}, {B}), got {}",
            other.len()
        ),
    }
}

/// Evaluates `predicate` over the half-open ranges of spans `a` and `b`;
/// a row is NULL when either span is. All-scalar inputs give a scalar.
pub(crate) fn span_predicate(
    function: &'static str,
    args: &ScalarFunctionArgs,
    predicate: impl Fn((i64, i64), (i64, i64)) -> bool,
) -> Result<ColumnarValue> {
    let [a, b] = take_function_args(function, &args.args)?;
    let a = SpanArg::try_new(function, A, a)?;
    let b = SpanArg::try_new(function, B, b)?;
    if a.is_scalar() && b.is_scalar() {
        let value = match (a.half_open(0)?, b.half_open(0)?) {
            (Some(a), Some(b)) => Some(predicate(a, b)),
            _ => None,
        };
        return Ok(ColumnarValue::Scalar(ScalarValue::Boolean(value)));
    }
    let rows = args.number_rows;
    let mut values = Vec::with_capacity(rows);
    for row in 0..rows {
        values.push(match (a.half_open(row)?, b.half_open(row)?) {
            (Some(a), Some(b)) => predicate(a, b),
            // Masked out by the validity below.
            _ => false,
        });
    }
    let nulls = NullBuffer::union(a.nulls(rows).as_ref(), b.nulls(rows).as_ref());
    Ok(ColumnarValue::Array(Arc::new(BooleanArray::new(
        BooleanBuffer::from(values),
        nulls,
    ))))
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::AsArray;

    use crate::functions::test_support::{session, sql_value};
    use datafusion::common::ScalarValue;

    #[tokio::test]
    async fn sql_predicates_honour_end_conventions() {
        for (sql, expected) in [
            (
                "SELECT span_overlaps(span_make(0, 5), span_make(4, 9))",
                Some(true),
            ),
            (
                "SELECT span_overlaps(span_make(0, 5), span_make(5, 9))",
                Some(false),
            ),
            (
                "SELECT span_overlaps(span_make(0, 5, 0, 'byte', false), span_make(5, 9))",
                Some(true),
            ),
            (
                "SELECT span_overlaps(span_make(3, 3), span_make(0, 9))",
                Some(false),
            ),
            ("SELECT span_overlaps(span_make(0, 5), NULL)", None),
            (
                "SELECT span_overlaps(a => span_make(0, 5), b => named_struct('bstart', 2, 'bend', 3))",
                Some(true),
            ),
            (
                "SELECT span_contains(span_make(0, 10), span_make(2, 4))",
                Some(true),
            ),
            (
                "SELECT span_contains(span_make(2, 4), span_make(0, 10))",
                Some(false),
            ),
            (
                "SELECT span_contains(span_make(0, 5), span_make(0, 4, 0, 'byte', false))",
                Some(true),
            ),
            (
                "SELECT span_contains(span_make(0, 4, 0, 'byte', false), span_make(0, 5))",
                Some(true),
            ),
            (
                "SELECT span_contains(span_make(0, 4, 0, 'byte', false), span_make(0, 6))",
                Some(false),
            ),
            (
                "SELECT span_contains(span_make(0, 10), span_make(10, 10))",
                Some(true),
            ),
            ("SELECT span_contains(NULL, span_make(1, 2))", None),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Boolean(expected),
                "{sql}"
            );
        }
    }

    #[tokio::test]
    async fn array_path_over_a_table() {
        let batches = session()
            .sql(
                "SELECT span_overlaps(span_make(s, e), span_make(4, 9)), \
                        span_contains(span_make(0, 6), span_make(s, e)) \
                 FROM (VALUES (0, 5), (5, 6), (NULL, 5), (7, 9)) AS t(s, e)",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let column = |index: usize| -> Vec<Option<bool>> {
            batches
                .iter()
                .flat_map(|batch| batch.column(index).as_boolean().iter().collect::<Vec<_>>())
                .collect()
        };
        assert_eq!(column(0), vec![Some(true), Some(true), None, Some(true)]);
        assert_eq!(column(1), vec![Some(true), Some(true), None, Some(false)]);
    }

    #[tokio::test]
    async fn arity_and_type_errors() {
        for (sql, message) in [
            (
                "SELECT span_overlaps(span_make(0, 5))",
                "span_overlaps expects 2 arguments (a, b), got 1",
            ),
            (
                "SELECT span_contains(span_make(0, 5), 'x')",
                "span_contains expects a span for argument 'b'",
            ),
        ] {
            let err = sql_value(sql).await.unwrap_err();
            assert!(err.to_string().contains(message), "{sql}: {err}");
        }
    }
}
