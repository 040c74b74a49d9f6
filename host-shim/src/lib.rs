//! `df-plugin-host`: opens a DataFusion plugin file, validates it against
//! the ABI contract before touching any DataFusion object, and installs what
//! it exports into a [`SessionContext`](datafusion::prelude::SessionContext).
//!
//! ```no_run
//! use df_plugin_host::{Plugin, Requirements};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let requirements = Requirements::new()
//!     .require_version(">=0.1")?
//!     .require_capability("scalar_udf@1")?;
//! let plugin = Plugin::load("libdf_plugin_codeanatomy.so", &requirements)?;
//! let ctx = datafusion::prelude::SessionContext::new();
//! plugin.install(&ctx)?;
//! ctx.sql("SELECT stable_hash64('alpha')").await?.show().await?;
//! # Ok(()) }
//! ```
//!
//! One gate serves every host: the Rust API, the `df-plugin` command line and
//! the Python module all go through [`Plugin::load`].

pub mod error;
pub mod factory;
pub mod foreign;
pub mod image_check;
pub mod install;
pub mod loader;
pub mod locate;
pub mod planner;
pub mod result_text;
pub mod snapshot;
pub mod table_args;

pub use error::LoadError;

/// The README's Rust example, compiled as a doctest so it cannot drift from
/// the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
pub use loader::{Plugin, Requirements};
