//! `interval_align_score(l_start, l_end, r_start, r_end)`: how well two
//! half-open intervals align, as their Jaccard overlap.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::Float64Array;
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use crate::functions::int_args::{IntArg, coerce_int_type};

const NAME: &str = "interval_align_score";
const PARAMETERS: [&str; 4] = ["l_start", "l_end", "r_start", "r_end"];

/// `interval_align_score(l_start, l_end, r_start, r_end)`: the Jaccard
/// overlap `|L ∩ R| / |L ∪ R|` of the half-open intervals `L = [l_start,
/// l_end)` and `R = [r_start, r_end)` (`Float64` in `[0, 1]`), used to pick
/// the best-aligned candidate among several.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntervalAlignScoreFunc {
    signature: Signature,
}

impl Default for IntervalAlignScoreFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl IntervalAlignScoreFunc {
    /// The function with its four parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for IntervalAlignScoreFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != PARAMETERS.len() {
            return plan_err!(
                "{NAME} expects 4 arguments ({}), got {}",
                PARAMETERS.join(", "),
                arg_types.len()
            );
        }
        arg_types
            .iter()
            .zip(PARAMETERS)
            .map(|(data_type, parameter)| coerce_int_type(NAME, parameter, data_type))
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [l_start, l_end, r_start, r_end] = take_function_args(NAME, &args.args)?;
        let bounds = [l_start, l_end, r_start, r_end]
            .into_iter()
            .zip(PARAMETERS)
            .map(|(value, parameter)| IntArg::try_new(NAME, parameter, value))
            .collect::<Result<Vec<_>>>()?;
        let [l_start, l_end, r_start, r_end] = bounds.as_slice() else {
            unreachable!("four arguments were read");
        };
        let score_at = |row: usize| -> Result<Option<f64>> {
            match (
                l_start.value(row),
                l_end.value(row),
                r_start.value(row),
                r_end.value(row),
            ) {
                (Some(l_start), Some(l_end), Some(r_start), Some(r_end)) => {
                    score((l_start, l_end), (r_start, r_end)).map(Some)
                }
                _ => Ok(None),
            }
        };
        if bounds.iter().all(|bound| bound.as_scalar().is_some()) {
            return Ok(ColumnarValue::Scalar(ScalarValue::Float64(score_at(0)?)));
        }
        let rows = args.number_rows;
        let scores = (0..rows)
            .map(|row| Ok(score_at(row)?.unwrap_or(0.0)))
            .collect::<Result<Vec<f64>>>()?;
        let nulls = bounds.iter().fold(None, |acc: Option<NullBuffer>, bound| {
            NullBuffer::union(acc.as_ref(), bound.nulls(rows).as_ref())
        });
        Ok(ColumnarValue::Array(Arc::new(Float64Array::new(
            scores.into(),
            nulls,
        ))))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The Jaccard overlap of two half-open intervals. Lengths are taken in
/// `i128` so intervals spanning most of the `i64` range cannot overflow.
fn score((l_start, l_end): (i64, i64), (r_start, r_end): (i64, i64)) -> Result<f64> {
    for (side, start, end) in [("l", l_start, l_end), ("r", r_start, r_end)] {
        if start > end {
            return exec_err!("{NAME}: {side}_start ({start}) is greater than {side}_end ({end})");
        }
    }
    let length = |start: i64, end: i64| i128::from(end) - i128::from(start);
    let intersection = length(l_start.max(r_start), l_end.min(r_end)).max(0);
    let union = length(l_start, l_end) + length(r_start, r_end) - intersection;
    if union == 0 {
        // Two empty intervals: they align perfectly only at one position.
        return Ok(if l_start == r_start { 1.0 } else { 0.0 });
    }
    Ok(intersection as f64 / union as f64)
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns how well two half-open intervals `L = [l_start, l_end)` and \
         `R = [r_start, r_end)` align, as their Jaccard overlap: \
         `score = |L ∩ R| / |L ∪ R|` where `|L ∩ R| = max(0, min(l_end, r_end) - \
         max(l_start, r_start))` and `|L ∪ R| = (l_end - l_start) + (r_end - r_start) - |L ∩ R|`. \
         Identical intervals score 1.0, disjoint or merely touching ones 0.0. When both \
         intervals are empty the score is 1.0 if they sit at the same position and 0.0 \
         otherwise; an empty interval against a non-empty one scores 0.0. Any NULL gives \
         NULL; a start greater than its end is an error.",
        "interval_align_score(l_start, l_end, r_start, r_end)",
    )
    .with_sql_example(
        r#"```sql
> SELECT interval_align_score(0, 10, 5, 15);
+--------------------+
| 0.3333333333333333 |
+--------------------+
```"#,
    )
    .with_argument("l_start", "Start of the left interval (an integer).")
    .with_argument("l_end", "Exclusive end of the left interval (an integer).")
    .with_argument("r_start", "Start of the right interval (an integer).")
    .with_argument("r_end", "Exclusive end of the right interval (an integer).")
    .with_related_udf("span_overlaps")
    .build()
});

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-computed: |∩| / |∪| by counting bytes.
    #[test]
    fn jaccard_cases() {
        assert_eq!(score((0, 10), (0, 10)).unwrap(), 1.0);
        assert_eq!(score((0, 10), (5, 15)).unwrap(), 5.0 / 15.0);
        assert_eq!(score((0, 10), (2, 4)).unwrap(), 0.2);
        assert_eq!(score((0, 5), (5, 9)).unwrap(), 0.0);
        assert_eq!(score((0, 5), (7, 9)).unwrap(), 0.0);
        assert_eq!(score((3, 3), (3, 3)).unwrap(), 1.0);
        assert_eq!(score((3, 3), (4, 4)).unwrap(), 0.0);
        assert_eq!(score((3, 3), (0, 9)).unwrap(), 0.0);
        assert_eq!(
            score((i64::MIN, i64::MAX), (i64::MIN, i64::MAX)).unwrap(),
            1.0
        );
    }

    #[tokio::test]
    async fn sql_scalars_columns_and_nulls() {
        use datafusion::arrow::array::AsArray;
        use datafusion::arrow::datatypes::Float64Type;

        use crate::functions::test_support::{session, sql_value};

        for (sql, expected) in [
            ("SELECT interval_align_score(0, 10, 5, 15)", Some(1.0 / 3.0)),
            (
                "SELECT interval_align_score(l_start => 0, l_end => 10, r_start => 0, r_end => 10)",
                Some(1.0),
            ),
            (
                "SELECT interval_align_score(arrow_cast(0, 'Int32'), 4, 2, arrow_cast(4, 'Int32'))",
                Some(0.5),
            ),
            ("SELECT interval_align_score(0, 10, NULL, 15)", None),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Float64(expected),
                "{sql}"
            );
        }
        let batches = session()
            .sql(
                "SELECT interval_align_score(ls, le, 0, 10) FROM \
                 (VALUES (0, 10), (5, 15), (NULL, 3), (10, 20), (4, 4)) AS t(ls, le)",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let scores: Vec<_> = batches
            .iter()
            .flat_map(|batch| {
                batch
                    .column(0)
                    .as_primitive::<Float64Type>()
                    .iter()
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            scores,
            vec![Some(1.0), Some(1.0 / 3.0), None, Some(0.0), Some(0.0)]
        );
        let err = sql_value("SELECT interval_align_score(0, 1.5, 0, 1)")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("interval_align_score expects an integer for argument 'l_end', got"),
            "{err}"
        );
    }

    #[test]
    fn inverted_interval_is_an_error() {
        let err = score((0, 10), (9, 2)).unwrap_err();
        assert!(
            err.to_string()
                .contains("interval_align_score: r_start (9) is greater than r_end (2)"),
            "{err}"
        );
    }
}
