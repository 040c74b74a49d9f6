//! A SQL macro created by `CREATE FUNCTION ... RETURN <expr>`.
//!
//! Two ways to run, one definition: `simplify` inlines the body with the
//! call's arguments, so the optimiser sees through the macro (EXPLAIN shows
//! the body, not the macro); `invoke_with_args` evaluates the same body over
//! Arrow batches, for hosts that cannot inline (datafusion-python reaches
//! host functions only through FFI, which has no simplify hook).

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema, Result};
use datafusion::execution::context::ExecutionProps;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use datafusion::physical_expr::{PhysicalExpr, create_physical_expr};

/// See the module docs.
#[derive(Debug)]
pub struct SqlMacro {
    name: String,
    signature: Signature,
    return_type: DataType,
    /// Column names standing for the arguments inside `body`.
    params: Vec<String>,
    /// The body over `params` columns, already cast to `return_type`.
    body: Expr,
    schema: Arc<DFSchema>,
    compiled: OnceLock<Arc<dyn PhysicalExpr>>,
}

impl SqlMacro {
    /// A macro `name(params: types) = body`. `body` refers to the arguments
    /// as columns named `params`; `named` registers the names for named
    /// arguments.
    pub fn new(
        name: String,
        params: Vec<String>,
        types: Vec<DataType>,
        body: Expr,
        return_type: DataType,
        volatility: Volatility,
        named: bool,
    ) -> Result<Self> {
        let schema = Arc::new(DFSchema::try_from(Schema::new(
            params
                .iter()
                .zip(&types)
                .map(|(p, t)| Field::new(p, t.clone(), true))
                .collect::<Vec<_>>(),
        ))?);
        let mut signature = Signature::new(TypeSignature::Exact(types), volatility);
        if named {
            signature = signature.with_parameter_names(params.clone())?;
        }
        Ok(SqlMacro {
            name,
            signature,
            return_type,
            params,
            body,
            schema,
            compiled: OnceLock::new(),
        })
    }

    fn compiled(&self) -> Result<Arc<dyn PhysicalExpr>> {
        if let Some(c) = self.compiled.get() {
            return Ok(Arc::clone(c));
        }
        let c = create_physical_expr(
            &self.body,
            &self.schema,
            &ExecutionProps::new(),
            &PhysicalPlanningContext::default(),
        )?;
        Ok(Arc::clone(self.compiled.get_or_init(|| c)))
    }
}

impl PartialEq for SqlMacro {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.signature == other.signature && self.body == other.body
    }
}

impl Eq for SqlMacro {}

impl Hash for SqlMacro {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.signature.hash(state);
        self.body.hash(state);
    }
}

impl ScalarUDFImpl for SqlMacro {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.return_type.clone())
    }

    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let inlined = self
            .body
            .clone()
            .transform(|e| match &e {
                Expr::Column(Column {
                    relation: None,
                    name,
                    ..
                }) => match self.params.iter().position(|p| p == name) {
                    Some(i) => Ok(Transformed::yes(args[i].clone())),
                    None => Ok(Transformed::no(e)),
                },
                _ => Ok(Transformed::no(e)),
            })?
            .data;
        Ok(ExprSimplifyResult::Simplified(inlined))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(args.number_rows))
            .collect::<Result<Vec<_>>>()?;
        let batch = if arrays.is_empty() {
            RecordBatch::try_new_with_options(
                Arc::new(self.schema.as_arrow().clone()),
                vec![],
                &datafusion::arrow::array::RecordBatchOptions::new()
                    .with_row_count(Some(args.number_rows)),
            )?
        } else {
            RecordBatch::try_new(Arc::new(self.schema.as_arrow().clone()), arrays)?
        };
        self.compiled()?.evaluate(&batch)
    }
}
