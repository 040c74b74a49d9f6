//! The SQL conformance suite: every `tests/slt/*.slt` file, run through a
//! session with the real plugin dylib installed by the host shim.

use std::path::PathBuf;

use df_plugin_tests::session_with_plugin;
use df_plugin_tests::slt::run_file;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/slt exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .slt files in {}", dir.display());
    // One file may be chosen with SLT_FILTER=<substring of the file name>.
    let filter = std::env::var("SLT_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in files
        .iter()
        .filter(|f| f.to_string_lossy().contains(&filter))
    {
        ran += 1;
        if let Err(e) = run_file(file, session_with_plugin).await {
            failures.push(e);
        }
    }
    assert!(ran > 0, "SLT_FILTER={filter:?} matched no file");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
