//! `any_value_det(value, order_key)`: a deterministic "any value": the value
//! at the smallest order key.
//!
//! One of the ordered picks; the semantics they share (NULL keys ignored,
//! ties broken by value, NULL values returned as they are) are described in
//! [`super::ordered_pick`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::ordered_pick::{OrderedPick, SMALLEST_KEY_SMALLEST_VALUE};
use super::udaf::PluginAggregate;

const NAME: &str = "any_value_det";
const PARAMETERS: &[&str] = &["value", "order_key"];

/// `any_value_det(value, order_key)`: a deterministic "any value": the value
/// at the smallest order key.
pub fn any_value_det() -> Arc<AggregateUDF> {
    PluginAggregate::new(
        NAME,
        PARAMETERS,
        &DOCUMENTATION,
        OrderedPick::new(SMALLEST_KEY_SMALLEST_VALUE),
    )
    .into_udaf()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns one value of the group, always the same one whatever the input order or \
         partitioning (unlike `any_value`): the value from the row with the smallest \
         `order_key`, and on a tie the smallest value (a non-NULL value beats NULL). Rows \
         with a NULL order key are ignored; the value is returned as it is, NULL \
         included; a group without a non-NULL order key gives NULL. It is \
         `first_value_agg` under a name that says what it is for.",
        "any_value_det(value, order_key)",
    )
    .with_sql_example(
        r#"```sql
> SELECT any_value_det(label, id) AS label
  FROM (VALUES ('b', 1), ('c', 2), ('a', 1)) AS t(label, id);
+-------+
| label |
+-------+
| a     |
+-------+
```"#,
    )
    .with_argument(
        "value",
        "The value to return: a number, string, boolean, date/time, decimal or binary expression.",
    )
    .with_argument(
        "order_key",
        "Chooses the row: the smallest key wins (the same kinds of types as `value`).",
    )
    .with_related_udf("first_value_agg")
    .with_related_udf("arg_min")
    .build()
});

#[cfg(test)]
mod tests {
    use crate::aggregates::test_support::{picks_table, rows_everywhere};

    #[tokio::test]
    async fn groups_ties_and_nulls() {
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT g, any_value_det(v, k) FROM picks GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | x", "b | p", "c | NULL", "d | NULL"]
        );
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT any_value_det(v, k), any_value_det(v, k) FILTER (WHERE g = 'a') FROM picks"
            )
            .await,
            vec!["p | x"]
        );
    }
}
