//! `first_value_agg(value, order_key)`: the value at the smallest order key
//! (ties: the smallest value).
//!
//! One of the ordered picks; the semantics they share (NULL keys ignored,
//! ties broken by value, NULL values returned as they are) are described in
//! [`super::ordered_pick`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::ordered_pick::{OrderedPick, SMALLEST_KEY_SMALLEST_VALUE};
use super::udaf::PluginAggregate;

const NAME: &str = "first_value_agg";
const PARAMETERS: &[&str] = &["value", "order_key"];

/// `first_value_agg(value, order_key)`: the value at the smallest order key
/// (ties: the smallest value).
pub fn first_value_agg() -> Arc<AggregateUDF> {
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
        "Returns `value` from the first row in `order_key` order, as an ordinary \
         aggregate: no `ORDER BY` inside the call and no sort of the input. Rows with a \
         NULL order key are ignored. On an order key tie the smallest value comes first \
         (a non-NULL value beats NULL), so the result does not depend on input order or \
         partitioning. The value of the first row is returned as it is, NULL included; a \
         group without a non-NULL order key gives NULL.",
        "first_value_agg(value, order_key)",
    )
    .with_sql_example(
        r#"```sql
> SELECT first_value_agg(status, ts) AS first
  FROM (VALUES ('closed', 3), ('open', 1), ('merged', 3)) AS t(status, ts);
+-------+
| first |
+-------+
| open  |
+-------+
```"#,
    )
    .with_argument(
        "value",
        "The value to return: a number, string, boolean, date/time, decimal or binary expression.",
    )
    .with_argument(
        "order_key",
        "The order of the rows (the same kinds of types as `value`).",
    )
    .with_related_udf("last_value_agg")
    .with_related_udf("arg_min")
    .with_related_udf("any_value_det")
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
                "SELECT g, first_value_agg(v, k) FROM picks GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | x", "b | p", "c | NULL", "d | NULL"]
        );
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT first_value_agg(v, k) AS positional, first_value_agg(value => v, order_key => k) AS named \
                 FROM picks WHERE g <> 'b'"
            )
            .await,
            vec!["x | x"]
        );
    }
}
