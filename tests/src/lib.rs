//! Support for the integration tests: finding the real built plugin files
//! and running SQL against a session they were installed into.
//!
//! Cargo builds the cdylibs of this crate's dev-dependencies (the plugin and
//! the fixture plugins) into the same directory as the test binaries, so the
//! files are found next to the running test executable; no path to a target
//! directory is assumed.

use std::path::PathBuf;

use datafusion::arrow::json::ArrayWriter;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use df_plugin_host::{Plugin, Requirements};
use serde_json::Value;

/// Path of the cdylib of the workspace library `crate_name`, built beside
/// the running test binary.
pub fn built_library(crate_name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    let dir = exe.parent().expect("the test binary lives in a directory");
    let file = format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        crate_name,
        std::env::consts::DLL_SUFFIX
    );
    let path = dir.join(&file);
    assert!(
        path.is_file(),
        "{} was not built beside the test binary (is `{crate_name}` a dev-dependency of df-plugin-tests?)",
        path.display()
    );
    path
}

/// The CodeAnatomy plugin dylib.
pub fn plugin_path() -> PathBuf {
    built_library("df_plugin_codeanatomy")
}

/// Loads the plugin with no extra requirements.
pub fn load_plugin() -> Plugin {
    Plugin::load(plugin_path(), &Requirements::new()).expect("the built plugin loads")
}

/// A fresh session with the plugin installed.
pub fn session_with_plugin() -> SessionContext {
    let ctx = SessionContext::new();
    load_plugin()
        .install(&ctx)
        .expect("the built plugin installs");
    ctx
}

/// Runs one statement and returns its rows as JSON objects.
pub async fn query_rows(ctx: &SessionContext, sql: &str) -> datafusion::common::Result<Vec<Value>> {
    let batches = ctx.sql(sql).await?.collect().await?;
    Ok(batches_to_json(&batches))
}

/// Runs a statement that yields one row with one column and returns that value.
pub async fn query_scalar(ctx: &SessionContext, sql: &str) -> datafusion::common::Result<Value> {
    let rows = query_rows(ctx, sql).await?;
    assert_eq!(rows.len(), 1, "expected one row from {sql}, got {rows:?}");
    let object = rows[0].as_object().expect("rows are JSON objects");
    assert_eq!(
        object.len(),
        1,
        "expected one column from {sql}, got {object:?}"
    );
    Ok(object.values().next().cloned().unwrap_or(Value::Null))
}

/// Record batches as JSON objects (NULLs as JSON null).
pub fn batches_to_json(batches: &[RecordBatch]) -> Vec<Value> {
    let mut buf = Vec::new();
    {
        let mut writer = ArrayWriter::new(&mut buf);
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        writer.write_batches(&refs).expect("batches encode as JSON");
        writer.finish().expect("JSON writer finishes");
    }
    if buf.is_empty() {
        return Vec::new();
    }
    let parsed: Value = serde_json::from_slice(&buf).expect("the JSON writer writes JSON");
    // The JSON writer omits NULL columns; callers compare whole rows, so
    // every column of the schema is put back explicitly.
    let columns: Vec<String> = batches
        .first()
        .map(|b| {
            b.schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect()
        })
        .unwrap_or_default();
    parsed
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut row| {
            if let Some(obj) = row.as_object_mut() {
                for c in &columns {
                    obj.entry(c.clone()).or_insert(Value::Null);
                }
            }
            row
        })
        .collect()
}

/// A fresh scratch directory for one test.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("df-plugin-tests-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir can be created");
    dir
}

/// Path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The workspace root (the directory holding `Cargo.toml` of the workspace).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

/// A command running the cargo that runs the tests (`$CARGO`, else `cargo` on
/// the path), in the workspace root.
pub fn cargo_command() -> std::process::Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = std::process::Command::new(cargo);
    command.current_dir(workspace_root());
    command
}

/// The Python interpreter the Delta tests compute expected results with:
/// `$DF_PLUGIN_PYTHON`, or `<workspace>/.venv/bin/python`. Panics (fails the
/// test, never skips it) when it is missing or lacks `deltalake`/`pyarrow`.
pub fn python() -> PathBuf {
    let path = std::env::var_os("DF_PLUGIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv").join("bin").join("python"));
    assert!(
        path.exists(),
        "Python interpreter {} not found: run scripts/test (it creates the venv with \
         scripts/python-env) or point DF_PLUGIN_PYTHON at a Python with deltalake and pyarrow",
        path.display()
    );
    let check = std::process::Command::new(&path)
        .args(["-c", "import deltalake, pyarrow"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; run scripts/test", path.display()));
    assert!(
        check.status.success(),
        "{} cannot import deltalake and pyarrow: run scripts/test (scripts/python-env installs \
         them): {}",
        path.display(),
        String::from_utf8_lossy(&check.stderr)
    );
    path
}

/// Runs `tests/delta/<script>` with [`python`] and parses its stdout as JSON.
pub fn run_python(script: &str, args: &[&str]) -> Value {
    let script_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("delta")
        .join(script);
    run_python_args(&[script_path.to_str().expect("UTF-8 path")], args)
}

/// Runs Python code given with `-c` and returns its stdout as text.
pub fn run_python_code(code: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python -c failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn run_python_args(first: &[&str], args: &[&str]) -> Value {
    let out = std::process::Command::new(python())
        .args(first)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{first:?} {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{first:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// JSON with every number as a float, so `3` and `3.0` compare equal.
pub fn numbers_as_floats(value: Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map(Value::from).unwrap_or(Value::Number(n)),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_floats).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_floats(v)))
                .collect(),
        ),
        other => other,
    }
}

pub mod matrix;
pub mod slt;

/// The `{"sql", "expected"}` cases of a vector fixture that a Python script
/// under `tests/fixtures/` wrote from an independent implementation.
pub fn vector_cases(file: &str) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(fixture(file)).expect("fixture exists");
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

/// Runs every vector case as a one-value query; the failures, one line each.
pub async fn failing_vector_cases(ctx: &SessionContext, cases: &[(String, Value)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (sql, expected) in cases {
        match query_scalar(ctx, sql).await {
            Ok(got) if same_json(&got, expected) => {}
            Ok(got) => failures.push(format!("{sql}: expected {expected}, got {got}")),
            Err(e) => failures.push(format!("{sql}: error {e}")),
        }
    }
    failures
}

/// Equal as JSON, numbers compared by value (Arrow's JSON writer may print a
/// float `1.0` where Python wrote `1`).
pub fn same_json(got: &Value, expected: &Value) -> bool {
    match (got, expected) {
        (Value::Number(got), Value::Number(expected)) if expected.is_f64() || got.is_f64() => {
            got.as_f64() == expected.as_f64()
        }
        (Value::Array(got), Value::Array(expected)) => {
            got.len() == expected.len() && got.iter().zip(expected).all(|(g, e)| same_json(g, e))
        }
        _ => got == expected,
    }
}
