//! `libdf_plugin_codeanatomy`: the CodeAnatomy toolkit for Apache DataFusion,
//! shipped as one dynamic library.
//!
//! Hosts load it through `df-plugin-host`, which validates the manifest
//! before touching any DataFusion object. The rlib is also usable in-process
//! (benchmarks compare the two).

pub mod aggregates;
pub mod config;
pub mod delta;
pub mod export;
pub mod factory;
pub mod functions;
pub mod planner;
pub mod registry;
pub mod runtime;
pub mod table_functions;
pub mod windows;

/// The plugin's name, as its manifest declares it.
pub const PLUGIN_NAME: &str = "codeanatomy";
