//! `df_plugin_host._native`: the Python face of `df-plugin-host`.
//!
//! Everything that decides goes through the Rust host shim: the load gate
//! ([`Plugin::load`]), the exports ([`Plugin::export`]), the configuration
//! defaults, the expression planner and the function factory. This module
//! only hands the results to datafusion-python as PyCapsules and adds the one
//! check a Rust host does not need: that the installed datafusion-python
//! takes datafusion-ffi objects of the plugin's major.
//!
//! The extension module also links the CodeAnatomy plugin (its rlib), so its
//! own file exports the plugin's root module: `load_plugin(ctx)` without a
//! path runs the gate on this very file.

// Linked for its root module (see the module docs): without a reference
// rustc would not link the crate at all.
extern crate df_plugin_codeanatomy;

mod arrow_py;
mod display;
mod errors;
mod exports;
mod rewrite;
mod sql;
mod unvalidated;

use datafusion_ffi::table_provider_factory::FFI_TableProviderFactory;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udtf::FFI_TableFunction;
use datafusion_ffi::udwf::FFI_WindowUDF;
use df_plugin_abi::compat::major_of;
use df_plugin_host::foreign::SessionTaskContext;
use df_plugin_host::{Plugin, Requirements};
use parking_lot::Mutex;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::errors::{IntoPy, plugin_error, sql_error};
use crate::exports::{
    AggregateUdfExport, ConfigExtension, ScalarUdfExport, TableFactoryExport, TableFunctionExport,
    TableProviderExport, WindowUdfExport, block_on,
};
use crate::sql::{Created, Frontend, Prepared};

fn options_json(options: &str) -> PyResult<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(options)
        .map_err(|e| PyValueError::new_err(format!("install options are not JSON: {e}")))?;
    if !value.is_object() {
        return Err(PyValueError::new_err(
            "install options must be a JSON object (a dict)",
        ));
    }
    Ok(value)
}

/// A plugin that passed the gate.
#[pyclass(frozen, module = "df_plugin_host._native")]
struct NativePlugin {
    plugin: Plugin,
}

#[pymethods]
impl NativePlugin {
    /// Opens and validates the plugin file at `path` (the Rust gate:
    /// `Plugin::load`); raises a `PluginLoadError` subclass on refusal.
    #[staticmethod]
    #[pyo3(signature = (path, require_version=None, require=Vec::new(), sha256=None, require_abi_minor=0))]
    fn load(
        py: Python<'_>,
        path: &str,
        require_version: Option<&str>,
        require: Vec<String>,
        sha256: Option<&str>,
        require_abi_minor: u32,
    ) -> PyResult<Self> {
        let mut requirements = Requirements::new().require_abi_minor(require_abi_minor);
        if let Some(req) = require_version {
            requirements = requirements.require_version(req).or_raise(py)?;
        }
        for cap in &require {
            requirements = requirements.require_capability(cap).or_raise(py)?;
        }
        if let Some(pin) = sha256 {
            requirements = requirements.pin_sha256(pin).or_raise(py)?;
        }
        let path = path.to_string();
        let plugin = py
            .detach(move || Plugin::load(path, &requirements))
            .or_raise(py)?;
        Ok(NativePlugin { plugin })
    }

    /// The file the plugin was loaded from.
    #[getter]
    fn path(&self) -> String {
        self.plugin.path().display().to_string()
    }

    /// The manifest as JSON text.
    fn manifest_json(&self) -> String {
        self.plugin.manifest_json().to_string()
    }

    /// The registry snapshot (JSON text).
    fn registry_snapshot(&self, py: Python<'_>) -> PyResult<String> {
        self.plugin.registry_snapshot().or_raise(py)
    }

    /// The capabilities snapshot (JSON text).
    fn capabilities_snapshot(&self, py: Python<'_>) -> PyResult<String> {
        self.plugin.capabilities_snapshot().or_raise(py)
    }

    /// Refuses (with `DataFusionPythonVersionError`) when datafusion-python
    /// `version` cannot take this plugin's datafusion-ffi objects: its major
    /// must equal the plugin's datafusion-ffi major.
    fn check_datafusion_python(&self, py: Python<'_>, version: &str) -> PyResult<()> {
        let manifest = self.plugin.manifest();
        let wanted = manifest.datafusion_ffi_major;
        if major_of(version) == Some(wanted) {
            return Ok(());
        }
        Err(plugin_error(
            py,
            "DataFusionPythonVersionError",
            "incompatible",
            Some("datafusion_python_major"),
            format!(
                "datafusion-python major mismatch: plugin {} {} was built with datafusion-ffi {wanted}, \
                 whose objects only datafusion-python {wanted}.x accepts; found datafusion {version} \
                 (install datafusion=={wanted}.*)",
                manifest.plugin_name, manifest.plugin_version
            ),
        ))
    }

    /// Every scalar, aggregate and window export, built now (all or none).
    fn function_exports(
        &self,
        py: Python<'_>,
        options: &str,
    ) -> PyResult<(
        Vec<ScalarUdfExport>,
        Vec<AggregateUdfExport>,
        Vec<WindowUdfExport>,
    )> {
        options_json(options)?;
        let scalars = self
            .plugin
            .exports::<FFI_ScalarUDF>(options, &())
            .or_raise(py)?;
        let aggregates = self
            .plugin
            .exports::<FFI_AggregateUDF>(options, &())
            .or_raise(py)?;
        let windows = self
            .plugin
            .exports::<FFI_WindowUDF>(options, &())
            .or_raise(py)?;
        Ok((
            scalars.into_iter().map(ScalarUdfExport::new).collect(),
            aggregates
                .into_iter()
                .map(AggregateUdfExport::new)
                .collect(),
            windows.into_iter().map(WindowUdfExport::new).collect(),
        ))
    }

    /// Table function and table provider factory exports. Each is built
    /// once here against a throwaway session (so a plugin that cannot build
    /// one fails before anything is registered) and again, bound to the
    /// caller's session, when datafusion-python asks for it.
    fn table_exports(
        &self,
        py: Python<'_>,
        options: &str,
    ) -> PyResult<(Vec<TableFunctionExport>, Vec<TableFactoryExport>)> {
        options_json(options)?;
        let entries = self.plugin.functions().or_raise(py)?;
        let probe = datafusion::prelude::SessionContext::new();
        let provider: std::sync::Arc<dyn datafusion::execution::TaskContextProvider> =
            SessionTaskContext::for_session(&probe);
        let codec =
            datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec::new_default(
                &provider,
            );
        let tables = self
            .plugin
            .exports::<FFI_TableFunction>(options, &codec)
            .or_raise(py)?
            .into_iter()
            .enumerate()
            .map(|(index, _)| {
                let name = self.plugin.export_name(&entries, "table", index)?;
                Ok(TableFunctionExport::new(
                    name,
                    self.plugin.clone(),
                    index,
                    options.to_string(),
                ))
            })
            .collect::<Result<Vec<_>, df_plugin_host::LoadError>>()
            .or_raise(py)?;
        let factories = self
            .plugin
            .exports::<FFI_TableProviderFactory>(options, &codec)
            .or_raise(py)?
            .into_iter()
            .enumerate()
            .map(|(index, _)| {
                let name = self
                    .plugin
                    .export_name(&entries, "table_provider_factory", index)?;
                Ok(TableFactoryExport::new(
                    name.to_ascii_uppercase(),
                    self.plugin.clone(),
                    index,
                    options.to_string(),
                ))
            })
            .collect::<Result<Vec<_>, df_plugin_host::LoadError>>()
            .or_raise(py)?;
        Ok((tables, factories))
    }

    /// The plugin's configuration namespace as extension options for
    /// `SessionConfig.with_extension`, pre-filled with its defaults and the
    /// install options; `None` when the plugin has no configuration.
    fn config_extension(&self, py: Python<'_>, options: &str) -> PyResult<Option<ConfigExtension>> {
        let options = options_json(options)?;
        Ok(self
            .plugin
            .config_extension(&options)
            .or_raise(py)?
            .map(|(namespace, ffi)| ConfigExtension::new(namespace, ffi)))
    }

    /// The SQL front end (`Plugin.sql`) for one Python context.
    fn frontend(&self, py: Python<'_>, options: &str) -> PyResult<NativeFrontend> {
        let options = options_json(options)?;
        let frontend = Frontend::new(self.plugin.clone(), options).or_raise(py)?;
        Ok(NativeFrontend {
            inner: Mutex::new(frontend),
        })
    }

    fn __repr__(&self) -> String {
        let m = self.plugin.manifest();
        format!(
            "NativePlugin({} {}, {})",
            m.plugin_name,
            m.plugin_version,
            self.plugin.path().display()
        )
    }
}

/// A statement parsed by the front end, waiting for the Python side.
#[pyclass(frozen, module = "df_plugin_host._native")]
struct PreparedStatement {
    kind: &'static str,
    sql: Option<String>,
    tables: Vec<String>,
    functions: Vec<String>,
    function_name: Option<String>,
    state: Mutex<Option<Prepared>>,
}

#[pymethods]
impl PreparedStatement {
    /// `sql` (run `.sql` as is), `rewrite` (needs `.tables`' schemas),
    /// `create_function` or `drop_function` (named `.function_name`).
    #[getter]
    fn kind(&self) -> &str {
        self.kind
    }

    /// The SQL to run, for kind `sql`.
    #[getter]
    fn sql(&self) -> Option<String> {
        self.sql.clone()
    }

    /// Tables whose schemas the rewrite needs, for kind `rewrite`.
    #[getter]
    fn tables(&self) -> Vec<String> {
        self.tables.clone()
    }

    /// Functions the statement calls that the mirror does not know, for
    /// kind `rewrite` (the Python context may have them).
    #[getter]
    fn functions(&self) -> Vec<String> {
        self.functions.clone()
    }

    /// The function created or dropped.
    #[getter]
    fn function_name(&self) -> Option<String> {
        self.function_name.clone()
    }
}

impl PreparedStatement {
    fn take(&self) -> PyResult<Prepared> {
        self.state
            .lock()
            .take()
            .ok_or_else(|| PyValueError::new_err("this prepared statement was already used"))
    }
}

/// One Python value as a SQL literal.
fn literal(value: &Bound<'_, PyAny>) -> PyResult<datafusion::sql::sqlparser::ast::Value> {
    use datafusion::sql::sqlparser::ast::Value;
    if value.is_none() {
        Ok(Value::Null)
    } else if value.is_instance_of::<PyBool>() {
        Ok(Value::Boolean(value.extract()?))
    } else if value.is_instance_of::<PyInt>() {
        Ok(Value::Number(value.extract::<i64>()?.to_string(), false))
    } else if value.is_instance_of::<PyFloat>() {
        let f: f64 = value.extract()?;
        if !f.is_finite() {
            return Err(PyValueError::new_err(format!(
                "table function arguments must be finite numbers, got {f}"
            )));
        }
        Ok(Value::Number(format!("{f:?}"), false))
    } else if value.is_instance_of::<PyString>() {
        Ok(Value::SingleQuotedString(value.extract()?))
    } else {
        Err(PyTypeError::new_err(format!(
            "table function arguments must be str, int, float, bool or None, got {}",
            value.get_type().name()?
        )))
    }
}

/// The SQL front end of one plugin for one Python context.
#[pyclass(frozen, module = "df_plugin_host._native")]
struct NativeFrontend {
    inner: Mutex<Frontend>,
}

#[pymethods]
impl NativeFrontend {
    /// Parses `sql`: see `PreparedStatement.kind`.
    fn prepare(&self, py: Python<'_>, sql: &str) -> PyResult<PreparedStatement> {
        let prepared = py
            .detach(|| self.inner.lock().prepare(sql))
            .map_err(|e| sql_error(py, e))?;
        let mut statement = PreparedStatement {
            kind: "sql",
            sql: None,
            tables: Vec::new(),
            functions: Vec::new(),
            function_name: None,
            state: Mutex::new(None),
        };
        match &prepared {
            Prepared::Sql(text) => statement.sql = Some(text.clone()),
            Prepared::Rewrite {
                tables, functions, ..
            } => {
                statement.kind = "rewrite";
                statement.tables = tables.clone();
                statement.functions = functions.clone();
            }
            Prepared::CreateFunction { name, .. } => {
                statement.kind = "create_function";
                statement.function_name = Some(name.clone());
            }
            Prepared::DropFunction { name } => {
                statement.kind = "drop_function";
                statement.function_name = Some(name.clone());
            }
        }
        statement.state = Mutex::new(Some(prepared));
        Ok(statement)
    }

    /// For kind `rewrite`: the SQL for the Python context, given the
    /// schemas (`__arrow_c_schema__` objects, or None) of `.tables` and the
    /// kinds (`scalar`, `aggregate`, `window`) of those `.functions` the
    /// Python context has.
    #[pyo3(signature = (prepared, schemas, functions=Vec::new()))]
    fn rewrite(
        &self,
        py: Python<'_>,
        prepared: &PreparedStatement,
        schemas: Vec<(String, Option<Bound<'_, PyAny>>)>,
        functions: Vec<(String, String)>,
    ) -> PyResult<String> {
        let Prepared::Rewrite {
            statement,
            operators,
            ..
        } = prepared.take()?
        else {
            return Err(PyValueError::new_err("not a statement to rewrite"));
        };
        let schemas = schemas
            .into_iter()
            .map(|(name, schema)| {
                Ok((
                    name,
                    schema.map(|s| arrow_py::import_schema(&s)).transpose()?,
                ))
            })
            .collect::<PyResult<Vec<_>>>()?;
        let mut guard = self.inner.lock();
        let front: &mut Frontend = &mut guard;
        block_on(py, front.rewrite(statement, operators, schemas, functions))
            .map_err(|e| sql_error(py, e))
    }

    /// For kind `create_function`: runs it through the plugin's factory and
    /// returns `(kind, name, export)` to register in the Python context
    /// (kind: `scalar`, `aggregate`, `window` or `table`).
    fn create_function<'py>(
        &self,
        py: Python<'py>,
        prepared: &PreparedStatement,
        python_has: bool,
        plugin: &NativePlugin,
        options: &str,
    ) -> PyResult<(&'static str, String, Bound<'py, PyAny>)> {
        let Prepared::CreateFunction { statement, .. } = prepared.take()? else {
            return Err(PyValueError::new_err("not a CREATE FUNCTION statement"));
        };
        let mut guard = self.inner.lock();
        let front: &mut Frontend = &mut guard;
        let created = block_on(py, front.create_function(statement, python_has))
            .map_err(|e| sql_error(py, e))?;
        Ok(match created {
            Created::Scalar(ffi) => {
                let export = ScalarUdfExport::new(ffi);
                let name = export.name().to_string();
                ("scalar", name, Bound::new(py, export)?.into_any())
            }
            Created::Aggregate(ffi) => {
                let export = AggregateUdfExport::new(ffi);
                let name = export.name().to_string();
                ("aggregate", name, Bound::new(py, export)?.into_any())
            }
            Created::Window(ffi) => {
                let export = WindowUdfExport::new(ffi);
                let name = export.name().to_string();
                ("window", name, Bound::new(py, export)?.into_any())
            }
            Created::Table { name, index } => {
                let export = TableFunctionExport::new(
                    name.clone(),
                    plugin.plugin.clone(),
                    index,
                    options.to_string(),
                );
                ("table", name, Bound::new(py, export)?.into_any())
            }
        })
    }

    /// After `DROP FUNCTION` succeeded in the Python context.
    fn forget_function(&self, name: &str) {
        self.inner.lock().forget_function(name);
    }

    /// `Plugin.table`: the provider of table function `name` for `args`
    /// and `kwargs` (str, int, float, bool or None).
    fn table(
        &self,
        py: Python<'_>,
        name: &str,
        args: Vec<Bound<'_, PyAny>>,
        kwargs: Option<Bound<'_, PyDict>>,
    ) -> PyResult<TableProviderExport> {
        let args = args.iter().map(literal).collect::<PyResult<Vec<_>>>()?;
        let mut named = Vec::new();
        if let Some(kwargs) = kwargs {
            for (k, v) in kwargs.iter() {
                named.push((k.extract::<String>()?, literal(&v)?));
            }
        }
        let description = format!("{name}(...)");
        let mut guard = self.inner.lock();
        let front: &mut Frontend = &mut guard;
        let provider =
            block_on(py, front.table(name, args, named)).map_err(|e| sql_error(py, e))?;
        Ok(TableProviderExport::new(description, provider))
    }
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativePlugin>()?;
    m.add_class::<NativeFrontend>()?;
    m.add_class::<PreparedStatement>()?;
    m.add_class::<ScalarUdfExport>()?;
    m.add_class::<AggregateUdfExport>()?;
    m.add_class::<WindowUdfExport>()?;
    m.add_class::<TableFunctionExport>()?;
    m.add_class::<TableFactoryExport>()?;
    m.add_class::<TableProviderExport>()?;
    m.add_class::<ConfigExtension>()?;
    m.add_function(wrap_pyfunction!(display::_display_rows, m)?)?;
    m.add_function(wrap_pyfunction!(
        unvalidated::_unvalidated_scalar_exports,
        m
    )?)?;
    m.add("DATAFUSION_VERSION", datafusion::DATAFUSION_VERSION)?;
    m.add("DATAFUSION_FFI_MAJOR", datafusion_ffi::version())?;
    Ok(())
}
