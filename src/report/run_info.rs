//! What a report was produced by and on: commit, compiler, CPU, threads, time, mode and seed, so a
//! reader can tell two reports apart and reproduce either.

use serde::Serialize;
use std::path::Path;
use std::process::Command;

/// The details printed at the top of `report.md` and stored under `"run"` in `results.json`.
/// Fields that could not be found are `None` and print as "unknown".
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// Crate version (`Cargo.toml`).
    pub crate_version: &'static str,
    /// Git commit: `ATTNMECH_GIT_COMMIT` at build time if set, else `git rev-parse HEAD` in the
    /// source folder at run time, with `-dirty` when the work tree has uncommitted changes.
    pub commit: Option<String>,
    /// The compiler that built this binary (read from the binary's `.comment` section), else the
    /// `rustc --version` on `PATH` at run time, marked as such.
    pub rustc: Option<String>,
    /// CPU model (`/proc/cpuinfo`).
    pub cpu: Option<String>,
    /// Threads the kernels run on (rayon's pool).
    pub threads: usize,
    /// Hardware threads the OS reports.
    pub hardware_threads: usize,
    /// Start of the run, UTC, ISO 8601.
    pub started_utc: String,
    /// `"quick"` or `"full"`.
    pub mode: &'static str,
    /// Base seed.
    pub seed: u64,
}

impl RunInfo {
    /// Collects the details of the current process. Never fails: what cannot be found is `None`.
    pub fn collect(quick: bool, seed: u64) -> Self {
        RunInfo {
            crate_version: env!("CARGO_PKG_VERSION"),
            commit: commit(),
            rustc: rustc_version(),
            cpu: cpu_model(),
            threads: rayon::current_num_threads(),
            hardware_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            started_utc: utc_now(),
            mode: if quick { "quick" } else { "full" },
            seed,
        }
    }

    /// `(label, value)` rows for the report's run-details table.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
        vec![
            ("attnmech", self.crate_version.to_string()),
            ("commit", or_unknown(&self.commit)),
            ("compiler", or_unknown(&self.rustc)),
            ("CPU", or_unknown(&self.cpu)),
            (
                "threads",
                format!(
                    "{} (of {} hardware threads)",
                    self.threads, self.hardware_threads
                ),
            ),
            ("started (UTC)", self.started_utc.clone()),
            ("mode", self.mode.to_string()),
            ("seed", self.seed.to_string()),
        ]
    }
}

fn command_output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn commit() -> Option<String> {
    if let Some(c) = option_env!("ATTNMECH_GIT_COMMIT").filter(|c| !c.is_empty()) {
        return Some(c.to_string());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = command_output(
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["rev-parse", "HEAD"]),
    )?;
    let dirty = command_output(Command::new("git").arg("-C").arg(dir).args([
        "status",
        "--porcelain",
        "--untracked-files=no",
    ]))
    .is_some();
    Some(if dirty { format!("{head}-dirty") } else { head })
}

/// rustc records `rustc version 1.x.y (hash date)` in the `.comment` section of what it links.
fn rustc_version() -> Option<String> {
    let built_by = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::read(exe).ok())
        .and_then(|bytes| find_rustc_comment(&bytes));
    built_by.or_else(|| {
        command_output(Command::new("rustc").arg("--version"))
            .map(|v| format!("{v} (on PATH at run time)"))
    })
}

fn find_rustc_comment(bytes: &[u8]) -> Option<String> {
    let needle = b"rustc version ";
    let start = bytes.windows(needle.len()).position(|w| w == needle)?;
    let rest = &bytes[start..];
    let end = rest
        .iter()
        .position(|&b| b == 0 || b == b'\n')
        .unwrap_or(rest.len())
        .min(120);
    let version = std::str::from_utf8(&rest[needle.len()..end]).ok()?;
    Some(format!("rustc {}", version.trim()))
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix(secs)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (days to civil date: H. Hinnant's algorithm).
pub fn utc_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
