//! A sqllogictest engine over a DataFusion session with the plugin
//! installed through the host shim.
//!
//! The file format is DataFusion's: column type letters `T` (text), `I`
//! (integer), `R` (floating point), `B` (boolean), `D` (date/time), `?`
//! (anything else); `NULL` for nulls and `(empty)` for empty strings; nested
//! values as Arrow prints them.

use std::path::Path;

use datafusion::common::DataFusionError;
use datafusion::prelude::SessionContext;
use df_plugin_host::result_text::result_text;
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
        let Some(text) = result_text(&schema, &batches)? else {
            return Ok(DBOutput::StatementComplete(0));
        };
        let types = text
            .types
            .chars()
            .map(|letter| SltType::from_char(letter).unwrap_or(SltType::Any))
            .collect();
        Ok(DBOutput::Rows {
            types,
            rows: text.rows,
        })
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
