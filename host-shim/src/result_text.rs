//! Query results as text, the way DataFusion's sqllogictest files write
//! them: Arrow's own display of each value, `NULL` for nulls, `(empty)` for
//! empty strings, column type letters `T` (text), `I` (integer), `R`
//! (floating point or decimal), `B` (boolean), `D` (date/time), `?`
//! (anything else), and a multi-line last cell (an `EXPLAIN` plan) as
//! numbered lines with `-` for indentation.
//!
//! The Rust conformance runner and the Python package's conformance helper
//! both print results with it, so one set of `.slt` expectations judges both
//! hosts.

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

/// A result with columns, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultText {
    /// One type letter per column.
    pub types: String,
    /// The rows, each cell as text.
    pub rows: Vec<Vec<String>>,
}

/// The sqllogictest type letter of a column type.
pub fn type_letter(data_type: &DataType) -> char {
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

/// `None` for a result without columns (a statement), else its text.
pub fn result_text(
    schema: &Schema,
    batches: &[RecordBatch],
) -> Result<Option<ResultText>, ArrowError> {
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
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
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
    Ok(Some(ResultText { types, rows }))
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
