//! `span_len(span)`: the number of bytes a span covers.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::span_type::{SpanArg, coerce_span_type};

const NAME: &str = "span_len";
const SPAN: &str = "span";

/// `span_len(span)`: `bend - bstart`, plus one when the span's end is
/// inclusive (`Int64`); NULL for a NULL span.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SpanLenFunc {
    signature: Signature,
}

impl Default for SpanLenFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl SpanLenFunc {
    /// The function with its `span` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![SPAN])
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for SpanLenFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [span] => Ok(vec![coerce_span_type(NAME, SPAN, span)?]),
            other => plan_err!("{NAME} expects 1 argument ({SPAN}), got {}", other.len()),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [span] = take_function_args(NAME, &args.args)?;
        let span = SpanArg::try_new(NAME, SPAN, span)?;
        if span.is_scalar() {
            let length = span.half_open(0)?.map(length).transpose()?;
            return Ok(ColumnarValue::Scalar(ScalarValue::Int64(length)));
        }
        let rows = args.number_rows;
        // NULL rows get a placeholder under the validity.
        let lengths = (0..rows)
            .map(|row| span.half_open(row)?.map_or(Ok(0), length))
            .collect::<Result<Vec<i64>>>()?;
        Ok(ColumnarValue::Array(Arc::new(Int64Array::new(
            lengths.into(),
            span.nulls(rows),
        ))))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The length of a checked half-open range; only a struct not made by
/// `span_make` (with a negative start) can overflow.
fn length((start, end): (i64, i64)) -> Result<i64> {
    match end.checked_sub(start) {
        Some(length) => Ok(length),
        None => exec_err!("{NAME}: the length of the span [{start}, {end}) overflows Int64"),
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the number of bytes a span covers: `bend - bstart`, plus one when \
         `end_exclusive` is false. An empty half-open span has length 0. Accepts a span from \
         `span_make` or any struct with integer `bstart` and `bend` fields (half-open when it \
         has no `end_exclusive` field). NULL gives NULL; `bstart > bend` is an error.",
        "span_len(span)",
    )
    .with_sql_example(
        r#"```sql
> SELECT span_len(span_make(4, 10)), span_len(span_make(4, 10, 0, 'byte', false));
+-----+-----+
| 6   | 7   |
+-----+-----+
```"#,
    )
    .with_argument("span", "The span (a span struct).")
    .with_related_udf("span_make")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;

    use super::*;
    use crate::functions::test_support::{session, sql_value};

    #[tokio::test]
    async fn exclusive_inclusive_empty_and_null() {
        for (sql, expected) in [
            ("SELECT span_len(span_make(4, 10))", Some(6)),
            (
                "SELECT span_len(span_make(4, 10, 0, 'byte', false))",
                Some(7),
            ),
            ("SELECT span_len(span_make(4, 4))", Some(0)),
            (
                "SELECT span_len(span_make(4, 4, 0, 'byte', false))",
                Some(1),
            ),
            ("SELECT span_len(span_make(NULL, 4))", None),
            ("SELECT span_len(NULL)", None),
            (
                "SELECT span_len(named_struct('bstart', 2, 'bend', 9))",
                Some(7),
            ),
            (
                "SELECT span_len(named_struct('bstart', arrow_cast(2, 'Int32'), 'bend', 9, 'end_exclusive', false))",
                Some(8),
            ),
            ("SELECT span_len(span => span_make(1, 3))", Some(2)),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Int64(expected),
                "{sql}"
            );
        }
    }

    /// Column inputs take the array kernel, unlike the literal-only cases.
    #[tokio::test]
    async fn array_path_over_a_table() {
        let batches = session()
            .sql(
                "SELECT span_len(span_make(s, e, 0, 'byte', x)) FROM \
                 (VALUES (0, 5, true), (0, 5, false), (NULL, 5, true), (3, 3, true)) AS t(s, e, x)",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let lengths: Vec<_> = batches
            .iter()
            .flat_map(|batch| {
                batch
                    .column(0)
                    .as_primitive::<Int64Type>()
                    .iter()
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(lengths, vec![Some(5), Some(6), None, Some(0)]);
        assert_eq!(batches[0].column(0).null_count(), 1);
    }

    #[tokio::test]
    async fn errors_name_the_function() {
        for (sql, message) in [
            (
                "SELECT span_len(42)",
                "span_len expects a span for argument 'span'",
            ),
            (
                "SELECT span_len(named_struct('bstart', 1))",
                "span_len expects a span for argument 'span'",
            ),
            (
                "SELECT span_len(named_struct('bstart', 9, 'bend', 1))",
                "span_len: argument 'span' is not a valid span: bstart (9) is greater than bend (1)",
            ),
            (
                "SELECT span_len(named_struct('bstart', -9223372036854775807, 'bend', 9223372036854775807))",
                "span_len: the length of the span",
            ),
            (
                "SELECT span_len()",
                "span_len expects 1 argument (span), got 0",
            ),
        ] {
            let err = sql_value(sql).await.unwrap_err();
            assert!(err.to_string().contains(message), "{sql}: {err}");
        }
    }
}
