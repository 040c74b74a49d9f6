//! The host side of the `expr_planner` capability: a DataFusion
//! `ExprPlanner` that asks the plugin what each operator means for its
//! operand types and builds the answer from the host's own registry.

use std::str::FromStr;
use std::sync::{Arc, Weak};

use abi_stable::std_types::{RResult, RStr, RString};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, DataFusionError, Result, plan_err};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, lit};
use datafusion::sql::sqlparser::ast::BinaryOperator;
use df_plugin_abi::planner::{OperatorPlan, OperatorRequest, PlanExpr};
use parking_lot::RwLock;

/// The plugin's `plan_operator` entry point.
pub type PlanOperatorFn = extern "C" fn(RStr<'_>) -> RResult<RString, RString>;

/// Plans the operators the plugin claims (see `plugin/src/planner`).
#[derive(Debug)]
pub struct PluginExprPlanner {
    plugin: String,
    plan_operator: PlanOperatorFn,
    state: Weak<RwLock<SessionState>>,
}

impl PluginExprPlanner {
    /// A planner for one session (functions are resolved in its registry).
    pub fn new(
        plugin: &str,
        plan_operator: PlanOperatorFn,
        state: Weak<RwLock<SessionState>>,
    ) -> Self {
        PluginExprPlanner {
            plugin: plugin.to_string(),
            plan_operator,
            state,
        }
    }

    fn ask(&self, request: &OperatorRequest) -> Result<OperatorPlan> {
        let text =
            serde_json::to_string(request).map_err(|e| DataFusionError::Internal(e.to_string()))?;
        match (self.plan_operator)(RStr::from_str(&text)) {
            RResult::ROk(answer) => serde_json::from_str(answer.as_str()).map_err(|e| {
                DataFusionError::Internal(format!(
                    "plugin {} answered an operator request with malformed JSON: {e}",
                    self.plugin
                ))
            }),
            RResult::RErr(reason) => plan_err!("{}", reason),
        }
    }

    fn build(&self, node: &PlanExpr, left: &Expr, right: &Expr) -> Result<Expr> {
        Ok(match node {
            PlanExpr::Left => left.clone(),
            PlanExpr::Right => right.clone(),
            PlanExpr::Text(s) => lit(s.clone()),
            PlanExpr::Cast { expr, to } => {
                let to = DataType::from_str(to).map_err(|e| {
                    DataFusionError::Plan(format!(
                        "plugin {} named an unknown type {to}: {e}",
                        self.plugin
                    ))
                })?;
                Expr::Cast(Cast::new(Box::new(self.build(expr, left, right)?), to))
            }
            PlanExpr::Call { function, args } => {
                let state = self.state.upgrade().ok_or_else(|| {
                    DataFusionError::Plan("the session of this planner is gone".into())
                })?;
                let udf = state.read().scalar_functions().get(function).cloned();
                let Some(udf) = udf else {
                    return plan_err!(
                        "plugin {} planned a call to {function}, which is not registered in this session",
                        self.plugin
                    );
                };
                let args = args
                    .iter()
                    .map(|a| self.build(a, left, right))
                    .collect::<Result<Vec<_>>>()?;
                Expr::ScalarFunction(ScalarFunction::new_udf(Arc::clone(&udf), args))
            }
        })
    }
}

/// The SQL spelling of the operators the plugin may plan; `None` for others.
pub fn operator_text(op: &BinaryOperator) -> Option<&'static str> {
    Some(match op {
        BinaryOperator::Arrow => "->",
        BinaryOperator::LongArrow => "->>",
        BinaryOperator::HashArrow => "#>",
        BinaryOperator::HashLongArrow => "#>>",
        BinaryOperator::AtArrow => "@>",
        BinaryOperator::ArrowAt => "<@",
        BinaryOperator::PGOverlap => "&&",
        _ => return None,
    })
}

/// How an operand reads in a column name: columns by name, string literals
/// quoted, anything else as DataFusion names it.
fn operand_name(e: &Expr) -> String {
    match e {
        Expr::Column(c) => c.name.clone(),
        Expr::Literal(v, _) => match v.try_as_str() {
            Some(Some(s)) => format!("'{s}'"),
            _ => v.to_string(),
        },
        other => other.schema_name().to_string(),
    }
}

impl PluginExprPlanner {
    /// Plans `expr` as [`ExprPlanner::plan_binary_op`] does, and also returns
    /// the plugin's answer when it rewrote the operator (hosts that cannot
    /// register an `ExprPlanner`, such as the Python module, rebuild the
    /// rewrite in their own syntax from it).
    pub fn plan_traced(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<(PlannerResult<RawBinaryExpr>, Option<PlanExpr>)> {
        let Some(op) = operator_text(&expr.op) else {
            return Ok((PlannerResult::Original(expr), None));
        };
        // Operands whose type cannot be known here are not ours to judge.
        let (Ok(left_type), Ok(right_type)) =
            (expr.left.get_type(schema), expr.right.get_type(schema))
        else {
            return Ok((PlannerResult::Original(expr), None));
        };
        let right_literal = match &expr.right {
            Expr::Literal(v, _) => v.try_as_str().flatten().map(String::from),
            _ => None,
        };
        let request = OperatorRequest {
            op: op.to_string(),
            left_type: left_type.to_string(),
            right_type: right_type.to_string(),
            right_literal,
        };
        match self.ask(&request)? {
            OperatorPlan::Original => Ok((PlannerResult::Original(expr), None)),
            OperatorPlan::Rewrite { expr: node } => {
                let planned = self.build(&node, &expr.left, &expr.right)?;
                let name = format!(
                    "{} {op} {}",
                    operand_name(&expr.left),
                    operand_name(&expr.right)
                );
                Ok((PlannerResult::Planned(planned.alias(name)), Some(node)))
            }
        }
    }
}

impl ExprPlanner for PluginExprPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        self.plan_traced(expr, schema).map(|(result, _)| result)
    }
}
