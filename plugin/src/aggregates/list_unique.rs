//! `list_unique(value)`: the sorted list of a group's distinct non-NULL
//! values.
//!
//! Shares its engine with `collect_set` and `count_distinct_agg`, see
//! [`super::distinct_values`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::distinct_values::{DistinctValues, SetOutput};
use super::udaf::PluginAggregate;

const NAME: &str = "list_unique";
const PARAMETERS: &[&str] = &["value"];

/// `list_unique(value)`: the distinct non-NULL values, sorted ascending, as
/// a list (`[]` for a group with only NULLs).
pub fn list_unique() -> Arc<AggregateUDF> {
    PluginAggregate::new(
        NAME,
        PARAMETERS,
        &DOCUMENTATION,
        DistinctValues::new(SetOutput::List),
    )
    .into_udaf()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the distinct non-NULL values of the group as a list sorted ascending \
         (numbers by value, strings by bytes), so the result does not depend on input \
         order or partitioning. NULLs are skipped; a group with only NULLs (or an input \
         without rows) gives an empty list, never NULL. The list's elements have the type \
         of `value`. Works as a window function, sliding frames included.",
        "list_unique(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT list_unique(tag) AS tags
  FROM (VALUES ('b'), ('a'), (NULL), ('b')) AS t(tag);
+--------+
| tags   |
+--------+
| [a, b] |
+--------+
```"#,
    )
    .with_argument(
        "value",
        "The values to collect: a number, string, boolean, date/time, decimal or binary \
         expression.",
    )
    .with_related_udf("collect_set")
    .with_related_udf("count_distinct_agg")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, ArrayRef, StringArray};
    use datafusion::arrow::datatypes::DataType;
    use datafusion::common::ScalarValue;

    use super::list_unique;
    use crate::aggregates::test_support::{
        accumulator, error_of, merged_equals_whole, rows_everywhere, sets_table,
    };

    #[tokio::test]
    async fn groups_duplicates_and_nulls() {
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT g, list_unique(v), list_unique(s), list_unique(arrow_cast(s, 'Utf8View')) \
                 FROM sets GROUP BY g ORDER BY g"
            )
            .await,
            vec![
                "a | [1, 3] | [x, y] | [x, y]",
                "b | [] | [] | []",
                "c | [-1, 2] | [a, b, c] | [a, b, c]"
            ]
        );
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT list_unique(v), list_unique(value => v > 1), \
                 arrow_typeof(list_unique(arrow_cast(v, 'Int16'))) FROM sets"
            )
            .await,
            vec!["[-1, 1, 2, 3] | [false, true] | List(Int32)"]
        );
        assert_eq!(
            rows_everywhere(&sets_table(), "SELECT list_unique(v) FROM sets WHERE false").await,
            vec!["[]"]
        );
    }

    #[tokio::test]
    async fn sliding_window_retracts() {
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT id, list_unique(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING \
                 AND CURRENT ROW) FROM sets ORDER BY id"
            )
            .await,
            vec![
                "1 | [3]",
                "2 | [1, 3]",
                "3 | [1, 3]",
                "4 | [3]",
                "5 | []",
                "6 | [2]",
                "7 | [-1, 2]",
                "8 | [-1, 2]"
            ]
        );
    }

    #[tokio::test]
    async fn plan_errors() {
        let err = error_of("SELECT list_unique(make_array(1))").await;
        assert!(err.contains("list_unique expects a scalar value"), "{err}");
        let err = error_of("SELECT list_unique()").await;
        assert!(
            err.contains("list_unique expects 1 argument (value), got 0"),
            "{err}"
        );
    }

    fn strs(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    #[test]
    fn state_round_trip_and_retraction() {
        let udaf = list_unique();
        let batches = [
            vec![strs(&[Some("b"), None, Some("a")])],
            vec![strs(&[Some("b"), Some("é")])],
        ];
        let merged = merged_equals_whole(&udaf, &[DataType::Utf8], &batches);
        assert_eq!(merged.to_string(), "[a, b, é]");
        let mut sliding = accumulator(&udaf, &[DataType::Utf8], false);
        sliding.update_batch(&batches[0]).unwrap();
        sliding.update_batch(&batches[1]).unwrap();
        sliding.retract_batch(&batches[0]).unwrap();
        assert_eq!(sliding.evaluate().unwrap().to_string(), "[b, é]");
        sliding.retract_batch(&batches[1]).unwrap();
        let ScalarValue::List(empty) = sliding.evaluate().unwrap() else {
            panic!("not a list");
        };
        assert_eq!((empty.len(), empty.value_length(0)), (1, 0));
    }
}
