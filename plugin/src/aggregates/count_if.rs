//! `count_if(predicate)`: how many rows the predicate is true for.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, internal_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{AggregateUDF, Documentation, EmitTo};

use super::DOC_SECTION;
use super::arg_types::check_arity;
use super::udaf::{AggregateFamily, GroupedState, PluginAggregate, passes};

const NAME: &str = "count_if";
const PARAMETERS: &[&str] = &["predicate"];

/// `count_if(predicate)`: the number of rows where `predicate` is true
/// (`Int64`; NULL counts as false, no rows give 0).
pub fn count_if() -> Arc<AggregateUDF> {
    PluginAggregate::new(NAME, PARAMETERS, &DOCUMENTATION, CountIf).into_udaf()
}

#[derive(Debug)]
struct CountIf;

impl AggregateFamily for CountIf {
    fn coerce_types(
        &self,
        function: &str,
        parameters: &[&str],
        arg_types: &[DataType],
    ) -> Result<Vec<DataType>> {
        check_arity(function, parameters, arg_types)?;
        match &arg_types[0] {
            DataType::Boolean | DataType::Null => Ok(vec![DataType::Boolean]),
            other => plan_err!(
                "{function} expects a boolean for argument '{}', got {other}",
                parameters[0]
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Field::new(format_state_name(args.name, "count"), DataType::Int64, true).into(),
        ])
    }

    fn new_state(&self, _function: &str, args: &AccumulatorArgs) -> Result<Box<dyn GroupedState>> {
        Ok(Box::new(CountIfState {
            counts: Vec::new(),
            distinct: args.is_distinct,
        }))
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(0)))
    }
}

/// The count of every group.
#[derive(Debug)]
struct CountIfState {
    counts: Vec<i64>,
    /// `count_if(DISTINCT p)`: how many distinct true values, i.e. 0 or 1.
    distinct: bool,
}

impl CountIfState {
    fn counts(&self, counts: &[i64]) -> ArrayRef {
        let counts: Int64Array = if self.distinct {
            counts.iter().map(|count| Some((*count).min(1))).collect()
        } else {
            Int64Array::from(counts.to_vec())
        };
        Arc::new(counts)
    }

    /// Adds `step` to the group of every row where `predicate` is true.
    fn add(
        &mut self,
        predicate: &ArrayRef,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        step: i64,
    ) -> Result<()> {
        let Some(predicate) = predicate.as_boolean_opt() else {
            return internal_err!(
                "{NAME} expects Boolean values, got {}",
                predicate.data_type()
            );
        };
        let nulls = predicate.logical_nulls();
        let values = predicate.values();
        for (row, &group) in group_indices.iter().enumerate() {
            if values.value(row)
                && nulls.as_ref().is_none_or(|nulls| nulls.is_valid(row))
                && passes(filter, row)
            {
                self.counts[group] += step;
            }
        }
        Ok(())
    }
}

impl GroupedState for CountIfState {
    fn resize(&mut self, total_num_groups: usize) {
        if self.counts.len() < total_num_groups {
            self.counts.resize(total_num_groups, 0);
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
        self.add(&values[0], group_indices, filter, 1)
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.resize(total_num_groups);
        let Some(partial) = states[0].as_primitive_opt::<Int64Type>() else {
            return internal_err!(
                "{NAME} expects an Int64 state, got {}",
                states[0].data_type()
            );
        };
        for (row, &group) in group_indices.iter().enumerate() {
            if partial.is_valid(row) {
                self.counts[group] += partial.value(row);
            }
        }
        Ok(())
    }

    fn retract(&mut self, values: &[ArrayRef], group_indices: &[usize]) -> Result<()> {
        self.add(&values[0], group_indices, None, -1)
    }

    fn supports_retract(&self) -> bool {
        true
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let taken = emit_to.take_needed(&mut self.counts);
        Ok(self.counts(&taken))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        // Raw counts: DISTINCT is applied once, to the merged count.
        let taken = emit_to.take_needed(&mut self.counts);
        Ok(vec![Arc::new(Int64Array::from(taken))])
    }

    fn evaluate_one(&self, group: usize) -> Result<ScalarValue> {
        ScalarValue::try_from_array(&self.counts(&self.counts[group..=group]), 0)
    }

    fn state_one(&self, group: usize) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Int64(Some(self.counts[group]))])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let Some(predicate) = values[0].as_boolean_opt() else {
            return internal_err!(
                "{NAME} expects Boolean values, got {}",
                values[0].data_type()
            );
        };
        let counts: Int64Array = (0..predicate.len())
            .map(|row| {
                Some(i64::from(
                    predicate.is_valid(row) && predicate.value(row) && passes(filter, row),
                ))
            })
            .collect();
        Ok(vec![Arc::new(counts)])
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.counts.capacity() * size_of::<i64>()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the number of rows for which `predicate` is true (`Int64`). A NULL \
         predicate counts as false, and a group (or a whole input) without rows gives 0. \
         `count_if(DISTINCT predicate)` counts distinct true values, so it is 0 or 1.",
        "count_if(predicate)",
    )
    .with_sql_example(
        r#"```sql
> SELECT count_if(v > 1) AS n FROM (VALUES (1), (2), (3), (NULL)) AS t(v);
+---+
| n |
+---+
| 2 |
+---+
```"#,
    )
    .with_argument(
        "predicate",
        "The condition to count (a boolean expression).",
    )
    .with_related_udf("count_distinct_agg")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, BooleanArray};
    use datafusion::arrow::datatypes::DataType;
    use datafusion::common::ScalarValue;

    use super::count_if;
    use crate::aggregates::test_support::{
        accumulator, error_of, merged_equals_whole, rows_everywhere, table, text_rows,
    };

    fn setup() -> Vec<String> {
        table(
            "t",
            "g VARCHAR, v BIGINT",
            &[
                "('a', 1)",
                "('a', 5)",
                "('b', NULL)",
                "('a', 7)",
                "('b', 2)",
                "('c', NULL)",
                "('a', 0)",
                "('b', 9)",
            ],
        )
    }

    #[tokio::test]
    async fn groups_nulls_filters_and_empty_input() {
        assert_eq!(
            rows_everywhere(
                &setup(),
                "SELECT g, count_if(v > 1), count_if(v > 1) FILTER (WHERE v < 9), \
                 count_if(DISTINCT v > 1) FROM t GROUP BY g ORDER BY g"
            )
            .await,
            vec!["a | 2 | 2 | 1", "b | 2 | 1 | 1", "c | 0 | 0 | 0"]
        );
        assert_eq!(
            rows_everywhere(
                &setup(),
                "SELECT count_if(v > 1), count_if(NULL), count_if(predicate => v = 0) FROM t"
            )
            .await,
            vec!["4 | 0 | 1"]
        );
        assert_eq!(
            rows_everywhere(&setup(), "SELECT count_if(v > 1) FROM t WHERE false").await,
            vec!["0"]
        );
    }

    #[tokio::test]
    async fn sliding_window_retracts() {
        assert_eq!(
            rows_everywhere(
                &setup(),
                "SELECT v, count_if(v > 1) OVER (ORDER BY v NULLS FIRST \
                 ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t ORDER BY v NULLS FIRST"
            )
            .await,
            vec![
                "NULL | 0", "NULL | 0", "0 | 0", "1 | 0", "2 | 1", "5 | 2", "7 | 2", "9 | 2"
            ]
        );
    }

    #[tokio::test]
    async fn plan_errors() {
        let err = error_of("SELECT count_if(1)").await;
        assert!(
            err.contains("count_if expects a boolean for argument 'predicate', got Int64"),
            "{err}"
        );
        let err = error_of("SELECT count_if(true, false)").await;
        assert!(
            err.contains("count_if expects 1 argument (predicate), got 2"),
            "{err}"
        );
    }

    fn bools(values: &[Option<bool>]) -> ArrayRef {
        Arc::new(BooleanArray::from(values.to_vec()))
    }

    #[test]
    fn state_round_trip_and_retraction() {
        let udaf = count_if();
        let batches = [
            vec![bools(&[Some(true), None, Some(false)])],
            vec![bools(&[Some(true), Some(true)])],
            vec![bools(&[])],
        ];
        assert_eq!(
            merged_equals_whole(&udaf, &[DataType::Boolean], &batches),
            ScalarValue::Int64(Some(3))
        );
        let mut sliding = accumulator(&udaf, &[DataType::Boolean], false);
        assert!(sliding.supports_retract_batch());
        sliding.update_batch(&batches[0]).unwrap();
        sliding.update_batch(&batches[1]).unwrap();
        sliding.retract_batch(&batches[0]).unwrap();
        assert_eq!(sliding.evaluate().unwrap(), ScalarValue::Int64(Some(2)));
        let mut distinct = accumulator(&udaf, &[DataType::Boolean], true);
        distinct.update_batch(&batches[1]).unwrap();
        assert_eq!(distinct.evaluate().unwrap(), ScalarValue::Int64(Some(1)));
    }

    /// Where DataFusion needs a result without an accumulator (a
    /// decorrelated scalar subquery over no rows) it asks the UDAF for its
    /// default value: 0. The export wrappers lose it (the panic guard does
    /// not forward `default_value`, and datafusion-ffi 55 does not carry
    /// it), so this runs the bare UDAF.
    #[tokio::test]
    async fn decorrelated_subqueries_over_no_rows_give_zero() {
        let ctx = datafusion::prelude::SessionContext::new();
        ctx.register_udaf(count_if().as_ref().clone());
        let batches = ctx
            .sql(
                "SELECT x, (SELECT count_if(y > 0) FROM (VALUES (1, 5), (2, -1)) AS u(k, y) \
                 WHERE u.k = t.x) FROM (VALUES (1), (2), (3)) AS t(x) ORDER BY x",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(text_rows(&batches), vec!["1 | 1", "2 | 0", "3 | 0"]);
    }
}
