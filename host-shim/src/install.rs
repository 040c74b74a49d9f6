//! Installing a validated plugin into a session.
//!
//! Every export is built first and registered only when all of them were
//! built, so a plugin that fails half way leaves nothing in the session.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::sync::Arc;

use abi_stable::std_types::{RResult, RStr, RString};
use datafusion::logical_expr::{AggregateUDFImpl, ScalarUDFImpl, WindowUDFImpl};
use datafusion::prelude::SessionContext;
use datafusion_ffi::config::extension_options::FFI_ExtensionOptions;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udwf::FFI_WindowUDF;
use df_plugin_abi::export_kind;
use serde_json::Value;

use crate::error::LoadError;
use crate::foreign::{PluginAggregateUdf, PluginScalarUdf, PluginWindowUdf};
use crate::loader::Plugin;
use crate::snapshot::{self, FunctionEntry};

/// What `install` registered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallReport {
    /// Names of the scalar functions registered (without aliases).
    pub scalar_udfs: Vec<String>,
    /// Names of the aggregate functions registered.
    pub aggregate_udfs: Vec<String>,
    /// Names of the window functions registered.
    pub window_udfs: Vec<String>,
    /// The configuration namespace registered for `SET <namespace>.<key>`.
    pub config_namespace: Option<String>,
}

/// Marks the datafusion-ffi type each export kind writes, so a kind code
/// and its type cannot be mixed up at a call site.
trait ExportType: Sized {
    const KIND: u32;
}

impl ExportType for FFI_ScalarUDF {
    const KIND: u32 = export_kind::SCALAR_UDF;
}

impl ExportType for FFI_AggregateUDF {
    const KIND: u32 = export_kind::AGGREGATE_UDF;
}

impl ExportType for FFI_WindowUDF {
    const KIND: u32 = export_kind::WINDOW_UDF;
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
    /// function arguments, e.g. `{"span_line_base": 1}`); the plugin refuses
    /// unknown keys and bad values before anything is registered.
    pub fn install_with_options(
        &self,
        ctx: &SessionContext,
        options: &Value,
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
            .take_exports::<FFI_ScalarUDF>(&options_text)?
            .into_iter()
            .map(|ffi| {
                let foreign: Arc<dyn ScalarUDFImpl> = ffi.into();
                let e = entry(foreign.name(), "scalar");
                PluginScalarUdf::wrap(foreign, e.as_ref())
            })
            .collect();
        let aggregates: Vec<_> = self
            .take_exports::<FFI_AggregateUDF>(&options_text)?
            .iter()
            .map(|ffi| {
                let foreign: Arc<dyn AggregateUDFImpl> = ffi.into();
                let e = entry(foreign.name(), "aggregate");
                PluginAggregateUdf::wrap(foreign, e.as_ref())
            })
            .collect();
        let windows: Vec<_> = self
            .take_exports::<FFI_WindowUDF>(&options_text)?
            .iter()
            .map(|ffi| {
                let foreign: Arc<dyn WindowUDFImpl> = ffi.into();
                let e = entry(foreign.name(), "window");
                PluginWindowUdf::wrap(foreign, e.as_ref())
            })
            .collect();
        let config = self.config_settings(options)?;

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
        if let Some((namespace, settings)) = config {
            register_settings(ctx, &settings);
            report.config_namespace = Some(namespace);
        }
        Ok(report)
    }

    /// Every export of `T`'s kind, built by the plugin into host memory.
    fn take_exports<T: ExportType>(&self, options: &str) -> Result<Vec<T>, LoadError> {
        let count = (self.module.export_count())(T::KIND);
        (0..count)
            .map(|index| {
                let mut slot = MaybeUninit::<T>::uninit();
                // SAFETY: the gate checked that plugin and host share the
                // datafusion-ffi major, so `slot` has the layout the plugin
                // writes for this kind; on ROk the plugin has initialised it.
                let result = unsafe {
                    (self.module.export())(
                        T::KIND,
                        index,
                        RStr::from_str(options),
                        std::ptr::null::<c_void>(),
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
            })
            .collect()
    }

    /// `(namespace, [(namespace.key, value)])`: the plugin's configuration
    /// defaults with the install options applied, for the session.
    fn config_settings(
        &self,
        options: &Value,
    ) -> Result<Option<(String, Vec<(String, String)>)>, LoadError> {
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

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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
        for (key, value) in settings {
            // FFI_ExtensionOptions stores any namespaced key; it cannot fail.
            let _ = datafusion::common::config::ExtensionOptions::set(ffi, key, value);
        }
    }
}
