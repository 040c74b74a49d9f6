//! An existing function under a new name (`CREATE FUNCTION ... LANGUAGE
//! aggregate|window|scalar RETURN <existing>`), with its own volatility.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::function::{
    AccumulatorArgs, PartitionEvaluatorArgs, StateFieldsArgs, WindowUDFFieldArgs,
};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, Documentation, GroupsAccumulator,
    PartitionEvaluator, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility, WindowUDF, WindowUDFImpl,
};

fn with_volatility(signature: &Signature, volatility: Volatility) -> Signature {
    let mut s = signature.clone();
    s.volatility = volatility;
    s
}

/// A renamed scalar function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RenamedScalar {
    name: String,
    signature: Signature,
    inner: Arc<ScalarUDF>,
}

impl RenamedScalar {
    /// `inner` under `name`.
    pub fn new(name: String, inner: Arc<ScalarUDF>, volatility: Volatility) -> Self {
        RenamedScalar {
            signature: with_volatility(inner.signature(), volatility),
            name,
            inner,
        }
    }
}

impl ScalarUDFImpl for RenamedScalar {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.inner().return_type(arg_types)
    }
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// A renamed aggregate function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RenamedAggregate {
    name: String,
    signature: Signature,
    inner: Arc<AggregateUDF>,
}

impl RenamedAggregate {
    /// `inner` under `name`.
    pub fn new(name: String, inner: Arc<AggregateUDF>, volatility: Volatility) -> Self {
        RenamedAggregate {
            signature: with_volatility(inner.signature(), volatility),
            name,
            inner,
        }
    }
}

impl AggregateUDFImpl for RenamedAggregate {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.inner().return_type(arg_types)
    }
    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        self.inner.return_field(arg_fields)
    }
    fn is_nullable(&self) -> bool {
        self.inner.is_nullable()
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
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
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// A renamed window function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RenamedWindow {
    name: String,
    signature: Signature,
    inner: Arc<WindowUDF>,
}

impl RenamedWindow {
    /// `inner` under `name`.
    pub fn new(name: String, inner: Arc<WindowUDF>, volatility: Volatility) -> Self {
        RenamedWindow {
            signature: with_volatility(inner.signature(), volatility),
            name,
            inner,
        }
    }
}

impl WindowUDFImpl for RenamedWindow {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }
    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        self.inner.partition_evaluator_factory(args)
    }
    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        self.inner.inner().field(field_args)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}
