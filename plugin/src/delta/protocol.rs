//! The protocol gate: which Delta reader features the plugin's own scan
//! supports, and the check that refuses tables needing anything else.
//!
//! Reads go through the plugin's scan (pruned file list → Parquet), so the
//! reader features are the plugin's, not deltalake's: deletion vectors and
//! column mapping change how data files must be read and are refused. Writes
//! go through deltalake's commit machinery, so the writer check is
//! deltalake's own (plus the reader check, since a writer must understand
//! the table).

use deltalake::kernel::transaction::{PROTOCOL, TransactionError};
use deltalake::kernel::{EagerSnapshot, Metadata, Protocol};

use datafusion::common::{DataFusionError, Result};

use super::location::TableLocation;

/// Reader features the plugin's scan handles (by their protocol names).
pub const SUPPORTED_READER_FEATURES: &[&str] = &[
    "timestampNtz",
    "v2Checkpoint",
    "vacuumProtocolCheck",
    "typeWidening",
];

/// The reader features `protocol` requires that the plugin does not support.
pub fn unsupported_reader_features(protocol: &Protocol, metadata: &Metadata) -> Vec<String> {
    let column_mapping = metadata
        .configuration()
        .get("delta.columnMapping.mode")
        .map(|m| m.to_ascii_lowercase())
        .filter(|m| m != "none");
    match protocol.min_reader_version() {
        ..=1 => Vec::new(),
        2 => column_mapping
            .map(|_| vec!["columnMapping".to_string()])
            .unwrap_or_default(),
        3 => {
            let mut missing: Vec<String> = protocol
                .reader_features()
                .unwrap_or_default()
                .iter()
                .map(|f| f.to_string())
                .filter(|f| !SUPPORTED_READER_FEATURES.contains(&f.as_str()))
                .collect();
            missing.sort();
            missing.dedup();
            missing
        }
        other => vec![format!("readerVersion{other}")],
    }
}

/// Refuses reading a table whose protocol needs unsupported reader features.
pub fn check_readable(
    location: &TableLocation,
    protocol: &Protocol,
    metadata: &Metadata,
) -> Result<()> {
    let missing = unsupported_reader_features(protocol, metadata);
    if missing.is_empty() {
        return Ok(());
    }
    Err(DataFusionError::NotImplemented(location.redact(&format!(
        "Delta table '{}' requires reader feature(s) {} which the codeanatomy plugin does not \
         support (it reads tables with reader version 1, version 2 without column mapping, or \
         version 3 with features: {})",
        location.uri(),
        missing.join(", "),
        SUPPORTED_READER_FEATURES.join(", ")
    ))))
}

/// Refuses writing a table whose protocol deltalake cannot write.
pub fn check_writable(location: &TableLocation, snapshot: &EagerSnapshot) -> Result<()> {
    check_readable(location, snapshot.protocol(), snapshot.metadata())?;
    match PROTOCOL.can_write_to(snapshot) {
        Ok(()) => Ok(()),
        Err(TransactionError::UnsupportedTableFeatures(features)) => {
            let names: Vec<String> = features.iter().map(|f| f.to_string()).collect();
            Err(DataFusionError::NotImplemented(location.redact(&format!(
                "Delta table '{}' requires writer feature(s) {} which the codeanatomy plugin \
                 does not support for writing",
                location.uri(),
                names.join(", ")
            ))))
        }
        Err(other) => Err(location.error("cannot write to Delta table", other)),
    }
}
