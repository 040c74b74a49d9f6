//! How each variant gets the plugin's code into a session: through the
//! dylib and the host shim (what users run), or linked in-process from the
//! plugin's rlib (the baseline that has no FFI boundary).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use clap::ValueEnum;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use df_plugin_codeanatomy::config::CodeAnatomyConfig;
use df_plugin_codeanatomy::registry::{self, InstallOptions};
use df_plugin_host::locate::plugin_beside_current_exe;
use df_plugin_host::{Plugin, Requirements};

/// Where the plugin's functions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Linkage {
    /// `libdf_plugin_codeanatomy` loaded with `Plugin::load` and installed
    /// with `Plugin::install`: every call crosses datafusion-ffi.
    Dylib,
    /// The same functions registered from the plugin's rlib, linked into
    /// this binary: no FFI.
    Rlib,
}

impl Linkage {
    /// The name used in results.
    pub fn name(self) -> &'static str {
        match self {
            Linkage::Dylib => "dylib",
            Linkage::Rlib => "rlib",
        }
    }
}

/// The plugin file the dylib variants load: `--plugin`, or the one cargo
/// built beside this binary (the bench depends on the plugin crate, so
/// cargo builds its cdylib into the same output directory).
pub fn plugin_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::var_os("DF_PLUGIN_BENCH_PLUGIN")
            .map(PathBuf::from)
            .or_else(plugin_beside_current_exe)
            .expect(
                "the plugin dylib is built beside df-plugin-bench (or set DF_PLUGIN_BENCH_PLUGIN)",
            )
    })
    .clone()
}

/// The plugin, loaded once per process (a loaded library is never unloaded).
pub fn loaded_plugin() -> &'static Plugin {
    static PLUGIN: OnceLock<Plugin> = OnceLock::new();
    PLUGIN.get_or_init(|| load(&plugin_path()))
}

/// `Plugin::load` with no extra requirements: the gate every host runs.
pub fn load(path: &Path) -> Plugin {
    Plugin::load(path, &Requirements::new()).expect("the built plugin loads")
}

/// Session settings shared by every variant: the given batch size, and
/// DataFusion's defaults otherwise (two partitions on this machine).
pub fn config(batch_size: usize) -> SessionConfig {
    SessionConfig::new().with_batch_size(batch_size)
}

/// A session without the plugin (DataFusion built-ins, deltalake, the
/// Parquet floor).
pub fn plain(batch_size: usize) -> SessionContext {
    SessionContext::new_with_config(config(batch_size))
}

/// A session with the plugin's scalar, aggregate and window functions and
/// its `DELTATABLE` factory, through `linkage`.
pub fn with_plugin(linkage: Linkage, batch_size: usize) -> SessionContext {
    match linkage {
        Linkage::Dylib => {
            let ctx = plain(batch_size);
            loaded_plugin()
                .install(&ctx)
                .expect("the built plugin installs");
            ctx
        }
        Linkage::Rlib => in_process(batch_size),
    }
}

/// The rlib baseline: what a Rust user who linked the plugin's crate would
/// register. The functions are the registry's own (same panic guards, same
/// configuration defaults), and the session holds the native
/// `codeanatomy_udf` extension as an in-process host would.
fn in_process(batch_size: usize) -> SessionContext {
    let options = InstallOptions::default();
    let factories = registry::table_provider_factories()
        .into_iter()
        .map(|entry| (entry.format.to_string(), entry.factory.clone() as _));
    let mut builder = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config(batch_size).with_option_extension(CodeAnatomyConfig::default()));
    for (format, factory) in factories {
        builder = builder.with_table_factory(format, factory);
    }
    let ctx = SessionContext::new_with_state(builder.build());
    for udf in registry::scalar_udfs(&options) {
        ctx.register_udf(Arc::unwrap_or_clone(udf));
    }
    for udaf in registry::aggregate_udfs(&options) {
        ctx.register_udaf(Arc::unwrap_or_clone(udaf));
    }
    for udwf in registry::window_udfs(&options) {
        ctx.register_udwf(Arc::unwrap_or_clone(udwf));
    }
    ctx
}
