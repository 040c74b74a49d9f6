//! `span_contains(a, b)`: whether span `a` encloses span `b`.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::pairwise::{A, B, coerce_span_pair, span_predicate};

const NAME: &str = "span_contains";

/// `span_contains(a, b)`: true when `b` lies within `a`'s bounds
/// (`Boolean`), each span's `end_exclusive` honoured.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SpanContainsFunc {
    signature: Signature,
}

impl Default for SpanContainsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl SpanContainsFunc {
    /// The function with its `a` and `b` parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![A, B])
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for SpanContainsFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_span_pair(NAME, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        span_predicate(NAME, &args, contains)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// Containment by bounds rather than by byte sets, so an empty `b` is a
/// position that `a` contains only if it lies within `a` (by sets, the
/// empty set would be contained in every span, which no caller wants).
fn contains((a_start, a_end): (i64, i64), (b_start, b_end): (i64, i64)) -> bool {
    a_start <= b_start && b_end <= a_end
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns true when span `b` lies within span `a`. Each span is first made half-open \
         (`[bstart, bend)`, or `[bstart, bend + 1)` when `end_exclusive` is false); the result \
         is `a.bstart <= b.bstart AND b.bend <= a.bend`. So a span contains itself, `[0, 5)` \
         contains the inclusive `[0, 4]`, and an empty span `[p, p)` is contained exactly when \
         `a.bstart <= p <= a.bend` (also at `a`'s exclusive end). NULL in either argument \
         gives NULL.",
        "span_contains(a, b)",
    )
    .with_sql_example(
        r#"```sql
> SELECT span_contains(span_make(0, 10), span_make(2, 4)), span_contains(span_make(2, 4), span_make(0, 10));
+------+-------+
| true | false |
+------+-------+
```"#,
    )
    .with_argument("a", "The enclosing span (a span struct).")
    .with_argument("b", "The enclosed span (a span struct).")
    .with_related_udf("span_overlaps")
    .build()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_containment_cases() {
        assert!(contains((0, 10), (2, 4)));
        assert!(!contains((2, 4), (0, 10)));
        assert!(contains((0, 10), (0, 10)), "a span contains itself");
        assert!(!contains((0, 10), (5, 11)));
        assert!(contains((0, 10), (10, 10)), "an empty span at the end");
        assert!(!contains((0, 10), (11, 11)));
        assert!(contains((3, 3), (3, 3)));
    }
}
