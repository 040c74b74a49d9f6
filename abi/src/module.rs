//! The root module every plugin exports (with `#[export_root_module]`).

use std::ffi::c_void;

use abi_stable::{
    StableAbi, declare_root_module_statics,
    library::RootModule,
    sabi_types::VersionStrings,
    std_types::{RResult, RStr, RString},
};

use crate::manifest::ManifestRef;

/// The plugin's root module.
///
/// Calling order is part of the contract: a host calls [`manifest`] (pure
/// data), decides with [`crate::compat::check`], and only then calls
/// [`export_count`] and [`export`], which build datafusion-ffi objects.
/// Every function catches panics inside the plugin and reports them as an
/// `RErr` message; none unwinds into the host.
///
/// [`manifest`]: PluginModule::manifest
/// [`export_count`]: PluginModule::export_count
/// [`export`]: PluginModule::export
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
pub struct PluginModule {
    /// The manifest. Calls no DataFusion code.
    pub manifest: extern "C" fn() -> ManifestRef,

    /// JSON list of every function the plugin exports: name, kind, aliases,
    /// parameter names, signatures, return type, volatility, description.
    pub registry_snapshot: extern "C" fn() -> RResult<RString, RString>,

    /// JSON object describing the capabilities and their settings.
    pub capabilities_snapshot: extern "C" fn() -> RResult<RString, RString>,

    /// How many objects of export kind `kind` (see [`crate::export_kind`])
    /// the plugin has; 0 for a kind it does not know.
    pub export_count: extern "C" fn(kind: u32) -> usize,

    /// Writes export number `index` of kind `kind` to `out`.
    ///
    /// `options` is a JSON object of install options (`{}` for defaults).
    /// `input` and `out` point to the datafusion-ffi types named in
    /// [`crate::export_kind`]; `out` is uninitialised memory owned by the
    /// host, which owns the written value afterwards (and releases it through
    /// the value's own `release`).
    ///
    /// # Safety
    /// `out` must be valid for a write of the kind's type, and `input` must
    /// point to the kind's input type (or be null where unused). The host may
    /// only call this after checking `datafusion_ffi_major`.
    #[sabi(last_prefix_field)]
    pub export: unsafe extern "C" fn(
        kind: u32,
        index: usize,
        options: RStr<'_>,
        input: *const c_void,
        out: *mut c_void,
    ) -> RResult<(), RString>,

    /// ABI 1.1, capability `expr_planner`: plans one operator. `request` is
    /// a JSON [`crate::planner::OperatorRequest`]; the answer a JSON
    /// [`crate::planner::OperatorPlan`].
    pub plan_operator: extern "C" fn(request: RStr<'_>) -> RResult<RString, RString>,

    /// ABI 1.1, capability `function_factory`: judges one `CREATE FUNCTION`.
    /// `request` is a JSON [`crate::function_factory::CreateFunctionRequest`],
    /// `options` the install options (JSON object, may carry a
    /// `function_factory` policy); the answer a JSON
    /// [`crate::function_factory::FunctionDefinition`], or an error naming
    /// the policy rule that refused it.
    pub create_function:
        extern "C" fn(request: RStr<'_>, options: RStr<'_>) -> RResult<RString, RString>,
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}

    const BASE_NAME: &'static str = "df_plugin";
    const NAME: &'static str = "df_plugin";
    /// Tied to [`crate::ABI_MAJOR`] only: abi_stable refuses a different
    /// major before the layout check, and minors are judged from the manifest.
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("1.0.0");
}
