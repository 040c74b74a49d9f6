//! The contract between the CodeAnatomy DataFusion plugin and its hosts.
//!
//! This crate deliberately depends on no DataFusion crate: a host built against
//! one DataFusion major must still be able to open a plugin built against
//! another, read its [`Manifest`](manifest::Manifest), and refuse it with a
//! precise reason. DataFusion objects only cross the boundary after
//! [`compat::check`] has passed, through [`module::PluginModule::export`].
//!
//! Versioning rules are written down in `abi/CHANGELOG.md`.

pub mod compat;
pub mod export_kind;
pub mod function_factory;
pub mod manifest;
pub mod module;
pub mod planner;
#[doc(hidden)]
pub mod rehearsal;

pub use compat::{HostRequirements, Mismatch, RequiredCapability, check};
pub use manifest::{BuildInfo, BuildInfoOwned, Capability, Manifest, ManifestInfo, ManifestRef};
pub use module::{PluginModule, PluginModuleRef};

/// ABI major of this contract. A host accepts only plugins of the same major.
pub const ABI_MAJOR: u32 = 1;

/// ABI minor of this contract. A minor bump appends fields to a prefix type
/// (the root module or the manifest) or adds an export kind; a host that needs
/// minor `m` accepts plugins of minor `m` or newer.
pub const ABI_MINOR: u32 = 1;
