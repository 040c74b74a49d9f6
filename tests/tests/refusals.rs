//! Every way a plugin can be refused, each with its own error variant, and
//! the process still alive afterwards (each test goes on to load the good
//! plugin and run a query).

use std::path::Path;
use std::process::Command;

use df_plugin_host::error::Mismatch;
use df_plugin_host::{LoadError, Plugin, Requirements};
use df_plugin_tests::{built_library, plugin_path, query_scalar, scratch_dir, session_with_plugin};

fn load(path: &Path) -> Result<Plugin, LoadError> {
    Plugin::load(path, &Requirements::new())
}

/// Proves the host is alive and healthy after a refusal.
async fn still_alive() {
    let ctx = session_with_plugin();
    let v = query_scalar(&ctx, "SELECT 40 + 2").await.unwrap();
    assert_eq!(v, serde_json::json!(42));
}

#[tokio::test]
async fn missing_file_is_not_found() {
    let dir = scratch_dir("missing");
    let path = dir.join("no-such-plugin.so");
    let err = load(&path).unwrap_err();
    assert!(matches!(err, LoadError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("no-such-plugin.so"), "{err}");
    still_alive().await;
}

#[tokio::test]
async fn directory_is_not_a_file() {
    let dir = scratch_dir("directory");
    let err = load(&dir).unwrap_err();
    assert!(
        matches!(&err, LoadError::NotAFile { found, .. } if found == "a directory"),
        "{err}"
    );
    still_alive().await;
}

#[tokio::test]
async fn text_file_is_not_a_library() {
    let dir = scratch_dir("text");
    let path = dir.join("libfake.so");
    std::fs::write(&path, "this is not an ELF file\n").unwrap();
    let err = load(&path).unwrap_err();
    assert!(matches!(err, LoadError::NotALibrary { .. }), "{err}");
    still_alive().await;
}

#[tokio::test]
async fn truncated_plugin_is_not_a_library() {
    let dir = scratch_dir("truncated");
    let bytes = std::fs::read(plugin_path()).unwrap();
    let path = dir.join("libtruncated.so");
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let err = load(&path).unwrap_err();
    assert!(matches!(err, LoadError::NotALibrary { .. }), "{err}");
    still_alive().await;
}

#[tokio::test]
async fn shared_library_without_root_module_is_refused() {
    let err = load(&built_library("not_a_plugin")).unwrap_err();
    assert!(
        matches!(&err, LoadError::NoRootModule { symbol, .. } if !symbol.is_empty()),
        "{err}"
    );
    assert!(err.to_string().contains("not a df-plugin"), "{err}");
    still_alive().await;
}

#[tokio::test]
async fn other_abi_major_is_refused() {
    let err = load(&built_library("abi_major_plugin")).unwrap_err();
    assert!(
        matches!(
            err,
            LoadError::Incompatible(Mismatch::AbiMajor {
                expected: 1,
                found: 2
            })
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("host expects ABI major 1, plugin was built for ABI major 2"),
        "{err}"
    );
    still_alive().await;
}

#[tokio::test]
async fn unmet_version_requirement_is_refused() {
    let req = Requirements::new().require_version(">=99.0").unwrap();
    let err = Plugin::load(plugin_path(), &req).unwrap_err();
    match &err {
        LoadError::Incompatible(Mismatch::PluginVersion { required, found }) => {
            assert_eq!(required, ">=99.0");
            assert_eq!(found, "0.1.0");
        }
        other => panic!("expected a plugin version mismatch, got {other}"),
    }
    still_alive().await;
}

#[tokio::test]
async fn missing_capability_is_refused() {
    let req = Requirements::new()
        .require_capability("scalar_udf")
        .unwrap()
        .require_capability("gpu_kernels@1")
        .unwrap();
    let err = Plugin::load(plugin_path(), &req).unwrap_err();
    assert!(
        matches!(
            &err,
            LoadError::Incompatible(Mismatch::MissingCapability { name, required: 1 }) if name == "gpu_kernels"
        ),
        "{err}"
    );
    still_alive().await;
}

#[tokio::test]
async fn capability_below_required_version_is_refused() {
    let req = Requirements::new()
        .require_capability("scalar_udf@99")
        .unwrap();
    let err = Plugin::load(plugin_path(), &req).unwrap_err();
    assert!(
        matches!(
            &err,
            LoadError::Incompatible(Mismatch::CapabilityVersion { name, required: 99, found: 1 }) if name == "scalar_udf"
        ),
        "{err}"
    );
    still_alive().await;
}

/// SHA-256 of a file as `sha256sum` (coreutils) computes it.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[tokio::test]
async fn sha256_pin_is_enforced() {
    let path = plugin_path();
    let real = sha256sum(&path);
    let wrong = "0".repeat(64);
    let req = Requirements::new().pin_sha256(&wrong).unwrap();
    let err = Plugin::load(&path, &req).unwrap_err();
    match &err {
        LoadError::Sha256Mismatch {
            expected, found, ..
        } => {
            assert_eq!(expected, &wrong);
            assert_eq!(found, &real);
        }
        other => panic!("expected a SHA-256 mismatch, got {other}"),
    }
    let ok = Requirements::new()
        .pin_sha256(&real.to_uppercase())
        .unwrap();
    Plugin::load(&path, &ok).expect("the right pin (any case) loads");
    still_alive().await;
}

#[tokio::test]
async fn malformed_requirements_are_refused_before_loading() {
    let err = Requirements::new()
        .require_version("not a version")
        .unwrap_err();
    assert!(matches!(err, LoadError::InvalidRequirement { .. }), "{err}");
    let err = Requirements::new().pin_sha256("abc").unwrap_err();
    assert!(matches!(err, LoadError::InvalidRequirement { .. }), "{err}");
}

#[tokio::test]
async fn panicking_udf_is_an_error_not_an_abort() {
    let faulty = Plugin::load(built_library("faulty_plugin"), &Requirements::new())
        .expect("the faulty fixture is a valid plugin");
    let ctx = datafusion::prelude::SessionContext::new();
    faulty.install(&ctx).unwrap();
    let err = query_scalar(&ctx, "SELECT always_panics(1)")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("always_panics panicked"), "{text}");
    assert!(
        text.contains("deliberate panic from the faulty fixture"),
        "{text}"
    );
    // The same session keeps working, with the same plugin's other functions.
    let v = query_scalar(&ctx, "SELECT length(stable_hash128('x'))")
        .await
        .unwrap();
    assert_eq!(v, serde_json::json!(32));
    still_alive().await;
}
