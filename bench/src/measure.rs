//! Wall-clock timing and peak memory of one scenario process.
//!
//! Every scenario runs in its own process (see `suite`), so the kernel's
//! per-process high-water mark (`VmHWM`) is that scenario's peak memory. The
//! mark can be reset (`/proc/self/clear_refs` = 5), which separates what the
//! measured queries needed from the input data built before them.

use std::future::Future;
use std::time::Instant;

use serde_json::{Value, json};

/// Seconds of each timed run of one measurement, after warm-up.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// Wall-clock durations in seconds, in run order.
    pub seconds: Vec<f64>,
    /// CPU seconds of the whole process (every thread) during each run,
    /// where the kernel tells: less sensitive than wall time to other work
    /// on a shared machine, so overhead ratios are also given in CPU time.
    pub cpu_seconds: Vec<f64>,
}

impl Runs {
    /// The fastest run: the least disturbed by other work on the machine
    /// (the benchmarks share 2 cores with whatever else runs).
    pub fn min(&self) -> f64 {
        self.seconds.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// The median run.
    pub fn median(&self) -> f64 {
        let mut sorted = self.seconds.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }

    /// The run that used the least CPU time (`None` where unknown).
    pub fn cpu_min(&self) -> Option<f64> {
        (!self.cpu_seconds.is_empty()).then(|| {
            self.cpu_seconds
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
        })
    }

    /// JSON: every run, min and median (wall clock), and CPU time.
    pub fn to_json(&self) -> Value {
        json!({
            "runs_s": self.seconds,
            "min_s": self.min(),
            "median_s": self.median(),
            "cpu_runs_s": self.cpu_seconds,
            "cpu_min_s": self.cpu_min(),
        })
    }
}

/// CPU time of every live thread of this process, from
/// `/proc/self/task/*/schedstat` (nanoseconds on the CPU). Threads that
/// exited are not counted, which is fine within one run: DataFusion's and
/// tokio's worker threads outlive it.
pub fn process_cpu_seconds() -> Option<f64> {
    let mut total_ns: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        total_ns += text
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(total_ns as f64 / 1e9)
}

/// Runs `body` `warmup` times untimed, then `runs` times timed.
pub async fn time_async<F, Fut, T>(warmup: usize, runs: usize, mut body: F) -> Runs
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    for _ in 0..warmup {
        std::hint::black_box(body().await);
    }
    let mut seconds = Vec::with_capacity(runs);
    let mut cpu_seconds = Vec::with_capacity(runs);
    for _ in 0..runs {
        let cpu_before = process_cpu_seconds();
        let started = Instant::now();
        std::hint::black_box(body().await);
        seconds.push(started.elapsed().as_secs_f64());
        if let (Some(before), Some(after)) = (cpu_before, process_cpu_seconds()) {
            cpu_seconds.push(after - before);
        }
    }
    Runs {
        seconds,
        cpu_seconds,
    }
}

/// A field of `/proc/self/status` in bytes (`VmHWM`, `VmRSS`), or `None`
/// where the file does not exist (not Linux).
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line
        .trim_start_matches(field)
        .trim_start_matches(':')
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Peak resident memory of this process so far (or since the last
/// [`reset_peak`]).
pub fn peak_rss() -> Option<u64> {
    status_bytes("VmHWM")
}

/// Resident memory now.
pub fn current_rss() -> Option<u64> {
    status_bytes("VmRSS")
}

/// Resets the peak to the current resident memory. Returns whether the
/// kernel allowed it (Linux 4.0 and later).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Memory of the measured part of a scenario: the process peak over its
/// whole life, and how far the peak rose above the resident memory held
/// when measuring began (the inputs, the loaded library).
#[derive(Debug, Clone, Copy)]
pub struct MemoryWindow {
    baseline: Option<u64>,
    process_peak_before: Option<u64>,
    reset: bool,
}

impl MemoryWindow {
    /// Opens the window: records the resident memory and resets the peak.
    pub fn open() -> Self {
        let process_peak_before = peak_rss();
        let reset = reset_peak();
        MemoryWindow {
            baseline: current_rss(),
            process_peak_before,
            reset,
        }
    }

    /// JSON: `process_peak_bytes` (whole life of the process),
    /// `measured_peak_bytes` (peak since the window opened) and
    /// `measured_extra_bytes` (that peak above the resident memory at the
    /// start), null where the kernel does not tell.
    pub fn close(&self) -> Value {
        let peak_now = peak_rss();
        let process_peak = match (self.process_peak_before, peak_now) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let (measured_peak, extra) = if self.reset {
            (
                peak_now,
                peak_now
                    .zip(self.baseline)
                    .map(|(p, b)| p.saturating_sub(b)),
            )
        } else {
            (None, None)
        };
        json!({
            "process_peak_bytes": process_peak,
            "measured_peak_bytes": measured_peak,
            "measured_extra_bytes": extra,
        })
    }
}

/// The 1-minute load average, recorded beside each scenario so a report
/// can show how busy the machine was.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
