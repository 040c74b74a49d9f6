//! The engine of the "value at the extreme key" aggregates: `arg_min`,
//! `arg_max`, `any_value_det`, `first_value_agg`, `last_value_agg` and
//! `asof_select` are one accumulator with a [`PickRule`].
//!
//! Semantics, shared by all of them:
//!
//! * rows whose key is NULL are ignored;
//! * the row with the smallest (or largest) key wins;
//! * on a key tie, a non-NULL value beats a NULL one, and then the smallest
//!   (or largest) value wins, so the result never depends on input order or
//!   partitioning;
//! * the value of the winning row is returned as it is (NULL if it is NULL);
//!   a group without a non-NULL key gives NULL;
//! * keys and values are ordered as `ORDER BY` orders them: numbers by value
//!   (floats in IEEE 754 total order: `-0.0 < 0.0`, NaN after every number),
//!   strings by bytes (UTF-8 code point order).
//!
//! The state of a group is its best `(value, key)` so far, as two columns
//! typed like the arguments; merging states is updating with them (a NULL
//! key marks a group that has seen nothing), so partial aggregation
//! round-trips exactly. The groups accumulator reads batches through typed
//! [`Lane`]s: `Int32`/`Int64`/`Float64`/`Utf8` keys and values compare
//! native values, anything else compares Arrow row-format bytes.

use std::cmp::Ordering;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray};
use datafusion::arrow::compute::kernels::boolean::not;
use datafusion::arrow::compute::{nullif, prep_null_mask_filter};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::EmitTo;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;

use super::arg_types::{check_arity, coerce_value_type};
use super::lanes::{Lane, LaneVisitor, as_type, with_lane};
use super::udaf::{AggregateFamily, GroupedState, passes};

/// Which row of a group an ordered pick returns the value of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PickRule {
    /// The largest key wins (otherwise the smallest).
    pub largest_key: bool,
    /// Among rows with the winning key, the largest value wins (otherwise
    /// the smallest). A non-NULL value always beats NULL.
    pub largest_value: bool,
}

/// Smallest key, then smallest value (`arg_min`, `any_value_det`,
/// `first_value_agg`).
pub(crate) const SMALLEST_KEY_SMALLEST_VALUE: PickRule = PickRule {
    largest_key: false,
    largest_value: false,
};

/// Largest key, then smallest value (`arg_max`).
pub(crate) const LARGEST_KEY_SMALLEST_VALUE: PickRule = PickRule {
    largest_key: true,
    largest_value: false,
};

/// Largest key, then largest value (`last_value_agg`, `asof_select`).
pub(crate) const LARGEST_KEY_LARGEST_VALUE: PickRule = PickRule {
    largest_key: true,
    largest_value: true,
};

/// The family of `f(value, key)` ordered picks.
#[derive(Debug)]
pub(crate) struct OrderedPick {
    rule: PickRule,
}

impl OrderedPick {
    pub(crate) fn new(rule: PickRule) -> Self {
        OrderedPick { rule }
    }
}

impl AggregateFamily for OrderedPick {
    fn coerce_types(
        &self,
        function: &str,
        parameters: &[&str],
        arg_types: &[DataType],
    ) -> Result<Vec<DataType>> {
        check_arity(function, parameters, arg_types)?;
        parameters
            .iter()
            .zip(arg_types)
            .map(|(parameter, data_type)| coerce_value_type(function, parameter, data_type))
            .collect()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Field::new(
                format_state_name(args.name, "value"),
                args.input_fields[0].data_type().clone(),
                true,
            )
            .into(),
            Field::new(
                format_state_name(args.name, "key"),
                args.input_fields[1].data_type().clone(),
                true,
            )
            .into(),
        ])
    }

    fn new_state(&self, _function: &str, args: &AccumulatorArgs) -> Result<Box<dyn GroupedState>> {
        let value_type = args.expr_fields[0].data_type();
        let key_type = args.expr_fields[1].data_type();
        with_lane(
            key_type,
            KeyStep {
                rule: self.rule,
                value_type,
            },
        )
    }
}

/// Chooses the key lane, then [`ValueStep`] the value lane.
struct KeyStep<'a> {
    rule: PickRule,
    value_type: &'a DataType,
}

impl LaneVisitor for KeyStep<'_> {
    type Output = Box<dyn GroupedState>;

    fn visit<K: Lane>(self, key: K) -> Result<Self::Output> {
        with_lane(
            self.value_type,
            ValueStep {
                rule: self.rule,
                key,
            },
        )
    }
}

struct ValueStep<K> {
    rule: PickRule,
    key: K,
}

impl<K: Lane> LaneVisitor for ValueStep<K> {
    type Output = Box<dyn GroupedState>;

    fn visit<V: Lane>(self, value: V) -> Result<Self::Output> {
        Ok(Box::new(PickState {
            rule: self.rule,
            key: self.key,
            value,
            slots: Vec::new(),
            heap: 0,
        }))
    }
}

/// What a group has kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Kept {
    /// No row with a non-NULL key yet.
    #[default]
    Nothing,
    /// The best row so far has a NULL value.
    NullValue,
    /// The best row so far has a value.
    Value,
}

#[derive(Debug, Clone, Default)]
struct Slot<KO, VO> {
    key: KO,
    value: VO,
    kept: Kept,
}

/// The best `(key, value)` of every group.
#[derive(Debug)]
struct PickState<K: Lane, V: Lane> {
    rule: PickRule,
    key: K,
    value: V,
    slots: Vec<Slot<K::Owned, V::Owned>>,
    /// Heap bytes of the kept keys and values.
    heap: usize,
}

impl<K: Lane, V: Lane> PickState<K, V> {
    /// Offers the row `(key, value)` to group `group`.
    #[inline]
    fn offer(&mut self, group: usize, key: K::Ref<'_>, value: Option<V::Ref<'_>>) {
        let slot = &mut self.slots[group];
        let wins = match slot.kept {
            Kept::Nothing => true,
            kept => match K::cmp(key, &slot.key) {
                Ordering::Equal => match (value, kept) {
                    (None, _) => false,
                    (Some(_), Kept::NullValue) => true,
                    (Some(value), _) => {
                        let order = V::cmp(value, &slot.value);
                        if self.rule.largest_value {
                            order == Ordering::Greater
                        } else {
                            order == Ordering::Less
                        }
                    }
                },
                order => (order == Ordering::Greater) == self.rule.largest_key,
            },
        };
        if !wins {
            return;
        }
        let before = K::heap_size(&slot.key) + V::heap_size(&slot.value);
        K::store(key, &mut slot.key);
        slot.kept = match value {
            Some(value) => {
                V::store(value, &mut slot.value);
                Kept::Value
            }
            None => Kept::NullValue,
        };
        let after = K::heap_size(&slot.key) + V::heap_size(&slot.value);
        self.heap = self.heap + after - before;
    }

    /// Offers every row of `(value, key)` to its group.
    fn offer_all(
        &mut self,
        value: &ArrayRef,
        key: &ArrayRef,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.resize(total_num_groups);
        let value = as_type(value, self.value.data_type())?;
        let key = as_type(key, self.key.data_type())?;
        let values = self.value.view(&value)?;
        let keys = self.key.view(&key)?;
        let value_nulls = value.logical_nulls();
        let key_nulls = key.logical_nulls();
        for (row, &group) in group_indices.iter().enumerate() {
            if key_nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) || !passes(filter, row) {
                continue;
            }
            let value = if value_nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) {
                None
            } else {
                Some(V::get(&values, row))
            };
            self.offer(group, K::get(&keys, row), value);
        }
        Ok(())
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<Slot<K::Owned, V::Owned>> {
        let taken = emit_to.take_needed(&mut self.slots);
        if matches!(emit_to, EmitTo::All) {
            self.heap = 0;
        } else {
            let freed: usize = taken
                .iter()
                .map(|slot| K::heap_size(&slot.key) + V::heap_size(&slot.value))
                .sum();
            self.heap -= freed;
        }
        taken
    }

    fn values(&self, slots: &[Slot<K::Owned, V::Owned>]) -> Result<ArrayRef> {
        self.value.build(
            slots
                .iter()
                .map(|slot| (slot.kept == Kept::Value).then_some(&slot.value)),
        )
    }

    fn keys(&self, slots: &[Slot<K::Owned, V::Owned>]) -> Result<ArrayRef> {
        self.key.build(
            slots
                .iter()
                .map(|slot| (slot.kept != Kept::Nothing).then_some(&slot.key)),
        )
    }
}

impl<K: Lane, V: Lane> GroupedState for PickState<K, V> {
    fn resize(&mut self, total_num_groups: usize) {
        if self.slots.len() < total_num_groups {
            self.slots.resize_with(total_num_groups, Slot::default);
        }
    }

    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.offer_all(
            &values[0],
            &values[1],
            group_indices,
            filter,
            total_num_groups,
        )
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        // A state row is the best row of a partial group: offering it is
        // exactly what offering the partial group's rows would have done.
        self.offer_all(
            &states[0],
            &states[1],
            group_indices,
            None,
            total_num_groups,
        )
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let taken = self.take(emit_to);
        self.values(&taken)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let taken = self.take(emit_to);
        Ok(vec![self.values(&taken)?, self.keys(&taken)?])
    }

    fn evaluate_one(&self, group: usize) -> Result<ScalarValue> {
        let values = self.values(&self.slots[group..=group])?;
        ScalarValue::try_from_array(&values, 0)
    }

    fn state_one(&self, group: usize) -> Result<Vec<ScalarValue>> {
        let slots = &self.slots[group..=group];
        Ok(vec![
            ScalarValue::try_from_array(&self.values(slots)?, 0)?,
            ScalarValue::try_from_array(&self.keys(slots)?, 0)?,
        ])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let value = as_type(&values[0], self.value.data_type())?;
        let key = as_type(&values[1], self.key.data_type())?;
        // A filtered-out row becomes a state that has seen nothing.
        let key = match filter {
            Some(filter) => nullif(&key, &not(&prep_null_mask_filter(filter))?)?,
            None => key,
        };
        Ok(vec![value, key])
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + self.slots.capacity() * size_of::<Slot<K::Owned, V::Owned>>()
            + self.heap
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Float64Array, Int32Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::physical_expr::PhysicalExpr;
    use datafusion::physical_expr::expressions::col;

    use super::*;

    /// A state for `value_type`/`key_type` and the given rule.
    fn state(rule: PickRule, value_type: DataType, key_type: DataType) -> Box<dyn GroupedState> {
        let schema = Schema::new(vec![
            Field::new("v", value_type.clone(), true),
            Field::new("k", key_type.clone(), true),
        ]);
        let exprs: Vec<Arc<dyn PhysicalExpr>> =
            vec![col("v", &schema).unwrap(), col("k", &schema).unwrap()];
        let fields: Vec<FieldRef> = schema.fields().iter().cloned().collect();
        let args = AccumulatorArgs {
            return_field: Field::new("f", value_type, true).into(),
            schema: &schema,
            expr_fields: &fields,
            ignore_nulls: false,
            order_bys: &[],
            is_reversed: false,
            name: "f(v, k)",
            is_distinct: false,
            exprs: &exprs,
        };
        OrderedPick::new(rule).new_state("f", &args).unwrap()
    }

    fn i64s(values: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(values.to_vec()))
    }

    fn strs(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    #[test]
    fn groups_ties_nulls_and_filter() {
        // group 0: keys 1 (a), 3 (c), 3 (b), NULL (z) -> max key 3, tie: b/c
        // group 1: keys NULL only -> NULL
        // group 2: key 5 with NULL value, key 5 with "x" -> "x" beats NULL
        let value = strs(&[
            Some("a"),
            Some("c"),
            Some("b"),
            Some("z"),
            Some("q"),
            None,
            Some("x"),
        ]);
        let key = i64s(&[Some(1), Some(3), Some(3), None, None, Some(5), Some(5)]);
        let groups = [0, 0, 0, 0, 1, 2, 2];
        for (rule, expected) in [
            (LARGEST_KEY_SMALLEST_VALUE, [Some("b"), None, Some("x")]),
            (LARGEST_KEY_LARGEST_VALUE, [Some("c"), None, Some("x")]),
            (SMALLEST_KEY_SMALLEST_VALUE, [Some("a"), None, Some("x")]),
        ] {
            let mut state = state(rule, DataType::Utf8, DataType::Int64);
            state
                .update(&[Arc::clone(&value), Arc::clone(&key)], &groups, None, 3)
                .unwrap();
            assert_eq!(
                state.evaluate(EmitTo::All).unwrap().as_ref(),
                &StringArray::from(expected.to_vec()) as &dyn Array,
                "{rule:?}"
            );
        }
        // The filter drops the winning row of group 0.
        let mut state = state(LARGEST_KEY_SMALLEST_VALUE, DataType::Utf8, DataType::Int64);
        let filter = BooleanArray::from(vec![
            Some(true),
            Some(false),
            None,
            Some(true),
            Some(true),
            Some(true),
            Some(true),
        ]);
        state
            .update(&[value, key], &groups, Some(&filter), 3)
            .unwrap();
        assert_eq!(
            state.evaluate(EmitTo::All).unwrap().as_ref(),
            &StringArray::from(vec![Some("a"), None, Some("x")]) as &dyn Array
        );
    }

    #[test]
    fn a_null_value_at_the_winning_key_is_returned() {
        let mut state = state(
            SMALLEST_KEY_SMALLEST_VALUE,
            DataType::Int64,
            DataType::Int64,
        );
        state
            .update(
                &[i64s(&[None, Some(7)]), i64s(&[Some(1), Some(2)])],
                &[0, 0],
                None,
                1,
            )
            .unwrap();
        assert_eq!(state.evaluate_one(0).unwrap(), ScalarValue::Int64(None));
        // ... and a state that kept a NULL value still round-trips as such.
        let mut merged = self::state(
            SMALLEST_KEY_SMALLEST_VALUE,
            DataType::Int64,
            DataType::Int64,
        );
        merged
            .merge(&state.state(EmitTo::All).unwrap(), &[0], 1)
            .unwrap();
        merged
            .update(&[i64s(&[Some(9)]), i64s(&[Some(3)])], &[0], None, 1)
            .unwrap();
        assert_eq!(merged.evaluate_one(0).unwrap(), ScalarValue::Int64(None));
    }

    /// Splitting the input across partial states, in any order, and
    /// merging their states gives the single-state result.
    #[test]
    fn state_round_trips_through_merge() {
        let value = Arc::new(Float64Array::from(vec![
            Some(1.5),
            Some(-0.0),
            Some(0.0),
            None,
            Some(f64::NAN),
            Some(2.0),
        ])) as ArrayRef;
        let key = Arc::new(Int32Array::from(vec![
            Some(4),
            Some(9),
            Some(9),
            Some(9),
            Some(1),
            None,
        ])) as ArrayRef;
        let groups = [0, 1, 1, 1, 0, 1];
        for rule in [
            SMALLEST_KEY_SMALLEST_VALUE,
            LARGEST_KEY_SMALLEST_VALUE,
            LARGEST_KEY_LARGEST_VALUE,
        ] {
            let mut whole = state(rule, DataType::Float64, DataType::Int32);
            whole
                .update(&[Arc::clone(&value), Arc::clone(&key)], &groups, None, 2)
                .unwrap();
            let expected = whole.evaluate(EmitTo::All).unwrap();

            let mut merged = state(rule, DataType::Float64, DataType::Int32);
            for rows in [(3..6), (0..3)] {
                let mut part = state(rule, DataType::Float64, DataType::Int32);
                let len = rows.len();
                part.update(
                    &[value.slice(rows.start, len), key.slice(rows.start, len)],
                    &groups[rows.clone()],
                    None,
                    2,
                )
                .unwrap();
                let states = part.state(EmitTo::All).unwrap();
                merged.merge(&states, &[0, 1], 2).unwrap();
            }
            assert_eq!(
                &merged.evaluate(EmitTo::All).unwrap(),
                &expected,
                "{rule:?}"
            );
        }
    }

    #[test]
    fn convert_to_state_marks_filtered_rows_as_empty() {
        let state = state(LARGEST_KEY_SMALLEST_VALUE, DataType::Int64, DataType::Int64);
        let filter = BooleanArray::from(vec![Some(true), None, Some(false)]);
        let states = state
            .convert_to_state(
                &[
                    i64s(&[Some(1), Some(2), Some(3)]),
                    i64s(&[Some(10), Some(20), Some(30)]),
                ],
                Some(&filter),
            )
            .unwrap();
        assert_eq!(
            states[1].as_ref(),
            &Int64Array::from(vec![Some(10), None, None]) as &dyn Array
        );
        let mut merged = self::state(LARGEST_KEY_SMALLEST_VALUE, DataType::Int64, DataType::Int64);
        merged.merge(&states, &[0, 0, 0], 1).unwrap();
        assert_eq!(merged.evaluate_one(0).unwrap(), ScalarValue::Int64(Some(1)));
    }

    #[test]
    fn emit_first_keeps_the_rest_and_row_lane_types_work() {
        use datafusion::arrow::array::Date32Array;
        let mut state = state(
            LARGEST_KEY_SMALLEST_VALUE,
            DataType::Boolean,
            DataType::Date32,
        );
        let value = Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(false),
            Some(true),
        ])) as ArrayRef;
        let key = Arc::new(Date32Array::from(vec![Some(3), Some(3), Some(-1)])) as ArrayRef;
        state.update(&[value, key], &[0, 0, 1], None, 3).unwrap();
        let first = state.evaluate(EmitTo::First(1)).unwrap();
        assert_eq!(
            first.as_ref(),
            &BooleanArray::from(vec![Some(false)]) as &dyn Array
        );
        let rest = state.evaluate(EmitTo::All).unwrap();
        assert_eq!(
            rest.as_ref(),
            &BooleanArray::from(vec![Some(true), None]) as &dyn Array
        );
    }

    #[test]
    fn size_tracks_kept_strings() {
        let mut state = state(LARGEST_KEY_SMALLEST_VALUE, DataType::Utf8, DataType::Utf8);
        let empty = state.size();
        let long = "x".repeat(1000);
        state
            .update(&[strs(&[Some(&long)]), strs(&[Some("k")])], &[0], None, 1)
            .unwrap();
        assert!(state.size() >= empty + 1000);
        state.evaluate(EmitTo::All).unwrap();
        assert!(state.size() < empty + 1000);
    }
}
