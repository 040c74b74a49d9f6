//! `stable_hash64(value)`: the 63-bit stable hash of a string.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::digest::hash64;
use crate::functions::string_args::{StringArg, coerce_string_args};

const NAME: &str = "stable_hash64";
const PARAMETERS: [&str; 1] = ["value"];

/// `stable_hash64(value)`, alias `hash64`: Blake2b-64 of the UTF-8 bytes of
/// `value`, big-endian, masked to 63 bits, as `Int64`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StableHash64Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for StableHash64Func {
    fn default() -> Self {
        Self::new()
    }
}

impl StableHash64Func {
    /// The function with its `value` parameter name, so `value => ...` works.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["hash64".to_owned()],
        }
    }
}

impl ScalarUDFImpl for StableHash64Func {
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
        Ok(DataType::Int64)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = take_function_args(NAME, &args.args)?;
        let value = StringArg::try_new(NAME, PARAMETERS[0], value)?;
        Ok(stable_hash64(&value, args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn stable_hash64(value: &StringArg<'_>, rows: usize) -> ColumnarValue {
    if let Some(text) = value.as_scalar() {
        let hash = text.map(|text| hash64(text.as_bytes()));
        return ColumnarValue::Scalar(ScalarValue::Int64(hash));
    }
    // NULL rows get a placeholder; the validity buffer is the input's own.
    let hashes: Vec<i64> = (0..rows)
        .map(|row| value.value(row).map_or(0, |text| hash64(text.as_bytes())))
        .collect();
    ColumnarValue::Array(Arc::new(Int64Array::new(hashes.into(), value.nulls(rows))))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns a stable 63-bit hash of a string: Blake2b with an 8-byte digest \
         (Python `hashlib.blake2b(value.encode(), digest_size=8)`), read big-endian \
         and masked to 63 bits so it is never negative. NULL gives NULL.",
        "stable_hash64(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT stable_hash64('alpha');
+------------------------------+
| stable_hash64(Utf8("alpha")) |
+------------------------------+
| 5982700193828047002          |
+------------------------------+
```"#,
    )
    .with_argument(
        "value",
        "The string to hash (Utf8, LargeUtf8, Utf8View or a dictionary of those).",
    )
    .with_alternative_syntax("hash64(value)")
    .with_related_udf("stable_hash128")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        Array, ArrayRef, AsArray, DictionaryArray, LargeStringArray, StringArray, StringViewArray,
    };
    use datafusion::arrow::datatypes::{Int32Type, Int64Type};

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Expected hashes come from Python:
    // int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
    //     & 0x7FFF_FFFF_FFFF_FFFF
    const ALPHA: i64 = 5982700193828047002;
    const EMPTY: i64 = 7252660547403494068;
    const E_COMBINING_ACUTE: i64 = 4199404984407003245; // "e\u0301"
    const CRAB: i64 = 4397792007730043932; // "🦀"
    const KANJI: i64 = 8423340892405699402; // "漢字"

    fn inputs() -> [Option<&'static str>; 6] {
        [
            Some("alpha"),
            Some(""),
            None,
            Some("e\u{301}"),
            Some("🦀"),
            Some("漢字"),
        ]
    }

    fn expected() -> Vec<Option<i64>> {
        vec![
            Some(ALPHA),
            Some(EMPTY),
            None,
            Some(E_COMBINING_ACUTE),
            Some(CRAB),
            Some(KANJI),
        ]
    }

    fn hash_array(array: ArrayRef) -> Vec<Option<i64>> {
        let rows = array.len();
        let result = invoke(
            &StableHash64Func::new(),
            vec![ColumnarValue::Array(array)],
            rows,
        )
        .unwrap()
        .into_array(rows)
        .unwrap();
        result.as_primitive::<Int64Type>().iter().collect()
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
        let dictionary: DictionaryArray<Int32Type> = inputs().into_iter().collect();
        assert_eq!(hash_array(Arc::new(dictionary)), expected());
    }

    #[test]
    fn scalar_in_scalar_out() {
        let udf = StableHash64Func::new();
        let hash = |scalar| invoke(&udf, vec![ColumnarValue::Scalar(scalar)], 3).unwrap();
        assert!(matches!(
            hash(ScalarValue::Utf8View(Some("alpha".into()))),
            ColumnarValue::Scalar(ScalarValue::Int64(Some(ALPHA)))
        ));
        assert!(matches!(
            hash(ScalarValue::Utf8(None)),
            ColumnarValue::Scalar(ScalarValue::Int64(None))
        ));
    }

    #[test]
    fn coercion_accepts_strings_and_refuses_the_rest() {
        let udf = StableHash64Func::new();
        let dictionary =
            DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::LargeUtf8));
        assert_eq!(
            udf.coerce_types(&[dictionary]).unwrap(),
            vec![DataType::LargeUtf8]
        );
        assert_eq!(
            udf.coerce_types(&[DataType::Null]).unwrap(),
            vec![DataType::Utf8]
        );
        assert_eq!(
            udf.coerce_types(&[DataType::Int64]).unwrap(),
            vec![DataType::Utf8]
        );
        let err = udf
            .coerce_types(&[DataType::Struct(
                datafusion::arrow::datatypes::Fields::empty(),
            )])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("stable_hash64 expects a string for argument 'value', got Struct"),
            "{err}"
        );
        let err = udf
            .coerce_types(&[DataType::Utf8, DataType::Utf8])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("stable_hash64 expects 1 argument (value), got 2"),
            "{err}"
        );
    }

    #[test]
    fn documents_itself() {
        let udf = StableHash64Func::new();
        let doc = udf.documentation().unwrap();
        assert_eq!(doc.doc_section.label, "CodeAnatomy hashing");
        assert_eq!(doc.syntax_example, "stable_hash64(value)");
    }

    #[tokio::test]
    async fn sql_positional_named_and_alias() {
        for sql in [
            "SELECT stable_hash64('alpha')",
            "SELECT stable_hash64(value => 'alpha')",
            "SELECT hash64('alpha')",
            "SELECT hash64(value => 'alpha')",
            "SELECT stable_hash64(arrow_cast('alpha', 'Dictionary(Int32, Utf8)'))",
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Int64(Some(ALPHA)),
                "{sql}"
            );
        }
        assert_eq!(
            sql_value("SELECT stable_hash64(NULL)").await.unwrap(),
            ScalarValue::Int64(None)
        );
    }
}
