//! The README's SQL examples, run through the real plugin: every statement
//! of every ```sql block must run, and a ```text block after one must be
//! exactly what its last statement prints.

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
    for (i, (lang, sql)) in blocks.iter().enumerate() {
        if lang != "sql" {
            continue;
        }
        // Every statement of every SQL block must run; when a ```text block
        // follows, the last statement must print exactly that table.
        let statements: Vec<&str> = sql
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let mut last = String::new();
        for statement in &statements {
            let batches = ctx
                .sql(statement)
                .await
                .unwrap_or_else(|e| panic!("README statement failed: {statement}: {e}"))
                .collect()
                .await
                .unwrap_or_else(|e| panic!("README statement failed: {statement}: {e}"));
            last = pretty_format_batches(&batches).unwrap().to_string();
        }
        if let Some((next_lang, expected)) = blocks.get(i + 1)
            && next_lang == "text"
        {
            assert_eq!(last.trim(), expected.trim(), "README example: {sql}");
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "the README's SQL examples were found ({checked})"
    );
}
