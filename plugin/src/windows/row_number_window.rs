//! `row_number_window()`, alias `dedupe_best_by_score()`: the 1-based
//! number of a row within its window partition, in `ORDER BY` order.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{ArrayRef, UInt64Array};
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    Documentation, PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl,
};

use super::DOC_SECTION;

const NAME: &str = "row_number_window";
const ALIAS: &str = "dedupe_best_by_score";

/// `row_number_window()` / `dedupe_best_by_score()`: 1, 2, 3, ... within
/// each window partition, in the window's `ORDER BY` order (`UInt64`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RowNumberWindowFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for RowNumberWindowFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl RowNumberWindowFunc {
    /// The function, with its `dedupe_best_by_score` alias.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(Vec::<String>::new())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec![ALIAS.to_string()],
        }
    }
}

/// The window UDF, as the plugin exports it.
pub fn row_number_window() -> Arc<WindowUDF> {
    Arc::new(WindowUDF::new_from_impl(RowNumberWindowFunc::new()))
}

impl WindowUDFImpl for RowNumberWindowFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.is_empty() {
            Ok(vec![])
        } else {
            plan_err!(
                "{NAME} expects no arguments, got {} (the order comes from OVER (ORDER BY ...))",
                arg_types.len()
            )
        }
    }

    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(RowNumberEvaluator))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Field::new(field_args.name(), DataType::UInt64, false).into())
    }

    fn sort_options(&self) -> Option<SortOptions> {
        // The numbers ascend within a partition, as `row_number`'s do.
        Some(SortOptions {
            descending: false,
            nulls_first: false,
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// Numbers a whole partition at once: one call per partition, which through
/// the dylib is one FFI call rather than one per row.
#[derive(Debug)]
struct RowNumberEvaluator;

impl PartitionEvaluator for RowNumberEvaluator {
    fn evaluate_all(&mut self, _values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        Ok(Arc::new(UInt64Array::from_iter_values(1..=num_rows as u64)))
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Numbers the rows of each window partition 1, 2, 3, ... in the window's `ORDER BY` \
         order (`UInt64`), like `row_number()`. Also available as `dedupe_best_by_score()`, \
         the name that reads well in its main use, keeping the best row per key: \
         `QUALIFY dedupe_best_by_score() OVER (PARTITION BY id ORDER BY score DESC) = 1`. \
         Rows that tie in `ORDER BY` get distinct numbers in no particular order, so add a \
         tie-breaker to `ORDER BY` when the choice among ties matters.",
        "row_number_window() OVER (PARTITION BY ... ORDER BY ...)",
    )
    .with_sql_example(
        r#"```sql
> SELECT id, name, score
  FROM (VALUES (1, 'a', 0.5), (1, 'b', 0.9), (2, 'c', 0.1)) AS t(id, name, score)
  QUALIFY dedupe_best_by_score() OVER (PARTITION BY id ORDER BY score DESC) = 1
  ORDER BY id;
+----+------+-------+
| id | name | score |
+----+------+-------+
| 1  | b    | 0.9   |
| 2  | c    | 0.1   |
+----+------+-------+
```"#,
    )
    .build()
});

#[cfg(test)]
mod tests {
    use crate::aggregates::test_support::{error_of, rows_everywhere, table};

    fn scores() -> Vec<String> {
        table(
            "scores",
            "id BIGINT, name VARCHAR, score DOUBLE",
            &[
                "(1, 'a', 0.5)",
                "(2, 'c', 0.1)",
                "(1, 'b', 0.9)",
                "(3, 'd', NULL)",
                "(1, 'e', 0.7)",
                "(3, 'f', 0.2)",
            ],
        )
    }

    #[tokio::test]
    async fn numbers_rows_per_partition() {
        assert_eq!(
            rows_everywhere(
                &scores(),
                "SELECT id, name, row_number_window() OVER (PARTITION BY id ORDER BY score DESC NULLS LAST) \
                 FROM scores ORDER BY id, name"
            )
            .await,
            vec![
                "1 | a | 3", "1 | b | 1", "1 | e | 2", "2 | c | 1", "3 | d | 2", "3 | f | 1"
            ]
        );
    }

    #[tokio::test]
    async fn the_alias_keeps_the_best_row_per_key() {
        assert_eq!(
            rows_everywhere(
                &scores(),
                "SELECT id, name FROM scores \
                 QUALIFY dedupe_best_by_score() OVER (PARTITION BY id ORDER BY score DESC NULLS LAST) = 1 \
                 ORDER BY id"
            )
            .await,
            vec!["1 | b", "2 | c", "3 | f"]
        );
        assert_eq!(
            rows_everywhere(
                &scores(),
                "SELECT name, row_number_window() OVER (ORDER BY name DESC) AS n \
                 FROM scores ORDER BY n LIMIT 2"
            )
            .await,
            vec!["f | 1", "e | 2"]
        );
    }

    #[tokio::test]
    async fn arguments_are_refused() {
        let err = error_of("SELECT row_number_window(1) OVER ()").await;
        assert!(
            err.contains("row_number_window expects no arguments, got 1"),
            "{err}"
        );
    }
}
