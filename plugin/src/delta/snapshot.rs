//! One loaded table version: deltalake's table state plus everything the
//! plugin derives from it once (schemas, file index, protocol verdict).

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::common::Result;
use deltalake::DeltaTable;
use deltalake::kernel::EagerSnapshot;

use super::files::FileIndex;
use super::location::TableLocation;
use super::protocol;

/// A loaded table version. See the module docs.
pub struct TableSnapshot {
    /// Where the table lives.
    pub location: TableLocation,
    /// deltalake's table, loaded at [`Self::version`].
    pub table: DeltaTable,
    /// The version.
    pub version: u64,
    /// The table schema, in the table's column order.
    pub schema: SchemaRef,
    /// The data (non-partition) columns, in table order: the schema of the
    /// Parquet files.
    pub file_schema: SchemaRef,
    /// Data columns followed by the partition columns: the schema the
    /// Parquet scan produces.
    pub scan_schema: SchemaRef,
    /// Partition columns, in the table's partition order.
    pub partition_columns: Vec<String>,
    /// The live files.
    pub files: FileIndex,
    /// Reader features the plugin's scan cannot handle (empty if readable).
    pub unsupported_reader_features: Vec<String>,
}

impl fmt::Debug for TableSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TableSnapshot({:?}, version={}, files={})",
            self.location,
            self.version,
            self.files.len()
        )
    }
}

impl TableSnapshot {
    /// Derives a snapshot from a loaded deltalake table.
    pub fn from_table(location: TableLocation, table: DeltaTable) -> Result<Self> {
        let state = table
            .snapshot()
            .map_err(|e| location.error("Delta table has no loaded state", e))?;
        let eager = state.snapshot();
        let version = eager.version();
        let schema = eager.arrow_schema();
        let partition_columns: Vec<String> = eager.metadata().partition_columns().to_vec();
        let file_fields: Vec<_> = schema
            .fields()
            .iter()
            .filter(|f| !partition_columns.contains(f.name()))
            .cloned()
            .collect();
        let file_schema = Arc::new(Schema::new(file_fields.clone()));
        let mut scan_fields = file_fields;
        for c in &partition_columns {
            let field = schema.field_with_name(c).map_err(|_| {
                location.error(
                    "invalid Delta table metadata in",
                    format!("partition column {c} is not a column of the table"),
                )
            })?;
            scan_fields.push(Arc::new(field.clone()));
        }
        let scan_schema = Arc::new(Schema::new(scan_fields));
        let add_actions = eager
            .add_actions_table(true)
            .map_err(|e| location.error("cannot list the files of Delta table", e))?;
        let files = FileIndex::build(
            add_actions,
            location.url(),
            &schema,
            &partition_columns,
            &scan_schema,
        )
        .map_err(|e| location.error("cannot index the files of Delta table", e))?;
        let unsupported_reader_features =
            protocol::unsupported_reader_features(eager.protocol(), eager.metadata());
        Ok(TableSnapshot {
            location,
            table,
            version,
            schema,
            file_schema,
            scan_schema,
            partition_columns,
            files,
            unsupported_reader_features,
        })
    }

    /// deltalake's eager snapshot of this version.
    pub fn eager(&self) -> &EagerSnapshot {
        self.table
            .snapshot()
            .expect("a TableSnapshot is only built from a loaded table")
            .snapshot()
    }

    /// Refuses tables the plugin's scan cannot read.
    pub fn ensure_readable(&self) -> Result<()> {
        let eager = self.eager();
        protocol::check_readable(&self.location, eager.protocol(), eager.metadata())
    }
}
