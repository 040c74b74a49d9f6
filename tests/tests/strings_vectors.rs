//! The text family through the real dylib, against values computed by
//! Python's `unicodedata` and `str` methods (tests/fixtures/strings_vectors.py
//! wrote the fixture).

use datafusion::prelude::SessionContext;
use df_plugin_tests::{
    failing_vector_cases, load_plugin, query_rows, query_scalar, session_with_plugin, vector_cases,
};
use serde_json::json;

#[tokio::test]
async fn every_fixture_case_matches_python() {
    let ctx = session_with_plugin();
    let cases = vector_cases("strings_vectors.json");
    assert!(cases.len() >= 300, "the fixture covers the family");
    let failures = failing_vector_cases(&ctx, &cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same values as columns, in small batches: the array kernels agree
/// with the one-value queries above.
#[tokio::test]
async fn columns_agree_with_single_values() {
    let ctx = session_with_plugin();
    ctx.sql("SET datafusion.execution.batch_size = 3")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let rows = query_rows(
        &ctx,
        "SELECT utf8_normalize(v) AS n, utf8_normalize(v, 'NFD', false, false) AS d,
                utf8_null_if_blank(v) AS b
         FROM (VALUES ('Straße'), (' Ａ  B '), (NULL), (''), ('\u{3000}'), ('e\u{301}'),
                      ('İ'), ('ΟΔΟΣ')) AS t(v)",
    )
    .await
    .unwrap();
    let expected = [
        ("strasse", "Stra\u{DF}e", Some("Straße")),
        ("a b", " Ａ  B ", Some(" Ａ  B ")),
        ("", "", None),
        ("", "", None),
        ("", "\u{3000}", None),
        ("\u{E9}", "e\u{301}", Some("e\u{301}")),
        ("i\u{307}", "I\u{307}", Some("İ")),
        ("οδοσ", "ΟΔΟΣ", Some("ΟΔΟΣ")),
    ];
    assert_eq!(rows.len(), expected.len());
    for (index, (row, (n, d, b))) in rows.iter().zip(expected).enumerate() {
        if index == 2 {
            assert_eq!(row, &json!({"n": null, "d": null, "b": null}));
            continue;
        }
        assert_eq!(row, &json!({"n": n, "d": d, "b": b}), "row {index}");
    }
}

/// Install options set the defaults of `utf8_normalize`'s omitted
/// arguments in the dylib as they do in-process.
#[tokio::test]
async fn install_options_set_the_defaults() {
    let ctx = SessionContext::new();
    load_plugin()
        .install_with_options(
            &ctx,
            &json!({"utf8_normalize_form": "NFD", "utf8_normalize_casefold": false}),
        )
        .expect("the plugin installs with options");
    assert_eq!(
        query_scalar(&ctx, "SELECT utf8_normalize(' \u{C9}  x ')")
            .await
            .unwrap(),
        json!("E\u{301} x")
    );
    assert_eq!(
        query_scalar(&ctx, "SELECT utf8_normalize(' \u{C9}  x ', 'NFC', true)")
            .await
            .unwrap(),
        json!("\u{E9} x")
    );
}
