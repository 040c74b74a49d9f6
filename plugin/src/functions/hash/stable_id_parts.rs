//! `stable_id_parts(prefix, part, ...)`: `prefix:<stable_hash128(parts
//! joined by U+001F)>`.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::digest::hash128_parts;
use super::prefixed::{PART, PREFIX, prefixed_ids, read_prefix_and_parts};
use crate::functions::string_args::{StringArg, coerce_variadic_string_args};

const NAME: &str = "stable_id_parts";
const HEX_LEN: usize = 32;

/// `stable_id_parts(prefix, part, ...)`, alias `stable_id_multi`: the text
/// `prefix:<hash128>` over one or more parts joined by U+001F, a NULL part
/// reading as `__NULL__` (`Utf8`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StableIdPartsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for StableIdPartsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl StableIdPartsFunc {
    /// The function with parameter names `prefix` and `part`.
    ///
    /// A name can only cover one position, so `part => ...` names the first
    /// part; further parts must be positional (which DataFusion only allows
    /// before any named argument).
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![PREFIX, PART])
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["stable_id_multi".to_owned()],
        }
    }
}

impl ScalarUDFImpl for StableIdPartsFunc {
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
        coerce_variadic_string_args(NAME, &[PREFIX], PART, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (prefix, parts) = read_prefix_and_parts(NAME, &args.args)?;
        Ok(stable_id_parts(&prefix, &parts, args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn stable_id_parts(prefix: &StringArg<'_>, parts: &[StringArg<'_>], rows: usize) -> ColumnarValue {
    prefixed_ids(prefix, parts, rows, HEX_LEN, |row| {
        Some(hash128_parts(parts.iter().map(|part| part.value(row))))
    })
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the stable id `prefix:<hash>` of several parts: `<hash>` is \
         `stable_hash128` of the parts joined by U+001F (unit separator). A NULL \
         part hashes as the text `__NULL__`; a NULL prefix gives NULL.",
        "stable_id_parts(prefix, part[, part, ...])",
    )
    .with_sql_example(
        r#"```sql
> SELECT stable_id_parts('edge', 'a', 'b');
+------------------------------------------------------+
| stable_id_parts(Utf8("edge"),Utf8("a"),Utf8("b"))    |
+------------------------------------------------------+
| edge:065ab5741cdfad44687cf119c1eb4ec9                |
+------------------------------------------------------+
```"#,
    )
    .with_argument("prefix", "The text put before the colon (a string).")
    .with_argument("part", "One or more strings to hash together, in order.")
    .with_alternative_syntax("stable_id_multi(prefix, part[, part, ...])")
    .with_related_udf("stable_id")
    .with_related_udf("prefixed_hash_parts64")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, LargeStringArray, StringArray};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Digests come from Python:
    // hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    const A_B: &str = "065ab5741cdfad44687cf119c1eb4ec9"; // ["a", "b"]
    const A_NULL_C: &str = "3a6441aab629b2a05a699e32c0b5d935"; // ["a", "__NULL__", "c"]
    const X: &str = "442a44457137672b3218c1007dc8f76a"; // ["x"]

    fn utf8(text: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(text.to_owned())))
    }

    #[test]
    fn null_part_hashes_as_sentinel_and_null_prefix_is_null() {
        let prefix = StringArray::from(vec![Some("edge"), Some("edge"), None]);
        let middle = LargeStringArray::from(vec![None, None, Some("b")]);
        let ids = invoke(
            &StableIdPartsFunc::new(),
            vec![
                ColumnarValue::Array(Arc::new(prefix)),
                utf8("a"),
                ColumnarValue::Array(Arc::new(middle)),
                utf8("c"),
            ],
            3,
        )
        .unwrap()
        .into_array(3)
        .unwrap();
        let expected = format!("edge:{A_NULL_C}");
        let ids: Vec<_> = ids.as_string::<i32>().iter().collect();
        assert_eq!(
            ids,
            vec![Some(expected.as_str()), Some(expected.as_str()), None]
        );
    }

    #[test]
    fn all_scalars_give_a_scalar() {
        let result = invoke(
            &StableIdPartsFunc::new(),
            vec![utf8("edge"), utf8("a"), utf8("b")],
            4,
        )
        .unwrap();
        let ColumnarValue::Scalar(ScalarValue::Utf8(Some(id))) = result else {
            panic!("expected a Utf8 scalar, got {result:?}");
        };
        assert_eq!(id, format!("edge:{A_B}"));
    }

    #[test]
    fn coercion_needs_at_least_one_part() {
        let udf = StableIdPartsFunc::new();
        assert!(udf.coerce_types(&[DataType::Utf8]).is_err());
        let err = udf
            .coerce_types(&[
                DataType::Utf8,
                DataType::Utf8,
                DataType::Struct(datafusion::arrow::datatypes::Fields::empty()),
            ])
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "stable_id_parts expects a string for argument 'part' (argument 3), got Struct"
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_variadic_named_and_alias() {
        for (sql, hex) in [
            ("SELECT stable_id_parts('edge', 'a', 'b')", A_B),
            ("SELECT stable_id_multi('edge', 'a', 'b')", A_B),
            ("SELECT stable_id_parts('edge', 'a', NULL, 'c')", A_NULL_C),
            ("SELECT stable_id_parts(prefix => 'edge', part => 'x')", X),
            ("SELECT stable_id_parts('edge', part => 'x')", X),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Utf8(Some(format!("edge:{hex}"))),
                "{sql}"
            );
        }
        assert_eq!(
            sql_value("SELECT stable_id_parts(NULL, 'a')")
                .await
                .unwrap(),
            ScalarValue::Utf8(None)
        );
    }
}
