//! Query results as text, the way the Rust sqllogictest runner of this
//! repository prints them (`tests/src/slt.rs`): Arrow's own display of each
//! value, `NULL` for nulls, `(empty)` for empty strings, and DataFusion's
//! column type letters. The Python conformance suite uses it so that the
//! same `.slt` expectations apply to results computed by datafusion-python.

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn type_letter(data_type: &DataType) -> char {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => 'T',
        DataType::Dictionary(_, v) => type_letter(v),
        t if t.is_integer() => 'I',
        t if t.is_floating()
            || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
        {
            'R'
        }
        DataType::Boolean => 'B',
        t if t.is_temporal() => 'D',
        _ => '?',
    }
}

fn cell(array: &ArrayRef, formatter: &ArrayFormatter<'_>, row: usize) -> String {
    if array.is_null(row) {
        return "NULL".to_string();
    }
    let text = formatter.value(row).to_string();
    if text.is_empty() {
        "(empty)".to_string()
    } else {
        text
    }
}

/// Adds a row; a row whose last cell spans several lines (an EXPLAIN plan)
/// is written as DataFusion's files write it: the other cells on one line,
/// then each plan line numbered, its indentation drawn with `-`.
fn push_row(rows: &mut Vec<Vec<String>>, mut cells: Vec<String>) {
    let multiline = cells.last().is_some_and(|c| c.contains('\n'));
    if !multiline {
        rows.push(cells);
        return;
    }
    let text = cells.pop().unwrap_or_default();
    rows.push(cells);
    for (i, line) in text.lines().enumerate() {
        let body = line.trim_start_matches(' ');
        let indent = "-".repeat(line.len() - body.len());
        rows.push(vec![format!("{:02}){indent}{body}", i + 1)]);
    }
}

/// Runs `result` (anything with `__arrow_c_stream__`, e.g. a DataFrame) and
/// returns `None` for a result without columns (a statement), else the type
/// letters and the rows as text.
#[pyfunction]
pub fn _display_rows(result: &Bound<'_, PyAny>) -> PyResult<Option<(String, Vec<Vec<String>>)>> {
    let (schema, batches) = crate::arrow_py::import_stream(result)?;
    if schema.fields().is_empty() {
        return Ok(None);
    }
    let types = schema
        .fields()
        .iter()
        .map(|f| type_letter(f.data_type()))
        .collect();
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in &batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .zip(&formatters)
                .map(|(c, f)| cell(c, f, row))
                .collect();
            push_row(&mut rows, cells);
        }
    }
    Ok(Some((types, rows)))
}
