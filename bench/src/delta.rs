//! Delta Lake: a ~1 GB table generated here, scanned in full and
//! selectively through the plugin (dylib and rlib), through deltalake's own
//! DataFusion provider, and as plain Parquet files (`ListingTable`, the
//! floor); and an INSERT of 10M rows through each writer.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ValueEnum;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::{DataFusionError, Result};
use datafusion::prelude::SessionContext;
use deltalake::DeltaTable;
use deltalake::kernel::StructType;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel;
use deltalake::protocol::SaveMode;
use serde_json::{Value, json};
use url::Url;

use crate::measure::{MemoryWindow, time_async};
use crate::scalar::drain;
use crate::sessions::{self, Linkage};

/// Days (partitions) of the generated table.
pub const DAYS: usize = 16;
/// Delta files per day: consecutive id ranges, so that min/max statistics
/// can skip files inside a partition.
pub const FILES_PER_DAY: usize = 4;
/// The day the selective scan reads.
const SELECTIVE_DAY: usize = 7;
/// Rows the selective scan's id range spans.
const SELECTIVE_IDS: usize = 10_000;

/// Who reads or writes the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reader {
    /// The plugin's `DELTATABLE` provider through the dylib (datafusion-ffi).
    Dylib,
    /// The plugin's provider linked in-process: separates FFI cost from
    /// the plugin's own scan.
    Rlib,
    /// deltalake's native DataFusion provider, in-process.
    Deltalake,
    /// The same Parquet files as a `ListingTable` (no Delta log): the floor.
    Parquet,
}

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::Dylib => "plugin_dylib",
            Reader::Rlib => "plugin_rlib",
            Reader::Deltalake => "deltalake",
            Reader::Parquet => "parquet_listing",
        }
    }
}

/// The two scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scan {
    /// Every column of every row.
    Full,
    /// One partition and a narrow id range in it (partition pruning, then
    /// file statistics, then Parquet row groups).
    Selective,
}

/// The generated columns; `day` is the partition column.
fn schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("v", DataType::Float64, true),
        Field::new("tag", DataType::Utf8, true),
        Field::new("payload", DataType::Utf8, true),
        Field::new("day", DataType::Utf8, true),
    ])
}

const COLUMNS_DDL: &str = "(id BIGINT, v DOUBLE, tag VARCHAR, payload VARCHAR, day VARCHAR)";

/// Rows `start..end` in SQL. The payload (an MD5 in hex) is what makes the
/// table ~47 bytes a row on disk: it barely compresses. `v` holds whole
/// numbers, so sums are exact whatever order a reader adds them in and
/// every reader's result can be compared.
fn rows_sql(start: usize, end: usize, day: Option<usize>) -> String {
    let day = match day {
        Some(d) => format!("'2024-01-{:02}'", d + 1),
        None => format!("concat('2024-01-', lpad(CAST(value % {DAYS} + 1 AS VARCHAR), 2, '0'))"),
    };
    format!(
        "SELECT value AS id, CAST((value * 7919) % 100003 AS DOUBLE) AS v, \
         concat('t', CAST(value % 50 AS VARCHAR)) AS tag, md5(CAST(value AS VARCHAR)) AS payload, \
         {day} AS day FROM generate_series({start}, {})",
        end - 1
    )
}

fn url_of(dir: &Path) -> Result<Url> {
    Url::from_directory_path(dir)
        .map_err(|_| DataFusionError::Plan(format!("not an absolute path: {}", dir.display())))
}

fn delta_err(e: deltalake::DeltaTableError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// Total size of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// Description of a generated table, stored beside it so later processes
/// (and the Python bench) know its shape.
fn meta_path(table: &Path) -> PathBuf {
    table.with_extension("json")
}

/// Reads the description written by [`generate`].
pub fn table_meta(table: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(meta_path(table))?;
    serde_json::from_str(&text).map_err(|e| DataFusionError::External(Box::new(e)))
}

/// Writes a `rows`-row table partitioned by day, with deltalake's own
/// writer (no plugin code), one append per file. Does nothing when a table
/// with that many rows is already there.
pub async fn generate(table: &Path, rows: usize) -> Result<Value> {
    if let Ok(meta) = table_meta(table)
        && meta["rows"].as_u64() == Some(rows as u64)
    {
        return Ok(meta);
    }
    let _ = std::fs::remove_dir_all(table);
    std::fs::create_dir_all(table)?;
    let started = Instant::now();
    let ctx = sessions::plain(8192);
    let mut delta = DeltaTable::try_from_url(url_of(table)?)
        .await
        .map_err(delta_err)?;
    let per_day = rows / DAYS;
    let per_file = per_day.div_ceil(FILES_PER_DAY);
    for day in 0..DAYS {
        let day_start = day * per_day;
        let day_end = if day + 1 == DAYS {
            rows
        } else {
            day_start + per_day
        };
        let mut start = day_start;
        while start < day_end {
            let end = (start + per_file).min(day_end);
            let batches = ctx
                .sql(&rows_sql(start, end, Some(day)))
                .await?
                .collect()
                .await?;
            delta = delta
                .write(batches)
                .with_save_mode(SaveMode::Append)
                .with_partition_columns(["day"])
                .await
                .map_err(delta_err)?;
            start = end;
        }
    }
    let meta = json!({
        "rows": rows,
        "days": DAYS,
        "files_per_day": FILES_PER_DAY,
        "rows_per_day": per_day,
        "bytes": dir_bytes(table),
        "version": delta.version(),
        "generate_s": started.elapsed().as_secs_f64(),
        "full_sql": full_sql("t"),
        "selective_sql": selective_sql("t", per_day),
    });
    std::fs::write(
        meta_path(table),
        serde_json::to_string_pretty(&meta).unwrap_or_default(),
    )?;
    Ok(meta)
}

/// The full scan: touches every column of every row.
pub fn full_sql(table: &str) -> String {
    format!(
        "SELECT count(*) AS n, sum(v) AS s, max(payload) AS p, count(tag) AS t, min(day) AS d \
         FROM {table}"
    )
}

/// The selective scan: one day, a narrow id range in its middle.
pub fn selective_sql(table: &str, rows_per_day: usize) -> String {
    let from = SELECTIVE_DAY * rows_per_day + rows_per_day / 2;
    format!(
        "SELECT count(*) AS n, sum(v) AS s FROM {table} \
         WHERE day = '2024-01-{:02}' AND id BETWEEN {from} AND {}",
        SELECTIVE_DAY + 1,
        from + SELECTIVE_IDS - 1
    )
}

/// Registers the table as `t` for `reader`.
async fn register(ctx: &SessionContext, reader: Reader, table: &Path) -> Result<()> {
    let location = table.display();
    match reader {
        Reader::Dylib | Reader::Rlib => {
            ctx.sql(&format!(
                "CREATE EXTERNAL TABLE t STORED AS DELTATABLE LOCATION '{location}'"
            ))
            .await?;
        }
        Reader::Deltalake => {
            let delta = deltalake::open_table(url_of(table)?)
                .await
                .map_err(delta_err)?;
            delta
                .update_datafusion_session(&ctx.state())
                .map_err(delta_err)?;
            ctx.register_table("t", delta.table_provider().await?)?;
        }
        Reader::Parquet => {
            ctx.sql(&format!(
                "CREATE EXTERNAL TABLE t {COLUMNS_DDL} STORED AS PARQUET \
                 PARTITIONED BY (day) LOCATION '{location}/'"
            ))
            .await?;
        }
    }
    Ok(())
}

fn session_for(reader: Reader) -> SessionContext {
    match reader {
        Reader::Dylib => sessions::with_plugin(Linkage::Dylib, 8192),
        Reader::Rlib => sessions::with_plugin(Linkage::Rlib, 8192),
        Reader::Deltalake | Reader::Parquet => sessions::plain(8192),
    }
}

/// Measures one scan of the generated table by `reader`: registration, the
/// first query (log and footers read), then `runs` more.
pub async fn scan(table: &Path, scan: Scan, reader: Reader, runs: usize) -> Result<Value> {
    let meta = table_meta(table)?;
    let rows_per_day = meta["rows_per_day"].as_u64().unwrap_or(0) as usize;
    let sql = match scan {
        Scan::Full => full_sql("t"),
        Scan::Selective => selective_sql("t", rows_per_day),
    };
    let ctx = session_for(reader);
    let window = MemoryWindow::open();
    let started = Instant::now();
    register(&ctx, reader, table).await?;
    let register_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let result = ctx.sql(&sql).await?.collect().await?;
    let first_s = started.elapsed().as_secs_f64();
    let timing = time_async(0, runs, || async {
        drain(&ctx, &sql).await.expect("scan runs")
    })
    .await;
    let result = datafusion::arrow::util::pretty::pretty_format_batches(&result)?.to_string();
    Ok(json!({
        "scan": format!("{scan:?}").to_lowercase(),
        "reader": reader.name(),
        "sql": sql,
        "table_rows": meta["rows"],
        "table_bytes": meta["bytes"],
        "register_s": register_s,
        "first_query_s": first_s,
        "runs": runs,
        "timing": timing.to_json(),
        "rows_per_s": meta["rows"].as_f64().unwrap_or(0.0) / timing.min(),
        "result": result,
        "memory": window.close(),
    }))
}

/// Creates an empty partitioned Delta table with deltalake's own API.
async fn create_empty(dir: &Path) -> Result<DeltaTable> {
    let kernel: StructType = (&schema())
        .try_into_kernel()
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
    DeltaTable::try_from_url(url_of(dir)?)
        .await
        .map_err(delta_err)?
        .create()
        .with_columns(kernel.fields().cloned())
        .with_partition_columns(["day"])
        .await
        .map_err(delta_err)
}

/// One INSERT of `rows` generated rows into a new table under `scratch`;
/// returns the seconds it took and the bytes it wrote.
async fn insert_once(reader: Reader, rows: usize, dir: &Path) -> Result<(f64, u64)> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let location = dir.display();
    let source = rows_sql(0, rows, None);
    let ctx = session_for(reader);
    // Creating the empty target is not part of the INSERT.
    let statement = match reader {
        Reader::Dylib | Reader::Rlib => {
            ctx.sql(&format!(
                "CREATE EXTERNAL TABLE ins {COLUMNS_DDL} STORED AS DELTATABLE \
                 PARTITIONED BY (day) LOCATION '{location}'"
            ))
            .await?;
            format!("INSERT INTO ins {source}")
        }
        Reader::Deltalake => {
            let delta = create_empty(dir).await?;
            delta
                .update_datafusion_session(&ctx.state())
                .map_err(delta_err)?;
            ctx.register_table("ins", delta.table_provider().await?)?;
            format!("INSERT INTO ins {source}")
        }
        Reader::Parquet => {
            format!("COPY ({source}) TO '{location}/' STORED AS PARQUET PARTITIONED BY (day)")
        }
    };
    let started = Instant::now();
    let out = ctx.sql(&statement).await?.collect().await?;
    let seconds = started.elapsed().as_secs_f64();
    std::hint::black_box(out);
    let bytes = dir_bytes(dir);
    let _ = std::fs::remove_dir_all(dir);
    Ok((seconds, bytes))
}

/// Measures `runs` INSERTs of `rows` rows by `reader`, each into a fresh
/// table under `scratch`.
pub async fn insert(scratch: &Path, reader: Reader, rows: usize, runs: usize) -> Result<Value> {
    let dir = scratch.join(format!("insert-{}", reader.name()));
    if reader == Reader::Dylib {
        sessions::loaded_plugin();
    }
    let window = MemoryWindow::open();
    let mut seconds = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let (s, b) = insert_once(reader, rows, &dir).await?;
        seconds.push(s);
        bytes = b;
    }
    let timing = crate::measure::Runs {
        seconds,
        cpu_seconds: Vec::new(),
    };
    Ok(json!({
        "writer": reader.name(),
        "rows": rows,
        "runs": runs,
        "bytes_written": bytes,
        "timing": timing.to_json(),
        "rows_per_s": rows as f64 / timing.min(),
        "memory": window.close(),
    }))
}
