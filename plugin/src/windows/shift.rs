//! The engine of `lag_window` and `lead_window`: the value `offset` rows
//! before (or after) the current row in the window partition, or `default`.
//!
//! * `offset` must be a non-negative integer literal (planning refuses a
//!   non-integer type; a negative or non-constant offset is refused when the
//!   evaluator is made). It defaults to 1; 0 is the current row.
//! * `default` (NULL when omitted) is cast to the type of `value`; it may be
//!   any expression and is read on the current row.
//! * NULL values are returned as they are (`IGNORE NULLS` is refused).
//!
//! The evaluator shifts a whole partition at once (`evaluate_all`): through
//! the dylib that is one FFI call per partition rather than one per row.

use std::sync::LazyLock;

use datafusion::arrow::array::{ArrayRef, new_null_array};
use datafusion::arrow::compute::{can_cast_types, interleave};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    Documentation, PartitionEvaluator, Signature, Volatility, WindowUDFImpl,
};

use crate::aggregates::arg_types::constant_value;

/// The parameters of both functions.
pub(crate) const PARAMETERS: &[&str] = &["value", "offset", "default"];

/// Which way a shift looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    /// `offset` rows before the current row.
    Lag,
    /// `offset` rows after the current row.
    Lead,
}

/// `lag_window` or `lead_window`.
#[derive(Debug)]
pub(crate) struct ShiftFunc {
    name: &'static str,
    direction: Direction,
    signature: Signature,
    documentation: &'static LazyLock<Documentation>,
}

impl ShiftFunc {
    pub(crate) fn new(
        name: &'static str,
        direction: Direction,
        documentation: &'static LazyLock<Documentation>,
    ) -> Self {
        ShiftFunc {
            name,
            direction,
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            documentation,
        }
    }
}

impl PartialEq for ShiftFunc {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.direction == other.direction
    }
}

impl Eq for ShiftFunc {}

impl std::hash::Hash for ShiftFunc {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.direction.hash(state);
    }
}

impl WindowUDFImpl for ShiftFunc {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.name;
        if arg_types.is_empty() || arg_types.len() > 3 {
            return plan_err!(
                "{name} expects 1 to 3 arguments (value, offset, default), got {}",
                arg_types.len()
            );
        }
        // An untyped NULL value takes the default's type.
        let value = match (&arg_types[0], arg_types.get(2)) {
            (DataType::Null, Some(default)) => default.clone(),
            (value, _) => value.clone(),
        };
        let mut coerced = vec![value.clone()];
        if let Some(offset) = arg_types.get(1) {
            if !offset.is_integer() {
                return plan_err!(
                    "{name} expects a non-negative integer literal for argument 'offset', \
                     got {offset}"
                );
            }
            coerced.push(DataType::Int64);
        }
        if let Some(default) = arg_types.get(2) {
            if !can_cast_types(default, &value) {
                return plan_err!(
                    "{name}: argument 'default' ({default}) cannot be cast to the type of \
                     argument 'value' ({value})"
                );
            }
            coerced.push(value);
        }
        Ok(coerced)
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        let name = self.name;
        if args.ignore_nulls() {
            return plan_err!("{name} does not support IGNORE NULLS");
        }
        let offset = match args.input_exprs().get(1) {
            None => 1,
            Some(expr) => match constant_value(expr).map(|v| v.cast_to(&DataType::Int64)) {
                Some(Ok(ScalarValue::Int64(Some(offset)))) if offset >= 0 => offset as usize,
                Some(Ok(ScalarValue::Int64(Some(offset)))) => {
                    return plan_err!(
                        "{name} expects a non-negative integer literal for argument 'offset', \
                         got {offset}"
                    );
                }
                Some(Ok(ScalarValue::Int64(None))) => {
                    return plan_err!(
                        "{name} expects a non-negative integer literal for argument 'offset', \
                         got NULL"
                    );
                }
                _ => {
                    return plan_err!(
                        "{name} expects a non-negative integer literal for argument 'offset', \
                         got the expression {expr}"
                    );
                }
            },
        };
        Ok(Box::new(ShiftEvaluator {
            direction: self.direction,
            offset,
        }))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        let Some(value) = field_args.get_input_field(0) else {
            return plan_err!("{} expects a value", self.name);
        };
        Ok(Field::new(field_args.name(), value.data_type().clone(), true).into())
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(self.documentation)
    }
}

#[derive(Debug)]
struct ShiftEvaluator {
    direction: Direction,
    offset: usize,
}

impl PartitionEvaluator for ShiftEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let Some(value) = values.first() else {
            return exec_err!("shift evaluator called without values");
        };
        let default = match values.get(2) {
            Some(default) if default.data_type() == value.data_type() => default.clone(),
            Some(default) => datafusion::arrow::compute::cast(default, value.data_type())?,
            None => new_null_array(value.data_type(), num_rows),
        };
        // (0, row) reads `value`, (1, row) reads `default`.
        let indices: Vec<(usize, usize)> = (0..num_rows)
            .map(|row| {
                let source = match self.direction {
                    Direction::Lag => row.checked_sub(self.offset),
                    Direction::Lead => row
                        .checked_add(self.offset)
                        .filter(|source| *source < num_rows),
                };
                match source {
                    Some(source) => (0, source),
                    None => (1, row),
                }
            })
            .collect();
        Ok(interleave(&[value.as_ref(), default.as_ref()], &indices)?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, Int64Array};

    use super::*;

    fn shift(direction: Direction, offset: usize, default: Option<i64>) -> ArrayRef {
        let value: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(3), Some(4)]));
        let mut values = vec![Arc::clone(&value)];
        if let Some(default) = default {
            values.push(Arc::new(Int64Array::from(vec![offset as i64; 4])));
            values.push(Arc::new(Int64Array::from(vec![default; 4])));
        }
        ShiftEvaluator { direction, offset }
            .evaluate_all(&values, value.len())
            .unwrap()
    }

    #[test]
    fn shifts_with_and_without_default() {
        let expect = |values: Vec<Option<i64>>| Arc::new(Int64Array::from(values)) as ArrayRef;
        assert_eq!(
            &shift(Direction::Lag, 1, None),
            &expect(vec![None, Some(1), None, Some(3)])
        );
        assert_eq!(
            &shift(Direction::Lead, 2, Some(-1)),
            &expect(vec![Some(3), Some(4), Some(-1), Some(-1)])
        );
        assert_eq!(
            &shift(Direction::Lag, 0, Some(-1)),
            &expect(vec![Some(1), None, Some(3), Some(4)])
        );
        assert_eq!(
            &shift(Direction::Lead, 9, Some(7)),
            &expect(vec![Some(7); 4])
        );
        assert_eq!(shift(Direction::Lag, usize::MAX, None).null_count(), 4);
    }
}
