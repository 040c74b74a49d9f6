//! The `df-plugin` command line, run as a process against the real plugin.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_df-plugin"))
}

/// The plugin cdylib cargo built beside the test binaries.
fn plugin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let found = df_plugin_host::locate::plugin_beside(exe.parent().unwrap());
    found.expect("the plugin cdylib is built beside the test binary (dev-dependency)")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Hash vectors computed by Python's hashlib (tests/fixtures/hash_vectors.py).
fn hashlib_value(sql: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hash_vectors.json");
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["sql"] == sql)
        .unwrap_or_else(|| panic!("no fixture case for {sql}"))["expected"]
        .clone()
}

#[test]
fn sql_prints_the_hashlib_values() {
    let out = cli()
        .args(["sql", "--plugin"])
        .arg(plugin())
        .args([
            "SELECT stable_hash64('alpha') AS h, stable_id('fn', 'a.b') AS id",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let rows: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(rows[0]["h"], hashlib_value("SELECT stable_hash64('alpha')"));
    assert_eq!(
        rows[0]["id"],
        hashlib_value("SELECT stable_id('fn', 'a.b')")
    );
}

#[test]
fn sql_finds_the_plugin_built_beside_it_and_prints_a_table() {
    let out = cli()
        .args(["sql", "SELECT stable_hash64('alpha') AS h"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let expected = hashlib_value("SELECT stable_hash64('alpha')").to_string();
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(stdout.contains("| h "), "{stdout}");
}

#[test]
fn sql_runs_a_file_of_statements_as_csv() {
    let dir = std::env::temp_dir().join(format!("df-plugin-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("q.sql");
    std::fs::write(
        &file,
        "CREATE TABLE t AS VALUES ('alpha'), ('beta');\nSELECT column1 AS v, length(stable_hash128(column1)) AS n FROM t ORDER BY v;\n",
    )
    .unwrap();
    let out = cli()
        .args(["sql", "--plugin"])
        .arg(plugin())
        .arg("-f")
        .arg(&file)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("v,n\nalpha,32\nbeta,32\n"), "{stdout}");
}

#[test]
fn sql_reports_a_bad_query_and_exits_nonzero() {
    let out = cli()
        .args(["sql", "--plugin"])
        .arg(plugin())
        .arg("SELECT no_such_function(1)")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("no_such_function"), "{stderr}");
}

#[test]
fn check_accepts_met_requirements() {
    let out = cli()
        .arg("check")
        .arg(plugin())
        .args([
            "--require-version",
            ">=0.1, <1",
            "--require",
            "scalar_udf@1",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("ok: codeanatomy 0.1.0"), "{stdout}");
}

#[test]
fn check_refuses_with_the_reason() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["--require", "gpu_kernels@1"],
            "lacks required capability gpu_kernels",
        ),
        (
            &["--require-version", ">=5"],
            "does not satisfy the required version >=5",
        ),
        (
            &[
                "--sha256",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ],
            "does not match its SHA-256 pin",
        ),
    ];
    for (args, reason) in cases {
        let out = cli()
            .arg("check")
            .arg(plugin())
            .args(args)
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
    let out = cli()
        .args(["check", "/no/such/plugin.so"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("plugin file not found"));
}

#[test]
fn inspect_json_lists_manifest_and_functions() {
    let out = cli()
        .arg("inspect")
        .arg(plugin())
        .arg("--json")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["manifest"]["plugin_name"], "codeanatomy");
    assert_eq!(doc["manifest"]["datafusion_ffi_major"], 55);
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    let names: Vec<&str> = doc["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for name in ["stable_hash64", "stable_id_parts", "stable_hash_any"] {
        assert!(names.contains(&name), "{names:?}");
    }
}

#[test]
fn inspect_text_shows_aliases_and_parameters() {
    let out = cli().arg("inspect").arg(plugin()).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("scalar   stable_hash64(value)  (aliases: hash64)"),
        "{stdout}"
    );
    assert!(stdout.contains("capabilities scalar_udf@1"), "{stdout}");
}
