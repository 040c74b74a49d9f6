//! `span_overlaps(a, b)`: whether two spans share at least one byte.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::pairwise::{A, B, coerce_span_pair, span_predicate};

const NAME: &str = "span_overlaps";

/// `span_overlaps(a, b)`: true when the spans share at least one byte
/// (`Boolean`). Each span's `end_exclusive` is honoured; empty spans share
/// no byte, so they overlap nothing.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SpanOverlapsFunc {
    signature: Signature,
}

impl Default for SpanOverlapsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl SpanOverlapsFunc {
    /// The function with its `a` and `b` parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![A, B])
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for SpanOverlapsFunc {
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
        span_predicate(NAME, &args, overlaps)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// Set intersection of half-open ranges: non-empty exactly when the larger
/// start lies before the smaller end.
fn overlaps((a_start, a_end): (i64, i64), (b_start, b_end): (i64, i64)) -> bool {
    a_start.max(b_start) < a_end.min(b_end)
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns true when two spans share at least one byte. Each span is first made \
         half-open (`[bstart, bend)`, or `[bstart, bend + 1)` when `end_exclusive` is false); \
         the result is `max(a.bstart, b.bstart) < min(a.bend, b.bend)`. So half-open spans that \
         only touch (`[0, 5)` and `[5, 9)`) do not overlap, inclusive ones that share their \
         boundary byte (`[0, 5]` and `[5, 9]`) do, and an empty span overlaps nothing, not \
         even itself. NULL in either argument gives NULL.",
        "span_overlaps(a, b)",
    )
    .with_sql_example(
        r#"```sql
> SELECT span_overlaps(span_make(0, 5), span_make(4, 9)), span_overlaps(span_make(0, 5), span_make(5, 9));
+------+-------+
| true | false |
+------+-------+
```"#,
    )
    .with_argument("a", "A span (a span struct).")
    .with_argument("b", "Another span (a span struct).")
    .with_related_udf("span_contains")
    .with_related_udf("interval_align_score")
    .build()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_open_overlap_cases() {
        assert!(overlaps((0, 5), (4, 9)));
        assert!(overlaps((4, 9), (0, 5)));
        assert!(!overlaps((0, 5), (5, 9)), "touching spans do not overlap");
        assert!(overlaps((0, 10), (3, 4)), "containment is overlap");
        assert!(!overlaps((3, 3), (0, 10)), "an empty span overlaps nothing");
        assert!(!overlaps((3, 3), (3, 3)));
        assert!(!overlaps((0, 2), (7, 9)));
    }
}
