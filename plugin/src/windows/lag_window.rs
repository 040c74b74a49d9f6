//! `lag_window(value, offset => 1, default => NULL)`: the value `offset`
//! rows before the current row in the window partition.
//!
//! Shares its engine with `lead_window`, see [`super::shift`].

use std::sync::{Arc, LazyLock};

use datafusion::logical_expr::{Documentation, WindowUDF};

use super::DOC_SECTION;
use super::shift::{Direction, ShiftFunc};

const NAME: &str = "lag_window";

/// `lag_window(value, offset => 1, default => NULL)`, SQL's `lag`.
pub fn lag_window() -> Arc<WindowUDF> {
    Arc::new(WindowUDF::new_from_impl(ShiftFunc::new(
        NAME,
        Direction::Lag,
        &DOCUMENTATION,
    )))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `value` from the row `offset` rows before the current row in the window \
         partition (in the window's `ORDER BY` order), or `default` when there is no such \
         row, as SQL's `lag`. `offset` must be a non-negative integer literal (default 1; \
         0 is the current row). `default` (NULL when omitted) is cast to the type of \
         `value`. NULL values are returned as they are.",
        "lag_window(value[, offset[, default]]) OVER (PARTITION BY ... ORDER BY ...)",
    )
    .with_sql_example(
        r#"```sql
> SELECT ts, lag_window(v) OVER (ORDER BY ts) AS prev, lag_window(v, 2, 0) OVER (ORDER BY ts) AS prev2
  FROM (VALUES (1, 10), (2, 20), (3, 30)) AS t(ts, v)
  ORDER BY ts;
+----+------+-------+
| ts | prev | prev2 |
+----+------+-------+
| 1  |      | 0     |
| 2  | 10   | 0     |
| 3  | 20   | 10    |
+----+------+-------+
```"#,
    )
    .with_argument("value", "The value to read from the earlier row (any type).")
    .with_argument(
        "offset",
        "How many rows back (a non-negative integer literal; default 1).",
    )
    .with_argument(
        "default",
        "The result when there is no row that far back (default NULL; cast to the type of \
         `value`).",
    )
    .with_related_udf("lead_window")
    .build()
});

#[cfg(test)]
mod tests {
    use crate::aggregates::test_support::{error_of, rows_everywhere, table};

    fn series() -> Vec<String> {
        table(
            "series",
            "g VARCHAR, ts BIGINT, v BIGINT",
            &[
                "('a', 1, 10)",
                "('b', 1, 100)",
                "('a', 2, NULL)",
                "('a', 3, 30)",
                "('b', 2, 200)",
                "('a', 4, 40)",
            ],
        )
    }

    #[tokio::test]
    async fn offsets_defaults_and_partitions() {
        assert_eq!(
            rows_everywhere(
                &series(),
                "SELECT g, ts, \
                 lag_window(v) OVER w, \
                 lag_window(v, 2) OVER w, \
                 lag_window(v, 1, -1) OVER w, \
                 lag_window(value => v, offset => 0) OVER w, \
                 lag_window(v, 1, ts * 1000) OVER w, \
                 lag_window(arrow_cast(v, 'Utf8'), 1, 'none') OVER w \
                 FROM series WINDOW w AS (PARTITION BY g ORDER BY ts) ORDER BY g, ts"
            )
            .await,
            vec![
                "a | 1 | NULL | NULL | -1 | 10 | 1000 | none",
                "a | 2 | 10 | NULL | 10 | NULL | 10 | 10",
                "a | 3 | NULL | 10 | NULL | 30 | NULL | NULL",
                "a | 4 | 30 | NULL | 30 | 40 | 30 | 30",
                "b | 1 | NULL | NULL | -1 | 100 | 1000 | none",
                "b | 2 | 100 | NULL | 100 | 200 | 100 | 100",
            ]
        );
    }

    #[tokio::test]
    async fn bad_offsets_and_arity() {
        for (sql, message) in [
            (
                "SELECT lag_window(v, -1) OVER (ORDER BY ts) FROM (VALUES (1, 2)) AS t(ts, v)",
                "lag_window expects a non-negative integer literal for argument 'offset', got -1",
            ),
            (
                "SELECT lag_window(v, ts) OVER (ORDER BY ts) FROM (VALUES (1, 2)) AS t(ts, v)",
                "lag_window expects a non-negative integer literal for argument 'offset', got the expression",
            ),
            (
                "SELECT lag_window(v, 1.5) OVER (ORDER BY ts) FROM (VALUES (1, 2)) AS t(ts, v)",
                "lag_window expects a non-negative integer literal for argument 'offset', got Float64",
            ),
            (
                "SELECT lag_window() OVER ()",
                "lag_window expects 1 to 3 arguments (value, offset, default), got 0",
            ),
            (
                "SELECT lag_window(1, 1, 1, 1) OVER ()",
                "lag_window expects 1 to 3 arguments (value, offset, default), got 4",
            ),
        ] {
            let err = error_of(sql).await;
            assert!(err.contains(message), "{sql}: {err}");
        }
    }
}
