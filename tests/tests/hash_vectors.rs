//! The hash/id family through the real dylib, against values computed by
//! Python's `hashlib` (tests/fixtures/hash_vectors.py wrote the fixture).

use df_plugin_tests::{failing_vector_cases, session_with_plugin, vector_cases};
use serde_json::Value;

#[tokio::test]
async fn every_fixture_case_matches_hashlib() {
    let ctx = session_with_plugin();
    let cases = vector_cases("hash_vectors.json");
    assert!(cases.len() >= 20, "the fixture covers the family");
    let failures = failing_vector_cases(&ctx, &cases).await;
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

/// Deterministic pseudo-random text mixing ASCII, accents, CJK, emoji and
/// the separator itself, so the property is checked on awkward inputs.
fn random_texts(n: usize, mut seed: u64) -> Vec<String> {
    const ALPHABET: [&str; 12] = [
        "a", "Z", "0", " ", "é", "e\u{301}", "漢", "😀", "\u{1f}", ".", "ß", "İ",
    ];
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize;
            (0..len)
                .map(|i| ALPHABET[((seed >> (i * 4 % 56)) & 0xf) as usize % ALPHABET.len()])
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn parts_equal_joined_text_for_random_inputs_at_every_batch_size() {
    use std::sync::Arc;

    use datafusion::arrow::array::{RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;

    let a = random_texts(600, 7);
    let b = random_texts(600, 11);
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Utf8, true),
        Field::new("b", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(StringArray::from(a)),
            Arc::new(StringArray::from(b)),
        ],
    )
    .unwrap();
    let sql = "SELECT stable_id_parts('p', a, b) AS parts, stable_id('p', a || chr(31) || b) AS joined, \
               stable_hash64(a) AS h FROM t ORDER BY a, b";
    let mut results = Vec::new();
    for batch_size in [1, 7, 8192] {
        let ctx = session_with_plugin();
        ctx.sql(&format!(
            "SET datafusion.execution.batch_size = {batch_size}"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
        let table = MemTable::try_new(Arc::clone(&schema), vec![vec![batch.clone()]]).unwrap();
        ctx.register_table("t", Arc::new(table)).unwrap();
        let rows = df_plugin_tests::query_rows(&ctx, sql).await.unwrap();
        for row in &rows {
            assert_eq!(row["parts"], row["joined"], "{row}");
        }
        results.push(rows);
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[1], results[2]);
}
