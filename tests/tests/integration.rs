//! The integration tests, one binary: every module loads the real built
//! plugin dylib (and the fixture plugins) through the host shim, never the
//! plugin's code in-process; `build_features` checks how the workspace
//! builds.
//!
//! Run one area with `cargo test -p df-plugin-tests --test integration <module>::`.

mod abi_matrix;
mod build_features;
mod delta_cdf;
mod delta_metadata;
mod delta_pushdown;
mod delta_read;
mod delta_write;
mod hash_vectors;
mod install;
mod planner;
mod position_vectors;
mod readme;
mod refusals;
mod slt;
mod span_vectors;
mod strings_vectors;
