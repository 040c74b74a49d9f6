//! `count_distinct_agg(value)`: the number of a group's distinct non-NULL
//! values, with retraction for sliding window frames.
//!
//! Shares its engine with `list_unique` and `collect_set`, see
//! [`super::distinct_values`]: per-value row counts make retraction exact.

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::distinct_values::{DistinctValues, SetOutput};
use super::udaf::PluginAggregate;

const NAME: &str = "count_distinct_agg";
const PARAMETERS: &[&str] = &["value"];

/// `count_distinct_agg(value)`: how many distinct non-NULL values (`Int64`,
/// 0 for no values), usable over sliding window frames.
pub fn count_distinct_agg() -> Arc<AggregateUDF> {
    PluginAggregate::new(
        NAME,
        PARAMETERS,
        &DOCUMENTATION,
        DistinctValues::new(SetOutput::Count),
    )
    .into_udaf()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the number of distinct non-NULL values (`Int64`; 0 when there are none). \
         Unlike `count(DISTINCT value)` it works over sliding window frames \
         (`OVER (ORDER BY .. ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`): it keeps a row \
         count per value, so rows leaving the frame are retracted exactly. Floats are \
         compared in IEEE 754 total order (`-0.0` and `0.0` are distinct).",
        "count_distinct_agg(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT id, count_distinct_agg(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS n
  FROM (VALUES (1, 'a'), (2, 'a'), (3, 'b')) AS t(id, v)
  ORDER BY id;
+----+---+
| id | n |
+----+---+
| 1  | 1 |
| 2  | 1 |
| 3  | 2 |
+----+---+
```"#,
    )
    .with_argument(
        "value",
        "The values to count: a number, string, boolean, date/time, decimal or binary \
         expression.",
    )
    .with_related_udf("list_unique")
    .with_related_udf("count_if")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Float64Array};
    use datafusion::arrow::datatypes::DataType;
    use datafusion::common::ScalarValue;

    use super::count_distinct_agg;
    use crate::aggregates::test_support::{
        accumulator, merged_equals_whole, rows_everywhere, sets_table,
    };

    #[tokio::test]
    async fn groups_duplicates_and_nulls() {
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT g, count_distinct_agg(v), count_distinct_agg(s), \
                 count_distinct_agg(v) = count(DISTINCT v) FROM sets GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | 2 | 2 | true", "b | 0 | 0 | true", "c | 2 | 3 | true"]
        );
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT count_distinct_agg(v), count_distinct_agg(DISTINCT s), \
                 count_distinct_agg(arrow_cast(id % 3, 'Decimal128(5, 1)')) FROM sets"
            )
            .await,
            vec!["4 | 5 | 3"]
        );
    }

    #[tokio::test]
    async fn sliding_window_retracts() {
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT id, \
                 count_distinct_agg(v) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), \
                 count_distinct_agg(v) OVER (PARTITION BY g ORDER BY id \
                   ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), \
                 count_distinct_agg(v) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) \
                 FROM sets ORDER BY id"
            )
            .await,
            vec![
                "1 | 1 | 1 | 2",
                "2 | 2 | 2 | 2",
                "3 | 2 | 2 | 1",
                "4 | 2 | 2 | 0",
                "5 | 1 | 0 | 1",
                "6 | 1 | 1 | 2",
                "7 | 2 | 2 | 2",
                "8 | 2 | 2 | 1"
            ]
        );
    }

    fn floats(values: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(values.to_vec()))
    }

    #[test]
    fn state_round_trip_and_retraction() {
        let udaf = count_distinct_agg();
        let batches = [
            vec![floats(&[Some(1.0), Some(-0.0), None])],
            vec![floats(&[Some(0.0), Some(1.0), Some(f64::NAN)])],
        ];
        // 1.0, -0.0, 0.0 and NaN: -0.0 and 0.0 are distinct in total order.
        assert_eq!(
            merged_equals_whole(&udaf, &[DataType::Float64], &batches),
            ScalarValue::Int64(Some(4))
        );
        let mut sliding = accumulator(&udaf, &[DataType::Float64], false);
        assert!(sliding.supports_retract_batch());
        sliding.update_batch(&batches[0]).unwrap();
        sliding.update_batch(&batches[1]).unwrap();
        // 1.0 is still in the frame once: retracting its first row keeps it.
        sliding.retract_batch(&batches[0]).unwrap();
        assert_eq!(sliding.evaluate().unwrap(), ScalarValue::Int64(Some(3)));
        sliding.retract_batch(&batches[1]).unwrap();
        assert_eq!(sliding.evaluate().unwrap(), ScalarValue::Int64(Some(0)));
    }
}
