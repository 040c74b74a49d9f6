//! Plugin window UDFs as the host registers them.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    Documentation, LimitEffect, PartitionEvaluator, Signature, WindowUDF, WindowUDFImpl,
};
use datafusion::physical_expr::PhysicalExpr;

use super::listing::{check_deferred, coerce_or_defer, host_signature};
use crate::snapshot::FunctionEntry;

/// A datafusion-ffi foreign window UDF with the plugin's parameter names,
/// documentation and listing signatures.
#[derive(Debug)]
pub struct PluginWindowUdf {
    inner: Arc<dyn WindowUDFImpl>,
    signature: Signature,
    documentation: Option<Documentation>,
}

impl PluginWindowUdf {
    /// Wraps a foreign UDWF with the metadata of its registry entry.
    pub fn wrap(inner: Arc<dyn WindowUDFImpl>, entry: Option<&FunctionEntry>) -> WindowUDF {
        WindowUDF::new_from_impl(PluginWindowUdf {
            signature: host_signature(inner.signature(), entry),
            documentation: entry.and_then(FunctionEntry::documentation),
            inner,
        })
    }
}

impl PartialEq for PluginWindowUdf {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) && self.signature == other.signature
    }
}

impl Eq for PluginWindowUdf {}

impl Hash for PluginWindowUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.name().hash(state);
        self.signature.hash(state);
    }
}

impl WindowUDFImpl for PluginWindowUdf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_or_defer(&self.signature, arg_types, |t| self.inner.coerce_types(t))
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        self.inner.partition_evaluator(args)
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        check_deferred(field_args.input_fields(), |t| self.inner.coerce_types(t))?;
        self.inner.field(field_args)
    }

    fn sort_options(&self) -> Option<SortOptions> {
        self.inner.sort_options()
    }

    fn limit_effect(&self, args: &[Arc<dyn PhysicalExpr>]) -> LimitEffect {
        self.inner.limit_effect(args)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.documentation.as_ref()
    }
}
