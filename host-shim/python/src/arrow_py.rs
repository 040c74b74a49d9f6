//! Arrow data across the Arrow PyCapsule interface (`__arrow_c_schema__`,
//! `__arrow_c_stream__`), so the module needs no pyarrow at build time.

use std::ptr::NonNull;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::ffi::FFI_ArrowSchema;
use datafusion::arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchReader};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// A schema as an `arrow_schema` capsule.
pub fn schema_capsule<'py>(py: Python<'py>, schema: &SchemaRef) -> PyResult<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(schema.as_ref())
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyCapsule::new_with_value(py, ffi, c"arrow_schema")
}

/// The schema of any object implementing `__arrow_c_schema__` (a pyarrow
/// `Schema`, for instance).
pub fn import_schema(object: &Bound<'_, PyAny>) -> PyResult<Schema> {
    let capsule = object.call_method0("__arrow_c_schema__")?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_schema__ did not return a capsule"))?;
    let data: NonNull<FFI_ArrowSchema> = capsule.pointer_checked(Some(c"arrow_schema"))?.cast();
    // SAFETY: the capsule's name promises an FFI_ArrowSchema, borrowed here
    // (the producer keeps ownership and releases it).
    let ffi = unsafe { data.as_ref() };
    Schema::try_from(ffi).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Every batch of an object implementing `__arrow_c_stream__` (a
/// datafusion-python DataFrame runs its query), with the stream's schema.
pub fn import_stream(object: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let capsule = object.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a capsule"))?;
    let data: NonNull<FFI_ArrowArrayStream> =
        capsule.pointer_checked(Some(c"arrow_array_stream"))?.cast();
    // SAFETY: the capsule holds an FFI_ArrowArrayStream; the consumer moves
    // it out and leaves a released (empty) stream behind, as the protocol
    // says, so the capsule's destructor has nothing left to release.
    let stream = unsafe { std::ptr::replace(data.as_ptr(), FFI_ArrowArrayStream::empty()) };
    let reader = ArrowArrayStreamReader::try_new(stream)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let schema = reader.schema();
    // The GIL stays held: the producer's callbacks may need it.
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((schema, batches))
}
