//! The engine of the aggregates over the set of a group's values:
//! `list_unique`, `collect_set`, `count_distinct_agg` and `string_agg_det`.
//!
//! A group keeps its non-NULL values as a counted hash set (value -> number
//! of rows): a lookup per row is the hot path, so no ordered tree. Results
//! are sorted when they are built, in `ORDER BY`'s order (numbers by value,
//! floats in IEEE 754 total order, strings by bytes), so every result is
//! independent of input order and partitioning. The counts make retraction
//! exact (sliding window frames): a value leaves the set when its last row
//! leaves the frame.
//!
//! The state of a group is a list of its values: each distinct value once,
//! or repeated once per row when duplicates matter (`string_agg_det`
//! without `DISTINCT`). Merging adds the listed values, so partial
//! aggregation round-trips.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, ListArray, StringBuilder, new_empty_array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::filter;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, internal_err};
use datafusion::logical_expr::EmitTo;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;

use super::arg_types::{check_arity, coerce_value_type};
use super::lanes::{CountedSet, Lane, LaneVisitor, as_type, with_lane};
use super::udaf::{AggregateFamily, GroupedState, passes};

/// What a group's set of values becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SetOutput {
    /// The values as a sorted list (never NULL: no values is `[]`).
    List,
    /// How many distinct values (never NULL: no values is 0).
    Count,
    /// The values, sorted, joined with the separator (`Utf8` values only;
    /// no values is NULL).
    Join(String),
}

/// The family of one-argument set aggregates (`list_unique`, `collect_set`,
/// `count_distinct_agg`).
#[derive(Debug)]
pub(crate) struct DistinctValues {
    output: SetOutput,
}

impl DistinctValues {
    pub(crate) fn new(output: SetOutput) -> Self {
        DistinctValues { output }
    }
}

impl AggregateFamily for DistinctValues {
    fn coerce_types(
        &self,
        function: &str,
        parameters: &[&str],
        arg_types: &[DataType],
    ) -> Result<Vec<DataType>> {
        check_arity(function, parameters, arg_types)?;
        Ok(vec![coerce_value_type(
            function,
            parameters[0],
            &arg_types[0],
        )?])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.output {
            SetOutput::Count => DataType::Int64,
            _ => DataType::new_list(arg_types[0].clone(), true),
        })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![set_state_field(
            args.name,
            args.input_fields[0].data_type(),
        )])
    }

    fn new_state(&self, _function: &str, args: &AccumulatorArgs) -> Result<Box<dyn GroupedState>> {
        set_state(args.expr_fields[0].data_type(), self.output.clone(), false)
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        set_default_value(&self.output, data_type)
    }
}

/// The one state field of a set aggregate: a list of values.
pub(crate) fn set_state_field(name: &str, value_type: &DataType) -> FieldRef {
    Field::new(
        format_state_name(name, "values"),
        DataType::new_list(value_type.clone(), true),
        true,
    )
    .into()
}

/// The result of a set aggregate over no rows.
pub(crate) fn set_default_value(output: &SetOutput, data_type: &DataType) -> Result<ScalarValue> {
    match (output, data_type) {
        (SetOutput::Count, _) => Ok(ScalarValue::Int64(Some(0))),
        (SetOutput::List, DataType::List(item)) => Ok(ScalarValue::List(Arc::new(ListArray::new(
            Arc::clone(item),
            OffsetBuffer::from_lengths([0]),
            new_empty_array(item.data_type()),
            None,
        )))),
        _ => ScalarValue::try_from(data_type),
    }
}

/// An empty set state for values of `value_type` (a planning type).
/// `keep_duplicates` repeats each value once per row in the state and in a
/// [`SetOutput::Join`].
pub(crate) fn set_state(
    value_type: &DataType,
    output: SetOutput,
    keep_duplicates: bool,
) -> Result<Box<dyn GroupedState>> {
    with_lane(
        value_type,
        SetStep {
            output,
            keep_duplicates,
        },
    )
}

struct SetStep {
    output: SetOutput,
    keep_duplicates: bool,
}

impl LaneVisitor for SetStep {
    type Output = Box<dyn GroupedState>;

    fn visit<L: Lane>(self, lane: L) -> Result<Self::Output> {
        if matches!(self.output, SetOutput::Join(_)) && lane.data_type() != &DataType::Utf8 {
            return internal_err!("joined values must be Utf8, got {}", lane.data_type());
        }
        Ok(Box::new(SetState {
            lane,
            output: self.output,
            keep_duplicates: self.keep_duplicates,
            groups: Vec::new(),
            heap: 0,
        }))
    }
}

/// Bytes a set entry costs besides its value's heap (the hash table's
/// control byte and spare capacity, roughly).
const ENTRY_OVERHEAD: usize = 16;

/// The counted set of every group.
#[derive(Debug)]
struct SetState<L: Lane> {
    lane: L,
    output: SetOutput,
    keep_duplicates: bool,
    groups: Vec<CountedSet<L::Owned>>,
    /// Bytes held by the sets' entries.
    heap: usize,
}

impl<L: Lane> SetState<L> {
    fn entry_size(kept: &L::Owned) -> usize {
        size_of::<L::Owned>() + size_of::<u64>() + ENTRY_OVERHEAD + L::heap_size(kept)
    }

    #[inline]
    fn add(&mut self, group: usize, value: L::Ref<'_>, rows: u64) {
        let set = &mut self.groups[group];
        match L::counter(set, value) {
            Some(count) => *count += rows,
            None => {
                let kept = L::to_owned(value);
                self.heap += Self::entry_size(&kept);
                set.insert(kept, rows);
            }
        }
    }

    fn repeats(&self, count: u64) -> usize {
        if self.keep_duplicates {
            count as usize
        } else {
            1
        }
    }

    /// Every group's elements, in order, and how many each group has.
    fn elements(&self, sets: &[CountedSet<L::Owned>]) -> Result<(ArrayRef, Vec<usize>)> {
        let lengths = sets
            .iter()
            .map(|set| set.values().map(|count| self.repeats(*count)).sum())
            .collect();
        // One buffer for all groups, each group's run sorted on its own.
        let mut entries: Vec<(&L::Owned, u64)> =
            Vec::with_capacity(sets.iter().map(|set| set.len()).sum());
        for set in sets {
            let start = entries.len();
            entries.extend(set.iter().map(|(value, count)| (value, *count)));
            entries[start..].sort_unstable_by(|a, b| a.0.cmp(b.0));
        }
        let items = entries
            .iter()
            .flat_map(|(value, count)| std::iter::repeat_n(Some(*value), self.repeats(*count)));
        Ok((self.lane.build(items)?, lengths))
    }

    fn list(&self, sets: &[CountedSet<L::Owned>]) -> Result<ArrayRef> {
        let (elements, lengths) = self.elements(sets)?;
        let item = Arc::new(Field::new_list_field(self.lane.data_type().clone(), true));
        Ok(Arc::new(ListArray::try_new(
            item,
            OffsetBuffer::from_lengths(lengths),
            elements,
            None,
        )?))
    }

    fn output(&self, sets: &[CountedSet<L::Owned>]) -> Result<ArrayRef> {
        match &self.output {
            SetOutput::List => self.list(sets),
            SetOutput::Count => Ok(Arc::new(
                sets.iter()
                    .map(|set| Some(set.len() as i64))
                    .collect::<Int64Array>(),
            )),
            SetOutput::Join(separator) => {
                let (elements, lengths) = self.elements(sets)?;
                let elements = elements.as_string::<i32>();
                let mut joined = StringBuilder::with_capacity(sets.len(), 0);
                let mut start = 0;
                for length in lengths {
                    if length == 0 {
                        joined.append_null();
                        continue;
                    }
                    let mut text = String::new();
                    for (index, row) in (start..start + length).enumerate() {
                        if index > 0 {
                            text.push_str(separator);
                        }
                        text.push_str(elements.value(row));
                    }
                    joined.append_value(text);
                    start += length;
                }
                Ok(Arc::new(joined.finish()))
            }
        }
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<CountedSet<L::Owned>> {
        let taken = emit_to.take_needed(&mut self.groups);
        if matches!(emit_to, EmitTo::All) {
            self.heap = 0;
        } else {
            let freed: usize = taken
                .iter()
                .flat_map(|set| set.keys())
                .map(Self::entry_size)
                .sum();
            self.heap -= freed;
        }
        taken
    }
}

impl<L: Lane> GroupedState for SetState<L> {
    fn resize(&mut self, total_num_groups: usize) {
        if self.groups.len() < total_num_groups {
            self.groups
                .resize_with(total_num_groups, CountedSet::default);
        }
    }

    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.resize(total_num_groups);
        let values = as_type(&values[0], self.lane.data_type())?;
        let view = self.lane.view(&values)?;
        let nulls = values.logical_nulls();
        for (row, &group) in group_indices.iter().enumerate() {
            if nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) || !passes(filter, row) {
                continue;
            }
            self.add(group, L::get(&view, row), 1);
        }
        Ok(())
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.resize(total_num_groups);
        let Some(lists) = states[0].as_list_opt::<i32>() else {
            return internal_err!("expected a list state, got {}", states[0].data_type());
        };
        let elements = as_type(lists.values(), self.lane.data_type())?;
        let view = self.lane.view(&elements)?;
        let nulls = elements.logical_nulls();
        let offsets = lists.value_offsets();
        for (row, &group) in group_indices.iter().enumerate() {
            if lists.is_null(row) {
                continue;
            }
            for element in offsets[row] as usize..offsets[row + 1] as usize {
                if nulls.as_ref().is_none_or(|nulls| nulls.is_valid(element)) {
                    self.add(group, L::get(&view, element), 1);
                }
            }
        }
        Ok(())
    }

    fn retract(&mut self, values: &[ArrayRef], group_indices: &[usize]) -> Result<()> {
        let values = as_type(&values[0], self.lane.data_type())?;
        let view = self.lane.view(&values)?;
        let nulls = values.logical_nulls();
        for (row, &group) in group_indices.iter().enumerate() {
            if nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) {
                continue;
            }
            let value = L::get(&view, row);
            let set = &mut self.groups[group];
            match L::counter(set, value) {
                Some(count) if *count > 1 => *count -= 1,
                Some(_) => {
                    if let Some(kept) = L::remove(set, value) {
                        self.heap -= Self::entry_size(&kept);
                    }
                }
                None => return internal_err!("retracted a value that was never added"),
            }
        }
        Ok(())
    }

    fn supports_retract(&self) -> bool {
        true
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let taken = self.take(emit_to);
        self.output(&taken)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let taken = self.take(emit_to);
        Ok(vec![self.list(&taken)?])
    }

    fn evaluate_one(&self, group: usize) -> Result<ScalarValue> {
        ScalarValue::try_from_array(&self.output(&self.groups[group..=group])?, 0)
    }

    fn state_one(&self, group: usize) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::try_from_array(
            &self.list(&self.groups[group..=group])?,
            0,
        )?])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let values = as_type(&values[0], self.lane.data_type())?;
        let keep: BooleanArray = (0..values.len())
            .map(|row| Some(values.is_valid(row) && passes(opt_filter, row)))
            .collect();
        let elements = filter(&values, &keep)?;
        let lengths = keep.values().iter().map(usize::from);
        let item = Arc::new(Field::new_list_field(self.lane.data_type().clone(), true));
        Ok(vec![Arc::new(ListArray::try_new(
            item,
            OffsetBuffer::from_lengths(lengths),
            elements,
            None,
        )?)])
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.groups.capacity() * size_of::<CountedSet<L::Owned>>() + self.heap
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::arrow::datatypes::Int64Type;

    use super::*;

    fn strs(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    fn list_rows(array: &ArrayRef) -> Vec<Vec<Option<String>>> {
        let lists = array.as_list::<i32>();
        (0..lists.len())
            .map(|row| {
                let value = lists.value(row);
                let value = datafusion::arrow::compute::cast(&value, &DataType::Utf8).unwrap();
                value
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_owned))
                    .collect()
            })
            .collect()
    }

    fn owned(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| Some(v.to_string())).collect()
    }

    #[test]
    fn sorted_distinct_lists_counts_and_joins() {
        let values = strs(&[Some("b"), Some("a"), None, Some("b"), None, Some("c")]);
        let groups = [0, 0, 0, 0, 1, 2];

        let mut list = set_state(&DataType::Utf8, SetOutput::List, false).unwrap();
        list.update(&[Arc::clone(&values)], &groups, None, 3)
            .unwrap();
        assert_eq!(
            list_rows(&list.evaluate(EmitTo::All).unwrap()),
            vec![owned(&["a", "b"]), vec![], owned(&["c"])]
        );

        let mut count = set_state(&DataType::Utf8, SetOutput::Count, false).unwrap();
        count
            .update(&[Arc::clone(&values)], &groups, None, 3)
            .unwrap();
        assert_eq!(
            count
                .evaluate(EmitTo::All)
                .unwrap()
                .as_primitive::<Int64Type>(),
            &Int64Array::from(vec![2, 0, 1])
        );

        let mut join = set_state(&DataType::Utf8, SetOutput::Join("|".into()), true).unwrap();
        join.update(&[values], &groups, None, 3).unwrap();
        assert_eq!(
            join.evaluate(EmitTo::All).unwrap().as_string::<i32>(),
            &StringArray::from(vec![Some("a|b|b"), None, Some("c")])
        );
    }

    #[test]
    fn many_values_come_out_sorted_per_group() {
        // Scrambled values with repeats over three groups; the expectation is
        // std's ordered set of each group's values.
        let rows = 3000;
        let values: Vec<i64> = (0..rows as i64)
            .map(|i| (i * 7919 + 13) % 401 - 200)
            .collect();
        let groups: Vec<usize> = (0..rows).map(|i| (i * 31) % 3).collect();
        let mut expected = vec![std::collections::BTreeSet::new(); 3];
        for (value, group) in values.iter().zip(&groups) {
            expected[*group].insert(*value);
        }
        let mut list = set_state(&DataType::Int64, SetOutput::List, false).unwrap();
        let array: ArrayRef = Arc::new(Int64Array::from(values));
        // Two batches, so the second finds values the first kept.
        list.update(&[array.slice(0, 1000)], &groups[..1000], None, 3)
            .unwrap();
        list.update(&[array.slice(1000, rows - 1000)], &groups[1000..], None, 3)
            .unwrap();
        let lists = list.evaluate(EmitTo::All).unwrap();
        let lists = lists.as_list::<i32>();
        for (group, expected) in expected.iter().enumerate() {
            let got = lists.value(group);
            let got: Vec<i64> = got.as_primitive::<Int64Type>().values().to_vec();
            assert_eq!(
                got,
                expected.iter().copied().collect::<Vec<_>>(),
                "group {group}"
            );
        }
    }

    #[test]
    fn retraction_removes_a_value_with_its_last_row() {
        let mut count = set_state(&DataType::Int64, SetOutput::Count, false).unwrap();
        let rows: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(1), Some(2), None]));
        count.resize(1);
        count
            .update(&[Arc::clone(&rows)], &[0; 4], None, 1)
            .unwrap();
        assert_eq!(count.evaluate_one(0).unwrap(), ScalarValue::Int64(Some(2)));
        count.retract(&[rows.slice(0, 1)], &[0]).unwrap();
        assert_eq!(count.evaluate_one(0).unwrap(), ScalarValue::Int64(Some(2)));
        count.retract(&[rows.slice(1, 3)], &[0; 3]).unwrap();
        assert_eq!(count.evaluate_one(0).unwrap(), ScalarValue::Int64(Some(0)));
        assert!(count.retract(&[rows.slice(0, 1)], &[0]).is_err());
    }

    #[test]
    fn states_round_trip_with_and_without_duplicates() {
        let values: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(2.5),
            Some(-0.0),
            Some(2.5),
            Some(0.0),
            None,
            Some(f64::NAN),
        ]));
        for keep_duplicates in [false, true] {
            let output = SetOutput::List;
            let mut whole = set_state(&DataType::Float64, output.clone(), keep_duplicates).unwrap();
            whole
                .update(&[Arc::clone(&values)], &[0; 6], None, 1)
                .unwrap();
            let expected = whole.state_one(0).unwrap();

            let mut merged =
                set_state(&DataType::Float64, output.clone(), keep_duplicates).unwrap();
            for (start, len) in [(3, 3), (0, 3)] {
                let mut part =
                    set_state(&DataType::Float64, output.clone(), keep_duplicates).unwrap();
                part.update(&[values.slice(start, len)], &[0; 3], None, 1)
                    .unwrap();
                merged
                    .merge(&part.state(EmitTo::All).unwrap(), &[0], 1)
                    .unwrap();
            }
            assert_eq!(merged.state_one(0).unwrap(), expected, "{keep_duplicates}");
        }
        let mut distinct = set_state(&DataType::Float64, SetOutput::List, false).unwrap();
        distinct.update(&[values], &[0; 6], None, 1).unwrap();
        let ScalarValue::List(list) = distinct.evaluate_one(0).unwrap() else {
            panic!("not a list");
        };
        let floats: Vec<f64> = list
            .value(0)
            .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
            .values()
            .to_vec();
        assert_eq!(floats.len(), 4);
        assert_eq!(floats[0].to_bits(), (-0.0f64).to_bits());
        assert_eq!(floats[1].to_bits(), 0.0f64.to_bits());
        assert_eq!(floats[2], 2.5);
        assert!(floats[3].is_nan());
    }

    #[test]
    fn convert_to_state_gives_one_element_lists() {
        let state = set_state(&DataType::Utf8, SetOutput::List, false).unwrap();
        let filter = BooleanArray::from(vec![Some(true), Some(true), None]);
        let states = state
            .convert_to_state(&[strs(&[Some("x"), None, Some("y")])], Some(&filter))
            .unwrap();
        assert_eq!(list_rows(&states[0]), vec![owned(&["x"]), vec![], vec![]]);
    }

    #[test]
    fn empty_input_defaults() {
        assert_eq!(
            set_default_value(&SetOutput::Count, &DataType::Int64).unwrap(),
            ScalarValue::Int64(Some(0))
        );
        let ScalarValue::List(list) =
            set_default_value(&SetOutput::List, &DataType::new_list(DataType::Utf8, true)).unwrap()
        else {
            panic!("not a list");
        };
        assert_eq!((list.len(), list.value_length(0)), (1, 0));
    }
}
