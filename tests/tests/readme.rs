//! The README's SQL examples, run through the real plugin: each ```sql block
//! followed by a ```text block must print exactly that table.

use datafusion::arrow::util::pretty::pretty_format_batches;
use df_plugin_tests::session_with_plugin;

fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((lang.to_string(), body.join("\n")));
        }
    }
    blocks
}

#[tokio::test]
async fn readme_sql_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md exists");
    let blocks = fenced_blocks(&readme);
    let ctx = session_with_plugin();
    let mut checked = 0;
    for pair in blocks.windows(2) {
        let [(lang, sql), (next_lang, expected)] = pair else {
            continue;
        };
        if lang != "sql" || next_lang != "text" {
            continue;
        }
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        let shown = pretty_format_batches(&batches).unwrap().to_string();
        assert_eq!(shown.trim(), expected.trim(), "README example: {sql}");
        checked += 1;
    }
    assert!(
        checked >= 1,
        "the README has at least one SQL example with output"
    );
}
