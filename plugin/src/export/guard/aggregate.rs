//! Panic containment for aggregate UDFs and their accumulators.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, EmitTo, GroupsAccumulator,
    Signature,
};

use super::guarded;

/// An aggregate UDF whose calls, and whose accumulators' calls, run under
/// `catch_unwind`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PanicGuardedUdaf {
    inner: AggregateUDF,
}

impl PanicGuardedUdaf {
    /// Wraps `udaf`; name, aliases, signature and docs are the inner UDAF's.
    pub fn wrap(udaf: AggregateUDF) -> AggregateUDF {
        AggregateUDF::new_from_impl(PanicGuardedUdaf { inner: udaf })
    }
}

impl AggregateUDFImpl for PanicGuardedUdaf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        guarded(self.name(), "return type", || {
            self.inner.inner().return_type(arg_types)
        })
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        guarded(self.name(), "return type", || {
            self.inner.return_field(arg_fields)
        })
    }

    fn is_nullable(&self) -> bool {
        self.inner.is_nullable()
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        guarded(self.name(), "default value", || {
            self.inner.default_value(data_type)
        })
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        guarded(self.name(), "type coercion", || {
            self.inner.coerce_types(arg_types)
        })
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let acc = guarded(self.name(), "accumulator creation", || {
            self.inner.accumulator(acc_args)
        })?;
        Ok(Box::new(GuardedAccumulator::new(self.name(), acc)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        guarded(self.name(), "state fields", || {
            self.inner.state_fields(args)
        })
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        self.inner.groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let acc = guarded(self.name(), "accumulator creation", || {
            self.inner.create_groups_accumulator(args)
        })?;
        Ok(Box::new(GuardedGroupsAccumulator {
            name: self.name().to_string(),
            inner: acc,
        }))
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let acc = guarded(self.name(), "accumulator creation", || {
            self.inner.create_sliding_accumulator(args)
        })?;
        Ok(Box::new(GuardedAccumulator::new(self.name(), acc)))
    }

    fn with_beneficial_ordering(
        self: Arc<Self>,
        beneficial_ordering: bool,
    ) -> Result<Option<Arc<dyn AggregateUDFImpl>>> {
        let inner = Arc::clone(self.inner.inner());
        Ok(inner
            .with_beneficial_ordering(beneficial_ordering)?
            .map(|updated| {
                Arc::new(PanicGuardedUdaf {
                    inner: AggregateUDF::new_from_shared_impl(updated),
                }) as Arc<dyn AggregateUDFImpl>
            }))
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        self.inner.inner().order_sensitivity()
    }

    fn supports_null_handling_clause(&self) -> bool {
        self.inner.inner().supports_null_handling_clause()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// An accumulator whose every call runs under `catch_unwind`.
#[derive(Debug)]
struct GuardedAccumulator {
    name: String,
    inner: Box<dyn Accumulator>,
}

impl GuardedAccumulator {
    fn new(name: &str, inner: Box<dyn Accumulator>) -> Self {
        GuardedAccumulator {
            name: name.to_string(),
            inner,
        }
    }
}

impl Accumulator for GuardedAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        guarded(&self.name, "accumulation", || {
            self.inner.update_batch(values)
        })
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        guarded(&self.name, "evaluation", || self.inner.evaluate())
    }

    fn size(&self) -> usize {
        self.inner.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        guarded(&self.name, "state", || self.inner.state())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        guarded(&self.name, "merge", || self.inner.merge_batch(states))
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        guarded(&self.name, "retraction", || {
            self.inner.retract_batch(values)
        })
    }

    fn supports_retract_batch(&self) -> bool {
        self.inner.supports_retract_batch()
    }
}

/// A groups accumulator whose every call runs under `catch_unwind`.
struct GuardedGroupsAccumulator {
    name: String,
    inner: Box<dyn GroupsAccumulator>,
}

impl GroupsAccumulator for GuardedGroupsAccumulator {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        guarded(&self.name, "accumulation", || {
            self.inner
                .update_batch(values, group_indices, opt_filter, total_num_groups)
        })
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        guarded(&self.name, "evaluation", || self.inner.evaluate(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        guarded(&self.name, "state", || self.inner.state(emit_to))
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        guarded(&self.name, "merge", || {
            self.inner
                .merge_batch(values, group_indices, total_num_groups)
        })
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        guarded(&self.name, "state conversion", || {
            self.inner.convert_to_state(values, opt_filter)
        })
    }

    fn size(&self) -> usize {
        self.inner.size()
    }
}
