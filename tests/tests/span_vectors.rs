//! The span family through the real dylib, against values computed by
//! Python (hashlib for ids, byte sets for lengths, overlaps and scores;
//! tests/fixtures/span_vectors.py wrote the fixture), plus what only the
//! dylib path can show: the return field's metadata and the configurable
//! defaults crossing the FFI.

use datafusion::prelude::SessionContext;
use df_plugin_tests::{
    failing_vector_cases, load_plugin, query_scalar, session_with_plugin, vector_cases,
};
use serde_json::{Value, json};

#[tokio::test]
async fn every_fixture_case_matches_python() {
    let ctx = session_with_plugin();
    let cases = vector_cases("span_vectors.json");
    assert!(cases.len() >= 300, "the fixture covers the family");
    let failures = failing_vector_cases(&ctx, &cases).await;
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The `semantic_type=Span` metadata survives the FFI into the host's plan.
#[tokio::test]
async fn span_fields_carry_their_semantic_type() {
    let ctx = session_with_plugin();
    for sql in [
        "SELECT span_make(1, 5) AS s",
        "SELECT span(column1, column2) AS s FROM (VALUES (1, 5), (2, 3))",
    ] {
        let frame = ctx.sql(sql).await.unwrap();
        let field = frame.schema().field(0).clone();
        assert_eq!(
            field.metadata().get("semantic_type").map(String::as_str),
            Some("Span"),
            "{sql}"
        );
        let batches = frame.collect().await.unwrap();
        assert_eq!(
            batches[0]
                .schema()
                .field(0)
                .metadata()
                .get("semantic_type")
                .map(String::as_str),
            Some("Span"),
            "{sql}: the executed batches agree"
        );
    }
}

async fn span_of(ctx: &SessionContext, sql: &str) -> Value {
    query_scalar(ctx, sql).await.unwrap()
}

/// Omitted arguments take the install options, and a session's `SET`
/// overrides them, through the dylib.
#[tokio::test]
async fn defaults_come_from_install_options_and_session_settings() {
    let ctx = SessionContext::new();
    load_plugin()
        .install_with_options(
            &ctx,
            &json!({"span_line_base": 1, "span_col_unit": "UTF16", "span_end_exclusive": false}),
        )
        .expect("the plugin installs with span options");
    let expected = json!({"bstart": 1, "bend": 5, "line_base": 1, "col_unit": "utf16", "end_exclusive": false});
    assert_eq!(span_of(&ctx, "SELECT span_make(1, 5)").await, expected);
    assert_eq!(
        span_of(&ctx, "SELECT span_make(column1, 5) FROM (VALUES (1))").await,
        expected
    );

    ctx.sql("SET codeanatomy_udf.span_col_unit = 'utf32'")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let value = span_of(&ctx, "SELECT span_make(column1, 5) FROM (VALUES (1))").await;
    assert_eq!(value["col_unit"], json!("utf32"), "{value}");
    // Explicit arguments always win over settings.
    let value = span_of(&ctx, "SELECT span_make(1, 5, 0, 'byte', true)").await;
    assert_eq!(value["col_unit"], json!("byte"), "{value}");
    assert_eq!(value["line_base"], json!(0), "{value}");
}
