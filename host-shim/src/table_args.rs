//! Named arguments for plugin table functions.
//!
//! DataFusion 55's SQL planner refuses `FROM f(a, name => b)` ("Unsupported
//! function argument type"). This relation planner, registered by
//! `install`, resolves named arguments of the plugin's table functions
//! against the parameter names in the registry snapshot and hands the
//! function plain positional arguments, with a NULL literal for every
//! skipped parameter before the last one given (the plugin treats NULL as
//! "not given"). Other relations pass through untouched.

use std::collections::HashMap;

use datafusion::common::{DFSchema, Result, ScalarValue, TableReference, plan_err};
use datafusion::logical_expr::planner::{
    PlannedRelation, RelationPlanner, RelationPlannerContext, RelationPlanning,
};
use datafusion::logical_expr::{Expr, LogicalPlanBuilder};
use datafusion::sql::sqlparser::ast::{
    Expr as SQLExpr, FunctionArg, FunctionArgExpr, Ident, TableFactor,
};

/// Resolves named arguments of the listed table functions.
#[derive(Debug, Default)]
pub struct NamedTableArguments {
    /// Table function name (lower case) → parameter names in order.
    parameters: HashMap<String, Vec<String>>,
}

impl NamedTableArguments {
    /// A planner for functions given as `(name, parameter names)`.
    pub fn new(functions: impl IntoIterator<Item = (String, Vec<String>)>) -> Self {
        NamedTableArguments {
            parameters: functions
                .into_iter()
                .map(|(name, params)| (name.to_ascii_lowercase(), params))
                .collect(),
        }
    }
}

impl RelationPlanner for NamedTableArguments {
    fn plan_relation(
        &self,
        relation: TableFactor,
        context: &mut dyn RelationPlannerContext,
    ) -> Result<RelationPlanning> {
        let TableFactor::Table {
            name,
            alias,
            args: Some(table_args),
            ..
        } = &relation
        else {
            return Ok(RelationPlanning::Original(Box::new(relation)));
        };
        let has_named = table_args
            .args
            .iter()
            .any(|a| matches!(a, FunctionArg::Named { .. }));
        let function = name.to_string();
        let Some(params) = self.parameters.get(&function.to_ascii_lowercase()) else {
            return Ok(RelationPlanning::Original(Box::new(relation)));
        };
        if !has_named {
            return Ok(RelationPlanning::Original(Box::new(relation)));
        }

        let slots = assign_arguments(&function, params, &table_args.args, |ident| {
            context.normalize_ident(ident.clone())
        })?;
        let args = slots
            .into_iter()
            .map(|slot| match slot {
                Some(sql_expr) => context.sql_to_expr(sql_expr.clone(), &DFSchema::empty()),
                None => Ok(Expr::Literal(ScalarValue::Null, None)),
            })
            .collect::<Result<Vec<_>>>()?;
        let provider = context
            .context_provider()
            .get_table_function_source(&function, args)?;
        let plan = LogicalPlanBuilder::scan(
            TableReference::bare(format!("{function}()")),
            provider,
            None,
        )?
        .build()?;
        Ok(RelationPlanning::Planned(Box::new(PlannedRelation::new(
            plan,
            alias.clone(),
        ))))
    }
}

/// Assigns the arguments of a call of table function `function` (parameters
/// `params`) to parameter positions: positional arguments first, then named
/// ones (a quoted name matches exactly, an unquoted one case-insensitively
/// after `normalize`). The result runs up to the last parameter given;
/// `None` marks a skipped parameter, which the caller passes as NULL.
///
/// Shared by the relation planner and the Python module's SQL rewrite, so
/// both resolve named arguments by the same rule with the same errors.
pub fn assign_arguments<'a>(
    function: &str,
    params: &[String],
    args: &'a [FunctionArg],
    normalize: impl Fn(&Ident) -> String,
) -> Result<Vec<Option<&'a SQLExpr>>> {
    let mut slots: Vec<Option<&'a SQLExpr>> = vec![None; params.len()];
    let mut seen_named = false;
    for (position, arg) in args.iter().enumerate() {
        let (slot, value) = match arg {
            FunctionArg::Unnamed(value) => {
                if seen_named {
                    return plan_err!(
                        "{function}: positional argument {} follows a named argument",
                        position + 1
                    );
                }
                if position >= params.len() {
                    return plan_err!(
                        "{function} takes at most {} arguments ({}), got {}",
                        params.len(),
                        params.join(", "),
                        args.len()
                    );
                }
                (position, value)
            }
            FunctionArg::Named {
                name: arg_name,
                arg: value,
                ..
            } => {
                seen_named = true;
                let wanted = normalize(arg_name);
                let Some(slot) = params.iter().position(|p| {
                    if arg_name.quote_style.is_some() {
                        *p == arg_name.value
                    } else {
                        p.eq_ignore_ascii_case(&wanted)
                    }
                }) else {
                    return plan_err!(
                        "{function} has no parameter named '{}'; its parameters are: {}",
                        arg_name.value,
                        params.join(", ")
                    );
                };
                (slot, value)
            }
            other => return plan_err!("{function}: unsupported argument {other}"),
        };
        let FunctionArgExpr::Expr(sql_expr) = value else {
            return plan_err!("{function}: unsupported argument {value}");
        };
        if slots[slot].is_some() {
            return plan_err!("{function}: parameter '{}' given twice", params[slot]);
        }
        slots[slot] = Some(sql_expr);
    }
    let last_given = slots.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    slots.truncate(last_given);
    Ok(slots)
}
