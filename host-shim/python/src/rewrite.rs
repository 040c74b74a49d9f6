//! SQL rewriting for hosts without planner hooks (datafusion-python).
//!
//! Two rewrites on the parsed statement, both producing plain SQL that any
//! DataFusion session plans the same way a Rust host with the plugin's
//! planners would:
//!
//! * named arguments of the plugin's functions (and of functions created
//!   through the plugin's factory) become positional arguments — scalar,
//!   aggregate and window calls by DataFusion's own rule
//!   ([`resolve_function_arguments`]), table functions by the relation
//!   planner's rule ([`assign_arguments`]); both give the same errors;
//! * the plugin's operators are tagged ([`Tagger`]) so that planning the
//!   statement in a mirror session can record, per occurrence, what the
//!   plugin's planner answered for the operand types it saw; [`Rewriter`]
//!   then replaces each rewritten occurrence by the answer spelled as SQL
//!   (`get_field(...)`, `span_contains(...)`, `arrow_cast(..., 'Utf8')`).

use std::collections::HashMap;
use std::ops::ControlFlow;

use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::arguments::{ArgumentName, resolve_function_arguments};
use datafusion::logical_expr::{Expr, lit};
use datafusion::sql::parser::{CopyToSource, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr as SQLExpr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    ObjectName, Select, SelectItem, TableFactor, Value, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use df_plugin_abi::planner::PlanExpr;
use df_plugin_host::planner::operator_text;
use df_plugin_host::table_args::assign_arguments;

/// Prefix of the custom operator standing for tagged occurrence `n`.
const TAG_PREFIX: &str = "df_plugin_host#";

/// Runs `visitor` over the sqlparser statements and queries inside a
/// DataFusion statement (`EXPLAIN` and `COPY (query)` included).
pub fn visit<V: VisitorMut>(statement: &mut DFStatement, visitor: &mut V) -> ControlFlow<V::Break> {
    match statement {
        DFStatement::Statement(s) => s.visit(visitor),
        DFStatement::Explain(e) => visit(&mut e.statement, visitor),
        DFStatement::CopyTo(c) => match &mut c.source {
            CopyToSource::Query(q) => q.visit(visitor),
            CopyToSource::Relation(_) => ControlFlow::Continue(()),
        },
        DFStatement::CreateExternalTable(_) | DFStatement::Reset(_) => ControlFlow::Continue(()),
    }
}

/// Converts a visit result.
pub fn finish<B>(flow: ControlFlow<B>) -> std::result::Result<(), B> {
    match flow {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(b) => Err(b),
    }
}

/// A function name as DataFusion looks it up: one unquoted part lower
/// case, one quoted part as written, several parts as printed.
pub fn function_key(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [part] => {
            let ident = part.as_ident()?;
            Some(if ident.quote_style.is_some() {
                ident.value.clone()
            } else {
                ident.value.to_ascii_lowercase()
            })
        }
        _ => Some(name.to_string()),
    }
}

fn argument_name(arg: &FunctionArg) -> Option<ArgumentName> {
    let ident = match arg {
        FunctionArg::Named { name, .. } => name,
        FunctionArg::ExprNamed {
            name: SQLExpr::Identifier(name),
            ..
        } => name,
        _ => return None,
    };
    Some(ArgumentName {
        value: ident.value.clone(),
        is_quoted: ident.quote_style.is_some(),
    })
}

fn argument_value(arg: &FunctionArg) -> Option<&SQLExpr> {
    match arg {
        FunctionArg::Named {
            arg: FunctionArgExpr::Expr(e),
            ..
        }
        | FunctionArg::ExprNamed {
            arg: FunctionArgExpr::Expr(e),
            ..
        }
        | FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
        _ => None,
    }
}

fn positional(expr: SQLExpr) -> FunctionArg {
    FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))
}

/// Named arguments of known functions → positional arguments.
pub struct NamedArguments<'a> {
    /// Function key → parameter names (scalar, aggregate and window).
    pub functions: &'a HashMap<String, Vec<String>>,
    /// Table function key → parameter names.
    pub tables: &'a HashMap<String, Vec<String>>,
    /// Whether anything was rewritten.
    pub changed: bool,
}

impl NamedArguments<'_> {
    fn call(&mut self, name: &ObjectName, args: &mut Vec<FunctionArg>) -> Result<()> {
        let names: Vec<Option<ArgumentName>> = args.iter().map(argument_name).collect();
        if names.iter().all(Option::is_none) {
            return Ok(());
        }
        let Some(params) = function_key(name).and_then(|k| self.functions.get(&k)) else {
            return Ok(());
        };
        // A wildcard or other non-expression argument: leave it to DataFusion.
        let Some(values) = args.iter().map(argument_value).collect::<Option<Vec<_>>>() else {
            return Ok(());
        };
        // DataFusion's own resolution, run over position markers so that the
        // order (and every error) is exactly the one a Rust host computes.
        let markers: Vec<Expr> = (0..values.len()).map(|i| lit(i as u64)).collect();
        let order = resolve_function_arguments(params, markers, names)?;
        let reordered = order
            .iter()
            .map(|marker| match marker {
                Expr::Literal(v, _) => v
                    .to_string()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| values.get(i))
                    .map(|e| positional((*e).clone())),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                DataFusionError::Internal("named-argument markers did not round-trip".into())
            })?;
        *args = reordered;
        self.changed = true;
        Ok(())
    }
}

impl VisitorMut for NamedArguments<'_> {
    type Break = DataFusionError;

    fn post_visit_expr(&mut self, expr: &mut SQLExpr) -> ControlFlow<Self::Break> {
        if let SQLExpr::Function(f) = expr
            && let FunctionArguments::List(list) = &mut f.args
            && let Err(e) = self.call(&f.name, &mut list.args)
        {
            return ControlFlow::Break(e);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<Self::Break> {
        let TableFactor::Table {
            name,
            args: Some(table_args),
            ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        if !table_args
            .args
            .iter()
            .any(|a| matches!(a, FunctionArg::Named { .. }))
        {
            return ControlFlow::Continue(());
        }
        let function = name.to_string();
        let Some(params) = self.tables.get(&function.to_ascii_lowercase()) else {
            return ControlFlow::Continue(());
        };
        let slots = match assign_arguments(&function, params, &table_args.args, |ident| {
            ident.value.to_ascii_lowercase()
        }) {
            Ok(slots) => slots,
            Err(e) => return ControlFlow::Break(e),
        };
        let args = slots
            .into_iter()
            .map(|slot| positional(slot.cloned().unwrap_or(SQLExpr::value(Value::Null))))
            .collect();
        table_args.args = args;
        self.changed = true;
        ControlFlow::Continue(())
    }
}

/// Tags every occurrence of an operator the plugin may plan.
#[derive(Default)]
pub struct Tagger {
    /// Tag `n` → the original operator.
    pub operators: Vec<BinaryOperator>,
}

impl VisitorMut for Tagger {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut SQLExpr) -> ControlFlow<()> {
        if let SQLExpr::BinaryOp { op, .. } = expr
            && operator_text(op).is_some()
        {
            let tag = self.operators.len();
            self.operators.push(op.clone());
            *op = BinaryOperator::Custom(format!("{TAG_PREFIX}{tag}"));
        }
        ControlFlow::Continue(())
    }
}

/// The tag of a tagged operator.
pub fn tag_of(op: &BinaryOperator) -> Option<usize> {
    match op {
        BinaryOperator::Custom(s) => s.strip_prefix(TAG_PREFIX)?.parse().ok(),
        _ => None,
    }
}

/// What planning in the mirror found for one tagged occurrence.
#[derive(Debug, Clone)]
pub enum Answer {
    /// DataFusion's own planners took it (e.g. `@>` on lists).
    Host,
    /// The plugin left it to the host.
    Original,
    /// The plugin rewrote it; `name` is the column name a Rust host gives it.
    Rewrite {
        /// The plugin's replacement.
        node: PlanExpr,
        /// `left op right`, as the Rust host's planner aliases it.
        name: String,
    },
    /// The plugin refused it (the mirror's planning error carries why).
    Refused,
}

/// Puts the original operators back and replaces rewritten occurrences.
pub struct Rewriter<'a> {
    /// Tag → original operator.
    pub operators: &'a [BinaryOperator],
    /// Tag → answer (absent: never planned).
    pub answers: &'a HashMap<usize, Answer>,
    /// Whether any occurrence was replaced.
    pub changed: bool,
}

impl Rewriter<'_> {
    fn rewrite_of(&self, expr: &SQLExpr) -> Option<(&PlanExpr, &str)> {
        match expr {
            SQLExpr::Nested(inner) => self.rewrite_of(inner),
            SQLExpr::BinaryOp { op, .. } => match self.answers.get(&tag_of(op)?)? {
                Answer::Rewrite { node, name } => Some((node, name)),
                _ => None,
            },
            _ => None,
        }
    }
}

impl VisitorMut for Rewriter<'_> {
    type Break = DataFusionError;

    /// A projection item that is exactly a rewritten operator keeps the
    /// column name a Rust host gives it (`s -> 'k'`).
    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<Self::Break> {
        for item in select.projection.iter_mut() {
            let SelectItem::UnnamedExpr(expr) = item else {
                continue;
            };
            let Some((_, name)) = self.rewrite_of(expr) else {
                continue;
            };
            let alias = Ident::with_quote('"', name);
            let expr = expr.clone();
            *item = SelectItem::ExprWithAlias { expr, alias };
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut SQLExpr) -> ControlFlow<Self::Break> {
        let SQLExpr::BinaryOp { left, op, right } = expr else {
            return ControlFlow::Continue(());
        };
        let Some(tag) = tag_of(op) else {
            return ControlFlow::Continue(());
        };
        let Some(original) = self.operators.get(tag) else {
            return ControlFlow::Continue(());
        };
        *op = original.clone();
        let Some(Answer::Rewrite { node, .. }) = self.answers.get(&tag) else {
            return ControlFlow::Continue(());
        };
        let text = render(node, left, right);
        match Parser::new(&GenericDialect {})
            .try_with_sql(&text)
            .and_then(|mut p| p.parse_expr())
        {
            Ok(replacement) => {
                *expr = replacement;
                self.changed = true;
                ControlFlow::Continue(())
            }
            Err(e) => ControlFlow::Break(DataFusionError::Internal(format!(
                "the rewrite of a plugin operator ({text}) does not parse: {e}"
            ))),
        }
    }
}

/// A function name as SQL: bare when it is a plain lower-case identifier.
fn function_name(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        Ident::with_quote('"', name).to_string()
    }
}

fn string_literal(s: &str) -> String {
    Value::SingleQuotedString(s.to_string()).to_string()
}

/// The plugin's answer as SQL over the operands. A cast is spelled
/// `arrow_cast(x, '<type>')`: exactly the Arrow type the answer names (a SQL
/// type name would be mapped by the session's settings, e.g. to Utf8View).
pub fn render(node: &PlanExpr, left: &SQLExpr, right: &SQLExpr) -> String {
    match node {
        PlanExpr::Left => format!("({left})"),
        PlanExpr::Right => format!("({right})"),
        PlanExpr::Text(s) => string_literal(s),
        PlanExpr::Call { function, args } => format!(
            "{}({})",
            function_name(function),
            args.iter()
                .map(|a| render(a, left, right))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PlanExpr::Cast { expr, to } => {
            format!(
                "arrow_cast({}, {})",
                render(expr, left, right),
                string_literal(to)
            )
        }
    }
}
