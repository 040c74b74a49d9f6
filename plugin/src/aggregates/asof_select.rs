//! `asof_select(value, order_key)`: the value at the largest order key, the
//! latest value as of a point.
//!
//! One of the ordered picks; the semantics they share (NULL keys ignored,
//! ties broken by value, NULL values returned as they are) are described in
//! [`super::ordered_pick`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::ordered_pick::{LARGEST_KEY_LARGEST_VALUE, OrderedPick};
use super::udaf::PluginAggregate;

const NAME: &str = "asof_select";
const PARAMETERS: &[&str] = &["value", "order_key"];

/// `asof_select(value, order_key)`: the value at the largest order key, the
/// latest value as of a point.
pub fn asof_select() -> Arc<AggregateUDF> {
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
        "Returns `value` from the row with the largest `order_key`: with the rows \
         filtered to `order_key <= as_of` (in `WHERE`, or a join condition) it is the \
         value as of that point, which makes an as-of join a plain join plus `GROUP BY`. \
         Rows with a NULL order key are ignored. On an order key tie the largest value \
         wins (a non-NULL value beats NULL), exactly as `last_value_agg`, so the result \
         does not depend on input order or partitioning. The value is returned as it is, \
         NULL included; a group without a non-NULL order key gives NULL.",
        "asof_select(value, order_key)",
    )
    .with_sql_example(
        r#"```sql
> SELECT asof_select(price, ts) AS price
  FROM (VALUES (10.0, 1), (12.0, 9), (11.5, 4)) AS t(price, ts)
  WHERE ts <= 5;
+-------+
| price |
+-------+
| 11.5  |
+-------+
```"#,
    )
    .with_argument(
        "value",
        "The value to return: a number, string, boolean, date/time, decimal or \
         binary expression.",
    )
    .with_argument(
        "order_key",
        "The time (or any order) of the rows, usually filtered to `<= as_of` \
         (the same kinds of types as `value`).",
    )
    .with_related_udf("last_value_agg")
    .with_related_udf("arg_max")
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
                "SELECT g, asof_select(v, k) FROM picks GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | y", "b | q", "c | NULL", "d | NULL"]
        );
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT asof_select(v, k), asof_select(v, k) FILTER (WHERE k <= 2) \
                 FROM picks WHERE g <> 'd'"
            )
            .await,
            vec!["y | q"]
        );
    }
}
