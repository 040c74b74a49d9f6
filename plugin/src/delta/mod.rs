//! Delta Lake tables through the plugin: table functions and the
//! `STORED AS DELTATABLE` table provider factory.

use crate::table_functions::{TableFactoryEntry, TableFunctionEntry};

/// The Delta table functions.
pub fn table_functions() -> Vec<TableFunctionEntry> {
    vec![]
}

/// The Delta table provider factories.
pub fn table_provider_factories() -> Vec<TableFactoryEntry> {
    vec![]
}
