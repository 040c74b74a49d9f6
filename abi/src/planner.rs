//! The expression-planner contract (capability `expr_planner`, ABI 1.1).
//!
//! datafusion-ffi 55 has no FFI form for `ExprPlanner`. Ours is type-level:
//! the host sends the operator and the Arrow types of its operands (plus the
//! right operand's text when it is a string literal); the plugin answers
//! "original" or a small expression tree naming functions by SQL name. The
//! host builds the expression and resolves those names in its own registry.
//!
//! Why types and not whole expressions (datafusion-proto bytes): operand
//! expressions may name host-only functions, tables or placeholders the
//! plugin cannot decode, and decoding would tie the contract to
//! datafusion-proto's evolution. Operand types are all an operator mapping
//! needs, keep the plugin free of host state, and are cheap to send.
//!
//! Messages are JSON (serde) passed as `RStr`/`RString`.

use serde::{Deserialize, Serialize};

/// One binary operator to plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorRequest {
    /// The operator as SQL spells it: `->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `&&`.
    pub op: String,
    /// Left operand's Arrow type, as DataFusion prints it (`DataType`'s Display).
    pub left_type: String,
    /// Right operand's Arrow type.
    pub right_type: String,
    /// The right operand's value when it is a string literal (keys and paths).
    #[serde(default)]
    pub right_literal: Option<String>,
}

/// The plugin's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OperatorPlan {
    /// Not the plugin's: leave it to the host's own planners.
    Original,
    /// Replace the operator with `expr`.
    Rewrite {
        /// The replacement.
        expr: PlanExpr,
    },
}

/// A replacement expression over the two operands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanExpr {
    /// The left operand, unchanged.
    Left,
    /// The right operand, unchanged.
    Right,
    /// A string literal.
    Text(String),
    /// A call of the function registered under `function` in the host.
    Call {
        /// SQL name (a DataFusion built-in or a plugin function).
        function: String,
        /// Arguments.
        args: Vec<PlanExpr>,
    },
    /// A cast to the type DataFusion prints as `to` (e.g. `Utf8`).
    Cast {
        /// The value to cast.
        expr: Box<PlanExpr>,
        /// Target Arrow type.
        to: String,
    },
}
