//! `arg_min(value, key)`: the value at the smallest key (ties: the smallest
//! value).
//!
//! One of the ordered picks; the semantics they share (NULL keys ignored,
//! ties broken by value, NULL values returned as they are) are described in
//! [`super::ordered_pick`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::ordered_pick::{OrderedPick, SMALLEST_KEY_SMALLEST_VALUE};
use super::udaf::PluginAggregate;

const NAME: &str = "arg_min";
const PARAMETERS: &[&str] = &["value", "key"];

/// `arg_min(value, key)`: the value at the smallest key (ties: the smallest
/// value).
pub fn arg_min() -> Arc<AggregateUDF> {
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
        "Returns `value` from the row with the smallest `key`. Rows with a NULL key are \
         ignored. On a key tie the smallest value wins (a non-NULL value beats NULL), so \
         the result does not depend on input order or partitioning. The value of the \
         winning row is returned as it is, NULL included; a group without a non-NULL key \
         gives NULL. The result has the type of `value`.",
        "arg_min(value, key)",
    )
    .with_sql_example(
        r#"```sql
> SELECT arg_min(name, score) AS worst
  FROM (VALUES ('cat', 9), ('bob', 7), ('ann', 7)) AS t(name, score);
+-------+
| worst |
+-------+
| ann   |
+-------+
```"#,
    )
    .with_argument(
        "value",
        "The value to return: a number, string, boolean, date/time, decimal or binary expression.",
    )
    .with_argument(
        "key",
        "The key to minimise (the same kinds of types as `value`).",
    )
    .with_related_udf("arg_max")
    .with_related_udf("first_value_agg")
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
                "SELECT g, arg_min(v, k) FROM picks GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | x", "b | p", "c | NULL", "d | NULL"]
        );
        assert_eq!(
            rows_everywhere(
                &picks_table(),
                "SELECT arg_min(v, k) AS positional, arg_min(key => k, value => v) AS named \
                 FROM picks"
            )
            .await,
            vec!["p | p"]
        );
    }
}
