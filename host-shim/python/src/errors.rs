//! Rust errors as the Python exceptions of `df_plugin_host.errors`.
//!
//! The exception classes are defined in Python (docstrings, stubs); this
//! module only picks the class for a `LoadError` variant and fills in the
//! attributes. The message is always the Rust error's own text.

use datafusion::common::DataFusionError;
use df_plugin_host::LoadError;
use df_plugin_host::error::Mismatch;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// `(class name, kind, mismatch)` for a load error.
fn classify(error: &LoadError) -> (&'static str, &'static str, Option<&'static str>) {
    match error {
        LoadError::NotFound { .. } => ("NotFoundError", "not_found", None),
        LoadError::NotAFile { .. } => ("NotAFileError", "not_a_file", None),
        LoadError::Unreadable { .. } => ("UnreadableError", "unreadable", None),
        LoadError::Sha256Mismatch { .. } => ("Sha256MismatchError", "sha256_mismatch", None),
        LoadError::NotALibrary { .. } => ("NotALibraryError", "not_a_library", None),
        LoadError::NoRootModule { .. } => ("NoRootModuleError", "no_root_module", None),
        LoadError::Layout { .. } => ("LayoutError", "layout", None),
        LoadError::RootModuleInit { .. } => ("RootModuleInitError", "root_module_init", None),
        LoadError::Incompatible(m) => ("IncompatibleError", "incompatible", Some(mismatch_kind(m))),
        LoadError::InvalidRequirement { .. } => {
            ("InvalidRequirementError", "invalid_requirement", None)
        }
        LoadError::Export { .. } => ("ExportError", "export", None),
        LoadError::Snapshot { .. } => ("SnapshotError", "snapshot", None),
        LoadError::Install { .. } => ("InstallError", "install", None),
    }
}

fn mismatch_kind(m: &Mismatch) -> &'static str {
    match m {
        Mismatch::AbiMajor { .. } => "abi_major",
        Mismatch::AbiMinor { .. } => "abi_minor",
        Mismatch::DataFusionFfiMajor { .. } => "datafusion_ffi_major",
        Mismatch::DataFusionMajor { .. } => "datafusion_major",
        Mismatch::ArrowMajor { .. } => "arrow_major",
        Mismatch::PluginVersion { .. } => "plugin_version",
        Mismatch::MissingCapability { .. } => "missing_capability",
        Mismatch::CapabilityVersion { .. } => "capability_version",
    }
}

/// Builds an instance of `df_plugin_host.errors.<class>` with `message`
/// and the `kind` / `mismatch` attributes.
pub fn plugin_error(
    py: Python<'_>,
    class: &str,
    kind: &str,
    mismatch: Option<&str>,
    message: String,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let module = py.import("df_plugin_host.errors")?;
        let exception = module.getattr(class)?.call1((message.clone(),))?;
        exception.setattr("kind", kind)?;
        exception.setattr("mismatch", mismatch)?;
        Ok(PyErr::from_value(exception))
    };
    // The errors module ships beside the extension; if it cannot be
    // imported the message still reaches the caller.
    build().unwrap_or_else(|e| PyRuntimeError::new_err(format!("{message} ({e})")))
}

/// A `LoadError` as its Python exception.
pub fn load_error(py: Python<'_>, error: LoadError) -> PyErr {
    let (class, kind, mismatch) = classify(&error);
    plugin_error(py, class, kind, mismatch, error.to_string())
}

/// A DataFusion error raised by the plugin's SQL front end (`Plugin.sql`).
pub fn sql_error(py: Python<'_>, error: DataFusionError) -> PyErr {
    plugin_error(py, "PluginSqlError", "sql", None, error.strip_backtrace())
}

/// Converts `Result<T, LoadError>` for PyO3.
pub trait IntoPy<T> {
    /// The result with a load error raised as its Python exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, LoadError> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| load_error(py, e))
    }
}
