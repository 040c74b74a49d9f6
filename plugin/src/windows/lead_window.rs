//! `lead_window(value, offset => 1, default => NULL)`: the value `offset`
//! rows after the current row in the window partition.
//!
//! Shares its engine with `lag_window`, see [`super::shift`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{Documentation, WindowUDF};

use super::DOC_SECTION;
use super::shift::{Direction, ShiftFunc};

const NAME: &str = "lead_window";

/// `lead_window(value, offset => 1, default => NULL)`, SQL's `lead`.
pub fn lead_window() -> Arc<WindowUDF> {
    Arc::new(WindowUDF::new_from_impl(ShiftFunc::new(
        NAME,
        Direction::Lead,
        &DOCUMENTATION,
    )))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `value` from the row `offset` rows after the current row in the window \
         partition (in the window's `ORDER BY` order), or `default` when there is no such \
         row, as SQL's `lead`. `offset` must be a non-negative integer literal (default 1; \
         0 is the current row). `default` (NULL when omitted) is cast to the type of \
         `value`. NULL values are returned as they are.",
        "lead_window(value[, offset[, default]]) OVER (PARTITION BY ... ORDER BY ...)",
    )
    .with_sql_example(
        r#"```sql
> SELECT ts, lead_window(v) OVER (ORDER BY ts) AS next, lead_window(v, 2, 0) OVER (ORDER BY ts) AS next2
  FROM (VALUES (1, 10), (2, 20), (3, 30)) AS t(ts, v)
  ORDER BY ts;
+----+------+-------+
| ts | next | next2 |
+----+------+-------+
| 1  | 20   | 30    |
| 2  | 30   | 0     |
| 3  |      | 0     |
+----+------+-------+
```"#,
    )
    .with_argument("value", "The value to read from the later row (any type).")
    .with_argument(
        "offset",
        "How many rows ahead (a non-negative integer literal; default 1).",
    )
    .with_argument(
        "default",
        "The result when there is no row that far ahead (default NULL; cast to the type of \
         `value`).",
    )
    .with_related_udf("lag_window")
    .build()
});

#[cfg(test)]
mod tests {
    use crate::aggregates::test_support::{error_of, rows_everywhere, table};

    #[tokio::test]
    async fn offsets_defaults_and_partitions() {
        let setup = table(
            "series",
            "g VARCHAR, ts BIGINT, v DOUBLE",
            &[
                "('a', 1, 1.5)",
                "('b', 1, 100)",
                "('a', 2, NULL)",
                "('a', 3, 3.5)",
            ],
        );
        assert_eq!(
            rows_everywhere(
                &setup,
                "SELECT g, ts, lead_window(v) OVER w, lead_window(v, 2, 0) OVER w, \
                 lead_window(v, offset => 1, default => 9) OVER w \
                 FROM series WINDOW w AS (PARTITION BY g ORDER BY ts) ORDER BY g, ts"
            )
            .await,
            vec![
                "a | 1 | NULL | 3.5 | NULL",
                "a | 2 | 3.5 | 0.0 | 3.5",
                "a | 3 | NULL | 0.0 | 9.0",
                "b | 1 | NULL | 0.0 | 9.0",
            ]
        );
    }

    #[tokio::test]
    async fn bad_offsets() {
        let err =
            error_of("SELECT lead_window(v, -2) OVER (ORDER BY v) FROM (VALUES (1)) AS t(v)").await;
        assert!(
            err.contains(
                "lead_window expects a non-negative integer literal for argument 'offset', got -2"
            ),
            "{err}"
        );
        let err = error_of("SELECT lead_window(v, 'x') OVER () FROM (VALUES (1)) AS t(v)").await;
        assert!(
            err.contains(
                "lead_window expects a non-negative integer literal for argument 'offset', got Utf8"
            ),
            "{err}"
        );
    }
}
