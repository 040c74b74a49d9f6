//! The plumbing every plugin aggregate shares.
//!
//! An aggregate is a [`PluginAggregate`]: its name, parameter names and
//! documentation (from its own file) and an [`AggregateFamily`] that plans
//! its arguments and makes its state. The state is one [`GroupedState`] that
//! keeps *every* group, so one implementation serves both of DataFusion's
//! accumulator kinds:
//!
//! * [`GroupedAccumulator`] (a `GroupsAccumulator`, used for `GROUP BY`) hands
//!   it whole batches with their group indices: no per-row `ScalarValue`, and
//!   through the dylib one FFI call per batch rather than one accumulator per
//!   group;
//! * [`SingleGroupAccumulator`] (an `Accumulator`, used without `GROUP BY`,
//!   for window frames, and for sliding frames when the state supports
//!   retraction) is the same state with a single group, index 0.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, not_impl_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, EmitTo, GroupsAccumulator,
    Signature, Volatility,
};

/// The state of an aggregate for all groups, addressed by group index.
pub(crate) trait GroupedState: std::fmt::Debug + Send + Sync {
    /// Makes sure groups `0..total_num_groups` exist.
    fn resize(&mut self, total_num_groups: usize);

    /// Adds the rows of `values` (the coerced arguments) to their groups,
    /// skipping rows where `filter` is false or NULL.
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()>;

    /// Merges states (as [`Self::state`] makes them) into their groups.
    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()>;

    /// Removes rows previously added by [`Self::update`] (sliding windows).
    fn retract(&mut self, _values: &[ArrayRef], _group_indices: &[usize]) -> Result<()> {
        not_impl_err!("retraction is not supported")
    }

    /// Whether [`Self::retract`] is implemented.
    fn supports_retract(&self) -> bool {
        false
    }

    /// The results of the first groups (see [`EmitTo`]), which are removed.
    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef>;

    /// The states of the first groups (see [`EmitTo`]), which are removed.
    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>>;

    /// The result of one group, which is kept.
    fn evaluate_one(&self, group: usize) -> Result<ScalarValue>;

    /// The state of one group, which is kept.
    fn state_one(&self, group: usize) -> Result<Vec<ScalarValue>>;

    /// The state each row would have as a group of its own.
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>>;

    /// Bytes held, heap included (kept up to date incrementally: DataFusion
    /// calls this once per batch).
    fn size(&self) -> usize;
}

/// Whether row `row` passes an aggregate `FILTER` (NULL does not).
#[inline]
pub(crate) fn passes(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|filter| filter.is_valid(row) && filter.value(row))
}

/// What distinguishes one kind of plugin aggregate from another: argument
/// planning, result and state types, and the state itself.
pub(crate) trait AggregateFamily: std::fmt::Debug + Send + Sync + 'static {
    /// The types the arguments are read as (`parameters` are the function's
    /// parameter names, for messages).
    fn coerce_types(
        &self,
        function: &str,
        parameters: &[&str],
        arg_types: &[DataType],
    ) -> Result<Vec<DataType>>;

    /// The result type for coerced argument types.
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType>;

    /// The fields of [`GroupedState::state`].
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>>;

    /// An empty state for a call of `function`.
    fn new_state(&self, function: &str, args: &AccumulatorArgs) -> Result<Box<dyn GroupedState>>;

    /// The result for no input rows, when DataFusion needs it without an
    /// accumulator (see `AggregateUDFImpl::default_value`).
    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        ScalarValue::try_from(data_type)
    }
}

/// A plugin aggregate: a name, parameter names and documentation over an
/// [`AggregateFamily`].
#[derive(Debug)]
pub(crate) struct PluginAggregate {
    name: &'static str,
    parameters: &'static [&'static str],
    signature: Signature,
    documentation: &'static LazyLock<Documentation>,
    family: Box<dyn AggregateFamily>,
}

impl PluginAggregate {
    /// The aggregate `name(parameters...)`, with user-defined (plugin-side)
    /// coercion.
    pub(crate) fn new(
        name: &'static str,
        parameters: &'static [&'static str],
        documentation: &'static LazyLock<Documentation>,
        family: impl AggregateFamily,
    ) -> Self {
        PluginAggregate {
            name,
            parameters,
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(parameters.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            documentation,
            family: Box::new(family),
        }
    }

    /// As a shareable `AggregateUDF`.
    pub(crate) fn into_udaf(self) -> Arc<AggregateUDF> {
        Arc::new(AggregateUDF::new_from_impl(self))
    }
}

// Names are unique within the plugin, and everything else follows from the
// name; comparing the family would need `dyn` equality for nothing.
impl PartialEq for PluginAggregate {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for PluginAggregate {}

impl std::hash::Hash for PluginAggregate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl AggregateUDFImpl for PluginAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.family
            .coerce_types(self.name, self.parameters, arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.family.return_type(arg_types)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SingleGroupAccumulator::new(
            self.family.new_state(self.name, &args)?,
        )))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.family.state_fields(args)
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(GroupedAccumulator {
            state: self.family.new_state(self.name, &args)?,
        }))
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        self.accumulator(args)
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::Insensitive
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        self.family.default_value(data_type)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(self.documentation)
    }
}

/// A [`GroupedState`] with one group, as an `Accumulator`.
#[derive(Debug)]
pub(crate) struct SingleGroupAccumulator {
    state: Box<dyn GroupedState>,
    /// Group indices of a batch: all 0 (grown on demand, never shrunk).
    zeros: Vec<usize>,
}

impl SingleGroupAccumulator {
    pub(crate) fn new(mut state: Box<dyn GroupedState>) -> Self {
        state.resize(1);
        SingleGroupAccumulator {
            state,
            zeros: Vec::new(),
        }
    }

    fn zeros(&mut self, arrays: &[ArrayRef]) -> usize {
        let rows = arrays.first().map_or(0, |array| array.len());
        if self.zeros.len() < rows {
            self.zeros.resize(rows, 0);
        }
        rows
    }
}

impl Accumulator for SingleGroupAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = self.zeros(values);
        self.state.update(values, &self.zeros[..rows], None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.state.evaluate_one(0)
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.state.size() + self.zeros.capacity() * size_of::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.state.state_one(0)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = self.zeros(states);
        self.state.merge(states, &self.zeros[..rows], 1)
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = self.zeros(values);
        self.state.retract(values, &self.zeros[..rows])
    }

    fn supports_retract_batch(&self) -> bool {
        self.state.supports_retract()
    }
}

/// A [`GroupedState`] as a `GroupsAccumulator`.
#[derive(Debug)]
pub(crate) struct GroupedAccumulator {
    state: Box<dyn GroupedState>,
}

impl GroupsAccumulator for GroupedAccumulator {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.state
            .update(values, group_indices, opt_filter, total_num_groups)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        self.state.evaluate(emit_to)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        self.state.state(emit_to)
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.state.merge(values, group_indices, total_num_groups)
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        self.state.convert_to_state(values, opt_filter)
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.state.size()
    }
}
