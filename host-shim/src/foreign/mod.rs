//! Host-side wrappers of the plugin's datafusion-ffi functions.
//!
//! datafusion-ffi 55 gives every foreign function a bare `UserDefined`
//! signature, no parameter names and no documentation. The wrappers add what
//! the plugin's registry snapshot says: parameter names (named arguments),
//! `Documentation` (`SHOW FUNCTIONS`, `information_schema`) and the probed
//! signatures (listing only; planning always follows the plugin's own
//! coercion, see [`listing`]).

pub mod aggregate;
pub mod listing;
pub mod scalar;
pub mod table;
pub mod window;

pub use aggregate::PluginAggregateUdf;
pub use scalar::PluginScalarUdf;
pub use table::{PluginTableFactory, PluginTableFunction, SessionTaskContext};
pub use window::PluginWindowUdf;
