//! The single list of everything the plugin exports. The manifest's
//! capabilities, the export entry points and the snapshots all derive from
//! it, so they cannot disagree.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::logical_expr::{ReturnFieldArgs, ScalarUDF, Volatility};
use df_plugin_abi::export_kind;
use serde_json::{Value, json};

use crate::config::CodeAnatomyConfig;
use crate::export::guard::PanicGuardedUdf;
use crate::functions;

/// A scalar UDF contributed by a crate that links this plugin as an rlib and
/// builds its own cdylib from it (e.g. a test fixture that must prove that a
/// panicking function cannot take its host down). The plugin itself submits
/// none.
pub struct ExtraScalarUdf(pub fn() -> ScalarUDF);

inventory::collect!(ExtraScalarUdf);

/// Options a host passes to `install`, as a JSON object: the install-time
/// defaults of [`CodeAnatomyConfig`].
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    /// The configuration the options describe.
    pub config: CodeAnatomyConfig,
}

impl InstallOptions {
    /// Parses the options; empty text means defaults.
    pub fn from_json(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let map = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(other) => {
                return Err(format!(
                    "install options must be a JSON object, got {other}"
                ));
            }
            Err(e) => return Err(format!("install options are not valid JSON: {e}")),
        };
        let config = CodeAnatomyConfig::default()
            .with_install_options(&map)
            .map_err(|e| e.to_string())?;
        Ok(InstallOptions { config })
    }
}

/// Every scalar UDF, each wrapped so that a panic inside it becomes an error.
pub fn scalar_udfs(options: &InstallOptions) -> Vec<Arc<ScalarUDF>> {
    functions::scalar_udfs(&options.config)
        .into_iter()
        .map(Arc::unwrap_or_clone)
        .chain(inventory::iter::<ExtraScalarUdf>().map(|extra| (extra.0)()))
        .map(|udf| Arc::new(PanicGuardedUdf::wrap(udf)))
        .collect()
}

/// How many exports of `kind` there are with default options.
pub fn export_count(kind: u32) -> usize {
    match kind {
        export_kind::SCALAR_UDF => scalar_udfs(&InstallOptions::default()).len(),
        _ => 0,
    }
}

/// `(capability, version)` pairs for the manifest.
pub fn capabilities() -> Vec<(&'static str, u32)> {
    let mut caps = Vec::new();
    if export_count(export_kind::SCALAR_UDF) > 0 {
        caps.push(("scalar_udf", 1));
    }
    caps
}

/// JSON object: every capability with its version and the export kind that
/// carries it.
pub fn capabilities_snapshot_json() -> Result<String, String> {
    let caps: Vec<Value> = capabilities()
        .into_iter()
        .map(|(name, version)| json!({"name": name, "version": version}))
        .collect();
    let defaults: serde_json::Map<String, Value> = CodeAnatomyConfig::default_entries()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    serde_json::to_string(&json!({
        "plugin": crate::PLUGIN_NAME,
        "capabilities": caps,
        "config": {
            "namespace": <CodeAnatomyConfig as datafusion::common::config::ConfigExtension>::PREFIX,
            "defaults": defaults,
        },
    }))
    .map_err(|e| e.to_string())
}

/// JSON array with one entry per exported function: name, kind, aliases,
/// parameter names, accepted signatures with their return types, volatility
/// and documentation.
pub fn registry_snapshot_json() -> Result<String, String> {
    let entries: Vec<Value> = scalar_udfs(&InstallOptions::default())
        .iter()
        .map(|udf| scalar_entry(udf))
        .collect();
    serde_json::to_string(&entries).map_err(|e| e.to_string())
}

fn volatility_name(v: Volatility) -> &'static str {
    match v {
        Volatility::Immutable => "immutable",
        Volatility::Stable => "stable",
        Volatility::Volatile => "volatile",
    }
}

fn scalar_entry(udf: &ScalarUDF) -> Value {
    let signature = udf.signature();
    let parameters = signature.parameter_names.clone();
    let doc = udf.documentation();
    json!({
        "name": udf.name(),
        "kind": "scalar",
        "aliases": udf.aliases(),
        "parameters": parameters,
        "signatures": probe_signatures(udf),
        "volatility": volatility_name(signature.volatility),
        "description": doc.map(|d| d.description.clone()),
        "syntax_example": doc.map(|d| d.syntax_example.clone()),
        "sql_example": doc.and_then(|d| d.sql_example.clone()),
        "arguments": doc.and_then(|d| d.arguments.clone()).map(|args| {
            args.into_iter()
                .map(|(name, description)| json!({"name": name, "description": description}))
                .collect::<Vec<_>>()
        }),
        "doc_section": doc.map(|d| d.doc_section.label),
    })
}

/// The argument type lists a function accepts as they are (without
/// coercion), found by asking its own `coerce_types` about a small set of
/// representative types, each with the return type it yields.
fn probe_signatures(udf: &ScalarUDF) -> Vec<Value> {
    const PROBES: [DataType; 6] = [
        DataType::Utf8,
        DataType::LargeUtf8,
        DataType::Utf8View,
        DataType::Int64,
        DataType::Boolean,
        DataType::Float64,
    ];
    let max_arity = udf
        .signature()
        .parameter_names
        .as_ref()
        .map_or(2, |p| p.len())
        .min(4);
    let mut found = Vec::new();
    for arity in 1..=max_arity {
        let combos = PROBES.len().pow(arity as u32);
        for mut code in 0..combos {
            let args: Vec<DataType> = (0..arity)
                .map(|_| {
                    let t = PROBES[code % PROBES.len()].clone();
                    code /= PROBES.len();
                    t
                })
                .collect();
            if udf.coerce_types(&args).ok().as_ref() != Some(&args) {
                continue;
            }
            let fields: Vec<_> = args
                .iter()
                .map(|t| Arc::new(Field::new("a", t.clone(), true)))
                .collect();
            let scalars = vec![None; args.len()];
            let ret = udf.return_field_from_args(ReturnFieldArgs {
                arg_fields: &fields,
                scalar_arguments: &scalars,
            });
            if let Ok(ret) = ret {
                found.push(json!({
                    "args": args.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                    "returns": ret.data_type().to_string(),
                }));
            }
        }
    }
    found
}
