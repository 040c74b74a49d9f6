//! Installing a validated plugin into a session.
//!
//! Every export is built first and registered only when all of them were
//! built, so a plugin that fails half way leaves nothing in the session.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::sync::Arc;

use abi_stable::std_types::{RResult, RStr, RString};
use datafusion::catalog::{TableFunctionImpl, TableProviderFactory};
use datafusion::execution::{FunctionRegistry, TaskContextProvider};
use datafusion::logical_expr::{AggregateUDFImpl, ScalarUDFImpl, WindowUDFImpl};
use datafusion::prelude::SessionContext;
use datafusion_ffi::config::extension_options::FFI_ExtensionOptions;
use datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec;
use datafusion_ffi::table_provider_factory::FFI_TableProviderFactory;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udtf::FFI_TableFunction;
use datafusion_ffi::udwf::FFI_WindowUDF;
use df_plugin_abi::export_kind;
use serde_json::Value;

use crate::error::LoadError;
use crate::factory::PluginFunctionFactory;
use crate::foreign::{
    PluginAggregateUdf, PluginScalarUdf, PluginTableFactory, PluginTableFunction, PluginWindowUdf,
    SessionTaskContext,
};
use crate::loader::Plugin;
use crate::planner::PluginExprPlanner;
use crate::snapshot::{self, FunctionEntry};
use crate::table_args::NamedTableArguments;

/// What `install` registered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallReport {
    /// Names of the scalar functions registered (without aliases).
    pub scalar_udfs: Vec<String>,
    /// Names of the aggregate functions registered.
    pub aggregate_udfs: Vec<String>,
    /// Names of the window functions registered.
    pub window_udfs: Vec<String>,
    /// Names of the table functions registered.
    pub table_functions: Vec<String>,
    /// `STORED AS` formats whose table provider factories were registered.
    pub table_factories: Vec<String>,
    /// Whether the plugin's expression planner was registered.
    pub expr_planner: bool,
    /// Whether the plugin's function factory was installed.
    pub function_factory: bool,
    /// The configuration namespace registered for `SET <namespace>.<key>`.
    pub config_namespace: Option<String>,
}

/// Which optional parts `install` registers (everything by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Register the plugin's expression planner (`->`, `@>` on spans, ...).
    pub expr_planner: bool,
    /// Install the plugin's function factory (`CREATE FUNCTION`).
    pub function_factory: bool,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            expr_planner: true,
            function_factory: true,
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for datafusion_ffi::udf::FFI_ScalarUDF {}
    impl Sealed for datafusion_ffi::udaf::FFI_AggregateUDF {}
    impl Sealed for datafusion_ffi::udwf::FFI_WindowUDF {}
    impl Sealed for datafusion_ffi::udtf::FFI_TableFunction {}
    impl Sealed for datafusion_ffi::table_provider_factory::FFI_TableProviderFactory {}
}

/// A datafusion-ffi type that a plugin export writes, tied to its kind code
/// (so a kind and its type cannot be mixed up at a call site) and to the
/// input the kind reads (see `df_plugin_abi::export_kind`).
///
/// Both hosts take exports through [`Plugin::export`]: `install` wraps them
/// and registers them in a Rust session; the Python module hands them to
/// datafusion-python as capsules.
pub trait PluginExport: sealed::Sealed + Sized {
    /// The export kind code.
    const KIND: u32;
    /// What the plugin reads behind `input`: nothing (`()`) for functions,
    /// the host session's logical extension codec for table exports.
    type Input;
    /// `input` as the raw pointer the ABI passes (null for `()`).
    fn input_ptr(input: &Self::Input) -> *const c_void;
}

impl PluginExport for FFI_ScalarUDF {
    const KIND: u32 = export_kind::SCALAR_UDF;
    type Input = ();
    fn input_ptr(_: &()) -> *const c_void {
        std::ptr::null()
    }
}

impl PluginExport for FFI_AggregateUDF {
    const KIND: u32 = export_kind::AGGREGATE_UDF;
    type Input = ();
    fn input_ptr(_: &()) -> *const c_void {
        std::ptr::null()
    }
}

impl PluginExport for FFI_WindowUDF {
    const KIND: u32 = export_kind::WINDOW_UDF;
    type Input = ();
    fn input_ptr(_: &()) -> *const c_void {
        std::ptr::null()
    }
}

impl PluginExport for FFI_TableFunction {
    const KIND: u32 = export_kind::TABLE_FUNCTION;
    type Input = FFI_LogicalExtensionCodec;
    fn input_ptr(codec: &FFI_LogicalExtensionCodec) -> *const c_void {
        (codec as *const FFI_LogicalExtensionCodec).cast()
    }
}

impl PluginExport for FFI_TableProviderFactory {
    const KIND: u32 = export_kind::TABLE_PROVIDER_FACTORY;
    type Input = FFI_LogicalExtensionCodec;
    fn input_ptr(codec: &FFI_LogicalExtensionCodec) -> *const c_void {
        (codec as *const FFI_LogicalExtensionCodec).cast()
    }
}

impl Plugin {
    /// The registry snapshot: a JSON array with every exported function's
    /// kind, aliases, parameter names, signatures, return types, volatility
    /// and documentation.
    pub fn registry_snapshot(&self) -> Result<String, LoadError> {
        self.snapshot_text("registry", (self.module.registry_snapshot())())
    }

    /// The capabilities snapshot (JSON object): capabilities with versions,
    /// and the configuration namespace with its defaults.
    pub fn capabilities_snapshot(&self) -> Result<String, LoadError> {
        self.snapshot_text("capabilities", (self.module.capabilities_snapshot())())
    }

    /// The registry snapshot, parsed.
    pub fn functions(&self) -> Result<Vec<FunctionEntry>, LoadError> {
        let text = self.registry_snapshot()?;
        snapshot::parse_registry(&text).map_err(|reason| self.snapshot_error("registry", reason))
    }

    /// Installs everything the plugin exports, with default options.
    pub fn install(&self, ctx: &SessionContext) -> Result<InstallReport, LoadError> {
        self.install_with_options(ctx, &serde_json::json!({}))
    }

    /// Installs everything the plugin exports. `options` is a JSON object of
    /// install options (for CodeAnatomy: defaults of the configurable
    /// function arguments, e.g. `{"span_line_base": 1}`, and the
    /// `function_factory` policy); the plugin refuses unknown keys and bad
    /// values before anything is registered.
    pub fn install_with_options(
        &self,
        ctx: &SessionContext,
        options: &Value,
    ) -> Result<InstallReport, LoadError> {
        self.install_selected(ctx, options, &Selection::default())
    }

    /// Like [`Plugin::install_with_options`], leaving out the parts that
    /// `selection` switches off.
    pub fn install_selected(
        &self,
        ctx: &SessionContext,
        options: &Value,
        selection: &Selection,
    ) -> Result<InstallReport, LoadError> {
        let options_text = options.to_string();
        let entries = self.functions()?;
        let entry = |name: &str, kind: &str| {
            entries
                .iter()
                .find(|e| e.kind == kind && e.name == name)
                .cloned()
        };

        let scalars: Vec<_> = self
            .exports::<FFI_ScalarUDF>(&options_text, &())?
            .into_iter()
            .map(|ffi| {
                let foreign: Arc<dyn ScalarUDFImpl> = ffi.into();
                let e = entry(foreign.name(), "scalar");
                PluginScalarUdf::wrap(foreign, e.as_ref())
            })
            .collect();
        let aggregates: Vec<_> = self
            .exports::<FFI_AggregateUDF>(&options_text, &())?
            .iter()
            .map(|ffi| {
                let foreign: Arc<dyn AggregateUDFImpl> = ffi.into();
                let e = entry(foreign.name(), "aggregate");
                PluginAggregateUdf::wrap(foreign, e.as_ref())
            })
            .collect();
        let windows: Vec<_> = self
            .exports::<FFI_WindowUDF>(&options_text, &())?
            .iter()
            .map(|ffi| {
                let foreign: Arc<dyn WindowUDFImpl> = ffi.into();
                let e = entry(foreign.name(), "window");
                PluginWindowUdf::wrap(foreign, e.as_ref())
            })
            .collect();
        // Table functions and factories get the host session's codec, so the
        // plugin plans and scans against this session's task context.
        let task_ctx = SessionTaskContext::for_session(ctx);
        let provider: Arc<dyn TaskContextProvider> = task_ctx.clone();
        let codec = FFI_LogicalExtensionCodec::new_default(&provider);
        let tables = self
            .exports::<FFI_TableFunction>(&options_text, &codec)?
            .into_iter()
            .enumerate()
            .map(|(index, ffi)| {
                let name = self.export_name(&entries, "table", index)?;
                let foreign: Arc<dyn TableFunctionImpl> = ffi.into();
                Ok((
                    name,
                    PluginTableFunction::new(foreign, Arc::clone(&task_ctx)),
                ))
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        let factories = self
            .exports::<FFI_TableProviderFactory>(&options_text, &codec)?
            .iter()
            .enumerate()
            .map(|(index, ffi)| {
                let format = self.export_name(&entries, "table_provider_factory", index)?;
                let foreign: Arc<dyn TableProviderFactory> = ffi.into();
                Ok((
                    format,
                    PluginTableFactory::new(foreign, Arc::clone(&task_ctx)),
                ))
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        let config = self.config_settings(options)?;
        let planner = if selection.expr_planner {
            self.expr_planner(ctx)
        } else {
            None
        };
        let factory = if selection.function_factory {
            self.function_factory(options)
        } else {
            None
        };

        // Everything was built: registering cannot fail half way from here.
        let mut report = InstallReport::default();
        for udf in scalars {
            report.scalar_udfs.push(udf.name().to_string());
            ctx.register_udf(udf);
        }
        for udaf in aggregates {
            report.aggregate_udfs.push(udaf.name().to_string());
            ctx.register_udaf(udaf);
        }
        for udwf in windows {
            report.window_udfs.push(udwf.name().to_string());
            ctx.register_udwf(udwf);
        }
        let named = named_table_functions(&entries);
        for (name, udtf) in tables {
            ctx.register_udtf(&name, Arc::new(udtf));
            report.table_functions.push(name);
        }
        if !named.is_empty() {
            // Registering a planner cannot fail in DataFusion 55; the Result
            // is part of its signature only.
            let _ = ctx
                .state_ref()
                .write()
                .register_relation_planner(Arc::new(NamedTableArguments::new(named)));
        }
        if !factories.is_empty() {
            let state = ctx.state_ref();
            let mut state = state.write();
            for (format, factory) in factories {
                state
                    .table_factories_mut()
                    .insert(format.to_ascii_uppercase(), Arc::new(factory));
                report.table_factories.push(format);
            }
        }
        if let Some(planner) = planner {
            // Registering cannot fail in DataFusion 55 (Result by signature).
            let _ = ctx
                .state_ref()
                .write()
                .register_expr_planner(Arc::new(planner));
            report.expr_planner = true;
        }
        if let Some(factory) = factory {
            ctx.state_ref()
                .write()
                .set_function_factory(Arc::new(factory));
            report.function_factory = true;
        }
        if let Some((namespace, settings)) = config {
            register_settings(ctx, &settings);
            report.config_namespace = Some(namespace);
        }
        Ok(report)
    }

    /// How many exports of `T`'s kind the plugin has.
    pub fn export_count<T: PluginExport>(&self) -> usize {
        (self.module.export_count())(T::KIND)
    }

    /// Export `index` of `T`'s kind, built by the plugin into host memory;
    /// the caller owns it (dropping it calls the plugin's `release`).
    ///
    /// `options` is the JSON text of the install options; `input` is what
    /// the kind reads (the host session's codec for table exports).
    pub fn export<T: PluginExport>(
        &self,
        index: usize,
        options: &str,
        input: &T::Input,
    ) -> Result<T, LoadError> {
        let mut slot = MaybeUninit::<T>::uninit();
        // SAFETY: the gate checked that plugin and host share the
        // datafusion-ffi major, so `slot` has the layout the plugin writes
        // for this kind, and `input` points to the kind's input type, alive
        // for the call; on ROk the plugin has initialised `slot`.
        let result = unsafe {
            (self.module.export())(
                T::KIND,
                index,
                RStr::from_str(options),
                T::input_ptr(input),
                slot.as_mut_ptr().cast::<c_void>(),
            )
        };
        match result {
            RResult::ROk(()) => Ok(unsafe { slot.assume_init() }),
            RResult::RErr(reason) => Err(LoadError::Export {
                plugin: self.manifest.plugin_name.clone(),
                kind: export_kind::name(T::KIND),
                index,
                reason: reason.into_string(),
            }),
        }
    }

    /// Every export of `T`'s kind (see [`Plugin::export`]).
    pub fn exports<T: PluginExport>(
        &self,
        options: &str,
        input: &T::Input,
    ) -> Result<Vec<T>, LoadError> {
        (0..self.export_count::<T>())
            .map(|index| self.export(index, options, input))
            .collect()
    }

    /// The plugin's expression planner for `ctx`'s session (functions it
    /// plans calls to are resolved there), when the plugin has the
    /// `expr_planner` capability.
    pub fn expr_planner(&self, ctx: &SessionContext) -> Option<PluginExprPlanner> {
        self.manifest.capability("expr_planner")?;
        let plan_operator = self.module.plan_operator()?;
        Some(PluginExprPlanner::new(
            &self.manifest.plugin_name,
            plan_operator,
            ctx.state_weak_ref(),
        ))
    }

    /// The plugin's function factory (`CREATE FUNCTION`), judging with the
    /// install `options`, when the plugin has the `function_factory`
    /// capability.
    pub fn function_factory(&self, options: &Value) -> Option<PluginFunctionFactory> {
        self.manifest.capability("function_factory")?;
        let create_function = self.module.create_function()?;
        Some(PluginFunctionFactory::new(
            &self.manifest.plugin_name,
            create_function,
            options.to_string(),
        ))
    }

    /// The plugin's configuration namespace and datafusion-ffi extension
    /// options pre-filled with its defaults and the install `options`: what
    /// `install` puts into a session, and what a host that builds its
    /// session config itself (datafusion-python) adds to that config.
    pub fn config_extension(
        &self,
        options: &Value,
    ) -> Result<Option<(String, FFI_ExtensionOptions)>, LoadError> {
        Ok(self.config_settings(options)?.map(|(namespace, settings)| {
            let mut ffi = FFI_ExtensionOptions::default();
            apply_settings(&mut ffi, &settings);
            (namespace, ffi)
        }))
    }

    /// `(namespace, [(namespace.key, value)])`: the plugin's configuration
    /// defaults with the install options applied, for the session.
    pub fn config_settings(&self, options: &Value) -> Result<Option<ConfigSettings>, LoadError> {
        let caps: Value = serde_json::from_str(&self.capabilities_snapshot()?)
            .map_err(|e| self.snapshot_error("capabilities", e.to_string()))?;
        let Some(config) = caps.get("config") else {
            return Ok(None);
        };
        let namespace = config["namespace"]
            .as_str()
            .ok_or_else(|| self.snapshot_error("capabilities", "config has no namespace".into()))?
            .to_string();
        let mut settings: Vec<(String, String)> = config["defaults"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), text_of(v)))
            .collect();
        for (key, value) in options.as_object().into_iter().flatten() {
            match settings.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = text_of(value),
                None => settings.push((key.clone(), text_of(value))),
            }
        }
        let settings = settings
            .into_iter()
            .map(|(k, v)| (format!("{namespace}.{k}"), v))
            .collect();
        Ok(Some((namespace, settings)))
    }

    /// The name the registry gives export `index` of `kind` (table functions
    /// and factories carry no name of their own across datafusion-ffi).
    pub fn export_name(
        &self,
        entries: &[FunctionEntry],
        kind: &str,
        index: usize,
    ) -> Result<String, LoadError> {
        entries
            .iter()
            .find(|e| e.kind == kind && e.index == Some(index))
            .map(|e| e.name.clone())
            .ok_or_else(|| {
                self.snapshot_error(
                    "registry",
                    format!("no {kind} entry with index {index} for an exported object"),
                )
            })
    }

    fn snapshot_text(
        &self,
        what: &'static str,
        result: RResult<RString, RString>,
    ) -> Result<String, LoadError> {
        result
            .into_result()
            .map(|s| s.into_string())
            .map_err(|e| self.snapshot_error(what, e.into_string()))
    }

    fn snapshot_error(&self, what: &'static str, reason: String) -> LoadError {
        LoadError::Snapshot {
            plugin: self.manifest.plugin_name.clone(),
            what,
            reason,
        }
    }
}

/// `(namespace, [(namespace.key, value)])` for the session's config.
type ConfigSettings = (String, Vec<(String, String)>);

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Table functions with parameter names, as `(name, parameters)`: what the
/// named-argument relation planner (and the Python module's rewrite) needs.
pub fn named_table_functions(entries: &[FunctionEntry]) -> Vec<(String, Vec<String>)> {
    entries
        .iter()
        .filter(|e| e.kind == "table")
        .filter_map(|e| Some((e.name.clone(), e.parameters.clone()?)))
        .filter(|(_, params)| !params.is_empty())
        .collect()
}

/// Puts the plugin's settings into the session as datafusion-ffi's generic
/// extension options, which is what lets `SET codeanatomy_udf.<key> = ...`
/// work in a host that has no Rust type for the namespace; the values reach
/// the plugin with every function call.
fn register_settings(ctx: &SessionContext, settings: &[(String, String)]) {
    let state = ctx.state_ref();
    let mut state = state.write();
    let extensions = &mut state.config_mut().options_mut().extensions;
    if extensions.get::<FFI_ExtensionOptions>().is_none() {
        extensions.insert(FFI_ExtensionOptions::default());
    }
    if let Some(ffi) = extensions.get_mut::<FFI_ExtensionOptions>() {
        apply_settings(ffi, settings);
    }
}

fn apply_settings(ffi: &mut FFI_ExtensionOptions, settings: &[(String, String)]) {
    for (key, value) in settings {
        // FFI_ExtensionOptions stores any namespaced key; it cannot fail.
        let _ = datafusion::common::config::ExtensionOptions::set(ffi, key, value);
    }
}
