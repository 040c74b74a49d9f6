//! Panic containment for window UDFs and their partition evaluators.

use std::ops::Range;
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::window_state::WindowAggState;
use datafusion::logical_expr::{
    Documentation, LimitEffect, PartitionEvaluator, Signature, WindowUDF, WindowUDFImpl,
};
use datafusion::physical_expr::PhysicalExpr;

use super::guarded;

/// A window UDF whose calls, and whose evaluators' calls, run under
/// `catch_unwind`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PanicGuardedUdwf {
    inner: WindowUDF,
}

impl PanicGuardedUdwf {
    /// Wraps `udwf`; name, aliases, signature and docs are the inner UDWF's.
    pub fn wrap(udwf: WindowUDF) -> WindowUDF {
        WindowUDF::new_from_impl(PanicGuardedUdwf { inner: udwf })
    }
}

impl WindowUDFImpl for PanicGuardedUdwf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        guarded(self.name(), "type coercion", || {
            self.inner.coerce_types(arg_types)
        })
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        let evaluator = guarded(self.name(), "evaluator creation", || {
            self.inner.partition_evaluator_factory(args)
        })?;
        Ok(Box::new(GuardedEvaluator {
            name: self.name().to_string(),
            inner: evaluator,
        }))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        guarded(self.name(), "return type", || {
            self.inner.inner().field(field_args)
        })
    }

    fn sort_options(&self) -> Option<SortOptions> {
        self.inner.sort_options()
    }

    fn limit_effect(&self, args: &[Arc<dyn PhysicalExpr>]) -> LimitEffect {
        self.inner.inner().limit_effect(args)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// A partition evaluator whose every call runs under `catch_unwind`.
#[derive(Debug)]
struct GuardedEvaluator {
    name: String,
    inner: Box<dyn PartitionEvaluator>,
}

impl PartitionEvaluator for GuardedEvaluator {
    fn memoize(&mut self, state: &mut WindowAggState) -> Result<()> {
        guarded(&self.name, "memoization", || self.inner.memoize(state))
    }

    fn get_range(&self, idx: usize, n_rows: usize) -> Result<Range<usize>> {
        guarded(&self.name, "range", || self.inner.get_range(idx, n_rows))
    }

    fn is_causal(&self) -> bool {
        self.inner.is_causal()
    }

    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        guarded(&self.name, "evaluation", || {
            self.inner.evaluate_all(values, num_rows)
        })
    }

    fn evaluate(&mut self, values: &[ArrayRef], range: &Range<usize>) -> Result<ScalarValue> {
        guarded(&self.name, "evaluation", || {
            self.inner.evaluate(values, range)
        })
    }

    fn evaluate_all_with_rank(
        &self,
        num_rows: usize,
        ranks_in_partition: &[Range<usize>],
    ) -> Result<ArrayRef> {
        guarded(&self.name, "evaluation", || {
            self.inner
                .evaluate_all_with_rank(num_rows, ranks_in_partition)
        })
    }

    fn supports_bounded_execution(&self) -> bool {
        self.inner.supports_bounded_execution()
    }

    fn uses_window_frame(&self) -> bool {
        self.inner.uses_window_frame()
    }

    fn include_rank(&self) -> bool {
        self.inner.include_rank()
    }
}
