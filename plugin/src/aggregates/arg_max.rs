//! `arg_max(value, key)`: the value at the largest key (ties: the smallest
//! value).
//!
//! One of the ordered picks; the semantics they share (NULL keys ignored,
//! ties broken by value, NULL values returned as they are) are described in
//! [`super::ordered_pick`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::ordered_pick::{LARGEST_KEY_SMALLEST_VALUE, OrderedPick};
use super::udaf::PluginAggregate;

const NAME: &str = "arg_max";
const PARAMETERS: &[&str] = &["value", "key"];

/// `arg_max(value, key)`: the value at the largest key (ties: the smallest
/// value).
pub fn arg_max() -> Arc<AggregateUDF> {
    PluginAggregate::new(
        NAME,
        PARAMETERS,
        &DOCUMENTATION,
        OrderedPick::new(LARGEST_KEY_SMALLEST_VALUE),
    )
    .into_udaf()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `value` from the row with the largest `key`. Rows with a NULL key are \
         ignored. On a key tie the smallest value wins (a non-NULL value beats NULL), so \
         the result does not depend on input order or partitioning. The value of the \
         winning row is returned as it is, NULL included; a group without a non-NULL key \
         gives NULL. The result has the type of `value`.",
        "arg_max(value, key)",
    )
    .with_sql_example(
        r#"```sql
> SELECT arg_max(name, score) AS best
  FROM (VALUES ('cat', 9), ('ann', 7), ('bob', 9)) AS t(name, score);
+------+
| best |
+------+
| bob  |
+------+
```"#,
    )
    .with_argument(
        "value",
        "The value to return: a number, string, boolean, date/time, decimal or binary expression.",
    )
    .with_argument(
        "key",
        "The key to maximise (the same kinds of types as `value`).",
    )
    .with_related_udf("arg_min")
    .with_related_udf("last_value_agg")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use datafusion::arrow::datatypes::DataType;
    use datafusion::common::ScalarValue;

    use super::arg_max;
    use crate::aggregates::test_support::{
        accumulator, error_of, merged_equals_whole, picks_table, rows_everywhere, table,
    };

    #[tokio::test]
    async fn groups_ties_and_nulls() {
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT g, arg_max(v, k) FROM picks GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | b", "b | q", "c | NULL", "d | NULL"]
        );
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT arg_max(v, k) AS positional, arg_max(value => v, key => k) AS named \
                 FROM picks WHERE g <> 'd'"
            )
            .await,
            vec!["b | b"]
        );
    }

    /// Fast lanes (Int32, Float64 in total order, Utf8 from Utf8View) and
    /// the row-format lane (Boolean values, Date32 keys); the result has the
    /// (coerced) type of the value.
    #[tokio::test]
    async fn value_and_key_types() {
        let setup = table(
            "nums",
            "g VARCHAR, i INT, f DOUBLE, s VARCHAR",
            &[
                "('a', 1, 0.5, 'p')",
                "('a', 2, -0.0, 'q')",
                "('b', NULL, 'NaN', 's')",
                "('a', 2, 0.0, 'r')",
                "('b', 7, 1.0, NULL)",
            ],
        );
        assert_eq!(
            rows_everywhere(
                &setup,
                "SELECT g, arg_max(i, f), arg_max(f, arrow_cast(i, 'Int8')), \
                 arg_max(s, arrow_cast(s, 'Utf8View')), \
                 arg_max(i > 1, to_date('2024-01-0' || i)), \
                 arrow_typeof(arg_max(arrow_cast(i, 'Int16'), i)) \
                 FROM nums GROUP BY g ORDER BY g"
            )
            .await,
            vec![
                "a | 1 | -0.0 | r | true | Int32",
                "b | NULL | 1.0 | s | true | Int32"
            ]
        );
    }

    #[tokio::test]
    async fn plan_errors() {
        let err = error_of("SELECT arg_max(1)").await;
        assert!(
            err.contains("arg_max expects 2 arguments (value, key), got 1"),
            "{err}"
        );
        let err = error_of("SELECT arg_max(1, named_struct('a', 1))").await;
        assert!(err.contains("arg_max expects a scalar value"), "{err}");
        assert!(err.contains("for argument 'key', got Struct"), "{err}");
    }

    #[test]
    fn state_round_trip_and_no_retraction() {
        let batch = |values: &[Option<&str>], keys: &[Option<i64>]| -> Vec<ArrayRef> {
            vec![
                Arc::new(StringArray::from(values.to_vec())),
                Arc::new(Int64Array::from(keys.to_vec())),
            ]
        };
        let udaf = arg_max();
        let types = [DataType::Utf8, DataType::Int64];
        let batches = [
            batch(&[Some("c"), None], &[Some(3), Some(9)]),
            batch(&[Some("b"), Some("z")], &[Some(9), None]),
            batch(&[Some("a")], &[Some(9)]),
        ];
        assert_eq!(
            merged_equals_whole(&udaf, &types, &batches),
            ScalarValue::Utf8(Some("a".into()))
        );
        // A state that has seen nothing merges as nothing.
        assert_eq!(
            merged_equals_whole(&udaf, &types, &[batch(&[Some("x")], &[None])]),
            ScalarValue::Utf8(None)
        );
        assert!(!accumulator(&udaf, &types, false).supports_retract_batch());
    }
}
