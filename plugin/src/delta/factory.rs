//! `CREATE EXTERNAL TABLE t STORED AS DELTATABLE LOCATION 'uri'
//! [PARTITIONED BY (...)] [OPTIONS (...)]`.
//!
//! - `OPTIONS ('version' '3')` or `OPTIONS ('timestamp' '2024-...Z')` pins
//!   the table (read-only); without them it follows the latest version and
//!   is writable.
//! - `delta.*` options are Delta table properties, used when the statement
//!   creates a new table (`delta.enableChangeDataFeed` etc.).
//! - Every other option is a storage option for the object store. Values of
//!   options whose key mentions a secret, key, token, password or
//!   credential never appear in an error or in `Debug` output.
//! - With a column list and a location that holds no Delta table yet, an
//!   empty Delta table with those columns (and partition columns) is
//!   created; with a column list and an existing table, the listed names
//!   must be the table's.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{Session, TableProvider, TableProviderFactory};
use datafusion::common::Result;
use datafusion::logical_expr::CreateExternalTable;
use deltalake::DeltaTable;
use deltalake::kernel::StructType;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel;
use deltalake::table::builder::ensure_table_uri;

use super::bridge::{guard_async, on_plugin_runtime};
use super::cache::{self, VersionSpec};
use super::error::plan_error;
use super::location::TableLocation;
use super::provider::DeltaTableProvider;
use crate::table_functions::TableFactoryEntry;

/// The `STORED AS` format.
pub const FORMAT: &str = "DELTATABLE";

/// Delta table property names, to restore their case (SQL option keys
/// arrive lower-cased).
const TABLE_PROPERTIES: &[&str] = &[
    "delta.appendOnly",
    "delta.checkpointInterval",
    "delta.autoOptimize.autoCompact",
    "delta.autoOptimize.optimizeWrite",
    "delta.checkpoint.writeStatsAsJson",
    "delta.checkpoint.writeStatsAsStruct",
    "delta.checkpointPolicy",
    "delta.columnMapping.mode",
    "delta.dataSkippingNumIndexedCols",
    "delta.dataSkippingStatsColumns",
    "delta.deletedFileRetentionDuration",
    "delta.enableChangeDataFeed",
    "delta.enableDeletionVectors",
    "delta.isolationLevel",
    "delta.logRetentionDuration",
    "delta.enableExpiredLogCleanup",
    "delta.minReaderVersion",
    "delta.minWriterVersion",
    "delta.randomizeFilePrefixes",
    "delta.randomPrefixLength",
    "delta.setTransactionRetentionDuration",
    "delta.targetFileSize",
    "delta.tuneFileSizesForRewrites",
];

/// The registry entry of the factory.
pub fn entry() -> TableFactoryEntry {
    TableFactoryEntry {
        format: FORMAT,
        description: "Delta Lake tables: CREATE EXTERNAL TABLE t STORED AS DELTATABLE LOCATION \
                      'uri' [OPTIONS ('version' '3' | 'timestamp' 'RFC3339', storage options, \
                      delta.* table properties)]. Without a version the table follows the \
                      latest commit and accepts INSERT INTO / INSERT OVERWRITE; with a column \
                      list at an empty location it creates the table.",
        factory: Arc::new(DeltaTableFactory),
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct DeltaTableFactory;

/// The options of a `CREATE EXTERNAL TABLE`, sorted by purpose.
#[derive(Default)]
struct TableOptions {
    version: Option<String>,
    timestamp: Option<String>,
    properties: HashMap<String, String>,
    storage: HashMap<String, String>,
}

fn sort_options(options: &HashMap<String, String>) -> TableOptions {
    let mut sorted = TableOptions::default();
    for (key, value) in options {
        let key = key.strip_prefix("format.").unwrap_or(key);
        match key {
            "version" => sorted.version = Some(value.clone()),
            "timestamp" => sorted.timestamp = Some(value.clone()),
            k if k.starts_with("delta.") => {
                let name = TABLE_PROPERTIES
                    .iter()
                    .find(|p| p.eq_ignore_ascii_case(k))
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| k.to_string());
                sorted.properties.insert(name, value.clone());
            }
            k => {
                sorted.storage.insert(k.to_string(), value.clone());
            }
        }
    }
    sorted
}

#[async_trait]
impl TableProviderFactory for DeltaTableFactory {
    async fn create(
        &self,
        _session: &dyn Session,
        cmd: &CreateExternalTable,
    ) -> Result<Arc<dyn TableProvider>> {
        guard_async(
            "CREATE EXTERNAL TABLE ... STORED AS DELTATABLE",
            create(cmd),
        )
        .await
    }
}

async fn create(cmd: &CreateExternalTable) -> Result<Arc<dyn TableProvider>> {
    let options = sort_options(&cmd.options);
    let storage = options.storage.clone();
    let [uri] = cmd.locations.as_slice() else {
        return Err(plan_error(
            format!(
                "a Delta table has exactly one LOCATION, got {}",
                cmd.locations.len()
            ),
            &storage,
        ));
    };
    let spec = version_spec(&options, &storage)?;
    let declared = cmd.schema.as_arrow();
    let may_create = !declared.fields().is_empty() && spec == VersionSpec::Latest;
    let location = match TableLocation::parse(uri, storage.clone()) {
        Ok(location) => location,
        Err(_) if may_create => {
            let url = ensure_table_uri(uri).map_err(|e| {
                plan_error(
                    format!("cannot create a Delta table at '{uri}': {e}"),
                    &storage,
                )
            })?;
            TableLocation::from_url(uri, url, storage.clone())
        }
        Err(e) => return Err(e),
    };

    let loc = location.clone();
    let exists = on_plugin_runtime("opening a Delta table", async move {
        cache::latest_version(&loc)
            .await
            .map(|_| true)
            .or_else(|e| {
                if e.to_string().contains("is not a Delta table") {
                    Ok(false)
                } else {
                    Err(e)
                }
            })
    })
    .await?;

    if !exists {
        if !may_create {
            return Err(location.plan_error(format!(
                "'{}' is not a Delta table{}",
                location.uri(),
                if declared.fields().is_empty() {
                    "; list the columns to create a new one"
                } else {
                    ""
                }
            )));
        }
        create_table(
            &location,
            declared,
            &cmd.table_partition_cols,
            &options.properties,
        )
        .await?;
    } else if !options.properties.is_empty() {
        return Err(location.plan_error(format!(
            "Delta table '{}' already exists: table properties ({}) only apply when CREATE \
             EXTERNAL TABLE creates a new table",
            location.uri(),
            sorted_keys(&options.properties)
        )));
    }

    let provider = DeltaTableProvider::open(location.clone(), spec).await?;
    if exists {
        check_declared(&location, &provider, declared, &cmd.table_partition_cols)?;
    }
    Ok(Arc::new(provider))
}

fn sorted_keys(map: &HashMap<String, String>) -> String {
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort();
    keys.join(", ")
}

fn version_spec(options: &TableOptions, storage: &HashMap<String, String>) -> Result<VersionSpec> {
    let version = options
        .version
        .as_deref()
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                plan_error(
                    format!("option 'version' must be a version number >= 0, got '{v}'"),
                    storage,
                )
            })
        })
        .transpose()?;
    let timestamp = options
        .timestamp
        .as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    plan_error(
                        format!(
                            "option 'timestamp' must be an RFC 3339 timestamp such as \
                             '2024-01-02T03:04:05Z', got '{t}': {e}"
                        ),
                        storage,
                    )
                })
        })
        .transpose()?;
    super::args::version_spec(
        "CREATE EXTERNAL TABLE ... STORED AS DELTATABLE",
        version,
        timestamp,
    )
}

/// The declared columns must be the table's (any order).
fn check_declared(
    location: &TableLocation,
    provider: &DeltaTableProvider,
    declared: &Schema,
    partition_columns: &[String],
) -> Result<()> {
    let snapshot = provider.snapshot();
    if !declared.fields().is_empty() {
        let mut want: Vec<&str> = declared
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let mut have: Vec<&str> = snapshot
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        want.sort_unstable();
        have.sort_unstable();
        if want != have {
            return Err(location.plan_error(format!(
                "the columns listed for Delta table '{}' ({}) are not the table's columns ({})",
                location.uri(),
                want.join(", "),
                have.join(", ")
            )));
        }
    }
    if !partition_columns.is_empty() && partition_columns != snapshot.partition_columns.as_slice() {
        return Err(location.plan_error(format!(
            "PARTITIONED BY ({}) does not match the partition columns of Delta table '{}' ({})",
            partition_columns.join(", "),
            location.uri(),
            snapshot.partition_columns.join(", ")
        )));
    }
    Ok(())
}

/// Creates an empty Delta table with the declared columns.
async fn create_table(
    location: &TableLocation,
    declared: &Schema,
    partition_columns: &[String],
    properties: &HashMap<String, String>,
) -> Result<()> {
    let fields: Vec<Field> = declared
        .fields()
        .iter()
        .map(|f| {
            let data_type = match f.data_type() {
                DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
                DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
                other => other.clone(),
            };
            f.as_ref().clone().with_data_type(data_type)
        })
        .collect();
    let arrow = Schema::new(fields);
    let kernel: StructType = (&arrow).try_into_kernel().map_err(|e| {
        location.plan_error(format!(
            "cannot create Delta table '{}' with columns {arrow}: {e}",
            location.uri()
        ))
    })?;
    let columns: Vec<_> = kernel.fields().cloned().collect();
    let log_store = location.log_store()?;
    let partition_columns = partition_columns.to_vec();
    let properties: Vec<(String, Option<String>)> = properties
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    let loc = location.clone();
    on_plugin_runtime("creating a Delta table", async move {
        let mut builder = DeltaTable::new(log_store).create().with_columns(columns);
        if !partition_columns.is_empty() {
            builder = builder.with_partition_columns(partition_columns);
        }
        if !properties.is_empty() {
            builder = builder.with_configuration(properties);
        }
        builder
            .await
            .map(|_| ())
            .map_err(|e| loc.error("cannot create Delta table", e))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_sorted_by_purpose() {
        let raw = HashMap::from([
            ("format.version".to_string(), "3".to_string()),
            ("format.aws_secret_access_key".to_string(), "s".to_string()),
            ("delta.enablechangedatafeed".to_string(), "true".to_string()),
            ("aws.region".to_string(), "x".to_string()),
        ]);
        let sorted = sort_options(&raw);
        assert_eq!(sorted.version.as_deref(), Some("3"));
        assert_eq!(
            sorted
                .properties
                .get("delta.enableChangeDataFeed")
                .map(String::as_str),
            Some("true")
        );
        assert!(sorted.storage.contains_key("aws_secret_access_key"));
        assert!(sorted.storage.contains_key("aws.region"));
        assert_eq!(
            version_spec(&sorted, &sorted.storage).unwrap(),
            VersionSpec::Version(3)
        );
        let both = TableOptions {
            version: Some("1".into()),
            timestamp: Some("2024-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert!(version_spec(&both, &HashMap::new()).is_err());
        let bad = TableOptions {
            version: Some("x".into()),
            ..Default::default()
        };
        assert!(version_spec(&bad, &HashMap::new()).is_err());
    }
}
