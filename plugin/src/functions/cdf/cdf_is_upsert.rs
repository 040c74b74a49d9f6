//! `cdf_is_upsert(change_type)`: whether a change leaves the row present.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::change_type::{
    ChangeType, PARAMETERS, coerce_change_type, read_change_type, test_change_types,
};

const NAME: &str = "cdf_is_upsert";

/// `cdf_is_upsert(change_type)`: true for `insert` and `update_postimage`,
/// false for any other text, NULL for NULL (`Boolean`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CdfIsUpsertFunc {
    signature: Signature,
}

impl Default for CdfIsUpsertFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CdfIsUpsertFunc {
    /// The function with its `change_type` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for CdfIsUpsertFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_change_type(NAME, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let value = read_change_type(NAME, &args.args)?;
        Ok(test_change_types(&value, args.number_rows, |change| {
            matches!(
                change,
                Some(ChangeType::Insert | ChangeType::UpdatePostimage)
            )
        }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns true when a Delta change data feed `_change_type` leaves the row present \
         ('insert' or 'update_postimage'), false for any other text (exact, \
         case-sensitive match), NULL for NULL.",
        "cdf_is_upsert(change_type)",
    )
    .with_sql_example(
        r#"```sql
> SELECT cdf_is_upsert('update_postimage'), cdf_is_upsert('update_preimage');
+--------------------------------------------+-------------------------------------------+
| cdf_is_upsert(Utf8("update_postimage"))    | cdf_is_upsert(Utf8("update_preimage"))    |
+--------------------------------------------+-------------------------------------------+
| true                                       | false                                     |
+--------------------------------------------+-------------------------------------------+
```"#,
    )
    .with_argument("change_type", "A `_change_type` value (a string).")
    .with_related_udf("cdf_is_delete")
    .with_related_udf("cdf_change_rank")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, LargeStringArray};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    #[test]
    fn flags_each_row() {
        let values = LargeStringArray::from(vec![
            Some("insert"),
            Some("update_postimage"),
            Some("update_preimage"),
            Some("delete"),
            None,
            Some("INSERT"),
        ]);
        let result = invoke(
            &CdfIsUpsertFunc::new(),
            vec![ColumnarValue::Array(Arc::new(values))],
            6,
        )
        .unwrap()
        .into_array(6)
        .unwrap();
        assert_eq!(
            result.as_boolean().iter().collect::<Vec<_>>(),
            vec![
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                None,
                Some(false)
            ]
        );
    }

    #[tokio::test]
    async fn sql_scalar_and_null() {
        assert_eq!(
            sql_value("SELECT cdf_is_upsert(change_type => 'insert')")
                .await
                .unwrap(),
            ScalarValue::Boolean(Some(true))
        );
        assert_eq!(
            sql_value("SELECT cdf_is_upsert(NULL)").await.unwrap(),
            ScalarValue::Boolean(None)
        );
    }
}
