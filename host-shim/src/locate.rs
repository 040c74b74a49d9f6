//! Finding the plugin file built beside a host binary.

use std::path::{Path, PathBuf};

/// File name of the CodeAnatomy plugin on this platform
/// (`libdf_plugin_codeanatomy.so`, `.dylib`, or `df_plugin_codeanatomy.dll`).
pub fn plugin_file_name() -> String {
    format!(
        "{}df_plugin_codeanatomy{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The plugin built in the same cargo output directory as the running
/// executable: beside it, or in the `deps/` folder next to it (where cargo
/// puts a dependency's cdylib), or one level up (test binaries live in
/// `deps/`). Where several exist, the most recently built wins, so a stale
/// copy from an older build is not picked over a fresh one.
pub fn plugin_beside_current_exe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    plugin_beside(exe.parent()?)
}

/// See [`plugin_beside_current_exe`].
pub fn plugin_beside(dir: &Path) -> Option<PathBuf> {
    let name = plugin_file_name();
    let candidates = [
        Some(dir.join(&name)),
        Some(dir.join("deps").join(&name)),
        dir.parent().map(|p| p.join(&name)),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let modified = std::fs::metadata(&p).ok()?.modified().ok()?;
            p.is_file().then_some((modified, p))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, p)| p)
}
