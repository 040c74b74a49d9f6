//! Loading table versions, with a bounded process-wide snapshot cache.
//!
//! Snapshots are cached per (table location, version), least recently used
//! first out, so repeated queries of a version never replay the log.
//! Reading the latest version first lists `_delta_log` from the newest
//! version known for the location (one listing call); when nothing new was
//! committed the cached snapshot is reused, and when something was, the new
//! version is loaded incrementally from the newest cached one (deltalake
//! replays only the new commits).

use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Utc};
use datafusion::common::Result;
use deltalake::DeltaTable;
use deltalake::logstore::LogStoreRef;
use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::path::Path;

use super::location::TableLocation;
use super::snapshot::TableSnapshot;

/// How many table versions the process keeps loaded.
pub const SNAPSHOT_CACHE_CAPACITY: usize = 32;

/// Which version of a table to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    /// The newest committed version.
    Latest,
    /// A given version.
    Version(u64),
    /// The newest version committed at or before a time.
    Timestamp(DateTime<Utc>),
}

struct Entry {
    fingerprint: u64,
    version: u64,
    snapshot: Arc<TableSnapshot>,
    last_used: u64,
}

#[derive(Default)]
struct SnapshotCache {
    entries: Vec<Entry>,
    clock: u64,
    hits: u64,
    misses: u64,
}

static CACHE: LazyLock<Mutex<SnapshotCache>> = LazyLock::new(Default::default);

fn with_cache<T>(f: impl FnOnce(&mut SnapshotCache) -> T) -> T {
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut cache)
}

impl SnapshotCache {
    fn get(&mut self, fingerprint: u64, version: u64) -> Option<Arc<TableSnapshot>> {
        self.clock += 1;
        let clock = self.clock;
        match self
            .entries
            .iter_mut()
            .find(|e| e.fingerprint == fingerprint && e.version == version)
        {
            Some(e) => {
                e.last_used = clock;
                self.hits += 1;
                Some(Arc::clone(&e.snapshot))
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    /// The newest cached version of a location not newer than `at_most`.
    fn newest_below(&self, fingerprint: u64, at_most: u64) -> Option<Arc<TableSnapshot>> {
        self.entries
            .iter()
            .filter(|e| e.fingerprint == fingerprint && e.version <= at_most)
            .max_by_key(|e| e.version)
            .map(|e| Arc::clone(&e.snapshot))
    }

    fn newest_version(&self, fingerprint: u64) -> Option<u64> {
        self.entries
            .iter()
            .filter(|e| e.fingerprint == fingerprint)
            .map(|e| e.version)
            .max()
    }

    fn insert(&mut self, snapshot: Arc<TableSnapshot>) {
        self.clock += 1;
        let fingerprint = snapshot.location.fingerprint();
        let version = snapshot.version;
        self.entries
            .retain(|e| !(e.fingerprint == fingerprint && e.version == version));
        while self.entries.len() >= SNAPSHOT_CACHE_CAPACITY {
            let oldest = self
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(i, _)| i)
                .unwrap_or(0);
            self.entries.remove(oldest);
        }
        self.entries.push(Entry {
            fingerprint,
            version,
            snapshot,
            last_used: self.clock,
        });
    }
}

/// `(hits, misses, entries)` of the snapshot cache (for tests and tuning).
pub fn cache_stats() -> (u64, u64, usize) {
    with_cache(|c| (c.hits, c.misses, c.entries.len()))
}

/// Drops every cached version of `location`.
pub fn forget(location: &TableLocation) {
    let fp = location.fingerprint();
    with_cache(|c| c.entries.retain(|e| e.fingerprint != fp));
}

/// Commit files (`version`, modification time in ms) and the newest
/// checkpoint version found in `_delta_log` after `from` (all if `None`).
struct LogListing {
    commits: Vec<(u64, i64)>,
    newest_checkpoint: Option<u64>,
}

fn parse_log_name(name: &str) -> Option<(u64, bool)> {
    let (digits, rest) = name.split_at_checked(20)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version: u64 = digits.parse().ok()?;
    if rest == ".json" {
        Some((version, true))
    } else if rest.starts_with(".checkpoint") && rest.ends_with(".parquet") {
        Some((version, false))
    } else {
        None
    }
}

async fn list_log(
    location: &TableLocation,
    store: &LogStoreRef,
    from: Option<u64>,
) -> Result<LogListing> {
    let object_store = store.object_store(None);
    let prefix = Path::from("_delta_log");
    let stream = match from {
        Some(v) => {
            let offset = Path::from(format!("_delta_log/{v:020}"));
            object_store.list_with_offset(Some(&prefix), &offset)
        }
        None => object_store.list(Some(&prefix)),
    };
    let metas: Vec<_> = match stream.try_collect().await {
        Ok(m) => m,
        Err(object_store::Error::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(location.error("cannot list the log of Delta table", e)),
    };
    let mut listing = LogListing {
        commits: Vec::new(),
        newest_checkpoint: None,
    };
    for meta in metas {
        // Files in subdirectories of _delta_log are not part of the log.
        let parts: Vec<_> = meta.location.parts().collect();
        if parts.len() != 2 {
            continue;
        }
        let Some((version, is_commit)) = parse_log_name(parts[1].as_ref()) else {
            continue;
        };
        if is_commit {
            listing
                .commits
                .push((version, meta.last_modified.timestamp_millis()));
        } else {
            listing.newest_checkpoint = listing.newest_checkpoint.max(Some(version));
        }
    }
    listing.commits.sort_unstable();
    Ok(listing)
}

/// The newest committed version of the table.
pub async fn latest_version(location: &TableLocation) -> Result<u64> {
    let store = location.log_store()?;
    let hint = with_cache(|c| c.newest_version(location.fingerprint()));
    let listing = list_log(location, &store, hint).await?;
    let newest = listing
        .commits
        .last()
        .map(|(v, _)| *v)
        .max(listing.newest_checkpoint);
    match (newest, hint) {
        (Some(v), Some(h)) => Ok(v.max(h)),
        (Some(v), None) => Ok(v),
        (None, Some(_)) => {
            // Nothing at or after the newest cached version: the table was
            // removed or its log rewritten. Start over from a full listing.
            forget(location);
            let full = list_log(location, &store, None).await?;
            full.commits
                .last()
                .map(|(v, _)| *v)
                .max(full.newest_checkpoint)
                .ok_or_else(|| not_a_table(location))
        }
        (None, None) => Err(not_a_table(location)),
    }
}

fn not_a_table(location: &TableLocation) -> datafusion::common::DataFusionError {
    location.plan_error(format!(
        "'{}' is not a Delta table: no commits found in {}_delta_log",
        location.uri(),
        location.url()
    ))
}

/// The version a timestamp selects: the newest commit whose commit file was
/// written at or before `ts` (Delta's time-travel rule, as in delta-rs).
pub async fn version_at(location: &TableLocation, ts: DateTime<Utc>) -> Result<u64> {
    let store = location.log_store()?;
    let listing = list_log(location, &store, None).await?;
    let Some(&(first_version, first_ts)) = listing.commits.first() else {
        return Err(not_a_table(location));
    };
    let target = ts.timestamp_millis();
    if target < first_ts {
        return Err(location.plan_error(format!(
            "timestamp {} is before the first commit of Delta table '{}' (version {first_version} \
             at {})",
            ts.to_rfc3339(),
            location.uri(),
            DateTime::from_timestamp_millis(first_ts)
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| first_ts.to_string())
        )));
    }
    Ok(listing
        .commits
        .iter()
        .filter(|(_, t)| *t <= target)
        .map(|(v, _)| *v)
        .max()
        .unwrap_or(first_version))
}

/// Loads `spec` of the table at `location`, from the cache when possible.
pub async fn load(location: &TableLocation, spec: VersionSpec) -> Result<Arc<TableSnapshot>> {
    let latest = latest_version(location).await?;
    let version = match spec {
        VersionSpec::Latest => latest,
        VersionSpec::Version(v) if v > latest => {
            return Err(location.plan_error(format!(
                "version {v} of Delta table '{}' does not exist (the latest version is {latest})",
                location.uri()
            )));
        }
        VersionSpec::Version(v) => v,
        VersionSpec::Timestamp(ts) => version_at(location, ts).await?,
    };
    if let Some(hit) = with_cache(|c| c.get(location.fingerprint(), version)) {
        return Ok(hit);
    }
    let base = with_cache(|c| c.newest_below(location.fingerprint(), version));
    let table = match base {
        Some(base) => {
            let mut table = base.table.clone();
            table
                .update_incremental(Some(version))
                .await
                .map_err(|e| load_error(location, version, e))?;
            table
        }
        None => {
            let mut table = DeltaTable::new(location.log_store()?);
            table
                .load_version(version)
                .await
                .map_err(|e| load_error(location, version, e))?;
            table
        }
    };
    let snapshot = Arc::new(TableSnapshot::from_table(location.clone(), table)?);
    with_cache(|c| c.insert(Arc::clone(&snapshot)));
    Ok(snapshot)
}

fn load_error(
    location: &TableLocation,
    version: u64,
    e: impl std::fmt::Display,
) -> datafusion::common::DataFusionError {
    location.error(
        format!("cannot load version {version} of Delta table"),
        format!("{e} (is the _delta_log intact?)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        assert_eq!(parse_log_name("00000000000000000007.json"), Some((7, true)));
        assert_eq!(
            parse_log_name("00000000000000000010.checkpoint.parquet"),
            Some((10, false))
        );
        assert_eq!(
            parse_log_name("00000000000000000010.checkpoint.0000000001.0000000002.parquet"),
            Some((10, false))
        );
        assert_eq!(parse_log_name("_last_checkpoint"), None);
        assert_eq!(parse_log_name("00000000000000000007.crc"), None);
        assert_eq!(parse_log_name("0000000000000000000a.json"), None);
        assert_eq!(parse_log_name("x.json"), None);
    }
}
