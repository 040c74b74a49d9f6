//! `Plugin.sql`: the plugin's planners and function factory for a host that
//! cannot register them (datafusion-python 55 has no hook for an
//! `ExprPlanner`, a relation planner or a `FunctionFactory`).
//!
//! Each statement is parsed here (DataFusion's parser, generic dialect) and
//! becomes plain SQL for the Python context:
//!
//! * named arguments of plugin functions → positional ([`crate::rewrite`]);
//! * the plugin's operators → the calls the plugin's planner answers. The
//!   answer depends on operand types, which only planning can tell, so the
//!   statement is planned once in a *mirror*: a Rust `SessionContext` with
//!   the plugin installed exactly as a Rust host installs it, holding empty
//!   tables with the schemas of the Python context's tables that the
//!   statement names. A planner registered in the mirror records, for each
//!   operator occurrence, whether DataFusion's own planners took it, the
//!   plugin left it, rewrote it (and how), or refused it. The mirror never
//!   executes anything;
//! * `CREATE FUNCTION` → judged by the plugin's policy and built by the host
//!   shim's factory in the mirror (as in a Rust host); the function is then
//!   handed to the Python context as a datafusion-ffi object. SQL macros
//!   cannot be inlined across FFI (no `simplify` hook), so in Python they
//!   evaluate their body over Arrow batches;
//! * `DROP FUNCTION` runs in the Python context and is mirrored.
//!
//! When the mirror cannot plan a statement for a reason of its own (a
//! function or table only the Python context has), operators it did not get
//! to are passed through unchanged and the Python context decides.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::datatypes::{Field, FieldRef};
use datafusion::catalog::TableProvider;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, DataFusionError, Result, TableReference, plan_err};
use datafusion::datasource::empty::EmptyTable;
use datafusion::datasource::source_as_provider;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::context::{FunctionFactory, RegisterFunction};
use datafusion::logical_expr::function::{
    AccumulatorArgs, PartitionEvaluatorArgs, WindowUDFFieldArgs,
};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, DdlStatement, Expr, LogicalPlan,
    PartitionEvaluator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
    WindowUDF, WindowUDFImpl,
};
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::{DFParserBuilder, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{Statement as SQLStatement, Value};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udwf::FFI_WindowUDF;
use df_plugin_host::Plugin;
use df_plugin_host::factory::PluginFunctionFactory;
use df_plugin_host::install::{Selection, named_table_functions};
use df_plugin_host::planner::PluginExprPlanner;
use df_plugin_host::snapshot::FunctionEntry;
use parking_lot::Mutex;
use serde_json::Value as Json;

use crate::rewrite::{self, Answer, NamedArguments, Rewriter, Tagger};

/// Operator occurrences of the statement being planned in the mirror.
#[derive(Default)]
struct TagBook {
    operators: Vec<datafusion::sql::sqlparser::ast::BinaryOperator>,
    answers: HashMap<usize, Answer>,
}

/// Registered last in the mirror. For a tagged occurrence it restores the
/// operator and consults DataFusion's own planners, then the plugin's,
/// exactly in a Rust host's order, recording the outcome; untagged
/// operators (in `CREATE FUNCTION` bodies) it plans as the plugin's planner.
#[derive(Debug)]
struct TaggingPlanner {
    host: Vec<Arc<dyn ExprPlanner>>,
    plugin: PluginExprPlanner,
    book: Arc<Mutex<TagBook>>,
}

impl std::fmt::Debug for TagBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagBook")
            .field("operators", &self.operators.len())
            .finish()
    }
}

impl TaggingPlanner {
    fn record(&self, tag: usize, answer: Answer) {
        self.book.lock().answers.entry(tag).or_insert(answer);
    }
}

impl ExprPlanner for TaggingPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let Some(tag) = rewrite::tag_of(&expr.op) else {
            return self.plugin.plan_binary_op(expr, schema);
        };
        let Some(original) = self.book.lock().operators.get(tag).cloned() else {
            return Ok(PlannerResult::Original(expr));
        };
        let mut raw = RawBinaryExpr {
            op: original,
            ..expr
        };
        for planner in &self.host {
            match planner.plan_binary_op(raw, schema)? {
                PlannerResult::Planned(planned) => {
                    self.record(tag, Answer::Host);
                    return Ok(PlannerResult::Planned(planned));
                }
                PlannerResult::Original(back) => raw = back,
            }
        }
        match self.plugin.plan_traced(raw, schema) {
            Ok((PlannerResult::Planned(planned), Some(node))) => {
                let name = match &planned {
                    Expr::Alias(alias) => alias.name.clone(),
                    other => other.schema_name().to_string(),
                };
                self.record(tag, Answer::Rewrite { node, name });
                Ok(PlannerResult::Planned(planned))
            }
            Ok((result, _)) => {
                self.record(tag, Answer::Original);
                Ok(result)
            }
            Err(e) => {
                self.record(tag, Answer::Refused);
                Err(e)
            }
        }
    }
}

/// Stands in the mirror for a function only the Python context has: while
/// the plugin's factory judges a `CREATE FUNCTION` of that name (its policy
/// must see that the name exists), and while a statement calling it is
/// planned for the rewrite. Never executed.
#[derive(Debug, PartialEq, Eq, Hash)]
struct PythonFunction {
    name: String,
    signature: Signature,
}

impl ScalarUDFImpl for PythonFunction {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Null)
    }
    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        plan_err!("{} exists only in the Python context", self.name)
    }
}

/// The aggregate counterpart of [`PythonFunction`].
#[derive(Debug, PartialEq, Eq, Hash)]
struct PythonAggregate {
    name: String,
    signature: Signature,
}

impl AggregateUDFImpl for PythonAggregate {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Null)
    }
    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        plan_err!("{} exists only in the Python context", self.name)
    }
}

/// The window counterpart of [`PythonFunction`].
#[derive(Debug, PartialEq, Eq, Hash)]
struct PythonWindow {
    name: String,
    signature: Signature,
}

impl WindowUDFImpl for PythonWindow {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        plan_err!("{} exists only in the Python context", self.name)
    }
    fn field(&self, args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(args.name(), DataType::Null, true)))
    }
}

/// Registers a stand-in for a function only the Python context has
/// (`kind`: `scalar`, `aggregate` or `window`). Its result type is unknown
/// (Null), so operators applied to its result stay as written, while
/// operators in its arguments are planned.
fn register_stand_in(ctx: &SessionContext, name: &str, kind: &str) {
    let signature = Signature::variadic_any(Volatility::Volatile);
    let name = name.to_string();
    match kind {
        "aggregate" => ctx.register_udaf(AggregateUDF::new_from_impl(PythonAggregate {
            name,
            signature,
        })),
        "window" => ctx.register_udwf(WindowUDF::new_from_impl(PythonWindow { name, signature })),
        _ => ctx.register_udf(ScalarUDF::new_from_impl(PythonFunction { name, signature })),
    }
}

fn deregister_function(ctx: &SessionContext, name: &str) {
    let state = ctx.state_ref();
    let mut state = state.write();
    let _ = state.deregister_udf(name);
    let _ = state.deregister_udaf(name);
    let _ = state.deregister_udwf(name);
}

/// Names of the functions a statement calls.
#[derive(Default)]
struct CalledFunctions(HashSet<String>);

impl datafusion::sql::sqlparser::ast::VisitorMut for CalledFunctions {
    type Break = ();
    fn pre_visit_expr(
        &mut self,
        expr: &mut datafusion::sql::sqlparser::ast::Expr,
    ) -> std::ops::ControlFlow<()> {
        if let datafusion::sql::sqlparser::ast::Expr::Function(f) = expr
            && let Some(key) = rewrite::function_key(&f.name)
        {
            self.0.insert(key);
        }
        std::ops::ControlFlow::Continue(())
    }
}

/// The mirror session (see the module docs).
struct Mirror {
    ctx: SessionContext,
    book: Arc<Mutex<TagBook>>,
    factory: Option<PluginFunctionFactory>,
    /// Tables currently mirrored from the Python context.
    tables: HashSet<TableReference>,
}

/// How the Python side continues with a prepared statement.
pub enum Prepared {
    /// Hand this SQL to the Python context.
    Sql(String),
    /// Plan in the mirror first; it needs these tables' schemas.
    Rewrite {
        statement: DFStatement,
        operators: Vec<datafusion::sql::sqlparser::ast::BinaryOperator>,
        tables: Vec<String>,
        /// Functions it calls that the mirror does not know (perhaps the
        /// Python context's own).
        functions: Vec<String>,
    },
    /// `CREATE FUNCTION` through the plugin's factory.
    CreateFunction {
        statement: DFStatement,
        name: String,
    },
    /// `DROP FUNCTION`: run in Python, then forget in the mirror.
    DropFunction { name: String },
}

/// A function created through the factory, for the Python context.
pub enum Created {
    Scalar(FFI_ScalarUDF),
    Aggregate(FFI_AggregateUDF),
    Window(FFI_WindowUDF),
    /// An alias `name` of the plugin's table function number `index`.
    Table {
        name: String,
        index: usize,
    },
}

/// The SQL front end of one plugin bound to one Python context.
pub struct Frontend {
    plugin: Plugin,
    options: Json,
    entries: Vec<FunctionEntry>,
    /// Function key → parameter names (plugin functions, their aliases, and
    /// functions created through the factory with named parameters).
    functions: HashMap<String, Vec<String>>,
    /// Table function key → parameter names.
    tables: HashMap<String, Vec<String>>,
    has_planner: bool,
    mirror: Option<Mirror>,
}

fn parse(sql: &str) -> Result<DFStatement> {
    let mut statements = DFParserBuilder::new(sql)
        .with_dialect(&GenericDialect {})
        .build()?
        .parse_statements()?;
    if statements.len() != 1 {
        return plan_err!("expected one statement, found {}", statements.len());
    }
    Ok(statements.pop_front().expect("one statement"))
}

/// Records the parameter names of a function created through the factory
/// (a macro with named arguments, or an alias keeping its target's names).
fn remember(functions: &mut HashMap<String, Vec<String>>, name: &str, signature: &Signature) {
    match signature.parameter_names.clone().filter(|p| !p.is_empty()) {
        Some(params) => functions.insert(name.to_string(), params),
        None => functions.remove(name),
    };
}

/// An identifier as SQL: bare when plain, quoted otherwise.
fn plain_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        datafusion::sql::sqlparser::ast::Ident::with_quote('"', name).to_string()
    }
}

/// A function name from `DROP FUNCTION`, as DataFusion normalises it.
fn drop_name(statement: &SQLStatement) -> Option<String> {
    let SQLStatement::DropFunction(drop) = statement else {
        return None;
    };
    let desc = drop.func_desc.first()?;
    rewrite::function_key(&desc.name)
}

impl Frontend {
    pub fn new(
        plugin: Plugin,
        options: Json,
    ) -> std::result::Result<Self, df_plugin_host::LoadError> {
        let entries = plugin.functions()?;
        let mut functions = HashMap::new();
        for entry in entries
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "scalar" | "aggregate" | "window"))
        {
            let Some(params) = entry.parameters.clone().filter(|p| !p.is_empty()) else {
                continue;
            };
            for name in std::iter::once(&entry.name).chain(&entry.aliases) {
                functions.insert(name.to_ascii_lowercase(), params.clone());
            }
        }
        let tables = named_table_functions(&entries)
            .into_iter()
            .map(|(name, params)| (name.to_ascii_lowercase(), params))
            .collect();
        let has_planner = plugin.manifest().capability("expr_planner").is_some();
        Ok(Frontend {
            plugin,
            options,
            entries,
            functions,
            tables,
            has_planner,
            mirror: None,
        })
    }

    fn mirror(&mut self) -> Result<&mut Mirror> {
        if self.mirror.is_none() {
            let ctx = SessionContext::new();
            let selection = Selection {
                expr_planner: false,
                function_factory: false,
            };
            self.plugin
                .install_selected(&ctx, &self.options, &selection)
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            let book = Arc::new(Mutex::new(TagBook::default()));
            if let Some(plugin) = self.plugin.expr_planner(&ctx) {
                let host = ctx.state().expr_planners().to_vec();
                let planner = TaggingPlanner {
                    host,
                    plugin,
                    book: Arc::clone(&book),
                };
                ctx.state_ref()
                    .write()
                    .register_expr_planner(Arc::new(planner))?;
            }
            let factory = self.plugin.function_factory(&self.options);
            self.mirror = Some(Mirror {
                ctx,
                book,
                factory,
                tables: HashSet::new(),
            });
        }
        Ok(self.mirror.as_mut().expect("the mirror was just created"))
    }

    /// Parses `sql` and says how to continue. A statement this front end
    /// cannot parse is handed to the Python context unchanged (its parser
    /// reports the error).
    pub fn prepare(&mut self, sql: &str) -> Result<Prepared> {
        let Ok(mut statement) = parse(sql) else {
            return Ok(Prepared::Sql(sql.to_string()));
        };
        let function = match &statement {
            DFStatement::Statement(s) => match s.as_ref() {
                SQLStatement::CreateFunction(cf) => Some((
                    true,
                    rewrite::function_key(&cf.name).unwrap_or_else(|| cf.name.to_string()),
                )),
                other => drop_name(other).map(|name| (false, name)),
            },
            _ => None,
        };
        match function {
            Some((true, name)) => return Ok(Prepared::CreateFunction { statement, name }),
            Some((false, name)) => return Ok(Prepared::DropFunction { name }),
            None => {}
        }
        let mut named = NamedArguments {
            functions: &self.functions,
            tables: &self.tables,
            changed: false,
        };
        rewrite::finish(rewrite::visit(&mut statement, &mut named))?;
        let renamed = named.changed;
        let mut tagger = Tagger::default();
        if self.has_planner {
            let _ = rewrite::visit(&mut statement, &mut tagger);
        }
        if tagger.operators.is_empty() {
            return Ok(Prepared::Sql(if renamed {
                statement.to_string()
            } else {
                sql.to_string()
            }));
        }
        let mut called = CalledFunctions::default();
        let _ = rewrite::visit(&mut statement, &mut called);
        let (tables, functions) = {
            let mirror = self.mirror()?;
            let state = mirror.ctx.state();
            let tables = state
                .resolve_table_references(&statement)
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.to_string())
                .collect();
            let mut functions: Vec<String> = called
                .0
                .into_iter()
                .filter(|f| {
                    !state.scalar_functions().contains_key(f)
                        && !state.aggregate_functions().contains_key(f)
                        && !state.window_functions().contains_key(f)
                })
                .collect();
            functions.sort();
            (tables, functions)
        };
        Ok(Prepared::Rewrite {
            statement,
            operators: tagger.operators,
            tables,
            functions,
        })
    }

    /// Plans a tagged statement in the mirror (with `schemas` of the tables
    /// it names, `None` for a name the Python context does not have) and
    /// returns the SQL for the Python context.
    pub async fn rewrite(
        &mut self,
        mut statement: DFStatement,
        operators: Vec<datafusion::sql::sqlparser::ast::BinaryOperator>,
        schemas: Vec<(String, Option<Schema>)>,
        python_functions: Vec<(String, String)>,
    ) -> Result<String> {
        let mirror = self.mirror()?;
        for (name, kind) in &python_functions {
            register_stand_in(&mirror.ctx, name, kind);
        }
        for (name, schema) in schemas {
            let reference = TableReference::from(name.as_str());
            let _ = mirror.ctx.deregister_table(reference.clone());
            mirror.tables.remove(&reference);
            if let Some(schema) = schema {
                let table: Arc<dyn TableProvider> = Arc::new(EmptyTable::new(Arc::new(schema)));
                if mirror.ctx.register_table(reference.clone(), table).is_ok() {
                    mirror.tables.insert(reference);
                }
            }
        }
        {
            let mut book = mirror.book.lock();
            book.operators = operators.clone();
            book.answers.clear();
        }
        let state = mirror.ctx.state();
        let planned = state.statement_to_plan(statement.clone()).await;
        let answers = std::mem::take(&mut mirror.book.lock().answers);
        for (name, _) in &python_functions {
            deregister_function(&mirror.ctx, name);
        }
        if let Err(e) = planned
            && answers.values().any(|a| matches!(a, Answer::Refused))
        {
            return Err(e);
        }
        let mut rewriter = Rewriter {
            operators: &operators,
            answers: &answers,
            changed: false,
        };
        rewrite::finish(rewrite::visit(&mut statement, &mut rewriter))?;
        Ok(statement.to_string())
    }

    /// Runs `CREATE FUNCTION` through the plugin's factory in the mirror and
    /// returns what to register in the Python context. `python_has` says
    /// whether the Python context already has a function of that name.
    pub async fn create_function(
        &mut self,
        statement: DFStatement,
        python_has: bool,
    ) -> Result<Created> {
        self.mirror()?;
        let Frontend {
            plugin,
            entries,
            functions,
            mirror,
            ..
        } = self;
        let mirror = mirror.as_mut().expect("the mirror exists");
        let Some(factory) = &mirror.factory else {
            return Err(DataFusionError::Configuration(format!(
                "plugin {} has no function factory (capability function_factory)",
                plugin.manifest().plugin_name
            )));
        };
        let state = mirror.ctx.state();
        let plan = state.statement_to_plan(statement).await?;
        let LogicalPlan::Ddl(DdlStatement::CreateFunction(create)) = plan else {
            return plan_err!("expected CREATE FUNCTION");
        };
        let name = create.name.clone();
        let known = state.scalar_functions().contains_key(&name)
            || state.aggregate_functions().contains_key(&name)
            || state.window_functions().contains_key(&name)
            || state.table_functions().contains_key(&name);
        let placeholder = python_has && !known;
        if placeholder {
            register_stand_in(&mirror.ctx, &name, "scalar");
        }
        let state = mirror.ctx.state();
        let registered = factory.create(&state, *create).await;
        if placeholder {
            deregister_function(&mirror.ctx, &name);
        }
        let created = match registered? {
            RegisterFunction::Scalar(udf) => {
                remember(functions, udf.name(), udf.signature());
                mirror.ctx.register_udf(udf.as_ref().clone());
                Created::Scalar(FFI_ScalarUDF::from(udf))
            }
            RegisterFunction::Aggregate(udaf) => {
                remember(functions, udaf.name(), udaf.signature());
                mirror.ctx.register_udaf(udaf.as_ref().clone());
                Created::Aggregate(FFI_AggregateUDF::from(udaf))
            }
            RegisterFunction::Window(udwf) => {
                remember(functions, udwf.name(), udwf.signature());
                mirror.ctx.register_udwf(udwf.as_ref().clone());
                Created::Window(FFI_WindowUDF::from(udwf))
            }
            RegisterFunction::Table(alias, function) => {
                // Find which plugin table function it renames: the Python
                // context gets that export again, bound to its own session.
                let index = state
                    .table_functions()
                    .iter()
                    .filter(|(_, f)| Arc::ptr_eq(f.function(), &function))
                    .find_map(|(target, _)| {
                        entries
                            .iter()
                            .find(|e| e.kind == "table" && e.name == *target)
                            .and_then(|e| e.index)
                    });
                let Some(index) = index else {
                    return plan_err!(
                        "CREATE FUNCTION {alias}: only the plugin's own table functions can be renamed in datafusion-python"
                    );
                };
                mirror.ctx.register_udtf(&alias, function);
                Created::Table { name: alias, index }
            }
            RegisterFunction::HigherOrder(f) => {
                return plan_err!(
                    "CREATE FUNCTION {}: higher-order functions cannot cross datafusion-ffi",
                    f.name()
                );
            }
        };
        Ok(created)
    }

    /// After `DROP FUNCTION name` succeeded in the Python context.
    pub fn forget_function(&mut self, name: &str) {
        self.functions.remove(name);
        self.tables.remove(name);
        if let Some(mirror) = &self.mirror {
            deregister_function(&mirror.ctx, name);
            mirror.ctx.deregister_udtf(name);
        }
    }

    /// The table provider that the plugin's table function `name` returns
    /// for `args` (SQL literals) and `named` (`(parameter, literal)`),
    /// resolved by the same rules as `FROM name(...)` in a Rust host.
    pub async fn table(
        &mut self,
        name: &str,
        args: Vec<Value>,
        named: Vec<(String, Value)>,
    ) -> Result<Arc<dyn TableProvider>> {
        let Some(entry) = self
            .entries
            .iter()
            .find(|e| e.kind == "table" && e.name.eq_ignore_ascii_case(name))
        else {
            let known: Vec<&str> = self
                .entries
                .iter()
                .filter(|e| e.kind == "table")
                .map(|e| e.name.as_str())
                .collect();
            return plan_err!(
                "plugin {} has no table function named {name}; it has: {}",
                self.plugin.manifest().plugin_name,
                known.join(", ")
            );
        };
        let mut arguments: Vec<String> = args.iter().map(ToString::to_string).collect();
        arguments.extend(
            named
                .iter()
                .map(|(k, v)| format!("{} => {v}", plain_ident(k))),
        );
        let sql = format!(
            "SELECT * FROM {}({})",
            plain_ident(&entry.name),
            arguments.join(", ")
        );
        let mirror = self.mirror()?;
        let plan = mirror.ctx.state().create_logical_plan(&sql).await?;
        let mut provider = None;
        plan.apply(|node| {
            if let LogicalPlan::TableScan(scan) = node {
                provider = Some(source_as_provider(&scan.source));
                return Ok(TreeNodeRecursion::Stop);
            }
            Ok(TreeNodeRecursion::Continue)
        })?;
        provider.ok_or_else(|| {
            DataFusionError::Internal(format!("{name}(...) planned without a table scan"))
        })?
    }
}
