//! Stable hashes and ids (Blake2b based).
//!
//! Every function here agrees bit for bit with the Python side's
//! `hashlib.blake2b(..., digest_size=8 | 16)`: see [`digest`] for the one
//! definition of the hash and `tests/fixtures/hash_vectors.json` for the
//! cross-language vectors.

use std::sync::Arc;

use datafusion::logical_expr::{DocSection, ScalarUDF};

pub mod digest;
mod prefixed;

pub mod prefixed_hash64;
pub mod prefixed_hash_parts64;
pub mod stable_hash128;
pub mod stable_hash64;
pub mod stable_hash_any;
pub mod stable_id;
pub mod stable_id_parts;

pub use prefixed_hash_parts64::PrefixedHashParts64Func;
pub use prefixed_hash64::PrefixedHash64Func;
pub use stable_hash_any::StableHashAnyFunc;
pub use stable_hash64::StableHash64Func;
pub use stable_hash128::StableHash128Func;
pub use stable_id::StableIdFunc;
pub use stable_id_parts::StableIdPartsFunc;

/// The documentation section every function of the family is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy hashing",
    description: Some(
        "Stable Blake2b hashes and ids that match Python's hashlib.blake2b \
         with digest_size 8 or 16.",
    ),
};

/// Every function of the hash family.
pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(StableHash64Func::new())),
        Arc::new(ScalarUDF::new_from_impl(StableHash128Func::new())),
        Arc::new(ScalarUDF::new_from_impl(PrefixedHash64Func::new())),
        Arc::new(ScalarUDF::new_from_impl(StableIdFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(StableIdPartsFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(PrefixedHashParts64Func::new())),
        Arc::new(ScalarUDF::new_from_impl(StableHashAnyFunc::new())),
    ]
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{session, sql_value};

    #[test]
    fn every_function_is_documented_under_the_family_section() {
        for udf in functions() {
            let Some(doc) = udf.documentation() else {
                panic!("{} has no documentation", udf.name());
            };
            assert_eq!(
                doc.doc_section.label,
                "CodeAnatomy hashing",
                "{}",
                udf.name()
            );
            assert!(doc.syntax_example.starts_with(udf.name()), "{}", udf.name());
        }
    }

    /// Column inputs take the array kernels, unlike the literal-only tests.
    #[tokio::test]
    async fn sql_over_a_table_uses_the_array_path() {
        let batches = session()
            .sql(
                "SELECT stable_hash64(column1), stable_id_parts('n', column1, column2) \
                 FROM (VALUES ('alpha', 'b'), (NULL, NULL), ('', 'b'))",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let hashes: Vec<_> = batches
            .iter()
            .flat_map(|batch| {
                batch
                    .column(0)
                    .as_primitive::<Int64Type>()
                    .iter()
                    .collect::<Vec<_>>()
            })
            .collect();
        // hashlib.blake2b(b"alpha" / b"", digest_size=8), big-endian, masked.
        assert_eq!(
            hashes,
            vec![Some(5982700193828047002), None, Some(7252660547403494068)]
        );
        let ids: Vec<_> = batches
            .iter()
            .flat_map(|batch| {
                batch
                    .column(1)
                    .as_string::<i32>()
                    .iter()
                    .map(|id| id.map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .collect();
        // hashlib.blake2b("__NULL__\x1f__NULL__".encode(), digest_size=16).
        assert_eq!(
            ids[1].as_deref(),
            Some("n:ee44ab125fec935de00439e0697bb825")
        );
    }

    #[tokio::test]
    async fn sql_plan_errors_carry_our_message() {
        // Numbers have a text form and are hashed as that text, as
        // DataFusion coerces them into its own string functions.
        assert_eq!(
            sql_value("SELECT stable_hash64(1)").await.unwrap(),
            sql_value("SELECT stable_hash64('1')").await.unwrap()
        );
        let err = sql_value("SELECT stable_hash64(named_struct('a', 1))")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("stable_hash64 expects a string for argument 'value', got Struct"),
            "{err}"
        );
        let err = sql_value("SELECT hash64()").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("stable_hash64 expects 1 argument (value), got 0"),
            "{err}"
        );
        let err = sql_value("SELECT stable_id(prefix => 'n', id => 'x')")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("Unknown parameter name 'id'"),
            "{err}"
        );
    }

    /// Every cross-language vector (expected values from Python's hashlib),
    /// run in-process; the host tests run the same file through the plugin.
    #[tokio::test]
    async fn python_vectors_hold_in_process() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/hash_vectors.json"
        );
        let text = std::fs::read_to_string(path).expect(path);
        let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert!(vectors.len() > 50, "{path} looks truncated");
        for vector in vectors {
            let sql = vector["sql"].as_str().unwrap();
            let actual = match sql_value(sql).await {
                Ok(ScalarValue::Int64(value)) => value.map(serde_json::Value::from),
                Ok(ScalarValue::Utf8(value)) => value.map(serde_json::Value::from),
                other => panic!("{sql}: unexpected result {other:?}"),
            }
            .unwrap_or(serde_json::Value::Null);
            assert_eq!(actual, vector["expected"], "{sql}");
        }
    }
}
