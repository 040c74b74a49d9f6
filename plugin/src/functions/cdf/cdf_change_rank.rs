//! `cdf_change_rank(change_type)`: which change of a row wins.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::Int32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::change_type::{ChangeType, PARAMETERS, coerce_change_type, read_change_type};

const NAME: &str = "cdf_change_rank";

/// `cdf_change_rank(change_type)`: `update_postimage` 3, `insert` 2,
/// `delete` 1, `update_preimage` 0, any other text −1, NULL for NULL
/// (`Int32`).
///
/// Ordering a key's changes by this rank, highest first, picks the row
/// state to keep: the new image of an update beats a plain insert, and a
/// pre-image never wins.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CdfChangeRankFunc {
    signature: Signature,
}

impl Default for CdfChangeRankFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CdfChangeRankFunc {
    /// The function with its `change_type` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

/// The rank of one `_change_type` text.
#[inline]
fn rank(text: &str) -> i32 {
    match ChangeType::parse(text) {
        Some(ChangeType::UpdatePostimage) => 3,
        Some(ChangeType::Insert) => 2,
        Some(ChangeType::Delete) => 1,
        Some(ChangeType::UpdatePreimage) => 0,
        None => -1,
    }
}

impl ScalarUDFImpl for CdfChangeRankFunc {
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
        Ok(DataType::Int32)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let value = read_change_type(NAME, &args.args)?;
        if let Some(text) = value.as_scalar() {
            return Ok(ColumnarValue::Scalar(ScalarValue::Int32(text.map(rank))));
        }
        let rows = args.number_rows;
        // NULL rows get a placeholder that the validity buffer masks.
        let ranks: Vec<i32> = (0..rows)
            .map(|row| value.value(row).map_or(0, rank))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(Int32Array::new(
            ranks.into(),
            value.nulls(rows),
        ))))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the precedence of a Delta change data feed `_change_type` as Int32: \
         'update_postimage' 3, 'insert' 2, 'delete' 1, 'update_preimage' 0, any other text \
         -1 (the match is exact and case-sensitive), NULL for NULL. Ordering a key's changes \
         by it, highest first, keeps the row's latest state.",
        "cdf_change_rank(change_type)",
    )
    .with_sql_example(
        r#"```sql
> SELECT cdf_change_rank('update_postimage'), cdf_change_rank('merge');
+----------------------------------------------+-----------------------------------+
| cdf_change_rank(Utf8("update_postimage"))    | cdf_change_rank(Utf8("merge"))    |
+----------------------------------------------+-----------------------------------+
| 3                                            | -1                                |
+----------------------------------------------+-----------------------------------+
```"#,
    )
    .with_argument("change_type", "A `_change_type` value (a string).")
    .with_related_udf("cdf_is_upsert")
    .with_related_udf("cdf_is_delete")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{AsArray, DictionaryArray, StringViewArray};
    use datafusion::arrow::datatypes::{Int8Type, Int32Type};

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    const VALUES: [Option<&str>; 7] = [
        Some("update_postimage"),
        Some("insert"),
        Some("delete"),
        Some("update_preimage"),
        Some("Insert"),
        None,
        Some(""),
    ];
    const RANKS: [Option<i32>; 7] = [Some(3), Some(2), Some(1), Some(0), Some(-1), None, Some(-1)];

    #[test]
    fn ranks_every_layout() {
        for array in [
            Arc::new(StringViewArray::from(VALUES.to_vec())) as _,
            Arc::new(VALUES.into_iter().collect::<DictionaryArray<Int8Type>>()) as _,
        ] {
            let result = invoke(
                &CdfChangeRankFunc::new(),
                vec![ColumnarValue::Array(array)],
                7,
            )
            .unwrap()
            .into_array(7)
            .unwrap();
            assert_eq!(
                result
                    .as_primitive::<Int32Type>()
                    .iter()
                    .collect::<Vec<_>>(),
                RANKS
            );
        }
    }

    #[tokio::test]
    async fn sql_scalar_and_named() {
        assert_eq!(
            sql_value("SELECT cdf_change_rank(change_type => 'insert')")
                .await
                .unwrap(),
            ScalarValue::Int32(Some(2))
        );
        assert_eq!(
            sql_value("SELECT cdf_change_rank(NULL)").await.unwrap(),
            ScalarValue::Int32(None)
        );
    }
}
