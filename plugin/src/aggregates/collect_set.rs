//! `collect_set(value)`: a group's distinct non-NULL values as a list.
//!
//! Shares its engine with `list_unique` and `count_distinct_agg`, see
//! [`super::distinct_values`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::distinct_values::{DistinctValues, SetOutput};
use super::udaf::PluginAggregate;

const NAME: &str = "collect_set";
const PARAMETERS: &[&str] = &["value"];

/// `collect_set(value)`: the distinct non-NULL values as a list, sorted so
/// that the result is deterministic (`[]` for a group with only NULLs).
pub fn collect_set() -> Arc<AggregateUDF> {
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
        "Returns the set of distinct non-NULL values of the group as a list (Spark's \
         `collect_set`). The list is sorted ascending (numbers by value, strings by bytes) \
         so that the result is deterministic: it does not depend on input order or \
         partitioning, and equals `list_unique(value)`. NULLs are skipped; a group with only \
         NULLs (or an input without rows) gives an empty list, never NULL.",
        "collect_set(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT collect_set(n) AS ns
  FROM (VALUES (3), (1), (NULL), (3)) AS t(n);
+--------+
| ns     |
+--------+
| [1, 3] |
+--------+
```"#,
    )
    .with_argument(
        "value",
        "The values to collect: a number, string, boolean, date/time, decimal or binary \
         expression.",
    )
    .with_related_udf("list_unique")
    .with_related_udf("count_distinct_agg")
    .build()
});

#[cfg(test)]
mod tests {
    use crate::aggregates::test_support::{rows_everywhere, sets_table};

    #[tokio::test]
    async fn groups_duplicates_and_nulls() {
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT g, collect_set(s), collect_set(v) = list_unique(v), \
                 collect_set(arrow_cast(v, 'Float64')) FROM sets GROUP BY g ORDER BY g"
            )
            .await,
            vec![
                "a | [x, y] | true | [1.0, 3.0]",
                "b | [] | true | []",
                "c | [a, b, c] | true | [-1.0, 2.0]"
            ]
        );
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT collect_set(s) FILTER (WHERE id > 2), collect_set(NULL) FROM sets"
            )
            .await,
            vec!["[a, b, c, x] | []"]
        );
    }
}
