//! Where a Delta table lives: its normalised URL, its storage options and
//! the (cached) deltalake log store that reaches it.
//!
//! Each table location also gets its table-rooted object store registered in
//! the plugin's own runtime environment under a private URL
//! (`delta-codeanatomy://t<fingerprint>/`), which is where the scans built by
//! this module read their Parquet files from (see [`super::exec`]).

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};

use datafusion::common::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use deltalake::logstore::LogStoreRef;
use deltalake::table::builder::{DeltaTableBuilder, parse_table_uri};
use deltalake::table::normalize_table_url;
use url::Url;

use super::error::{describe_options, exec_error, plan_error, redact};
use super::exec::plugin_runtime_env;

/// Log stores are cheap, but each owns object-store clients; a bounded map
/// keeps one per table location.
const LOG_STORE_CACHE_CAPACITY: usize = 64;

static LOG_STORES: LazyLock<Mutex<Vec<(u64, LogStoreRef)>>> =
    LazyLock::new(|| Mutex::new(Vec::new()));

/// A Delta table location with its storage options.
#[derive(Clone)]
pub struct TableLocation {
    /// The URI as the user wrote it (used in messages).
    uri: String,
    /// Normalised table URL (trailing slash).
    url: Url,
    /// Storage options handed to the object store.
    options: HashMap<String, String>,
    /// Fingerprint of URL and options: the cache key of everything loaded
    /// from this location.
    fingerprint: u64,
}

impl fmt::Debug for TableLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TableLocation({}, options={})",
            self.url,
            describe_options(&self.options)
        )
    }
}

impl TableLocation {
    /// Parses `uri` (a local path, `file://` URL or other supported URL).
    /// Fails if a local path does not exist.
    pub fn parse(uri: &str, options: HashMap<String, String>) -> Result<Self> {
        let trimmed = uri.trim();
        if trimmed.is_empty() {
            return Err(plan_error("the Delta table URI is empty", &options));
        }
        let url = parse_table_uri(trimmed).map_err(|e| {
            plan_error(
                format!("'{trimmed}' is not a usable Delta table location: {e}"),
                &options,
            )
        })?;
        Ok(Self::from_url(trimmed, url, options))
    }

    /// A location from an already resolved URL.
    pub fn from_url(uri: &str, url: Url, options: HashMap<String, String>) -> Self {
        let url = normalize_table_url(&url);
        let mut hasher = DefaultHasher::new();
        url.as_str().hash(&mut hasher);
        let mut sorted: Vec<_> = options.iter().collect();
        sorted.sort();
        sorted.hash(&mut hasher);
        TableLocation {
            uri: uri.to_string(),
            url,
            options,
            fingerprint: hasher.finish(),
        }
    }

    /// The URI as given.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The normalised table URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The storage options.
    pub fn options(&self) -> &HashMap<String, String> {
        &self.options
    }

    /// Cache key of this location (URL and options).
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The URL under which the table-rooted object store is registered in
    /// the plugin's runtime environment.
    pub fn object_store_url(&self) -> ObjectStoreUrl {
        ObjectStoreUrl::parse(format!("delta-codeanatomy://t{:016x}", self.fingerprint))
            .expect("a scheme and an alphanumeric host form a valid object store URL")
    }

    /// `{context} '{uri}': {cause}` with secrets removed.
    pub fn error(&self, context: impl fmt::Display, cause: impl fmt::Display) -> DataFusionError {
        exec_error(format!("{context} '{}'", self.uri), cause, &self.options)
    }

    /// A planning error about this table, secrets removed.
    pub fn plan_error(&self, message: impl fmt::Display) -> DataFusionError {
        plan_error(message, &self.options)
    }

    /// Removes secret option values from `text`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.options)
    }

    /// The deltalake log store for this location (cached), with its object
    /// store registered in the plugin's runtime environment.
    pub fn log_store(&self) -> Result<LogStoreRef> {
        let mut stores = LOG_STORES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, store)) = stores.iter().find(|(k, _)| *k == self.fingerprint) {
            return Ok(Arc::clone(store));
        }
        let store = DeltaTableBuilder::from_url(self.url.clone())
            .map_err(|e| self.error("cannot open Delta table", e))?
            .with_storage_options(self.options.clone())
            .build_storage()
            .map_err(|e| self.error("cannot open the storage of Delta table", e))?;
        let registry_url = self.object_store_url();
        let registry_url: &Url = registry_url.as_ref();
        plugin_runtime_env().register_object_store(registry_url, store.object_store(None));
        if stores.len() >= LOG_STORE_CACHE_CAPACITY {
            stores.remove(0);
        }
        stores.push((self.fingerprint, Arc::clone(&store)));
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_local_paths_and_fingerprints() {
        let dir = std::env::temp_dir();
        let a = TableLocation::parse(dir.to_str().unwrap(), HashMap::new()).unwrap();
        assert!(a.url().as_str().starts_with("file://"), "{}", a.url());
        assert!(a.url().as_str().ends_with('/'), "{}", a.url());
        let b = TableLocation::parse(
            dir.to_str().unwrap(),
            HashMap::from([("k".to_string(), "v".to_string())]),
        )
        .unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.object_store_url(), b.object_store_url());
    }

    #[test]
    fn bad_locations_are_plan_errors() {
        let err = TableLocation::parse("  ", HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let err = TableLocation::parse("/definitely/not/here/xyz", HashMap::new()).unwrap_err();
        assert!(
            err.to_string().contains("/definitely/not/here/xyz"),
            "{err}"
        );
        let err = TableLocation::parse("s3x://bucket/t", HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("s3x"), "{err}");
    }

    #[test]
    fn debug_hides_secrets() {
        let dir = std::env::temp_dir();
        let loc = TableLocation::parse(
            dir.to_str().unwrap(),
            HashMap::from([("aws_secret_access_key".to_string(), "hunter2".to_string())]),
        )
        .unwrap();
        assert!(!format!("{loc:?}").contains("hunter2"));
        assert!(
            !loc.error("x", "hunter2 leaked")
                .to_string()
                .contains("hunter2")
        );
    }
}
