//! The function-factory contract (capability `function_factory`, ABI 1.1).
//!
//! The host parses `CREATE FUNCTION` (DataFusion does) and sends the plugin a
//! plain description of it; the plugin applies its policy and answers with
//! the definition to register, or refuses naming the rule. The host builds
//! the function: a SQL macro is inlined by the host's simplifier (so the
//! optimiser sees through it) and can also evaluate its body over Arrow
//! batches (for hosts that cannot inline, such as datafusion-python through
//! FFI); an alias re-registers an existing function under a new name.
//!
//! Messages are JSON (serde) passed as `RStr`/`RString`.

use serde::{Deserialize, Serialize};

/// One declared argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionArg {
    /// Its name, if the statement gave one.
    pub name: Option<String>,
    /// Its Arrow type, as DataFusion prints it.
    pub data_type: String,
}

/// `CREATE [OR REPLACE] FUNCTION` as the host parsed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateFunctionRequest {
    /// Function name.
    pub name: String,
    /// `OR REPLACE` given.
    pub or_replace: bool,
    /// Whether a function of this name already exists in the session.
    pub exists: bool,
    /// Declared arguments.
    pub args: Vec<FunctionArg>,
    /// `RETURNS` type, if given.
    pub return_type: Option<String>,
    /// `LANGUAGE`, lower case, if given.
    pub language: Option<String>,
    /// `IMMUTABLE` / `STABLE` / `VOLATILE`, lower case, if given.
    pub volatility: Option<String>,
    /// The body as SQL text (`RETURN <expr>` or `AS '<text>'`).
    pub body: Option<String>,
    /// When the body is a string literal (`AS 'name'`, `RETURN 'name'`), its value.
    pub body_literal: Option<String>,
    /// When the body is a single function call, the called function's name.
    pub body_call: Option<String>,
}

/// What the host should register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FunctionDefinition {
    /// A scalar SQL macro over the declared arguments.
    SqlMacro {
        /// Name to register.
        name: String,
        /// Volatility to register with (`immutable`, `stable`, `volatile`).
        volatility: String,
        /// Register parameter names (so callers can use named arguments).
        named_arguments: bool,
    },
    /// An existing function of `language` (`aggregate`, `window`, `table`,
    /// or `scalar`) registered again under `name`.
    Alias {
        /// Name to register.
        name: String,
        /// Kind of the target.
        language: String,
        /// The existing function's name.
        target: String,
        /// Volatility to register with.
        volatility: String,
    },
}

/// The plugin's policy for `CREATE FUNCTION`, exported in the capabilities
/// snapshot and settable at install (`{"function_factory": {...}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactoryPolicy {
    /// Languages accepted (`sql`, `aggregate`, `window`, `table`, `scalar`).
    pub allowed_languages: Vec<String>,
    /// Volatility when the statement names none.
    pub default_volatility: String,
    /// Register macros with parameter names.
    pub prefer_named_arguments: bool,
    /// Longest body accepted, in bytes of SQL text.
    pub max_body_bytes: usize,
}
