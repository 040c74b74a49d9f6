//! Installing a validated plugin into a session.
//!
//! Every export is built first and registered only when all of them were
//! built, so a plugin that fails half way leaves nothing in the session.

use std::ffi::c_void;
use std::hash::{Hash, Hasher};
use std::mem::MaybeUninit;
use std::str::FromStr;
use std::sync::Arc;

use abi_stable::std_types::{RResult, RStr};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, TypeSignature,
};
use datafusion::prelude::SessionContext;
use datafusion_ffi::udf::FFI_ScalarUDF;
use df_plugin_abi::export_kind;

use crate::error::LoadError;
use crate::loader::Plugin;
use crate::snapshot::{self, FunctionEntry};

/// What `install` registered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallReport {
    /// Names of the scalar functions registered (without aliases).
    pub scalar_udfs: Vec<String>,
}

impl Plugin {
    /// The registry snapshot: a JSON array with every exported function's
    /// kind, aliases, parameter names, signatures, return types, volatility
    /// and documentation.
    pub fn registry_snapshot(&self) -> Result<String, LoadError> {
        self.snapshot_text("registry", (self.module.registry_snapshot())())
    }

    /// The capabilities snapshot (JSON object).
    pub fn capabilities_snapshot(&self) -> Result<String, LoadError> {
        self.snapshot_text("capabilities", (self.module.capabilities_snapshot())())
    }

    /// The registry snapshot, parsed.
    pub fn functions(&self) -> Result<Vec<FunctionEntry>, LoadError> {
        let text = self.registry_snapshot()?;
        snapshot::parse_registry(&text).map_err(|reason| LoadError::Snapshot {
            plugin: self.manifest.plugin_name.clone(),
            what: "registry",
            reason,
        })
    }

    /// Installs everything the plugin exports, with default options.
    pub fn install(&self, ctx: &SessionContext) -> Result<InstallReport, LoadError> {
        self.install_with_options(ctx, &serde_json::json!({}))
    }

    /// Installs everything the plugin exports; `options` is a JSON object of
    /// install options the plugin interprets.
    pub fn install_with_options(
        &self,
        ctx: &SessionContext,
        options: &serde_json::Value,
    ) -> Result<InstallReport, LoadError> {
        let options = options.to_string();
        let entries = self.functions()?;
        let udfs = self.build_scalar_udfs(&options, &entries)?;
        let mut report = InstallReport::default();
        for udf in udfs {
            report.scalar_udfs.push(udf.name().to_string());
            ctx.register_udf(udf);
        }
        Ok(report)
    }

    fn snapshot_text(
        &self,
        what: &'static str,
        result: RResult<abi_stable::std_types::RString, abi_stable::std_types::RString>,
    ) -> Result<String, LoadError> {
        result
            .into_result()
            .map(|s| s.into_string())
            .map_err(|e| LoadError::Snapshot {
                plugin: self.manifest.plugin_name.clone(),
                what,
                reason: e.into_string(),
            })
    }

    fn build_scalar_udfs(
        &self,
        options: &str,
        entries: &[FunctionEntry],
    ) -> Result<Vec<ScalarUDF>, LoadError> {
        let count = (self.module.export_count())(export_kind::SCALAR_UDF);
        (0..count)
            .map(|index| {
                let mut slot = MaybeUninit::<FFI_ScalarUDF>::uninit();
                // SAFETY: the gate checked that plugin and host share the
                // datafusion-ffi major, so `slot` has the layout the plugin
                // writes; on ROk the plugin has initialised it.
                let result = unsafe {
                    (self.module.export())(
                        export_kind::SCALAR_UDF,
                        index,
                        RStr::from_str(options),
                        std::ptr::null::<c_void>(),
                        slot.as_mut_ptr().cast::<c_void>(),
                    )
                };
                match result {
                    RResult::ROk(()) => {
                        let ffi = unsafe { slot.assume_init() };
                        let foreign: Arc<dyn ScalarUDFImpl> = ffi.into();
                        let entry = entries
                            .iter()
                            .find(|e| e.kind == "scalar" && e.name == foreign.name());
                        Ok(PluginScalarUdf::wrap(foreign, entry))
                    }
                    RResult::RErr(reason) => Err(LoadError::Export {
                        plugin: self.manifest.plugin_name.clone(),
                        kind: export_kind::name(export_kind::SCALAR_UDF),
                        index,
                        reason: reason.into_string(),
                    }),
                }
            })
            .collect()
    }
}

/// A plugin scalar UDF as the host registers it: the datafusion-ffi foreign
/// UDF, plus the parameter names and documentation from the plugin's
/// registry snapshot (datafusion-ffi 55 carries neither).
#[derive(Debug)]
pub struct PluginScalarUdf {
    inner: Arc<dyn ScalarUDFImpl>,
    signature: Signature,
    documentation: Option<Documentation>,
}

impl PluginScalarUdf {
    /// Wraps a foreign UDF with the metadata of its registry entry.
    pub fn wrap(inner: Arc<dyn ScalarUDFImpl>, entry: Option<&FunctionEntry>) -> ScalarUDF {
        let signature = entry.map_or_else(
            || inner.signature().clone(),
            |e| host_signature(inner.signature(), e),
        );
        let documentation = entry.and_then(FunctionEntry::documentation);
        ScalarUDF::new_from_impl(PluginScalarUdf {
            inner,
            signature,
            documentation,
        })
    }
}

/// The signature the host plans with.
///
/// A foreign UDF's signature is bare `UserDefined` (every call is coerced by
/// the plugin's own `coerce_types`), which `information_schema` and
/// `SHOW FUNCTIONS` cannot describe. The plugin's probed signatures are added
/// after it as `Exact` alternatives, for the listing only: the `UserDefined`
/// variant never fails (see `PluginScalarUdf::coerce_types`), so planning
/// always follows the plugin's own coercion. Parameter names are
/// set directly because DataFusion only validates them for fixed arities.
fn host_signature(foreign: &Signature, entry: &FunctionEntry) -> Signature {
    let exact: Vec<TypeSignature> = entry
        .signatures
        .iter()
        .filter_map(|s| {
            s.args
                .iter()
                .map(|t| DataType::from_str(t).ok())
                .collect::<Option<Vec<_>>>()
        })
        .map(TypeSignature::Exact)
        .collect();
    let mut signature = if exact.is_empty() {
        foreign.clone()
    } else {
        let mut variants = vec![TypeSignature::UserDefined];
        variants.extend(exact);
        Signature::one_of(variants, foreign.volatility)
    };
    signature.parameter_names = entry.parameters.clone();
    signature
}

impl PluginScalarUdf {
    fn has_listing_variants(&self) -> bool {
        matches!(self.signature.type_signature, TypeSignature::OneOf(_))
    }
}

impl PartialEq for PluginScalarUdf {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) && self.signature == other.signature
    }
}

impl Eq for PluginScalarUdf {}

impl Hash for PluginScalarUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.name().hash(state);
        self.signature.hash(state);
    }
}

impl ScalarUDFImpl for PluginScalarUdf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        // A refusal deferred by `coerce_types` surfaces here, at planning
        // time, with the plugin's own message.
        let arg_types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        self.inner.coerce_types(&arg_types)?;
        self.inner.return_field_from_args(args)
    }

    /// The plugin decides; when it refuses, the types are returned unchanged
    /// so that DataFusion does not fall back to the listing-only `Exact`
    /// variants (which would accept, say, any type cast to text), and
    /// `return_field_from_args` reports the plugin's error instead.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match self.inner.coerce_types(arg_types) {
            Ok(types) => Ok(types),
            Err(_) if self.has_listing_variants() => Ok(arg_types.to_vec()),
            Err(e) => Err(e),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }

    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.documentation.as_ref()
    }
}
