//! The exported root module and its `extern "C"` entry points.

use std::ffi::c_void;
use std::sync::Arc;

use abi_stable::export_root_module;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::std_types::{RResult, RStr, RString};
use datafusion_ffi::udf::FFI_ScalarUDF;
use df_plugin_abi::{ManifestRef, PluginModule, PluginModuleRef, export_kind};

use super::guard::ffi_guard;
use crate::registry::{self, InstallOptions};

/// The root module abi_stable exports under its fixed symbol name.
#[export_root_module]
pub fn root_module() -> PluginModuleRef {
    PluginModule {
        manifest: manifest_entry,
        registry_snapshot,
        capabilities_snapshot,
        export_count,
        export,
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
    _input: *const c_void,
    out: *mut c_void,
) -> RResult<(), RString> {
    ffi_guard("export", || {
        if out.is_null() {
            return Err("export called with a null output pointer".to_string());
        }
        let options = InstallOptions::from_json(options.as_str())?;
        match kind {
            export_kind::SCALAR_UDF => {
                let udfs = registry::scalar_udfs(&options);
                let udf = udfs.get(index).ok_or_else(|| {
                    format!(
                        "scalar_udf export index {index} out of range (the plugin has {})",
                        udfs.len()
                    )
                })?;
                let ffi = FFI_ScalarUDF::from(Arc::clone(udf));
                // SAFETY: the host passes memory valid for one FFI_ScalarUDF
                // (same datafusion-ffi major, checked before any export).
                unsafe { out.cast::<FFI_ScalarUDF>().write(ffi) };
                Ok(())
            }
            other => Err(format!(
                "the codeanatomy plugin has no exports of kind {other} ({})",
                export_kind::name(other)
            )),
        }
    })
}
