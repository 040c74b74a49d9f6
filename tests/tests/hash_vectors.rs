//! The hash/id family through the real dylib, against values computed by
//! Python's `hashlib` (tests/fixtures/hash_vectors.py wrote the fixture).

use df_plugin_tests::{fixture, query_scalar, session_with_plugin};
use serde_json::Value;

fn cases() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(fixture("hash_vectors.json")).expect("fixture exists");
    let parsed: Value = serde_json::from_str(&text).expect("fixture is JSON");
    parsed
        .as_array()
        .expect("fixture is a list")
        .iter()
        .map(|case| {
            (
                case["sql"].as_str().expect("case has sql").to_string(),
                case["expected"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_fixture_case_matches_hashlib() {
    let ctx = session_with_plugin();
    let cases = cases();
    assert!(cases.len() >= 20, "the fixture covers the family");
    let mut failures = Vec::new();
    for (sql, expected) in &cases {
        match query_scalar(&ctx, sql).await {
            Ok(got) if &got == expected => {}
            Ok(got) => failures.push(format!("{sql}: expected {expected}, got {got}")),
            Err(e) => failures.push(format!("{sql}: error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn hashes_do_not_depend_on_batch_size_or_input_type() {
    let ctx = session_with_plugin();
    ctx.sql("SET datafusion.execution.batch_size = 3")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let rows = df_plugin_tests::query_rows(
        &ctx,
        "SELECT v,
                stable_hash64(v) = stable_hash64(arrow_cast(v, 'LargeUtf8')) AS large_same,
                stable_hash64(v) = stable_hash64(arrow_cast(v, 'Utf8View')) AS view_same,
                stable_hash64(v) = stable_hash64(arrow_cast(v, 'Dictionary(Int32, Utf8)')) AS dict_same,
                stable_id_parts('p', v, 'x') = stable_id('p', v || chr(31) || 'x') AS parts_same
         FROM (VALUES ('a'), ('bb'), ('ccc'), ('δ'), ('😀'), ('x y'), ('z'), ('')) AS t(v)",
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 8);
    for row in rows {
        for col in ["large_same", "view_same", "dict_same", "parts_same"] {
            assert_eq!(row[col], Value::Bool(true), "{col} in {row}");
        }
    }
}
