//! A sqllogictest engine over a DataFusion session with the plugin
//! installed through the host shim.
//!
//! The file format is DataFusion's: column type letters `T` (text), `I`
//! (integer), `R` (floating point), `B` (boolean), `D` (date/time), `?`
//! (anything else); `NULL` for nulls and `(empty)` for empty strings; nested
//! values as Arrow prints them.

use std::path::Path;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::DataFusionError;
use datafusion::prelude::SessionContext;
use sqllogictest::{AsyncDB, ColumnType, DBOutput, Runner};

/// Column types as DataFusion's sqllogictest files spell them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SltType {
    /// `T`
    Text,
    /// `I`
    Integer,
    /// `R`
    Float,
    /// `B`
    Boolean,
    /// `D`
    DateTime,
    /// `?`
    Any,
}

impl ColumnType for SltType {
    fn from_char(value: char) -> Option<Self> {
        Some(match value {
            'T' => SltType::Text,
            'I' => SltType::Integer,
            'R' => SltType::Float,
            'B' => SltType::Boolean,
            'D' | 'P' => SltType::DateTime,
            '?' => SltType::Any,
            _ => return None,
        })
    }

    fn to_char(&self) -> char {
        match self {
            SltType::Text => 'T',
            SltType::Integer => 'I',
            SltType::Float => 'R',
            SltType::Boolean => 'B',
            SltType::DateTime => 'D',
            SltType::Any => '?',
        }
    }
}

fn slt_type(data_type: &DataType) -> SltType {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => SltType::Text,
        DataType::Dictionary(_, v) => slt_type(v),
        t if t.is_integer() => SltType::Integer,
        t if t.is_floating()
            || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
        {
            SltType::Float
        }
        DataType::Boolean => SltType::Boolean,
        t if t.is_temporal() => SltType::DateTime,
        _ => SltType::Any,
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

/// One session, as seen by the sqllogictest runner.
pub struct PluginDb {
    ctx: SessionContext,
}

impl PluginDb {
    /// Wraps a session (normally one with the plugin installed).
    pub fn new(ctx: SessionContext) -> Self {
        PluginDb { ctx }
    }
}

#[async_trait::async_trait]
impl AsyncDB for PluginDb {
    type Error = DataFusionError;
    type ColumnType = SltType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<SltType>, DataFusionError> {
        let df = self.ctx.sql(sql).await?;
        let schema = df.schema().inner().clone();
        let batches = df.collect().await?;
        if schema.fields().is_empty() {
            return Ok(DBOutput::StatementComplete(0));
        }
        let types = schema
            .fields()
            .iter()
            .map(|f| slt_type(f.data_type()))
            .collect();
        let options = FormatOptions::default().with_null("NULL");
        let mut rows = Vec::new();
        for batch in &batches {
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
        Ok(DBOutput::Rows { types, rows })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "datafusion+codeanatomy-plugin"
    }

    async fn sleep(dur: std::time::Duration) {
        tokio::time::sleep(dur).await;
    }
}

/// Runs one `.slt` file against fresh sessions made by `make_session`.
pub async fn run_file(
    path: &Path,
    make_session: impl Fn() -> SessionContext + Send + Sync + 'static,
) -> Result<(), String> {
    let mut runner = Runner::new(move || {
        let ctx = make_session();
        async move { Ok::<_, DataFusionError>(PluginDb::new(ctx)) }
    });
    runner
        .run_file_async(path)
        .await
        .map_err(|e| format!("{}: {}", path.display(), e.display(true)))
}
