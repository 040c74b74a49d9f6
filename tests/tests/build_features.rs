//! `scripts/test` builds the Python package (`pip install ./host-shim`, the
//! package alone) and then the whole workspace (`cargo test --workspace`);
//! `scripts/bench` builds the plugin, the bench and the package, then pip
//! builds the package alone. Cargo resolves features per build, so when one
//! build enables a feature of a shared dependency that the package alone
//! does not, every crate above it — DataFusion included — is compiled a
//! second time: twice the build time and about a gigabyte more disk (a CI
//! run once ran out of it). This test keeps the feature sets equal.

use df_plugin_tests::cargo_command;
use std::collections::{BTreeMap, BTreeSet};

/// Package (`name vX.Y.Z`) → enabled features, as `cargo tree` resolves them.
fn resolved_features(selection: &[&str], edges: &str) -> BTreeMap<String, BTreeSet<String>> {
    let out = cargo_command()
        .arg("tree")
        .args(selection)
        .args(["--offline", "--locked", "--prefix", "none", "-e", edges])
        .args(["-f", "{p}|{f}"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree {selection:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((package, list)) = line.split_once('|') else {
            continue;
        };
        // Path packages print their directory after the version.
        let package = package.split(" (").next().unwrap_or(package).to_string();
        let list = list.trim_end_matches(" (*)");
        features
            .entry(package)
            .or_default()
            .extend(list.split(',').filter(|f| !f.is_empty()).map(String::from));
    }
    features
}

/// How `other` resolves a shared package differently from `alone`.
fn drift(
    alone: &BTreeMap<String, BTreeSet<String>>,
    other: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    alone
        .iter()
        .filter_map(|(package, features)| {
            let unified = other.get(package)?;
            (unified != features).then(|| {
                let missing: Vec<&String> = unified.difference(features).collect();
                let extra: Vec<&String> = features.difference(unified).collect();
                format!("{package}: the other build also enables {missing:?}, lacks {extra:?}")
            })
        })
        .collect()
}

#[test]
fn python_package_build_resolves_the_features_of_the_test_and_bench_builds() {
    let alone = resolved_features(&["-p", "df-plugin-host-python"], "normal,build");
    // The check compares something: DataFusion is in the package's graph.
    assert!(alone.keys().any(|p| p.starts_with("datafusion v55.")));
    let builds = [
        (
            "cargo test --workspace (scripts/test)",
            vec!["--workspace"],
            "normal,build,dev",
        ),
        (
            "cargo build of scripts/bench",
            vec![
                "-p",
                "df-plugin-codeanatomy",
                "-p",
                "df-plugin-bench",
                "-p",
                "df-plugin-host-python",
            ],
            "normal,build",
        ),
    ];
    for (build, selection, edges) in builds {
        let drift = drift(&alone, &resolved_features(&selection, edges));
        assert!(
            drift.is_empty(),
            "`pip install ./host-shim` would compile these (and every crate above them) again \
             after `{build}`; align the features in host-shim/python/Cargo.toml's build-sharing \
             dependencies:\n{}",
            drift.join("\n")
        );
    }
}
