//! What a host without the gate does, for the ABI matrix only: open a file,
//! take its root module without abi_stable's layout check or any manifest
//! check, and hand its scalar functions to datafusion-python as capsules.
//!
//! `docs/abi-matrix.md` runs this in a child process for every plugin
//! variant, to record what the gate protects against (errors, garbage,
//! crashes). Nothing in `df_plugin_host`'s public API calls it.

use std::mem::MaybeUninit;
use std::path::Path;

use abi_stable::library::{RawLibrary, lib_header_from_raw_library};
use abi_stable::std_types::{RResult, RStr};
use datafusion_ffi::udf::FFI_ScalarUDF;
use df_plugin_abi::{PluginModuleRef, export_kind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::exports::ScalarUdfExport;

/// The scalar function exports of the file at `path`, taken with no check.
#[pyfunction]
pub fn _unvalidated_scalar_exports(path: &str) -> PyResult<Vec<ScalarUdfExport>> {
    let fail =
        |what: &str, e: &dyn std::fmt::Display| PyRuntimeError::new_err(format!("{what}: {e}"));
    let library = RawLibrary::load_at(Path::new(path)).map_err(|e| fail("dlopen", &e))?;
    // SAFETY: none — that is the point of this function. The library is
    // leaked so that whatever it hands out stays mapped.
    let header = unsafe { lib_header_from_raw_library(&library) };
    std::mem::forget(library);
    let header = header.map_err(|e| fail("root module symbol", &e))?;
    let module = unsafe { header.init_root_module_with_unchecked_layout::<PluginModuleRef>() }
        .map_err(|e| fail("root module", &e))?;
    let count = (module.export_count())(export_kind::SCALAR_UDF);
    let mut exports = Vec::with_capacity(count);
    for index in 0..count {
        let mut out = MaybeUninit::<FFI_ScalarUDF>::uninit();
        // SAFETY: none; see above.
        let written = unsafe {
            (module.export())(
                export_kind::SCALAR_UDF,
                index,
                RStr::from_str("{}"),
                std::ptr::null(),
                out.as_mut_ptr().cast(),
            )
        };
        match written {
            RResult::ROk(()) => exports.push(ScalarUdfExport::new(unsafe { out.assume_init() })),
            RResult::RErr(message) => return Err(fail("export", &message)),
        }
    }
    Ok(exports)
}
