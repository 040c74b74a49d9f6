//! The host side of the `function_factory` capability: a DataFusion
//! `FunctionFactory` that hands each `CREATE FUNCTION` to the plugin's
//! policy and builds what the plugin says to register.

mod renamed;
mod sql_macro;

use std::sync::Arc;

use abi_stable::std_types::{RResult, RStr, RString};
use async_trait::async_trait;
use datafusion::arrow::compute::can_cast_types;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, DataFusionError, Result, plan_err};
use datafusion::execution::context::{FunctionFactory, RegisterFunction};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{
    AggregateUDF, CreateFunction, Expr, ExprSchemable, ScalarUDF, Volatility, WindowUDF,
};
use datafusion::optimizer::analyzer::type_coercion::TypeCoercionRewriter;
use df_plugin_abi::function_factory::{CreateFunctionRequest, FunctionArg, FunctionDefinition};

pub use renamed::{RenamedAggregate, RenamedScalar, RenamedWindow};
pub use sql_macro::SqlMacro;

/// The plugin's `create_function` entry point.
pub type CreateFunctionFn = extern "C" fn(RStr<'_>, RStr<'_>) -> RResult<RString, RString>;

/// See the module docs.
#[derive(Debug)]
pub struct PluginFunctionFactory {
    plugin: String,
    create_function: CreateFunctionFn,
    /// The install options, which may carry the plugin's policy.
    options: String,
}

impl PluginFunctionFactory {
    /// A factory asking `create_function` with the install `options`.
    pub fn new(plugin: &str, create_function: CreateFunctionFn, options: String) -> Self {
        PluginFunctionFactory {
            plugin: plugin.to_string(),
            create_function,
            options,
        }
    }

    /// Asks the plugin's policy about `request`.
    pub fn judge(&self, request: &CreateFunctionRequest) -> Result<FunctionDefinition> {
        let text =
            serde_json::to_string(request).map_err(|e| DataFusionError::Internal(e.to_string()))?;
        match (self.create_function)(RStr::from_str(&text), RStr::from_str(&self.options)) {
            RResult::ROk(answer) => serde_json::from_str(answer.as_str()).map_err(|e| {
                DataFusionError::Internal(format!(
                    "plugin {} answered CREATE FUNCTION with malformed JSON: {e}",
                    self.plugin
                ))
            }),
            RResult::RErr(reason) => plan_err!("{}", reason),
        }
    }
}

fn volatility_name(v: Volatility) -> &'static str {
    match v {
        Volatility::Immutable => "immutable",
        Volatility::Stable => "stable",
        Volatility::Volatile => "volatile",
    }
}

fn parse_volatility(v: &str) -> Volatility {
    match v {
        "stable" => Volatility::Stable,
        "volatile" => Volatility::Volatile,
        _ => Volatility::Immutable,
    }
}

/// The name of the function a body calls, when the body is one call.
fn called_function(body: &Expr) -> Option<String> {
    match body {
        Expr::ScalarFunction(f) => Some(f.func.name().to_string()),
        Expr::AggregateFunction(f) => Some(f.func.name().to_string()),
        Expr::WindowFunction(f) => Some(f.fun.name().to_string()),
        Expr::Alias(a) => called_function(&a.expr),
        _ => None,
    }
}

/// `CREATE FUNCTION` as the plain request of the contract.
pub fn describe(state: &SessionState, statement: &CreateFunction) -> CreateFunctionRequest {
    let name = statement.name.clone();
    let exists = state.scalar_functions().contains_key(&name)
        || state.aggregate_functions().contains_key(&name)
        || state.window_functions().contains_key(&name)
        || state.table_functions().contains_key(&name);
    let body = statement.params.function_body.as_ref();
    CreateFunctionRequest {
        name,
        or_replace: statement.or_replace,
        exists,
        args: statement
            .args
            .iter()
            .flatten()
            .map(|a| FunctionArg {
                name: a.name.as_ref().map(|n| n.value.clone()),
                data_type: a.data_type.to_string(),
            })
            .collect(),
        return_type: statement.return_type.as_ref().map(|t| t.to_string()),
        language: statement
            .params
            .language
            .as_ref()
            .map(|l| l.value.to_ascii_lowercase()),
        volatility: statement
            .params
            .behavior
            .map(|v| volatility_name(v).to_string()),
        body: body.map(|b| b.to_string()),
        body_literal: body.and_then(|b| match b {
            Expr::Literal(v, _) => v.try_as_str().flatten().map(String::from),
            _ => None,
        }),
        body_call: body.and_then(called_function),
    }
}

#[async_trait]
impl FunctionFactory for PluginFunctionFactory {
    async fn create(
        &self,
        state: &SessionState,
        statement: CreateFunction,
    ) -> Result<RegisterFunction> {
        let request = describe(state, &statement);
        match self.judge(&request)? {
            FunctionDefinition::SqlMacro {
                name,
                volatility,
                named_arguments,
            } => build_macro(
                &statement,
                name,
                parse_volatility(&volatility),
                named_arguments,
            ),
            FunctionDefinition::Alias {
                name,
                language,
                target,
                volatility,
            } => build_alias(
                state,
                name,
                &language,
                &target,
                parse_volatility(&volatility),
            ),
        }
    }
}

fn build_macro(
    statement: &CreateFunction,
    name: String,
    volatility: Volatility,
    named: bool,
) -> Result<RegisterFunction> {
    let args = statement.args.clone().unwrap_or_default();
    let params: Vec<String> = args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            a.name
                .as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_else(|| format!("${}", i + 1))
        })
        .collect();
    let types: Vec<DataType> = args.iter().map(|a| a.data_type.clone()).collect();
    let Some(body) = statement.params.function_body.clone() else {
        return plan_err!("CREATE FUNCTION {name}: a SQL function needs a body (RETURN <expr>)");
    };

    // Placeholders ($1, $x) become references to the argument columns.
    let body = body
        .transform(|e| match &e {
            Expr::Placeholder(p) => {
                let key = p.id.trim_start_matches('$');
                let index = match key.parse::<usize>() {
                    Ok(n) if n >= 1 && n <= params.len() => n - 1,
                    Ok(n) => {
                        return plan_err!(
                            "CREATE FUNCTION {name}: the body uses ${n} but the function declares {} argument(s)",
                            params.len()
                        );
                    }
                    Err(_) => match params.iter().position(|p| p == key) {
                        Some(i) => i,
                        None => {
                            return plan_err!(
                                "CREATE FUNCTION {name}: the body uses ${key}, which is not an argument ({})",
                                params.join(", ")
                            );
                        }
                    },
                };
                Ok(Transformed::yes(Expr::Column(Column::from_name(
                    params[index].clone(),
                ))))
            }
            _ => Ok(Transformed::no(e)),
        })?
        .data;

    // A macro may not call itself: inlining would never end.
    let mut recursive = false;
    body.apply(|e| {
        if called_function(e).is_some_and(|f| f.eq_ignore_ascii_case(&name)) {
            recursive = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    if recursive {
        return plan_err!("CREATE FUNCTION {name}: a SQL function cannot call itself");
    }

    let schema = DFSchema::try_from(Schema::new(
        params
            .iter()
            .zip(&types)
            .map(|(p, t)| Field::new(p, t.clone(), true))
            .collect::<Vec<_>>(),
    ))?;
    // Coerce now: an inlined body is not revisited by the analyzer, and the
    // evaluated body runs exactly as planned here.
    let body = body
        .rewrite(&mut TypeCoercionRewriter::new(&schema))
        .map_err(|e| {
            DataFusionError::Plan(format!(
                "CREATE FUNCTION {name}: the body does not type-check against the arguments ({}): {}",
                params.join(", "),
                e.strip_backtrace()
            ))
        })?
        .data;
    let body_type = body.get_type(&schema).map_err(|e| {
        DataFusionError::Plan(format!(
            "CREATE FUNCTION {name}: the body does not type-check against the arguments ({}): {}",
            params.join(", "),
            e.strip_backtrace()
        ))
    })?;
    let (body, return_type) = match &statement.return_type {
        Some(declared) if *declared == body_type => (body, body_type),
        Some(declared) if can_cast_types(&body_type, declared) => {
            (body.cast_to(declared, &schema)?, declared.clone())
        }
        Some(declared) => {
            return plan_err!(
                "CREATE FUNCTION {name}: the body returns {body_type}, which cannot become the declared RETURNS {declared}"
            );
        }
        None => (body, body_type),
    };
    let udf = SqlMacro::new(name, params, types, body, return_type, volatility, named)?;
    Ok(RegisterFunction::Scalar(Arc::new(
        ScalarUDF::new_from_impl(udf),
    )))
}

fn build_alias(
    state: &SessionState,
    name: String,
    language: &str,
    target: &str,
    volatility: Volatility,
) -> Result<RegisterFunction> {
    let missing = || {
        plan_err!(
            "CREATE FUNCTION {name}: there is no {language} function named {target} in this session"
        )
    };
    match language {
        "aggregate" => match state.aggregate_functions().get(target) {
            Some(f) => Ok(RegisterFunction::Aggregate(Arc::new(
                AggregateUDF::new_from_impl(RenamedAggregate::new(name, Arc::clone(f), volatility)),
            ))),
            None => missing(),
        },
        "window" => match state.window_functions().get(target) {
            Some(f) => Ok(RegisterFunction::Window(Arc::new(
                WindowUDF::new_from_impl(RenamedWindow::new(name, Arc::clone(f), volatility)),
            ))),
            None => missing(),
        },
        "scalar" => match state.scalar_functions().get(target) {
            Some(f) => Ok(RegisterFunction::Scalar(Arc::new(
                ScalarUDF::new_from_impl(RenamedScalar::new(name, Arc::clone(f), volatility)),
            ))),
            None => missing(),
        },
        "table" => match state.table_functions().get(target) {
            Some(f) => Ok(RegisterFunction::Table(name, Arc::clone(f.function()))),
            None => missing(),
        },
        other => plan_err!("CREATE FUNCTION {name}: unknown function language {other}"),
    }
}
