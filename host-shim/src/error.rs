//! The typed refusal reasons of the loader.

use std::path::PathBuf;

pub use df_plugin_abi::Mismatch;

/// Why a plugin could not be loaded or installed. Every variant names what
/// the host expected and what it found.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Nothing exists at the path.
    #[error("plugin file not found: {path} (expected a plugin shared library at this path)")]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The path exists but is a directory or another non-file.
    #[error(
        "plugin path {path} is not a regular file (expected a shared library file, found {found})"
    )]
    NotAFile {
        /// The path given.
        path: PathBuf,
        /// What was found instead, e.g. `a directory`.
        found: String,
    },
    /// The file could not be read.
    #[error("plugin file {path} is not readable: {source}")]
    Unreadable {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file's SHA-256 differs from the pinned value.
    #[error(
        "plugin file {path} does not match its SHA-256 pin: expected {expected}, found {found}"
    )]
    Sha256Mismatch {
        /// The path given.
        path: PathBuf,
        /// The pinned digest (lower-case hex).
        expected: String,
        /// The file's digest (lower-case hex).
        found: String,
    },
    /// The dynamic loader refused the file.
    #[error(
        "{path} is not a loadable shared library (expected an ELF/Mach-O/PE library the dynamic loader accepts): {reason}"
    )]
    NotALibrary {
        /// The path given.
        path: PathBuf,
        /// The loader's message.
        reason: String,
    },
    /// A real library, but it exports no plugin root module.
    #[error(
        "{path} is a shared library but not a df-plugin: expected it to export the root module symbol `{symbol}`, found no such symbol"
    )]
    NoRootModule {
        /// The path given.
        path: PathBuf,
        /// The symbol looked for.
        symbol: String,
    },
    /// abi_stable's own layout or header check failed.
    #[error(
        "plugin root module failed abi_stable's layout check: expected the root module layout of df-plugin-abi {expected}, found: {reason}"
    )]
    Layout {
        /// The contract version the host was built with.
        expected: String,
        /// abi_stable's description of the difference.
        reason: String,
    },
    /// The plugin's root module constructor failed.
    #[error("plugin root module failed to initialise: {reason}")]
    RootModuleInit {
        /// The plugin's message.
        reason: String,
    },
    /// The manifest does not meet the host's requirements.
    #[error(transparent)]
    Incompatible(#[from] Mismatch),
    /// A requirement given by the caller could not be parsed.
    #[error("invalid requirement {given:?}: {reason}")]
    InvalidRequirement {
        /// The requirement text.
        given: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The plugin returned an error (or panicked) while building an export.
    #[error("plugin {plugin} failed to export {kind} #{index}: {reason}")]
    Export {
        /// Plugin name.
        plugin: String,
        /// Export kind name.
        kind: &'static str,
        /// Export index.
        index: usize,
        /// The plugin's message.
        reason: String,
    },
    /// The plugin's registry or capabilities snapshot was unusable.
    #[error("plugin {plugin} returned an invalid {what} snapshot: {reason}")]
    Snapshot {
        /// Plugin name.
        plugin: String,
        /// `registry` or `capabilities`.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// Registering an export in the session failed.
    #[error("installing plugin {plugin} into the session failed: {reason}")]
    Install {
        /// Plugin name.
        plugin: String,
        /// DataFusion's message.
        reason: String,
    },
}
