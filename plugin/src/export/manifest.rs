//! The manifest this plugin declares.

use std::sync::OnceLock;

use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::std_types::{RSlice, RStr};
use df_plugin_abi::{ABI_MAJOR, ABI_MINOR, BuildInfo, Capability, Manifest, ManifestRef};

use crate::registry;

/// The manifest, built once and kept for the life of the process (hosts
/// never unload the library, so handing out `'static` borrows is sound).
pub fn manifest() -> ManifestRef {
    static MANIFEST: OnceLock<ManifestRef> = OnceLock::new();
    *MANIFEST.get_or_init(|| {
        let capabilities: Vec<Capability> = registry::capabilities()
            .into_iter()
            .map(|(name, version)| Capability {
                name: RStr::from_str(name),
                version,
            })
            .collect();
        Manifest {
            plugin_name: RStr::from_str(crate::PLUGIN_NAME),
            plugin_version: RStr::from_str(env!("CARGO_PKG_VERSION")),
            abi_major: ABI_MAJOR,
            abi_minor: ABI_MINOR,
            datafusion_ffi_major: datafusion_ffi::version(),
            datafusion_version: RStr::from_str(datafusion::DATAFUSION_VERSION),
            arrow_version: RStr::from_str(datafusion::arrow::ARROW_VERSION),
            build: BuildInfo {
                rustc: RStr::from_str(env!("CODEANATOMY_BUILD_RUSTC")),
                target: RStr::from_str(env!("CODEANATOMY_BUILD_TARGET")),
                profile: RStr::from_str(env!("CODEANATOMY_BUILD_PROFILE")),
            },
            capabilities: RSlice::from_slice(capabilities.leak()),
        }
        .leak_into_prefix()
    })
}
