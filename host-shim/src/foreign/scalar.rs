//! Plugin scalar UDFs as the host registers them.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature,
};

use super::listing::{check_deferred, coerce_or_defer, host_signature};
use crate::snapshot::FunctionEntry;

/// A datafusion-ffi foreign scalar UDF with the plugin's parameter names,
/// documentation and listing signatures.
#[derive(Debug)]
pub struct PluginScalarUdf {
    inner: Arc<dyn ScalarUDFImpl>,
    signature: Signature,
    documentation: Option<Documentation>,
}

impl PluginScalarUdf {
    /// Wraps a foreign UDF with the metadata of its registry entry.
    pub fn wrap(inner: Arc<dyn ScalarUDFImpl>, entry: Option<&FunctionEntry>) -> ScalarUDF {
        ScalarUDF::new_from_impl(PluginScalarUdf {
            signature: host_signature(inner.signature(), entry),
            documentation: entry.and_then(FunctionEntry::documentation),
            inner,
        })
    }
}

impl PartialEq for PluginScalarUdf {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) && self.signature == other.signature
    }
}

impl Eq for PluginScalarUdf {}

impl Hash for PluginScalarUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.name().hash(state);
        self.signature.hash(state);
    }
}

impl ScalarUDFImpl for PluginScalarUdf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        check_deferred(args.arg_fields, |t| self.inner.coerce_types(t))?;
        self.inner.return_field_from_args(args)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_or_defer(&self.signature, arg_types, |t| self.inner.coerce_types(t))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }

    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.documentation.as_ref()
    }
}
