//! Plugin aggregate UDFs as the host registers them.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
};

use super::listing::{check_deferred, coerce_or_defer, host_signature};
use crate::snapshot::FunctionEntry;

/// A datafusion-ffi foreign aggregate UDF with the plugin's parameter names,
/// documentation and listing signatures.
#[derive(Debug)]
pub struct PluginAggregateUdf {
    inner: Arc<dyn AggregateUDFImpl>,
    signature: Signature,
    documentation: Option<Documentation>,
}

impl PluginAggregateUdf {
    /// Wraps a foreign UDAF with the metadata of its registry entry.
    pub fn wrap(inner: Arc<dyn AggregateUDFImpl>, entry: Option<&FunctionEntry>) -> AggregateUDF {
        AggregateUDF::new_from_shared_impl(Self::shared(inner, entry))
    }

    fn shared(
        inner: Arc<dyn AggregateUDFImpl>,
        entry: Option<&FunctionEntry>,
    ) -> Arc<PluginAggregateUdf> {
        Arc::new(PluginAggregateUdf {
            signature: host_signature(inner.signature(), entry),
            documentation: entry.and_then(FunctionEntry::documentation),
            inner,
        })
    }
}

impl PartialEq for PluginAggregateUdf {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) && self.signature == other.signature
    }
}

impl Eq for PluginAggregateUdf {}

impl Hash for PluginAggregateUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.name().hash(state);
        self.signature.hash(state);
    }
}

impl AggregateUDFImpl for PluginAggregateUdf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// datafusion-ffi's foreign aggregate answers only `return_field`
    /// (its `return_type` is unimplemented), so the type is read from there.
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let fields: Vec<FieldRef> = arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| Arc::new(Field::new(format!("arg_{i}"), t.clone(), true)))
            .collect();
        self.inner
            .return_field(&fields)
            .map(|f| f.data_type().clone())
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        check_deferred(arg_fields, |t| self.inner.coerce_types(t))?;
        self.inner.return_field(arg_fields)
    }

    fn is_nullable(&self) -> bool {
        self.inner.is_nullable()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_or_defer(&self.signature, arg_types, |t| self.inner.coerce_types(t))
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        self.inner.accumulator(acc_args)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.inner.state_fields(args)
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        self.inner.groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        self.inner.create_groups_accumulator(args)
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        self.inner.create_sliding_accumulator(args)
    }

    fn with_beneficial_ordering(
        self: Arc<Self>,
        beneficial_ordering: bool,
    ) -> Result<Option<Arc<dyn AggregateUDFImpl>>> {
        let updated = Arc::clone(&self.inner).with_beneficial_ordering(beneficial_ordering)?;
        Ok(updated.map(|inner| {
            Arc::new(PluginAggregateUdf {
                inner,
                signature: self.signature.clone(),
                documentation: self.documentation.clone(),
            }) as Arc<dyn AggregateUDFImpl>
        }))
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        self.inner.order_sensitivity()
    }

    fn supports_null_handling_clause(&self) -> bool {
        self.inner.supports_null_handling_clause()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.documentation.as_ref()
    }
}
