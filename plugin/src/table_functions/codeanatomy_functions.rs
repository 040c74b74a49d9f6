//! `codeanatomy_functions()`: one row per function the plugin exports, for
//! discovery from SQL in any host (Python included).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{Result, plan_err};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
use serde_json::Value;

use super::TableFunctionEntry;
use crate::registry;

/// The registry entry of `codeanatomy_functions`.
pub fn entry() -> TableFunctionEntry {
    TableFunctionEntry {
        name: "codeanatomy_functions",
        parameters: &["kind"],
        description: "One row per function the CodeAnatomy plugin exports: name, kind, \
                      aliases, parameters and description; `kind` ('scalar', 'aggregate', \
                      'window', 'table', 'table_provider_factory') keeps only that kind.",
        syntax_example: "SELECT * FROM codeanatomy_functions([kind => 'scalar'])",
        function: Arc::new(CodeAnatomyFunctions),
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct CodeAnatomyFunctions;

impl TableFunctionImpl for CodeAnatomyFunctions {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let kind = match args.exprs() {
            [] => None,
            [Expr::Literal(value, _)] if value.is_null() => None,
            [Expr::Literal(value, _)] => match value.try_as_str() {
                Some(Some(kind)) => Some(kind.to_string()),
                _ => {
                    return plan_err!(
                        "codeanatomy_functions: 'kind' must be a string, got {value}"
                    );
                }
            },
            [other] => {
                return plan_err!("codeanatomy_functions: 'kind' must be a literal, got {other}");
            }
            more => {
                return plan_err!(
                    "codeanatomy_functions takes at most 1 argument (kind), got {}",
                    more.len()
                );
            }
        };
        let snapshot = registry::registry_snapshot_json()
            .map_err(datafusion::common::DataFusionError::Plan)?;
        let entries: Vec<Value> = serde_json::from_str::<Vec<Value>>(&snapshot)
            .map_err(|e| datafusion::common::DataFusionError::Internal(e.to_string()))?
            .into_iter()
            .filter(|e| kind.as_deref().is_none_or(|k| e["kind"] == k))
            .collect();
        let text = |key: &str, join: bool| -> ArrayRef {
            Arc::new(
                entries
                    .iter()
                    .map(|e| match &e[key] {
                        Value::String(s) => Some(s.clone()),
                        Value::Array(items) if join => Some(
                            items
                                .iter()
                                .filter_map(|i| i.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        _ => None,
                    })
                    .collect::<StringArray>(),
            )
        };
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("aliases", DataType::Utf8, true),
            Field::new("parameters", DataType::Utf8, true),
            Field::new("description", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                text("name", false),
                text("kind", false),
                text("aliases", true),
                text("parameters", true),
                text("description", false),
            ],
        )?;
        Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
    }
}
