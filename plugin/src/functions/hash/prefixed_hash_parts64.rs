//! `prefixed_hash_parts64(prefix, part, ...)`: `prefix:<stable_hash64(parts
//! joined by U+001F)>`.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::digest::hash64_parts;
use super::prefixed::{PART, PREFIX, prefixed_ids, read_prefix_and_parts};
use crate::functions::string_args::{StringArg, coerce_variadic_string_args};

const NAME: &str = "prefixed_hash_parts64";
/// Decimal digits of the largest 63-bit hash.
const HASH64_DIGITS: usize = 19;

/// `prefixed_hash_parts64(prefix, part, ...)`, alias `prefixed_hash_parts`:
/// the text `prefix:<hash64 in decimal>` over one or more parts joined by
/// U+001F, a NULL part reading as `__NULL__` (`Utf8`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PrefixedHashParts64Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for PrefixedHashParts64Func {
    fn default() -> Self {
        Self::new()
    }
}

impl PrefixedHashParts64Func {
    /// The function with parameter names `prefix` and `part`.
    ///
    /// A name can only cover one position, so `part => ...` names the first
    /// part; further parts must be positional.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![PREFIX, PART])
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["prefixed_hash_parts".to_owned()],
        }
    }
}

impl ScalarUDFImpl for PrefixedHashParts64Func {
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
        Ok(prefixed_hash_parts64(&prefix, &parts, args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn prefixed_hash_parts64(
    prefix: &StringArg<'_>,
    parts: &[StringArg<'_>],
    rows: usize,
) -> ColumnarValue {
    prefixed_ids(prefix, parts, rows, HASH64_DIGITS, |row| {
        Some(hash64_parts(parts.iter().map(|part| part.value(row))))
    })
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `prefix:<hash>` where `<hash>` is `stable_hash64` (decimal) of the \
         parts joined by U+001F (unit separator). A NULL part hashes as the text \
         `__NULL__`; a NULL prefix gives NULL.",
        "prefixed_hash_parts64(prefix, part[, part, ...])",
    )
    .with_sql_example(
        r#"```sql
> SELECT prefixed_hash_parts64('edge', 'a', 'b');
+------------------------------------------------------------+
| prefixed_hash_parts64(Utf8("edge"),Utf8("a"),Utf8("b"))    |
+------------------------------------------------------------+
| edge:8668388485945676816                                   |
+------------------------------------------------------------+
```"#,
    )
    .with_argument("prefix", "The text put before the colon (a string).")
    .with_argument("part", "One or more strings to hash together, in order.")
    .with_alternative_syntax("prefixed_hash_parts(prefix, part[, part, ...])")
    .with_related_udf("prefixed_hash64")
    .with_related_udf("stable_id_parts")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, StringViewArray};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Hashes come from Python:
    // int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(),
    //     digest_size=8).digest(), "big") & 0x7FFF_FFFF_FFFF_FFFF
    const A_B: i64 = 8668388485945676816; // ["a", "b"]
    const A_NULL_C: i64 = 207121701639364099; // ["a", "__NULL__", "c"]
    const X: i64 = 5395104992458594383; // ["x"]
    const A_B_NULL: i64 = 118869496978675444; // ["a", "b", "__NULL__"]

    #[test]
    fn columns_with_a_null_part() {
        let middle = StringViewArray::from(vec![Some("b"), None]);
        let last = StringViewArray::from(vec![None, Some("c")]);
        let ids = invoke(
            &PrefixedHashParts64Func::new(),
            vec![
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("e".into()))),
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("a".into()))),
                ColumnarValue::Array(Arc::new(middle)),
                ColumnarValue::Array(Arc::new(last)),
            ],
            2,
        )
        .unwrap()
        .into_array(2)
        .unwrap();
        let ids: Vec<_> = ids.as_string::<i32>().iter().collect();
        assert_eq!(ids[0], Some(format!("e:{A_B_NULL}").as_str()));
        assert_eq!(ids[1], Some(format!("e:{A_NULL_C}").as_str()));
    }

    #[tokio::test]
    async fn sql_variadic_named_and_alias() {
        for (sql, hash) in [
            ("SELECT prefixed_hash_parts64('edge', 'a', 'b')", A_B),
            ("SELECT prefixed_hash_parts('edge', 'a', 'b')", A_B),
            (
                "SELECT prefixed_hash_parts64('edge', 'a', NULL, 'c')",
                A_NULL_C,
            ),
            (
                "SELECT prefixed_hash_parts64(prefix => 'edge', part => 'x')",
                X,
            ),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Utf8(Some(format!("edge:{hash}"))),
                "{sql}"
            );
        }
        assert_eq!(
            sql_value("SELECT prefixed_hash_parts64(NULL, 'a')")
                .await
                .unwrap(),
            ScalarValue::Utf8(None)
        );
        let err = sql_value("SELECT prefixed_hash_parts64('edge')")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("prefixed_hash_parts64 expects 'prefix' followed by at least one 'part'"),
            "{err}"
        );
    }
}
