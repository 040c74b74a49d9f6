//! The exported root module and its `extern "C"` entry points.

use std::ffi::c_void;
use std::sync::Arc;

use abi_stable::export_root_module;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::std_types::{RResult, RStr, RString};
use datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec;
use datafusion_ffi::table_provider_factory::FFI_TableProviderFactory;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udtf::FFI_TableFunction;
use datafusion_ffi::udwf::FFI_WindowUDF;
use df_plugin_abi::function_factory::CreateFunctionRequest;
use df_plugin_abi::planner::OperatorRequest;
use df_plugin_abi::{ManifestRef, PluginModule, PluginModuleRef, export_kind};

use super::guard::ffi_guard;
use crate::{factory, planner, registry, runtime};

/// The root module abi_stable exports under its fixed symbol name.
#[export_root_module]
pub fn root_module() -> PluginModuleRef {
    PluginModule {
        manifest: manifest_entry,
        registry_snapshot,
        capabilities_snapshot,
        export_count,
        export,
        plan_operator,
        create_function,
    }
    .leak_into_prefix()
}

extern "C" fn manifest_entry() -> ManifestRef {
    // Building the manifest only formats constants; a panic here would be a
    // bug in abi_stable or std, and the host would see the abort at load.
    super::manifest::manifest()
}

extern "C" fn registry_snapshot() -> RResult<RString, RString> {
    ffi_guard("registry_snapshot", || {
        registry::registry_snapshot_json().map(RString::from)
    })
}

extern "C" fn capabilities_snapshot() -> RResult<RString, RString> {
    ffi_guard("capabilities_snapshot", || {
        registry::capabilities_snapshot_json().map(RString::from)
    })
}

extern "C" fn plan_operator(request: RStr<'_>) -> RResult<RString, RString> {
    ffi_guard("plan_operator", || {
        let request: OperatorRequest = serde_json::from_str(request.as_str())
            .map_err(|e| format!("malformed operator request: {e}"))?;
        let plan = planner::plan_operator(&request)?;
        serde_json::to_string(&plan)
            .map(RString::from)
            .map_err(|e| e.to_string())
    })
}

extern "C" fn create_function(request: RStr<'_>, options: RStr<'_>) -> RResult<RString, RString> {
    ffi_guard("create_function", || {
        let request: CreateFunctionRequest = serde_json::from_str(request.as_str())
            .map_err(|e| format!("malformed CREATE FUNCTION request: {e}"))?;
        let options = registry::InstallOptions::from_json(options.as_str())?;
        let definition = factory::create_function(&request, &options.factory_policy)?;
        serde_json::to_string(&definition)
            .map(RString::from)
            .map_err(|e| e.to_string())
    })
}

extern "C" fn export_count(kind: u32) -> usize {
    match ffi_guard("export_count", || Ok(registry::export_count(kind))) {
        RResult::ROk(n) => n,
        RResult::RErr(_) => 0,
    }
}

/// # Safety
/// See [`PluginModule::export`].
unsafe extern "C" fn export(
    kind: u32,
    index: usize,
    options: RStr<'_>,
    input: *const c_void,
    out: *mut c_void,
) -> RResult<(), RString> {
    ffi_guard("export", || {
        if out.is_null() {
            return Err("export called with a null output pointer".to_string());
        }
        let set = registry::export_set(options.as_str())?;
        let missing = |len: usize| {
            format!(
                "{} export index {index} out of range (the plugin has {len})",
                export_kind::name(kind)
            )
        };
        // SAFETY (all arms): the host passes memory valid for one value of
        // the kind's datafusion-ffi type (same datafusion-ffi major, checked
        // before any export is requested).
        match kind {
            export_kind::SCALAR_UDF => {
                let udf = set
                    .scalar
                    .get(index)
                    .ok_or_else(|| missing(set.scalar.len()))?;
                let ffi = FFI_ScalarUDF::from(Arc::clone(udf));
                unsafe { out.cast::<FFI_ScalarUDF>().write(ffi) };
                Ok(())
            }
            export_kind::AGGREGATE_UDF => {
                let udaf = set
                    .aggregate
                    .get(index)
                    .ok_or_else(|| missing(set.aggregate.len()))?;
                let ffi = FFI_AggregateUDF::from(Arc::clone(udaf));
                unsafe { out.cast::<FFI_AggregateUDF>().write(ffi) };
                Ok(())
            }
            export_kind::WINDOW_UDF => {
                let udwf = set
                    .window
                    .get(index)
                    .ok_or_else(|| missing(set.window.len()))?;
                let ffi = FFI_WindowUDF::from(Arc::clone(udwf));
                unsafe { out.cast::<FFI_WindowUDF>().write(ffi) };
                Ok(())
            }
            export_kind::TABLE_FUNCTION => {
                let entry = match set.table.get(index) {
                    Some(registry::TableExport::Ready(entry)) => entry,
                    Some(registry::TableExport::Broken { name, reason }) => {
                        return Err(format!(
                            "table function {name} could not be built: {reason}"
                        ));
                    }
                    None => return Err(missing(set.table.len())),
                };
                let codec = host_codec(input)?;
                let ffi = FFI_TableFunction::new_with_ffi_codec(
                    Arc::clone(&entry.function),
                    Some(runtime::handle()),
                    codec,
                );
                unsafe { out.cast::<FFI_TableFunction>().write(ffi) };
                Ok(())
            }
            export_kind::TABLE_PROVIDER_FACTORY => {
                let entry = set
                    .factory
                    .get(index)
                    .ok_or_else(|| missing(set.factory.len()))?;
                let codec = host_codec(input)?;
                let ffi = FFI_TableProviderFactory::new_with_ffi_codec(
                    Arc::clone(&entry.factory),
                    Some(runtime::handle()),
                    codec,
                );
                unsafe { out.cast::<FFI_TableProviderFactory>().write(ffi) };
                Ok(())
            }
            other => Err(format!(
                "the codeanatomy plugin has no exports of kind {other} ({})",
                export_kind::name(other)
            )),
        }
    })
}

/// The host's logical extension codec, which carries the host session's task
/// context: table functions and factories plan and run against the host's
/// session, never a session of the plugin's own.
fn host_codec(input: *const c_void) -> Result<FFI_LogicalExtensionCodec, String> {
    if input.is_null() {
        return Err(
            "table exports need the host's FFI_LogicalExtensionCodec as input, got null"
                .to_string(),
        );
    }
    // SAFETY: for these kinds the contract (abi::export_kind) makes `input`
    // point to the host's codec, alive for the duration of this call.
    Ok(unsafe { &*input.cast::<FFI_LogicalExtensionCodec>() }.clone())
}
