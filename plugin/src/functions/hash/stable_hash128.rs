//! `stable_hash128(value)`: the 128-bit stable hash of a string, in hex.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::digest::hash128;
use crate::functions::string_args::{StringArg, coerce_string_args};

const NAME: &str = "stable_hash128";
const PARAMETERS: [&str; 1] = ["value"];
const HEX_LEN: usize = 32;

/// `stable_hash128(value)`, alias `hash128`: Blake2b-128 of the UTF-8 bytes
/// of `value` as 32 lower-case hex digits (`Utf8`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StableHash128Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for StableHash128Func {
    fn default() -> Self {
        Self::new()
    }
}

impl StableHash128Func {
    /// The function with its `value` parameter name, so `value => ...` works.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["hash128".to_owned()],
        }
    }
}

impl ScalarUDFImpl for StableHash128Func {
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
        coerce_string_args(NAME, &PARAMETERS, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = take_function_args(NAME, &args.args)?;
        let value = StringArg::try_new(NAME, PARAMETERS[0], value)?;
        Ok(stable_hash128(&value, args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn stable_hash128(value: &StringArg<'_>, rows: usize) -> ColumnarValue {
    if let Some(text) = value.as_scalar() {
        let hash = text.map(|text| hash128(text.as_bytes()).to_string());
        return ColumnarValue::Scalar(ScalarValue::Utf8(hash));
    }
    let mut builder = StringBuilder::with_capacity(rows, rows.saturating_mul(HEX_LEN));
    for row in 0..rows {
        match value.value(row) {
            Some(text) => builder.append_value(hash128(text.as_bytes()).as_str()),
            None => builder.append_null(),
        }
    }
    ColumnarValue::Array(Arc::new(builder.finish()))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns a stable 128-bit hash of a string as 32 lower-case hex digits: \
         Blake2b with a 16-byte digest (Python \
         `hashlib.blake2b(value.encode(), digest_size=16).hexdigest()`). \
         NULL gives NULL.",
        "stable_hash128(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT stable_hash128('alpha');
+-------------------------------------+
| stable_hash128(Utf8("alpha"))       |
+-------------------------------------+
| b52f7e54cd313e691148cc2c80345831    |
+-------------------------------------+
```"#,
    )
    .with_argument(
        "value",
        "The string to hash (Utf8, LargeUtf8, Utf8View or a dictionary of those).",
    )
    .with_alternative_syntax("hash128(value)")
    .with_related_udf("stable_hash64")
    .with_related_udf("stable_id")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        Array, ArrayRef, AsArray, DictionaryArray, LargeStringArray, StringArray, StringViewArray,
    };
    use datafusion::arrow::datatypes::Int16Type;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Expected digests come from Python:
    // hashlib.blake2b(s.encode(), digest_size=16).hexdigest()
    const ALPHA: &str = "b52f7e54cd313e691148cc2c80345831";
    const EMPTY: &str = "cae66941d9efbd404e4d88758ea67670";
    const E_COMBINING_ACUTE: &str = "47d7c22eed8f50d665282511e02a5e7d"; // "e\u0301"
    const CRAB: &str = "b332bc91d4fd91ab303c1833d2d68d84"; // "🦀"
    const KANJI: &str = "a8ca5932fcbe1d33596ecdb29060c747"; // "漢字"

    fn inputs() -> [Option<&'static str>; 6] {
        [
            Some("alpha"),
            None,
            Some(""),
            Some("e\u{301}"),
            Some("🦀"),
            Some("漢字"),
        ]
    }

    fn expected() -> Vec<Option<String>> {
        [
            Some(ALPHA),
            None,
            Some(EMPTY),
            Some(E_COMBINING_ACUTE),
            Some(CRAB),
            Some(KANJI),
        ]
        .into_iter()
        .map(|hex| hex.map(str::to_owned))
        .collect()
    }

    fn hash_array(array: ArrayRef) -> Vec<Option<String>> {
        let rows = array.len();
        let result = invoke(
            &StableHash128Func::new(),
            vec![ColumnarValue::Array(array)],
            rows,
        )
        .unwrap()
        .into_array(rows)
        .unwrap();
        result
            .as_string::<i32>()
            .iter()
            .map(|hex| hex.map(str::to_owned))
            .collect()
    }

    #[test]
    fn hashes_every_string_layout() {
        assert_eq!(
            hash_array(Arc::new(StringArray::from(inputs().to_vec()))),
            expected()
        );
        assert_eq!(
            hash_array(Arc::new(LargeStringArray::from(inputs().to_vec()))),
            expected()
        );
        assert_eq!(
            hash_array(Arc::new(StringViewArray::from(inputs().to_vec()))),
            expected()
        );
        let dictionary: DictionaryArray<Int16Type> = inputs().into_iter().collect();
        assert_eq!(hash_array(Arc::new(dictionary)), expected());
    }

    #[test]
    fn scalar_in_scalar_out() {
        let udf = StableHash128Func::new();
        let hash = |scalar| invoke(&udf, vec![ColumnarValue::Scalar(scalar)], 2).unwrap();
        let ColumnarValue::Scalar(ScalarValue::Utf8(Some(hex))) =
            hash(ScalarValue::LargeUtf8(Some("alpha".into())))
        else {
            panic!("expected a Utf8 scalar");
        };
        assert_eq!(hex, ALPHA);
        assert!(matches!(
            hash(ScalarValue::Null),
            ColumnarValue::Scalar(ScalarValue::Utf8(None))
        ));
    }

    #[test]
    fn coercion_casts_values_with_a_text_form_and_refuses_the_rest() {
        assert_eq!(
            StableHash128Func::new()
                .coerce_types(&[DataType::Int64])
                .unwrap(),
            vec![DataType::Utf8]
        );
        let err = StableHash128Func::new()
            .coerce_types(&[DataType::Struct(
                datafusion::arrow::datatypes::Fields::empty(),
            )])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("stable_hash128 expects a string for argument 'value', got Struct"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_positional_named_and_alias() {
        for sql in [
            "SELECT stable_hash128('alpha')",
            "SELECT stable_hash128(value => 'alpha')",
            "SELECT hash128('alpha')",
            "SELECT hash128(arrow_cast('alpha', 'Utf8View'))",
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Utf8(Some(ALPHA.to_owned())),
                "{sql}"
            );
        }
    }
}
