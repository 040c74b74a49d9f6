//! `string_agg_det(value, separator)`: a group's non-NULL strings, sorted,
//! joined with a separator.
//!
//! Named `string_agg_det` because `string_agg` is a DataFusion built-in
//! (whose result follows input order): registering the plugin's under that
//! name would silently replace it in every session that loads the plugin.
//! The sorted multiset of values comes from [`super::distinct_values`].

use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{AggregateUDF, Documentation};

use super::DOC_SECTION;
use super::arg_types::{check_arity, constant_value};
use super::distinct_values::{SetOutput, set_default_value, set_state, set_state_field};
use super::udaf::{AggregateFamily, GroupedState, PluginAggregate};
use crate::functions::string_args::coerce_string_type;

const NAME: &str = "string_agg_det";
const PARAMETERS: &[&str] = &["value", "separator"];

/// `string_agg_det(value, separator)`: the non-NULL values sorted and joined
/// with `separator` (`Utf8`; NULL when there are none).
pub fn string_agg_det() -> Arc<AggregateUDF> {
    PluginAggregate::new(NAME, PARAMETERS, &DOCUMENTATION, StringAggDet).into_udaf()
}

#[derive(Debug)]
struct StringAggDet;

impl AggregateFamily for StringAggDet {
    fn coerce_types(
        &self,
        function: &str,
        parameters: &[&str],
        arg_types: &[DataType],
    ) -> Result<Vec<DataType>> {
        check_arity(function, parameters, arg_types)?;
        parameters
            .iter()
            .zip(arg_types)
            .map(|(parameter, data_type)| {
                // Every string layout is read as Utf8 (one lane, one state
                // type); numbers and dates are joined in their text form.
                coerce_string_type(function, parameter, None, data_type).map(|_| DataType::Utf8)
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![set_state_field(args.name, &DataType::Utf8)])
    }

    fn new_state(&self, function: &str, args: &AccumulatorArgs) -> Result<Box<dyn GroupedState>> {
        let separator = match args.exprs.get(1).and_then(constant_value) {
            Some(value) if value.is_null() => String::new(),
            Some(ScalarValue::Utf8(Some(separator))) => separator,
            Some(value) => match value.cast_to(&DataType::Utf8)? {
                ScalarValue::Utf8(Some(separator)) => separator,
                _ => String::new(),
            },
            None => {
                return plan_err!(
                    "{function} expects a constant for argument 'separator' \
                     (the same separator for every row)"
                );
            }
        };
        set_state(
            &DataType::Utf8,
            SetOutput::Join(separator),
            !args.is_distinct,
        )
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        set_default_value(&SetOutput::Join(String::new()), data_type)
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Concatenates the non-NULL values of the group in sorted order (by bytes), with \
         `separator` between them, so the result does not depend on input order or \
         partitioning (DataFusion's `string_agg` follows input order). Duplicates are kept; \
         `string_agg_det(DISTINCT value, separator)` keeps each value once. A group without \
         non-NULL values gives NULL. The separator must be a constant; NULL means no \
         separator. Values that are not strings are joined in their text form.",
        "string_agg_det(value, separator)",
    )
    .with_sql_example(
        r#"```sql
> SELECT string_agg_det(name, ', ') AS names
  FROM (VALUES ('cat'), ('ann'), (NULL), ('bob')) AS t(name);
+---------------+
| names         |
+---------------+
| ann, bob, cat |
+---------------+
```"#,
    )
    .with_argument("value", "The strings to join (a string expression).")
    .with_argument(
        "separator",
        "The text put between two values (a constant string).",
    )
    .with_related_udf("list_unique")
    .build()
});

#[cfg(test)]
mod tests {
    use crate::aggregates::test_support::{error_of, rows_everywhere, sets_table};

    #[tokio::test]
    async fn groups_duplicates_nulls_and_distinct() {
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT g, string_agg_det(s, ','), string_agg_det(DISTINCT s, '/'), \
                 string_agg_det(v, NULL) FROM sets GROUP BY g ORDER BY g"
            )
            .await,
            vec![
                "a | x,x,y | x/y | 133",
                "b | NULL | NULL | NULL",
                "c | a,b,c | a/b/c | -122"
            ]
        );
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT string_agg_det(arrow_cast(s, 'LargeUtf8'), arrow_cast(' ', 'Utf8View')), \
                 string_agg_det(separator => '-', value => s) FILTER (WHERE id < 3) FROM sets"
            )
            .await,
            vec!["a b c x x y | x-y"]
        );
        assert_eq!(
            rows_everywhere(
                &sets_table(),
                "SELECT string_agg_det(s, ',') OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING \
                 AND CURRENT ROW) FROM sets ORDER BY id"
            )
            .await,
            vec!["x", "x,y", "x,y", "x", "NULL", "b", "a,b", "a,c"]
        );
    }

    #[tokio::test]
    async fn the_separator_must_be_constant() {
        let err =
            error_of("SELECT string_agg_det(a, b) FROM (VALUES ('x', ','), ('y', ';')) AS t(a, b)")
                .await;
        assert!(
            err.contains("string_agg_det expects a constant for argument 'separator'"),
            "{err}"
        );
        let err = error_of("SELECT string_agg_det('x')").await;
        assert!(
            err.contains("string_agg_det expects 2 arguments (value, separator), got 1"),
            "{err}"
        );
    }
}
