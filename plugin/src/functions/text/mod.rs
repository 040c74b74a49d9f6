//! Strings and names: Unicode normalisation, blank detection, qualified
//! names and semantic tags.
//!
//! Whitespace means the same everywhere in the family: Python's
//! `str.isspace()` (see [`whitespace`]). `utf8_normalize` and
//! `utf8_null_if_blank` agree with Python 3's `unicodedata` and
//! `str.casefold`; `tests/fixtures/strings_vectors.json` holds the
//! cross-language vectors.

use std::sync::Arc;

use datafusion::logical_expr::{DocSection, ScalarUDF};

use crate::config::CodeAnatomyConfig;

mod whitespace;

pub mod qname_normalize;
pub mod semantic_tag;
pub mod utf8_normalize;
pub mod utf8_null_if_blank;

pub use qname_normalize::QnameNormalizeFunc;
pub use semantic_tag::SemanticTagFunc;
pub use utf8_normalize::Utf8NormalizeFunc;
pub use utf8_null_if_blank::Utf8NullIfBlankFunc;

/// The documentation section every function of the family is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy strings and names",
    description: Some(
        "Unicode normalisation and case folding that match Python's unicodedata and \
         str.casefold, blank detection, qualified names and semantic tags.",
    ),
};

/// Every function of the text family; `defaults` are the install-time
/// defaults of `utf8_normalize`'s optional arguments.
pub fn functions(defaults: &CodeAnatomyConfig) -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(Utf8NormalizeFunc::new(defaults))),
        Arc::new(ScalarUDF::new_from_impl(Utf8NullIfBlankFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(QnameNormalizeFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(SemanticTagFunc::new())),
    ]
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::common::ScalarValue;
    use datafusion::prelude::{SessionConfig, SessionContext};

    use super::*;
    use crate::functions::test_support::sql_value;

    #[test]
    fn every_function_is_documented_under_the_family_section() {
        for udf in functions(&CodeAnatomyConfig::default()) {
            let Some(doc) = udf.documentation() else {
                panic!("{} has no documentation", udf.name());
            };
            assert_eq!(
                doc.doc_section.label,
                "CodeAnatomy strings and names",
                "{}",
                udf.name()
            );
            assert!(doc.syntax_example.starts_with(udf.name()), "{}", udf.name());
        }
    }

    /// A session that knows the `codeanatomy_udf` namespace, as a host that
    /// registers the plugin's configuration does.
    fn configurable_session() -> SessionContext {
        let defaults = CodeAnatomyConfig::default();
        let config = SessionConfig::new().with_option_extension(defaults.clone());
        let ctx = SessionContext::new_with_config(config);
        for udf in functions(&defaults) {
            ctx.register_udf(udf.as_ref().clone());
        }
        ctx
    }

    async fn one_string(ctx: &SessionContext, sql: &str) -> Option<String> {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        let column = batches[0].column(0).as_string::<i32>();
        column.is_valid(0).then(|| column.value(0).to_owned())
    }

    #[tokio::test]
    async fn session_settings_and_install_defaults() {
        let ctx = configurable_session();
        let sql = "SELECT utf8_normalize(column1) FROM (VALUES (' Ａ  ß ')) ";
        assert_eq!(one_string(&ctx, sql).await.as_deref(), Some("a ss"));
        for statement in [
            "SET codeanatomy_udf.utf8_normalize_casefold = false",
            "SET codeanatomy_udf.utf8_normalize_form = 'nfc'",
            "SET codeanatomy_udf.utf8_normalize_collapse_ws = false",
        ] {
            ctx.sql(statement).await.unwrap().collect().await.unwrap();
        }
        assert_eq!(one_string(&ctx, sql).await.as_deref(), Some(" Ａ  ß "));
        // Explicit arguments beat every setting.
        let explicit =
            "SELECT utf8_normalize(column1, 'NFKC', true, true) FROM (VALUES (' Ａ  ß '))";
        assert_eq!(one_string(&ctx, explicit).await.as_deref(), Some("a ss"));

        // A session that says nothing sees the install options.
        let defaults = CodeAnatomyConfig {
            utf8_normalize_casefold: false,
            ..Default::default()
        };
        let ctx = SessionContext::new();
        for udf in functions(&defaults) {
            ctx.register_udf(udf.as_ref().clone());
        }
        assert_eq!(one_string(&ctx, sql).await.as_deref(), Some("A ß"));
    }

    /// Every cross-language vector (expected values from Python's
    /// unicodedata and str methods), run in-process; the host tests run the
    /// same file through the plugin.
    #[tokio::test]
    async fn python_vectors_hold_in_process() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/strings_vectors.json"
        );
        let text = std::fs::read_to_string(path).expect(path);
        let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert!(vectors.len() > 50, "{path} looks truncated");
        for vector in vectors {
            let sql = vector["sql"].as_str().unwrap();
            let actual = match sql_value(sql).await {
                Ok(
                    ScalarValue::Utf8(value)
                    | ScalarValue::LargeUtf8(value)
                    | ScalarValue::Utf8View(value),
                ) => value.map(serde_json::Value::from),
                other => panic!("{sql}: unexpected result {other:?}"),
            }
            .unwrap_or(serde_json::Value::Null);
            assert_eq!(actual, vector["expected"], "{sql}");
        }
    }
}
