//! `prefixed_hash64(prefix, value)`: `prefix:<stable_hash64(value)>`.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::utils::take_function_args;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::digest::hash64;
use super::prefixed::prefixed_ids;
use crate::functions::string_args::{StringArg, coerce_string_args};

const NAME: &str = "prefixed_hash64";
const PARAMETERS: [&str; 2] = ["prefix", "value"];
/// Decimal digits of the largest 63-bit hash.
const HASH64_DIGITS: usize = 19;

/// `prefixed_hash64(prefix, value)`, alias `prefixed_hash`: the text
/// `prefix:<stable_hash64(value) in decimal>` (`Utf8`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PrefixedHash64Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for PrefixedHash64Func {
    fn default() -> Self {
        Self::new()
    }
}

impl PrefixedHash64Func {
    /// The function with its `prefix` and `value` parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["prefixed_hash".to_owned()],
        }
    }
}

impl ScalarUDFImpl for PrefixedHash64Func {
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
        let [prefix, value] = take_function_args(NAME, &args.args)?;
        let prefix = StringArg::try_new(NAME, PARAMETERS[0], prefix)?;
        let value = StringArg::try_new(NAME, PARAMETERS[1], value)?;
        Ok(prefixed_hash64(&prefix, &value, args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn prefixed_hash64(prefix: &StringArg<'_>, value: &StringArg<'_>, rows: usize) -> ColumnarValue {
    prefixed_ids(
        prefix,
        std::slice::from_ref(value),
        rows,
        HASH64_DIGITS,
        |row| value.value(row).map(|text| hash64(text.as_bytes())),
    )
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `prefix:<hash>` where `<hash>` is `stable_hash64(value)` in decimal. \
         A NULL prefix or value gives NULL.",
        "prefixed_hash64(prefix, value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT prefixed_hash64('node', 'alpha');
+-------------------------------------------------+
| prefixed_hash64(Utf8("node"),Utf8("alpha"))     |
+-------------------------------------------------+
| node:5982700193828047002                        |
+-------------------------------------------------+
```"#,
    )
    .with_argument("prefix", "The text put before the colon (a string).")
    .with_argument("value", "The string to hash (a string).")
    .with_alternative_syntax("prefixed_hash(prefix, value)")
    .with_related_udf("stable_hash64")
    .with_related_udf("prefixed_hash_parts64")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, LargeStringArray, StringArray, StringViewArray};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Hashes come from Python:
    // int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
    //     & 0x7FFF_FFFF_FFFF_FFFF
    const ALPHA: &str = "5982700193828047002";
    const KANJI: &str = "8423340892405699402"; // "漢字"
    const EMPTY: &str = "7252660547403494068";

    fn run(prefix: ColumnarValue, value: ColumnarValue, rows: usize) -> Vec<Option<String>> {
        invoke(&PrefixedHash64Func::new(), vec![prefix, value], rows)
            .unwrap()
            .into_array(rows)
            .unwrap()
            .as_string::<i32>()
            .iter()
            .map(|id| id.map(str::to_owned))
            .collect()
    }

    #[test]
    fn arrays_with_nulls_in_either_argument() {
        let prefix = StringArray::from(vec![Some("node"), None, Some("n"), Some("edge")]);
        let value = LargeStringArray::from(vec![Some("alpha"), Some("alpha"), None, Some("漢字")]);
        assert_eq!(
            run(
                ColumnarValue::Array(Arc::new(prefix)),
                ColumnarValue::Array(Arc::new(value)),
                4
            ),
            vec![
                Some(format!("node:{ALPHA}")),
                None,
                None,
                Some(format!("edge:{KANJI}")),
            ]
        );
    }

    #[test]
    fn scalar_prefix_over_a_column() {
        let value = StringViewArray::from(vec![Some(""), None]);
        assert_eq!(
            run(
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("p".into()))),
                ColumnarValue::Array(Arc::new(value)),
                2
            ),
            vec![Some(format!("p:{EMPTY}")), None]
        );
        let null_prefix = run(
            ColumnarValue::Scalar(ScalarValue::Utf8(None)),
            ColumnarValue::Array(Arc::new(StringArray::from(vec!["alpha"]))),
            1,
        );
        assert_eq!(null_prefix, vec![None]);
    }

    #[test]
    fn all_scalars_give_a_scalar() {
        let result = invoke(
            &PrefixedHash64Func::new(),
            vec![
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("node".into()))),
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("alpha".into()))),
            ],
            5,
        )
        .unwrap();
        let ColumnarValue::Scalar(ScalarValue::Utf8(Some(id))) = result else {
            panic!("expected a Utf8 scalar, got {result:?}");
        };
        assert_eq!(id, format!("node:{ALPHA}"));
    }

    #[test]
    fn coercion_names_the_argument() {
        let err = PrefixedHash64Func::new()
            .coerce_types(&[
                DataType::Struct(datafusion::arrow::datatypes::Fields::empty()),
                DataType::Utf8,
            ])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("prefixed_hash64 expects a string for argument 'prefix', got Struct"),
            "{err}"
        );
        let err = PrefixedHash64Func::new()
            .coerce_types(&[DataType::Utf8])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("prefixed_hash64 expects 2 arguments (prefix, value), got 1"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_positional_named_and_alias() {
        let expected = ScalarValue::Utf8(Some(format!("node:{ALPHA}")));
        for sql in [
            "SELECT prefixed_hash64('node', 'alpha')",
            "SELECT prefixed_hash64(prefix => 'node', value => 'alpha')",
            "SELECT prefixed_hash64(value => 'alpha', prefix => 'node')",
            "SELECT prefixed_hash('node', value => 'alpha')",
        ] {
            assert_eq!(sql_value(sql).await.unwrap(), expected, "{sql}");
        }
        assert_eq!(
            sql_value("SELECT prefixed_hash64(NULL, 'alpha')")
                .await
                .unwrap(),
            ScalarValue::Utf8(None)
        );
    }
}
