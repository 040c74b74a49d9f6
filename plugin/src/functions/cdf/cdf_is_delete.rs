//! `cdf_is_delete(change_type)`: whether a change removes the row.

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

const NAME: &str = "cdf_is_delete";

/// `cdf_is_delete(change_type)`: true for `delete`, false for any other
/// text (an `update_preimage` is not a deletion: its post-image follows),
/// NULL for NULL (`Boolean`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CdfIsDeleteFunc {
    signature: Signature,
}

impl Default for CdfIsDeleteFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CdfIsDeleteFunc {
    /// The function with its `change_type` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for CdfIsDeleteFunc {
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
            change == Some(ChangeType::Delete)
        }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns true when a Delta change data feed `_change_type` is 'delete', false for \
         any other text (exact, case-sensitive match; 'update_preimage' is not a deletion), \
         NULL for NULL.",
        "cdf_is_delete(change_type)",
    )
    .with_sql_example(
        r#"```sql
> SELECT cdf_is_delete('delete'), cdf_is_delete('update_preimage');
+----------------------------------+-------------------------------------------+
| cdf_is_delete(Utf8("delete"))    | cdf_is_delete(Utf8("update_preimage"))    |
+----------------------------------+-------------------------------------------+
| true                             | false                                     |
+----------------------------------+-------------------------------------------+
```"#,
    )
    .with_argument("change_type", "A `_change_type` value (a string).")
    .with_related_udf("cdf_is_upsert")
    .with_related_udf("cdf_change_rank")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, StringArray};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    #[test]
    fn flags_each_row() {
        let values = StringArray::from(vec![
            Some("delete"),
            Some("update_preimage"),
            Some("insert"),
            None,
            Some("Delete"),
        ]);
        let result = invoke(
            &CdfIsDeleteFunc::new(),
            vec![ColumnarValue::Array(Arc::new(values))],
            5,
        )
        .unwrap()
        .into_array(5)
        .unwrap();
        assert_eq!(
            result.as_boolean().iter().collect::<Vec<_>>(),
            vec![Some(true), Some(false), Some(false), None, Some(false)]
        );
    }

    #[tokio::test]
    async fn sql_scalar_and_errors() {
        assert_eq!(
            sql_value("SELECT cdf_is_delete('delete')").await.unwrap(),
            ScalarValue::Boolean(Some(true))
        );
        let err = sql_value("SELECT cdf_is_delete('a', 'b')")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("cdf_is_delete expects 1 argument (change_type), got 2"),
            "{err}"
        );
    }
}
