//! The plugin manifest: who the plugin is, what it was built with, and what
//! it can do. Reading it calls no DataFusion code.

use abi_stable::{
    StableAbi,
    std_types::{RSlice, RStr},
};

/// One capability the plugin provides, with its own version.
///
/// A capability's version is bumped when its behaviour grows in a way a host
/// may want to require (e.g. `scalar_udf@2` once a new function family ships).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// Capability name, e.g. `scalar_udf`, `table_provider_factory`.
    pub name: RStr<'static>,
    /// Version of that capability.
    pub version: u32,
}

/// How the plugin binary was built.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildInfo {
    /// `rustc --version` of the compiler that built the plugin.
    pub rustc: RStr<'static>,
    /// Target triple, e.g. `x86_64-unknown-linux-gnu`.
    pub target: RStr<'static>,
    /// Cargo profile, e.g. `debug` or `release`.
    pub profile: RStr<'static>,
}

/// The manifest as it crosses the boundary: an abi_stable prefix type, so
/// later ABI minors can append fields after `capabilities`.
///
/// Its strings borrow from the plugin for `'static`: hosts never unload a
/// plugin library, and [`ManifestInfo`] copies them out at load time.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ManifestRef)))]
pub struct Manifest {
    /// Plugin name, e.g. `codeanatomy`.
    pub plugin_name: RStr<'static>,
    /// Plugin version, a semver string.
    pub plugin_version: RStr<'static>,
    /// ABI major the plugin was built against.
    pub abi_major: u32,
    /// ABI minor the plugin was built against.
    pub abi_minor: u32,
    /// `datafusion_ffi::version()` of the plugin's build (the datafusion-ffi major).
    pub datafusion_ffi_major: u64,
    /// Full DataFusion version the plugin was built with.
    pub datafusion_version: RStr<'static>,
    /// Full Arrow version the plugin was built with.
    pub arrow_version: RStr<'static>,
    /// Compiler, target and profile.
    pub build: BuildInfo,
    /// Everything the plugin can do.
    #[sabi(last_prefix_field)]
    pub capabilities: RSlice<'static, Capability>,
}

/// An owned, plain-Rust copy of a manifest, read once at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestInfo {
    /// See [`Manifest::plugin_name`].
    pub plugin_name: String,
    /// See [`Manifest::plugin_version`].
    pub plugin_version: String,
    /// See [`Manifest::abi_major`].
    pub abi_major: u32,
    /// See [`Manifest::abi_minor`].
    pub abi_minor: u32,
    /// See [`Manifest::datafusion_ffi_major`].
    pub datafusion_ffi_major: u64,
    /// See [`Manifest::datafusion_version`].
    pub datafusion_version: String,
    /// See [`Manifest::arrow_version`].
    pub arrow_version: String,
    /// See [`Manifest::build`].
    pub build: BuildInfoOwned,
    /// `(name, version)` of every capability.
    pub capabilities: Vec<(String, u32)>,
}

impl From<ManifestRef> for ManifestInfo {
    fn from(m: ManifestRef) -> Self {
        ManifestInfo {
            plugin_name: m.plugin_name().to_string(),
            plugin_version: m.plugin_version().to_string(),
            abi_major: m.abi_major(),
            abi_minor: m.abi_minor(),
            datafusion_ffi_major: m.datafusion_ffi_major(),
            datafusion_version: m.datafusion_version().to_string(),
            arrow_version: m.arrow_version().to_string(),
            build: BuildInfoOwned::from(m.build()),
            capabilities: m
                .capabilities()
                .iter()
                .map(|c| (c.name.to_string(), c.version))
                .collect(),
        }
    }
}

impl ManifestInfo {
    /// The version of capability `name`, if the plugin has it.
    pub fn capability(&self, name: &str) -> Option<u32> {
        self.capabilities
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }
}

/// An owned copy of [`BuildInfo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfoOwned {
    /// See [`BuildInfo::rustc`].
    pub rustc: String,
    /// See [`BuildInfo::target`].
    pub target: String,
    /// See [`BuildInfo::profile`].
    pub profile: String,
}

impl From<BuildInfo> for BuildInfoOwned {
    fn from(b: BuildInfo) -> Self {
        BuildInfoOwned {
            rustc: b.rustc.to_string(),
            target: b.target.to_string(),
            profile: b.profile.to_string(),
        }
    }
}
