//! The single list of everything the plugin exports. The manifest's
//! capabilities, the export entry points and the snapshots all derive from
//! it, so they cannot disagree.

use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::common::config::ConfigExtension;
use datafusion::logical_expr::function::WindowUDFFieldArgs;
use datafusion::logical_expr::{
    AggregateUDF, Documentation, ReturnFieldArgs, ScalarUDF, Signature, Volatility, WindowUDF,
};
use df_plugin_abi::export_kind;
use serde_json::{Value, json};

use crate::config::CodeAnatomyConfig;
use crate::export::guard::{
    PanicGuardedTableFactory, PanicGuardedTableFunction, PanicGuardedUdaf, PanicGuardedUdf,
    PanicGuardedUdwf,
};
use crate::table_functions::{TableFactoryEntry, TableFunctionEntry};
use crate::{aggregates, delta, factory, functions, windows};

/// A scalar UDF contributed by a crate that links this plugin as an rlib and
/// builds its own cdylib from it (e.g. a test fixture that must prove that a
/// panicking function cannot take its host down). The plugin itself submits
/// none.
pub struct ExtraScalarUdf(pub fn() -> ScalarUDF);

inventory::collect!(ExtraScalarUdf);

/// An aggregate UDF contributed the same way as [`ExtraScalarUdf`].
pub struct ExtraAggregateUdf(pub fn() -> AggregateUDF);

inventory::collect!(ExtraAggregateUdf);

/// A table function contributed the same way as [`ExtraScalarUdf`]. `build`
/// runs when a host asks for the export; an `Err` there is an export failure
/// part way through a host's `install` (which must then register nothing).
pub struct ExtraTableFunction {
    /// SQL name (listed in the registry snapshot even if `build` fails).
    pub name: &'static str,
    /// Builds the entry.
    pub build: fn() -> Result<TableFunctionEntry, String>,
}

inventory::collect!(ExtraTableFunction);

/// A table function export: built, or the reason it could not be.
#[derive(Debug)]
pub enum TableExport {
    /// Ready to export.
    Ready(TableFunctionEntry),
    /// Its construction failed; exporting it reports this message.
    Broken {
        /// SQL name.
        name: &'static str,
        /// Why construction failed.
        reason: String,
    },
}

impl TableExport {
    /// SQL name.
    pub fn name(&self) -> &'static str {
        match self {
            TableExport::Ready(entry) => entry.name,
            TableExport::Broken { name, .. } => name,
        }
    }
}

/// Options a host passes to `install`, as a JSON object: the install-time
/// defaults of [`CodeAnatomyConfig`].
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The configuration the options describe.
    pub config: CodeAnatomyConfig,
    /// The `CREATE FUNCTION` policy (`{"function_factory": {...}}`).
    pub factory_policy: factory::Policy,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            config: CodeAnatomyConfig::default(),
            factory_policy: factory::default_policy(),
        }
    }
}

impl InstallOptions {
    /// Parses the options; empty text means defaults.
    pub fn from_json(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let mut map = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(other) => {
                return Err(format!(
                    "install options must be a JSON object, got {other}"
                ));
            }
            Err(e) => return Err(format!("install options are not valid JSON: {e}")),
        };
        let factory_policy = factory::policy_from_options(&map)?;
        map.remove("function_factory");
        let config = CodeAnatomyConfig::default()
            .with_install_options(&map)
            .map_err(|e| e.to_string())?;
        Ok(InstallOptions {
            config,
            factory_policy,
        })
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

/// Every aggregate UDF, each wrapped so that a panic inside it (or inside one
/// of its accumulators) becomes an error.
pub fn aggregate_udfs(options: &InstallOptions) -> Vec<Arc<AggregateUDF>> {
    aggregates::aggregate_udfs(&options.config)
        .into_iter()
        .map(Arc::unwrap_or_clone)
        .chain(inventory::iter::<ExtraAggregateUdf>().map(|extra| (extra.0)()))
        .map(|udaf| Arc::new(PanicGuardedUdaf::wrap(udaf)))
        .collect()
}

/// Every window UDF, each wrapped so that a panic inside it (or inside one of
/// its evaluators) becomes an error.
pub fn window_udfs(options: &InstallOptions) -> Vec<Arc<WindowUDF>> {
    windows::window_udfs(&options.config)
        .into_iter()
        .map(|udwf| Arc::new(PanicGuardedUdwf::wrap(Arc::unwrap_or_clone(udwf))))
        .collect()
}

/// Everything exported for one set of install options, built once: a host
/// asks for the exports one index at a time, and rebuilding every function
/// per call would make `install` quadratic.
#[derive(Debug)]
pub struct ExportSet {
    /// See [`scalar_udfs`].
    pub scalar: Vec<Arc<ScalarUDF>>,
    /// See [`aggregate_udfs`].
    pub aggregate: Vec<Arc<AggregateUDF>>,
    /// See [`window_udfs`].
    pub window: Vec<Arc<WindowUDF>>,
    /// See [`table_functions`].
    pub table: Vec<TableExport>,
    /// See [`table_provider_factories`].
    pub factory: Vec<TableFactoryEntry>,
}

/// The export set for install options given as JSON text (cached per text).
pub fn export_set(options_json: &str) -> Result<Arc<ExportSet>, String> {
    static CACHE: Mutex<Vec<(String, Arc<ExportSet>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, set)) = cache.iter().find(|(k, _)| k == options_json) {
        return Ok(Arc::clone(set));
    }
    let options = InstallOptions::from_json(options_json)?;
    let set = Arc::new(ExportSet {
        scalar: scalar_udfs(&options),
        aggregate: aggregate_udfs(&options),
        window: window_udfs(&options),
        table: table_functions(),
        factory: table_provider_factories(),
    });
    // A host installs with a handful of option sets at most; the bound only
    // guards against a caller that varies them without end.
    if cache.len() >= 16 {
        cache.remove(0);
    }
    cache.push((options_json.to_string(), Arc::clone(&set)));
    Ok(set)
}

/// Every table function: the plugin's own, then the Delta ones.
pub fn table_functions() -> Vec<TableExport> {
    let mut all = crate::table_functions::table_functions();
    all.extend(delta::table_functions());
    all.into_iter()
        .map(Ok::<_, (&'static str, String)>)
        .chain(
            inventory::iter::<ExtraTableFunction>()
                .map(|extra| (extra.build)().map_err(|reason| (extra.name, reason))),
        )
        .map(|built| match built {
            Ok(mut entry) => {
                entry.function = PanicGuardedTableFunction::wrap(entry.name, entry.function);
                TableExport::Ready(entry)
            }
            Err((name, reason)) => TableExport::Broken { name, reason },
        })
        .collect()
}

/// Every table provider factory, guarded against panics.
pub fn table_provider_factories() -> Vec<TableFactoryEntry> {
    delta::table_provider_factories()
        .into_iter()
        .map(|mut entry| {
            entry.factory = PanicGuardedTableFactory::wrap(entry.format, entry.factory);
            entry
        })
        .collect()
}

/// How many exports of `kind` there are (the count does not depend on the
/// install options).
pub fn export_count(kind: u32) -> usize {
    let Ok(set) = export_set("{}") else {
        return 0;
    };
    match kind {
        export_kind::SCALAR_UDF => set.scalar.len(),
        export_kind::AGGREGATE_UDF => set.aggregate.len(),
        export_kind::WINDOW_UDF => set.window.len(),
        export_kind::TABLE_FUNCTION => set.table.len(),
        export_kind::TABLE_PROVIDER_FACTORY => set.factory.len(),
        _ => 0,
    }
}

/// `(capability, version)` pairs for the manifest.
pub fn capabilities() -> Vec<(&'static str, u32)> {
    [
        (export_kind::SCALAR_UDF, "scalar_udf"),
        (export_kind::AGGREGATE_UDF, "aggregate_udf"),
        (export_kind::WINDOW_UDF, "window_udf"),
        (export_kind::TABLE_FUNCTION, "table_function"),
        (
            export_kind::TABLE_PROVIDER_FACTORY,
            "table_provider_factory",
        ),
    ]
    .into_iter()
    .filter(|(kind, _)| export_count(*kind) > 0)
    .map(|(_, name)| (name, 1))
    // Served through the ABI 1.1 entry points, not export kinds.
    .chain([("expr_planner", 1), ("function_factory", 1)])
    .collect()
}

/// JSON object: every capability with its version, and the configuration
/// namespace with its defaults.
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
            "namespace": CodeAnatomyConfig::PREFIX,
            "defaults": defaults,
        },
        "function_factory": factory::default_policy(),
        "expr_planner": {
            "operators": ["->", "->>", "#>", "#>>", "@>", "<@", "&&"],
        },
    }))
    .map_err(|e| e.to_string())
}

/// JSON array with one entry per exported function: name, kind, aliases,
/// parameter names, accepted signatures with their return types, volatility
/// and documentation.
pub fn registry_snapshot_json() -> Result<String, String> {
    let set = export_set("{}")?;
    let mut entries = Vec::new();
    for udf in &set.scalar {
        entries.push(entry(
            "scalar",
            udf.name(),
            udf.aliases(),
            udf.signature(),
            udf.documentation(),
            |args| udf.coerce_types(args),
            |args| {
                let fields = probe_fields(args);
                // Functions that need literal arguments (field names, tags)
                // see a sample literal for each string argument.
                let scalars: Vec<Option<ScalarValue>> = args
                    .iter()
                    .map(|t| match t {
                        DataType::Utf8 => Some(ScalarValue::Utf8(Some(PROBE_NAME.into()))),
                        _ => None,
                    })
                    .collect();
                let scalars: Vec<Option<&ScalarValue>> =
                    scalars.iter().map(Option::as_ref).collect();
                udf.return_field_from_args(ReturnFieldArgs {
                    arg_fields: &fields,
                    scalar_arguments: &scalars,
                })
                .map(|f| f.data_type().clone())
            },
        ));
    }
    for udaf in &set.aggregate {
        entries.push(entry(
            "aggregate",
            udaf.name(),
            udaf.aliases(),
            udaf.signature(),
            udaf.documentation(),
            |args| udaf.coerce_types(args),
            |args| {
                udaf.return_field(&probe_fields(args))
                    .map(|f| f.data_type().clone())
            },
        ));
    }
    for udwf in &set.window {
        entries.push(entry(
            "window",
            udwf.name(),
            udwf.aliases(),
            udwf.signature(),
            udwf.documentation(),
            |args| udwf.coerce_types(args),
            |args| {
                let fields = probe_fields(args);
                udwf.field(WindowUDFFieldArgs::new(&fields, udwf.name()))
                    .map(|f| f.data_type().clone())
            },
        ));
    }
    for (index, export) in set.table.iter().enumerate() {
        let TableExport::Ready(table) = export else {
            entries.push(json!({
                "name": export.name(),
                "kind": "table",
                "index": index,
                "volatility": "volatile",
            }));
            continue;
        };
        entries.push(json!({
            "name": table.name,
            "kind": "table",
            "index": index,
            "aliases": [],
            "parameters": table.parameters,
            "signatures": [],
            "volatility": "volatile",
            "description": table.description,
            "syntax_example": table.syntax_example,
            "sql_example": null,
            "arguments": null,
            "doc_section": "CodeAnatomy table functions",
        }));
    }
    for (index, factory) in set.factory.iter().enumerate() {
        entries.push(json!({
            "name": factory.format,
            "kind": "table_provider_factory",
            "index": index,
            "aliases": [],
            "parameters": null,
            "signatures": [],
            "volatility": "volatile",
            "description": factory.description,
            "syntax_example": format!("CREATE EXTERNAL TABLE t STORED AS {} LOCATION 'uri'", factory.format),
            "sql_example": null,
            "arguments": null,
            "doc_section": "CodeAnatomy table providers",
        }));
    }
    serde_json::to_string(&entries).map_err(|e| e.to_string())
}

fn volatility_name(v: Volatility) -> &'static str {
    match v {
        Volatility::Immutable => "immutable",
        Volatility::Stable => "stable",
        Volatility::Volatile => "volatile",
    }
}

fn probe_fields(args: &[DataType]) -> Vec<FieldRef> {
    args.iter()
        .enumerate()
        .map(|(i, t)| Arc::new(Field::new(format!("arg_{i}"), t.clone(), true)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn entry(
    kind: &str,
    name: &str,
    aliases: &[String],
    signature: &Signature,
    doc: Option<&Documentation>,
    coerce: impl Fn(&[DataType]) -> datafusion::common::Result<Vec<DataType>>,
    returns: impl Fn(&[DataType]) -> datafusion::common::Result<DataType>,
) -> Value {
    json!({
        "name": name,
        "kind": kind,
        "aliases": aliases,
        "parameters": signature.parameter_names.clone(),
        "signatures": probe_signatures(signature, coerce, returns),
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

/// The field name of the probe struct, and the sample string literal.
const PROBE_NAME: &str = "x";

/// Representative argument types a function may accept, for the listing.
fn probe_types() -> Vec<DataType> {
    let utf8 = DataType::Utf8;
    vec![
        crate::functions::span::span_type::span_data_type(),
        DataType::Struct(vec![Field::new(PROBE_NAME, DataType::Int64, true)].into()),
        DataType::Utf8,
        DataType::LargeUtf8,
        DataType::Utf8View,
        DataType::Int64,
        DataType::Int32,
        DataType::Float64,
        DataType::Boolean,
        DataType::new_list(DataType::Int64, true),
        DataType::new_list(utf8.clone(), true),
        DataType::Map(
            Arc::new(Field::new(
                "entries",
                DataType::Struct(
                    vec![
                        Field::new("key", utf8.clone(), false),
                        Field::new("value", utf8, true),
                    ]
                    .into(),
                ),
                false,
            )),
            false,
        ),
    ]
}

/// The argument type lists a function accepts as they are, found by asking
/// its own coercion: the types it chooses for untyped NULLs, for each probe
/// type in every position, and for each probe type in one position at a
/// time. Only lists that the function leaves unchanged (i.e. accepts
/// natively) and for which it names a return type are kept, at most
/// `MAX_SIGNATURES` of them.
fn probe_signatures(
    signature: &Signature,
    coerce: impl Fn(&[DataType]) -> datafusion::common::Result<Vec<DataType>>,
    returns: impl Fn(&[DataType]) -> datafusion::common::Result<DataType>,
) -> Vec<Value> {
    const MAX_SIGNATURES: usize = 12;
    let max_arity = signature.parameter_names.as_ref().map_or(2, |p| p.len());
    let probes = probe_types();
    let mut candidates: Vec<Vec<DataType>> = Vec::new();
    for arity in 0..=max_arity {
        let base = coerce(&vec![DataType::Null; arity]).ok();
        candidates.extend(base.clone());
        for probe in &probes {
            candidates.extend(coerce(&vec![probe.clone(); arity]).ok());
            // One probe among text arguments: finds signatures such as
            // (map, key, default) whose coercion keeps untyped NULLs.
            for position in 0..arity {
                let mut args = vec![DataType::Utf8; arity];
                args[position] = probe.clone();
                candidates.extend(coerce(&args).ok());
            }
            if let Some(base) = &base {
                for position in 0..arity {
                    let mut args = base.clone();
                    args[position] = probe.clone();
                    candidates.extend(coerce(&args).ok());
                }
            }
        }
    }
    let mut found: Vec<Value> = Vec::new();
    let mut seen: Vec<Vec<DataType>> = Vec::new();
    for args in candidates {
        if found.len() >= MAX_SIGNATURES || seen.contains(&args) {
            continue;
        }
        seen.push(args.clone());
        // Untyped NULL is what the probing starts from, not a signature.
        if args
            .iter()
            .any(|t| t.is_null() || matches!(t, DataType::List(f) if f.data_type().is_null()))
        {
            continue;
        }
        if coerce(&args).ok().as_ref() != Some(&args) {
            continue;
        }
        if let Ok(ret) = returns(&args) {
            found.push(json!({
                "args": args.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                "returns": ret.to_string(),
            }));
        }
    }
    found
}
