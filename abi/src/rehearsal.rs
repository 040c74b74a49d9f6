//! The next ABI minor, rehearsed: the root module exactly as a plugin built
//! against ABI `1.(ABI_MINOR + 1)` would declare it, with one appended field.
//!
//! Not part of the contract a host uses. It exists so that the ABI matrix
//! (`docs/abi-matrix.md`) can load a genuinely newer-minor plugin — a root
//! module with a field this host does not know — and prove that abi_stable's
//! prefix-type check accepts it and the host uses the fields it knows. The
//! type must be named `PluginModule` and live in this package: abi_stable
//! compares type names and packages, not module paths.

use std::ffi::c_void;

use abi_stable::{
    StableAbi, declare_root_module_statics,
    library::RootModule,
    sabi_types::VersionStrings,
    std_types::{RResult, RStr, RString},
};

use crate::manifest::ManifestRef;

/// [`crate::PluginModule`] of ABI minor `ABI_MINOR + 1`: the same fields in
/// the same order, then `describe`.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
pub struct PluginModule {
    /// See [`crate::PluginModule::manifest`].
    pub manifest: extern "C" fn() -> ManifestRef,
    /// See [`crate::PluginModule::registry_snapshot`].
    pub registry_snapshot: extern "C" fn() -> RResult<RString, RString>,
    /// See [`crate::PluginModule::capabilities_snapshot`].
    pub capabilities_snapshot: extern "C" fn() -> RResult<RString, RString>,
    /// See [`crate::PluginModule::export_count`].
    pub export_count: extern "C" fn(kind: u32) -> usize,
    /// See [`crate::PluginModule::export`].
    #[sabi(last_prefix_field)]
    pub export: unsafe extern "C" fn(
        kind: u32,
        index: usize,
        options: RStr<'_>,
        input: *const c_void,
        out: *mut c_void,
    ) -> RResult<(), RString>,
    /// See [`crate::PluginModule::plan_operator`].
    pub plan_operator: extern "C" fn(request: RStr<'_>) -> RResult<RString, RString>,
    /// See [`crate::PluginModule::create_function`].
    pub create_function:
        extern "C" fn(request: RStr<'_>, options: RStr<'_>) -> RResult<RString, RString>,
    /// The appended field: a one-line description of the plugin.
    pub describe: extern "C" fn() -> RString,
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}

    const BASE_NAME: &'static str = "df_plugin";
    const NAME: &'static str = "df_plugin";
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("1.0.0");
}
