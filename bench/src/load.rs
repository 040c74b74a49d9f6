//! Load time: `Plugin::load` (file checks, image check, dlopen, layout and
//! compatibility checks) and `install` into a new session, in a process
//! that has not loaded the plugin before (the suite starts one per run).

use std::time::Instant;

use datafusion::common::{DataFusionError, Result};
use datafusion::prelude::SessionContext;
use df_plugin_host::loader::sha256_file;
use df_plugin_host::{Plugin, Requirements};
use serde_json::{Value, json};

use crate::measure::MemoryWindow;
use crate::scalar::drain;
use crate::sessions::plugin_path;

fn host_err(e: df_plugin_host::LoadError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// Loads and installs the plugin once, timing each step. With `pin`, the
/// file's SHA-256 is pinned (computed beforehand, outside the timing), so
/// the gate also hashes the whole file.
pub async fn run(pin: bool) -> Result<Value> {
    let path = plugin_path();
    let mut requirements = Requirements::new();
    if pin {
        let digest = sha256_file(&path)?;
        requirements = requirements.pin_sha256(&digest).map_err(host_err)?;
    }
    let ctx = SessionContext::new();
    let window = MemoryWindow::open();

    let started = Instant::now();
    let plugin = Plugin::load(&path, &requirements).map_err(host_err)?;
    let load_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    plugin.install(&ctx).map_err(host_err)?;
    let install_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    drain(&ctx, "SELECT stable_hash64('alpha')").await?;
    let first_call_s = started.elapsed().as_secs_f64();

    // What every later session pays: the export set is cached in the plugin.
    let second = SessionContext::new();
    let started = Instant::now();
    plugin.install(&second).map_err(host_err)?;
    let second_install_s = started.elapsed().as_secs_f64();

    Ok(json!({
        "pinned": pin,
        "plugin_bytes": std::fs::metadata(&path)?.len(),
        "load_s": load_s,
        "install_s": install_s,
        "load_install_s": load_s + install_s,
        "first_call_s": first_call_s,
        "second_install_s": second_install_s,
        "memory": window.close(),
    }))
}
