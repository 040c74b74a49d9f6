//! The plugin's own description of its exports (carried over our ABI as
//! JSON), which supplies what datafusion-ffi 55 does not carry: parameter
//! names for named arguments and DataFusion `Documentation`.

use datafusion::logical_expr::{DocSection, Documentation};
use serde::{Deserialize, Serialize};

/// One accepted argument type list and the type it returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureEntry {
    /// Argument types, as DataFusion prints them.
    pub args: Vec<String>,
    /// Return type, as DataFusion prints it.
    pub returns: String,
}

/// A documented argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgumentDoc {
    /// Argument name.
    pub name: String,
    /// What it means.
    pub description: String,
}

/// One exported function as the plugin describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionEntry {
    /// SQL name.
    pub name: String,
    /// `scalar`, `aggregate`, `window`, `table` or `table_provider_factory`.
    pub kind: String,
    /// Position among the exports of its kind (table functions and
    /// factories, which carry no name across datafusion-ffi).
    #[serde(default)]
    pub index: Option<usize>,
    /// Other SQL names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Parameter names for named arguments, if the function has them.
    #[serde(default)]
    pub parameters: Option<Vec<String>>,
    /// Accepted argument types (a representative probe, not exhaustive).
    #[serde(default)]
    pub signatures: Vec<SignatureEntry>,
    /// `immutable`, `stable` or `volatile`.
    pub volatility: String,
    /// One-paragraph description.
    #[serde(default)]
    pub description: Option<String>,
    /// e.g. `stable_hash64(value)`.
    #[serde(default)]
    pub syntax_example: Option<String>,
    /// A SQL example with its output.
    #[serde(default)]
    pub sql_example: Option<String>,
    /// Documented arguments.
    #[serde(default)]
    pub arguments: Option<Vec<ArgumentDoc>>,
    /// Documentation section label.
    #[serde(default)]
    pub doc_section: Option<String>,
}

/// Parses a registry snapshot.
pub fn parse_registry(json: &str) -> Result<Vec<FunctionEntry>, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

impl FunctionEntry {
    /// DataFusion `Documentation` for the host-side wrapper, so that
    /// `SHOW FUNCTIONS` and `information_schema` describe plugin functions.
    pub fn documentation(&self) -> Option<Documentation> {
        let description = self.description.clone()?;
        let section = DocSection {
            include: true,
            label: leak_label(self.doc_section.as_deref().unwrap_or("Plugin functions")),
            description: None,
        };
        let syntax = self
            .syntax_example
            .clone()
            .unwrap_or_else(|| format!("{}(...)", self.name));
        let mut builder = Documentation::builder(section, description, syntax);
        if let Some(example) = &self.sql_example {
            builder = builder.with_sql_example(example.clone());
        }
        for arg in self.arguments.iter().flatten() {
            builder = builder.with_argument(arg.name.clone(), arg.description.clone());
        }
        Some(builder.build())
    }
}

/// `DocSection::label` is `&'static str`; a plugin's labels are few and its
/// library lives for the whole process, so interning them for good is fine.
fn leak_label(label: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static LABELS: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut guard = LABELS.lock().unwrap_or_else(|p| p.into_inner());
    let set = guard.get_or_insert_with(HashSet::new);
    if let Some(existing) = set.get(label) {
        return existing;
    }
    let leaked: &'static str = Box::leak(label.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}
