//! Query results as text, the way the Rust sqllogictest runner of this
//! repository prints them (both use `df_plugin_host::result_text`). The
//! Python conformance suite uses it so that the same `.slt` expectations
//! apply to results computed by datafusion-python.

use df_plugin_host::result_text::result_text;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Runs `result` (anything with `__arrow_c_stream__`, e.g. a DataFrame) and
/// returns `None` for a result without columns (a statement), else the type
/// letters and the rows as text.
#[pyfunction]
pub fn _display_rows(result: &Bound<'_, PyAny>) -> PyResult<Option<(String, Vec<Vec<String>>)>> {
    let (schema, batches) = crate::arrow_py::import_stream(result)?;
    let text = result_text(&schema, &batches).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(text.map(|t| (t.types, t.rows)))
}
