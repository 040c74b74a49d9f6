//! What `install` puts into a session, seen through SQL and the snapshots.

use df_plugin_tests::{load_plugin, query_rows, query_scalar, session_with_plugin};
use serde_json::{Value, json};

const HASH_FAMILY: [&str; 7] = [
    "stable_hash64",
    "stable_hash128",
    "prefixed_hash64",
    "stable_id",
    "stable_id_parts",
    "prefixed_hash_parts64",
    "stable_hash_any",
];

#[test]
fn manifest_describes_the_build() {
    let plugin = load_plugin();
    let m = plugin.manifest();
    assert_eq!(m.plugin_name, "codeanatomy");
    assert_eq!(m.abi_major, 1);
    assert_eq!(m.datafusion_ffi_major, 55);
    assert!(
        m.datafusion_version.starts_with("55."),
        "{}",
        m.datafusion_version
    );
    assert!(m.arrow_version.starts_with("59."), "{}", m.arrow_version);
    assert!(m.build.rustc.starts_with("rustc "), "{}", m.build.rustc);
    assert_eq!(m.capability("scalar_udf"), Some(1));
}

#[test]
fn registry_snapshot_lists_every_function_with_metadata() {
    let plugin = load_plugin();
    let snapshot: Value = serde_json::from_str(&plugin.registry_snapshot().unwrap()).unwrap();
    let entries = snapshot.as_array().unwrap();
    for name in HASH_FAMILY {
        let entry = entries
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing from the snapshot"));
        assert_eq!(entry["kind"], "scalar");
        assert_eq!(entry["volatility"], "immutable");
        assert!(entry["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(
            !entry["signatures"].as_array().unwrap().is_empty(),
            "{name}"
        );
        assert!(entry["parameters"].is_array(), "{name} has parameter names");
    }
    let h64 = entries
        .iter()
        .find(|e| e["name"] == "stable_hash64")
        .unwrap();
    assert_eq!(h64["aliases"], json!(["hash64"]));
    assert_eq!(h64["parameters"], json!(["value"]));
    assert!(
        h64["signatures"]
            .as_array()
            .unwrap()
            .contains(&json!({"args": ["Utf8"], "returns": "Int64"}))
    );
    let caps: Value = serde_json::from_str(&plugin.capabilities_snapshot().unwrap()).unwrap();
    let caps = caps["capabilities"].as_array().unwrap();
    for cap in ["scalar_udf", "table_function"] {
        assert!(
            caps.contains(&json!({"name": cap, "version": 1})),
            "{cap}: {caps:?}"
        );
    }
}

#[tokio::test]
async fn functions_show_with_documentation() {
    let ctx = datafusion::prelude::SessionContext::new_with_config(
        datafusion::prelude::SessionConfig::new().with_information_schema(true),
    );
    let report = load_plugin().install(&ctx).unwrap();
    for name in HASH_FAMILY {
        assert!(
            report.scalar_udfs.iter().any(|n| n == name),
            "{name} installed"
        );
    }
    let rows = query_rows(
        &ctx,
        "SELECT routine_name, description, syntax_example FROM information_schema.routines
         WHERE routine_name = 'stable_hash64'",
    )
    .await
    .unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows[0]["description"].as_str().unwrap().contains("Blake2b"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0]["syntax_example"]
            .as_str()
            .unwrap()
            .contains("stable_hash64")
    );
    let shown = query_rows(&ctx, "SHOW FUNCTIONS LIKE 'stable_id%'")
        .await
        .unwrap();
    let names: Vec<&str> = shown
        .iter()
        .filter_map(|r| r["function_name"].as_str())
        .collect();
    assert!(names.contains(&"stable_id"), "{shown:?}");
    assert!(names.contains(&"stable_id_parts"), "{shown:?}");
}

#[tokio::test]
async fn named_arguments_and_aliases_reach_the_plugin() {
    let ctx = session_with_plugin();
    let positional = query_scalar(&ctx, "SELECT stable_hash64('alpha')")
        .await
        .unwrap();
    let named = query_scalar(&ctx, "SELECT stable_hash64(value => 'alpha')")
        .await
        .unwrap();
    let alias = query_scalar(&ctx, "SELECT hash64('alpha')").await.unwrap();
    assert_eq!(positional, named);
    assert_eq!(positional, alias);
    let reordered = query_scalar(&ctx, "SELECT stable_id(value => 'a.b', prefix => 'fn')")
        .await
        .unwrap();
    let plain = query_scalar(&ctx, "SELECT stable_id('fn', 'a.b')")
        .await
        .unwrap();
    assert_eq!(reordered, plain);
    let err = query_scalar(&ctx, "SELECT stable_hash64(nope => 'alpha')")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Unknown parameter name 'nope'"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_arguments_are_errors_not_crashes() {
    let ctx = session_with_plugin();
    let err = query_scalar(&ctx, "SELECT stable_id('only-one')")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("stable_id"), "{err}");
    let err = query_scalar(&ctx, "SELECT stable_hash64('a', 'b', 'c')")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("stable_hash64"), "{err}");
    // The session is still usable.
    let v = query_scalar(&ctx, "SELECT stable_hash64(NULL)")
        .await
        .unwrap();
    assert_eq!(v, Value::Null);
}

#[tokio::test]
async fn non_string_arguments_coerce_to_text_as_in_datafusion() {
    // DataFusion coerces any type into a string parameter; the plugin's
    // functions follow that rule in-process and through the dylib alike.
    let ctx = session_with_plugin();
    let from_int = query_scalar(&ctx, "SELECT stable_hash64(42)")
        .await
        .unwrap();
    let from_text = query_scalar(&ctx, "SELECT stable_hash64('42')")
        .await
        .unwrap();
    assert_eq!(from_int, from_text);
}

#[tokio::test]
async fn two_sessions_share_one_loaded_library() {
    let plugin = load_plugin();
    let a = datafusion::prelude::SessionContext::new();
    let b = datafusion::prelude::SessionContext::new();
    plugin.install(&a).unwrap();
    plugin.install(&b).unwrap();
    drop(a);
    let v = query_scalar(&b, "SELECT stable_hash128('alpha')")
        .await
        .unwrap();
    assert_eq!(v, json!("b52f7e54cd313e691148cc2c80345831"));
}

#[tokio::test]
async fn table_function_lists_the_plugin_through_the_dylib() {
    let ctx = datafusion::prelude::SessionContext::new();
    let report = load_plugin().install(&ctx).unwrap();
    assert!(
        report
            .table_functions
            .iter()
            .any(|n| n == "codeanatomy_functions")
    );
    let rows = query_rows(
        &ctx,
        "SELECT name, kind, aliases, parameters FROM codeanatomy_functions() WHERE name = 'stable_hash64'",
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            json!({"name": "stable_hash64", "kind": "scalar", "aliases": "hash64", "parameters": "value"})
        ]
    );
    let err = query_rows(&ctx, "SELECT * FROM codeanatomy_functions(1)")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("'kind' must be a string"), "{err}");
    // Named arguments for table functions (DataFusion 55 refuses them on its
    // own; the host shim resolves them against the plugin's parameter names).
    let by_name = query_scalar(
        &ctx,
        "SELECT count(*) FROM codeanatomy_functions(kind => 'table')",
    )
    .await
    .unwrap();
    let by_position = query_scalar(&ctx, "SELECT count(*) FROM codeanatomy_functions('table')")
        .await
        .unwrap();
    assert_eq!(by_name, by_position);
    assert!(by_name.as_i64().unwrap() >= 1);
    let err = query_rows(&ctx, "SELECT * FROM codeanatomy_functions(kinds => 'x')")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no parameter named 'kinds'"),
        "{err}"
    );
    // The function keeps working after the installing handle is gone, and a
    // dropped session does not break another session's copy.
    let other = session_with_plugin();
    drop(ctx);
    let n = query_scalar(
        &other,
        "SELECT count(*) FROM codeanatomy_functions() WHERE kind = 'scalar'",
    )
    .await
    .unwrap();
    assert!(n.as_i64().unwrap() >= 7, "{n}");
}

#[tokio::test]
async fn every_exported_function_shows_in_show_functions() {
    let ctx = datafusion::prelude::SessionContext::new_with_config(
        datafusion::prelude::SessionConfig::new().with_information_schema(true),
    );
    let plugin = load_plugin();
    plugin.install(&ctx).unwrap();
    let shown: Vec<String> = query_rows(&ctx, "SHOW FUNCTIONS")
        .await
        .unwrap()
        .iter()
        .filter_map(|r| r["function_name"].as_str().map(String::from))
        .collect();
    let functions = plugin.functions().unwrap();
    let mut missing = Vec::new();
    let mut undocumented = Vec::new();
    for f in functions
        .iter()
        .filter(|f| matches!(f.kind.as_str(), "scalar" | "aggregate" | "window"))
    {
        if !shown.contains(&f.name) {
            missing.push(f.name.clone());
        }
        if f.description.as_deref().is_none_or(str::is_empty) {
            undocumented.push(f.name.clone());
        }
    }
    // DataFusion 55's information_schema asks for return types without
    // literal arguments, so functions whose type depends on a literal
    // (a field name, a tag) get no parameter rows and SHOW FUNCTIONS, which
    // joins on them, skips them (as it skips DataFusion's own get_field).
    // They are still in information_schema.routines.
    const NEEDS_LITERALS: [&str; 2] = ["struct_pick", "semantic_tag"];
    let routines: Vec<String> =
        query_rows(&ctx, "SELECT routine_name FROM information_schema.routines")
            .await
            .unwrap()
            .iter()
            .filter_map(|r| r["routine_name"].as_str().map(String::from))
            .collect();
    for name in NEEDS_LITERALS {
        assert!(routines.iter().any(|r| r == name), "{name} not in routines");
    }
    missing.retain(|m| !NEEDS_LITERALS.contains(&m.as_str()));
    assert!(missing.is_empty(), "not in SHOW FUNCTIONS: {missing:?}");
    assert!(
        undocumented.is_empty(),
        "no Documentation: {undocumented:?}"
    );
    assert!(functions.len() >= 45, "{} functions", functions.len());
}
