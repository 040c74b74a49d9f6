//! `stable_id(prefix, value)`: `prefix:<stable_hash128(value)>`.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::utils::take_function_args;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::digest::hash128;
use super::prefixed::prefixed_ids;
use crate::functions::string_args::{StringArg, coerce_string_args};

const NAME: &str = "stable_id";
const PARAMETERS: [&str; 2] = ["prefix", "value"];
const HEX_LEN: usize = 32;

/// `stable_id(prefix, value)`: the text `prefix:<stable_hash128(value)>`
/// (`Utf8`), the id format CodeAnatomy persists.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StableIdFunc {
    signature: Signature,
}

impl Default for StableIdFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl StableIdFunc {
    /// The function with its `prefix` and `value` parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for StableIdFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_string_args(NAME, &PARAMETERS, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [prefix, value] = take_function_args(NAME, &args.args)?;
        let prefix = StringArg::try_new(NAME, PARAMETERS[0], prefix)?;
        let value = StringArg::try_new(NAME, PARAMETERS[1], value)?;
        Ok(stable_id(&prefix, &value, args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn stable_id(prefix: &StringArg<'_>, value: &StringArg<'_>, rows: usize) -> ColumnarValue {
    prefixed_ids(prefix, std::slice::from_ref(value), rows, HEX_LEN, |row| {
        value.value(row).map(|text| hash128(text.as_bytes()))
    })
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the stable id `prefix:<hash>` where `<hash>` is `stable_hash128(value)` \
         (32 lower-case hex digits). A NULL prefix or value gives NULL.",
        "stable_id(prefix, value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT stable_id('node', 'alpha');
+-----------------------------------------+
| stable_id(Utf8("node"),Utf8("alpha"))   |
+-----------------------------------------+
| node:b52f7e54cd313e691148cc2c80345831   |
+-----------------------------------------+
```"#,
    )
    .with_argument("prefix", "The text put before the colon (a string).")
    .with_argument("value", "The string to hash (a string).")
    .with_related_udf("stable_hash128")
    .with_related_udf("stable_id_parts")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, DictionaryArray, StringArray};
    use datafusion::arrow::datatypes::Int32Type;
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Digests come from Python:
    // hashlib.blake2b(s.encode(), digest_size=16).hexdigest()
    const ALPHA: &str = "b52f7e54cd313e691148cc2c80345831";
    const CRAB: &str = "b332bc91d4fd91ab303c1833d2d68d84"; // "🦀"

    #[test]
    fn dictionary_values_and_null_rows() {
        let prefix: DictionaryArray<Int32Type> =
            vec![Some("node"), Some("node"), None].into_iter().collect();
        let value = StringArray::from(vec![Some("alpha"), Some("🦀"), Some("alpha")]);
        let ids = invoke(
            &StableIdFunc::new(),
            vec![
                ColumnarValue::Array(Arc::new(prefix)),
                ColumnarValue::Array(Arc::new(value)),
            ],
            3,
        )
        .unwrap()
        .into_array(3)
        .unwrap();
        let ids: Vec<_> = ids.as_string::<i32>().iter().collect();
        assert_eq!(
            ids,
            vec![
                Some(format!("node:{ALPHA}").as_str()),
                Some(format!("node:{CRAB}").as_str()),
                None
            ]
        );
    }

    #[test]
    fn null_value_gives_null() {
        let result = invoke(
            &StableIdFunc::new(),
            vec![
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("node".into()))),
                ColumnarValue::Scalar(ScalarValue::Utf8(None)),
            ],
            1,
        )
        .unwrap();
        assert!(matches!(
            result,
            ColumnarValue::Scalar(ScalarValue::Utf8(None))
        ));
    }

    #[tokio::test]
    async fn sql_positional_and_named() {
        let expected = ScalarValue::Utf8(Some(format!("node:{ALPHA}")));
        for sql in [
            "SELECT stable_id('node', 'alpha')",
            "SELECT stable_id(prefix => 'node', value => 'alpha')",
            "SELECT stable_id(arrow_cast('node', 'LargeUtf8'), arrow_cast('alpha', 'Utf8View'))",
        ] {
            assert_eq!(sql_value(sql).await.unwrap(), expected, "{sql}");
        }
    }
}
