//! The position family through the real dylib, against offsets computed by
//! Python's codecs (tests/fixtures/position_vectors.py wrote the fixture).

use df_plugin_tests::{failing_vector_cases, session_with_plugin, vector_cases};
use serde_json::Value;

#[tokio::test]
async fn every_fixture_case_matches_python() {
    let ctx = session_with_plugin();
    let cases = vector_cases("position_vectors.json");
    assert!(cases.len() >= 500, "the fixture covers the family");
    let failures = failing_vector_cases(&ctx, &cases).await;
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Offsets must not depend on how rows are batched or on the string layout
/// the lines arrive in.
#[tokio::test]
async fn offsets_do_not_depend_on_batch_size_or_layout() {
    let ctx = session_with_plugin();
    ctx.sql("SET datafusion.execution.batch_size = 2")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let rows = df_plugin_tests::query_rows(
        &ctx,
        "SELECT col_to_byte(l, c, u) AS plain,
                col_to_byte(l, c, u) = col_to_byte(arrow_cast(l, 'LargeUtf8'), c, u) AS large_same,
                col_to_byte(l, c, u) = col_to_byte(arrow_cast(l, 'Utf8View'), c, u) AS view_same,
                col_to_byte(l, c, u) = col_to_byte(arrow_cast(l, 'Dictionary(Int32, Utf8)'), c, u) AS dict_same,
                col_to_byte(l, c, u) = col_to_byte(l, arrow_cast(c, 'Int32'), arrow_cast(u, 'Dictionary(Int8, Utf8)')) AS int32_same
         FROM (VALUES ('a😀b', 3, 'utf16'), ('漢字', 1, 'utf32'), ('e\u{301}', 1, 'utf8'),
                      ('x', 9, 'UTF16'), ('', 0, 'byte')) AS t(l, c, u)",
    )
    .await
    .unwrap();
    let plain: Vec<_> = rows.iter().map(|row| row["plain"].clone()).collect();
    assert_eq!(plain, [5, 3, 1, 1, 0].map(Value::from).to_vec());
    for row in rows {
        for col in ["large_same", "view_same", "dict_same", "int32_same"] {
            assert_eq!(row[col], Value::Bool(true), "{col} in {row}");
        }
    }
}
