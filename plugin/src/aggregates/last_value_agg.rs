//! `last_value_agg(value, order_key)`: the value at the largest order key
//! (ties: the largest value).
//!
//! One of the ordered picks; the semantics they share (NULL keys ignored,
//! ties broken by value, NULL values returned as they are) are described in
//! [`super::ordered_pick`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::ordered_pick::{LARGEST_KEY_LARGEST_VALUE, OrderedPick};
use super::udaf::PluginAggregate;

const NAME: &str = "last_value_agg";
const PARAMETERS: &[&str] = &["value", "order_key"];

/// `last_value_agg(value, order_key)`: the value at the largest order key
/// (ties: the largest value).
pub fn last_value_agg() -> Arc<AggregateUDF> {
    PluginAggregate::new(
        NAME,
        PARAMETERS,
        &DOCUMENTATION,
        OrderedPick::new(LARGEST_KEY_LARGEST_VALUE),
    )
    .into_udaf()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `value` from the last row in `order_key` order, as an ordinary \
         aggregate: no `ORDER BY` inside the call and no sort of the input. Rows with a \
         NULL order key are ignored. On an order key tie the largest value comes last (a \
         non-NULL value beats NULL), so the result does not depend on input order or \
         partitioning; `last_value_agg` is `first_value_agg` with every comparison \
         reversed. The value of the last row is returned as it is, NULL included; a group \
         without a non-NULL order key gives NULL.",
        "last_value_agg(value, order_key)",
    )
    .with_sql_example(
        r#"```sql
> SELECT last_value_agg(status, ts) AS last
  FROM (VALUES ('closed', 3), ('open', 1), ('merged', 3)) AS t(status, ts);
+--------+
| last   |
+--------+
| merged |
+--------+
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
    .with_related_udf("first_value_agg")
    .with_related_udf("arg_max")
    .with_related_udf("asof_select")
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
                "SELECT g, last_value_agg(v, k) FROM picks GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | y", "b | q", "c | NULL", "d | NULL"]
        );
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT last_value_agg(v, k) AS positional, last_value_agg(value => v, order_key => k) AS named \
                 FROM picks WHERE g <> 'd'"
            )
            .await,
            vec!["y | y"]
        );
    }
}
