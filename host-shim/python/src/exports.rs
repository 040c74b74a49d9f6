//! Plugin exports as objects datafusion-python accepts through its PyCapsule
//! protocol (`__datafusion_scalar_udf__` and friends).
//!
//! Ownership: datafusion-python 55 borrows the FFI struct behind a capsule
//! and clones it (through the struct's own `clone`), never taking the
//! original. Every capsule here therefore holds its own value, built for it,
//! and the capsule's destructor drops that value (the struct's `release`).
//!
//! Function exports are built once, when the plugin is installed (so a
//! plugin that cannot build one fails before anything is registered), and
//! handed out as clones. Table functions and factories are built when
//! datafusion-python asks, with the codec of the session it passes, so
//! their arguments and scans resolve against the user's context.

use std::ptr::NonNull;
use std::sync::{Arc, LazyLock};

use datafusion::catalog::TableProvider;
use datafusion_ffi::config::extension_options::FFI_ExtensionOptions;
use datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec;
use datafusion_ffi::table_provider::FFI_TableProvider;
use datafusion_ffi::table_provider_factory::FFI_TableProviderFactory;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udtf::FFI_TableFunction;
use datafusion_ffi::udwf::FFI_WindowUDF;
use df_plugin_host::Plugin;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use tokio::runtime::{Builder, Handle, Runtime};

use crate::errors::IntoPy;

/// This module's own tokio runtime, entered by datafusion-ffi around async
/// calls into providers it wraps here. Multi-threaded: datafusion-ffi blocks
/// on it from inside calls that may already run on one of its threads.
static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("df-plugin-host-python")
        .enable_all()
        .build()
        .expect("the df_plugin_host tokio runtime starts")
});

/// The runtime's handle.
pub fn runtime() -> Handle {
    RUNTIME.handle().clone()
}

/// Runs a future on the module's runtime, with the GIL released.
pub fn block_on<F: std::future::Future + Send>(py: Python<'_>, future: F) -> F::Output
where
    F::Output: Send,
{
    py.detach(|| RUNTIME.block_on(future))
}

/// The logical extension codec of the session datafusion-python passes to a
/// capsule getter: a session object (with
/// `__datafusion_logical_extension_codec__`) or the codec capsule itself.
pub fn session_codec(session: &Bound<'_, PyAny>) -> PyResult<FFI_LogicalExtensionCodec> {
    let capsule = if session.hasattr("__datafusion_logical_extension_codec__")? {
        session.call_method0("__datafusion_logical_extension_codec__")?
    } else {
        session.clone()
    };
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err(
            "expected a datafusion-python session or a datafusion_logical_extension_codec capsule",
        )
    })?;
    let data: NonNull<FFI_LogicalExtensionCodec> = capsule
        .pointer_checked(Some(c"datafusion_logical_extension_codec"))?
        .cast();
    // SAFETY: the capsule's name promises an FFI_LogicalExtensionCodec, which
    // stays alive while `capsule` is borrowed; we keep a clone of our own.
    Ok(unsafe { data.as_ref() }.clone())
}

/// A scalar UDF export: `datafusion.ScalarUDF(name, export)`.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct ScalarUdfExport {
    name: String,
    ffi: FFI_ScalarUDF,
}

impl ScalarUdfExport {
    pub fn new(ffi: FFI_ScalarUDF) -> Self {
        ScalarUdfExport {
            name: ffi.name.to_string(),
            ffi,
        }
    }
}

#[pymethods]
impl ScalarUdfExport {
    /// The function's SQL name.
    #[getter]
    pub fn name(&self) -> &str {
        &self.name
    }

    fn __datafusion_scalar_udf__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        PyCapsule::new_with_value(py, self.ffi.clone(), c"datafusion_scalar_udf")
    }

    fn __repr__(&self) -> String {
        format!("ScalarUdfExport({})", self.name)
    }
}

/// An aggregate UDF export: `datafusion.AggregateUDF(name, export)`.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct AggregateUdfExport {
    name: String,
    ffi: FFI_AggregateUDF,
}

impl AggregateUdfExport {
    pub fn new(ffi: FFI_AggregateUDF) -> Self {
        AggregateUdfExport {
            name: ffi.name.to_string(),
            ffi,
        }
    }
}

#[pymethods]
impl AggregateUdfExport {
    /// The function's SQL name.
    #[getter]
    pub fn name(&self) -> &str {
        &self.name
    }

    fn __datafusion_aggregate_udf__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        PyCapsule::new_with_value(py, self.ffi.clone(), c"datafusion_aggregate_udf")
    }

    fn __repr__(&self) -> String {
        format!("AggregateUdfExport({})", self.name)
    }
}

/// A window UDF export: `datafusion.WindowUDF(name, export)`.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct WindowUdfExport {
    name: String,
    ffi: FFI_WindowUDF,
}

impl WindowUdfExport {
    pub fn new(ffi: FFI_WindowUDF) -> Self {
        WindowUdfExport {
            name: ffi.name.to_string(),
            ffi,
        }
    }
}

#[pymethods]
impl WindowUdfExport {
    /// The function's SQL name.
    #[getter]
    pub fn name(&self) -> &str {
        &self.name
    }

    fn __datafusion_window_udf__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        PyCapsule::new_with_value(py, self.ffi.clone(), c"datafusion_window_udf")
    }

    fn __repr__(&self) -> String {
        format!("WindowUdfExport({})", self.name)
    }
}

/// A table function export: `datafusion.TableFunction(name, export, ctx)`.
/// Built when datafusion-python asks, with the codec of the session it
/// passes.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct TableFunctionExport {
    name: String,
    plugin: Plugin,
    index: usize,
    options: String,
}

impl TableFunctionExport {
    pub fn new(name: String, plugin: Plugin, index: usize, options: String) -> Self {
        TableFunctionExport {
            name,
            plugin,
            index,
            options,
        }
    }
}

#[pymethods]
impl TableFunctionExport {
    /// The table function's SQL name.
    #[getter]
    pub fn name(&self) -> &str {
        &self.name
    }

    fn __datafusion_table_function__<'py>(
        &self,
        py: Python<'py>,
        session: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let codec = session_codec(session)?;
        let ffi = self
            .plugin
            .export::<FFI_TableFunction>(self.index, &self.options, &codec)
            .or_raise(py)?;
        PyCapsule::new_with_value(py, ffi, c"datafusion_table_function")
    }

    fn __repr__(&self) -> String {
        format!("TableFunctionExport({})", self.name)
    }
}

/// A table provider factory export:
/// `ctx.register_table_factory(format, export)`.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct TableFactoryExport {
    name: String,
    plugin: Plugin,
    index: usize,
    options: String,
}

impl TableFactoryExport {
    pub fn new(name: String, plugin: Plugin, index: usize, options: String) -> Self {
        TableFactoryExport {
            name,
            plugin,
            index,
            options,
        }
    }
}

#[pymethods]
impl TableFactoryExport {
    /// The `STORED AS` format the factory serves.
    #[getter]
    pub fn name(&self) -> &str {
        &self.name
    }

    fn __datafusion_table_provider_factory__<'py>(
        &self,
        py: Python<'py>,
        codec: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let codec = session_codec(codec)?;
        let ffi = self
            .plugin
            .export::<FFI_TableProviderFactory>(self.index, &self.options, &codec)
            .or_raise(py)?;
        PyCapsule::new_with_value(py, ffi, c"datafusion_table_provider_factory")
    }

    fn __repr__(&self) -> String {
        format!("TableFactoryExport({})", self.name)
    }
}

/// A table provider made by one of the plugin's table functions
/// (`Plugin.table`): `ctx.register_table(name, provider)`.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct TableProviderExport {
    description: String,
    provider: Arc<dyn TableProvider>,
}

impl TableProviderExport {
    pub fn new(description: String, provider: Arc<dyn TableProvider>) -> Self {
        TableProviderExport {
            description,
            provider,
        }
    }
}

#[pymethods]
impl TableProviderExport {
    fn __datafusion_table_provider__<'py>(
        &self,
        py: Python<'py>,
        session: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let codec = session_codec(session)?;
        let ffi = FFI_TableProvider::new_with_ffi_codec(
            Arc::clone(&self.provider),
            true,
            Some(runtime()),
            codec,
        );
        PyCapsule::new_with_value(py, ffi, c"datafusion_table_provider")
    }

    /// The table's Arrow schema, as a pyarrow-compatible capsule object.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        crate::arrow_py::schema_capsule(py, &self.provider.schema())
    }

    fn __repr__(&self) -> String {
        format!("TableProviderExport({})", self.description)
    }
}

/// The plugin's configuration namespace as datafusion-ffi extension options:
/// `SessionConfig().with_extension(extension)`.
#[pyclass(frozen, module = "df_plugin_host._native")]
pub struct ConfigExtension {
    namespace: String,
    ffi: FFI_ExtensionOptions,
}

impl ConfigExtension {
    pub fn new(namespace: String, ffi: FFI_ExtensionOptions) -> Self {
        ConfigExtension { namespace, ffi }
    }
}

#[pymethods]
impl ConfigExtension {
    /// The namespace, e.g. `codeanatomy_udf` (`SET codeanatomy_udf.<key> = ...`).
    #[getter]
    fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The settings it carries, `namespace.key` → value.
    fn entries(&self) -> Vec<(String, String)> {
        let mut entries: Vec<(String, String)> =
            datafusion::common::config::ExtensionOptions::entries(&self.ffi)
                .into_iter()
                .map(|e| (e.key, e.value.unwrap_or_default()))
                .collect();
        entries.sort();
        entries
    }

    fn __datafusion_extension_options__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        PyCapsule::new_with_value(py, self.ffi.clone(), c"datafusion_extension_options")
    }

    fn __repr__(&self) -> String {
        format!("ConfigExtension({})", self.namespace)
    }
}
