//! The `attnmech reproduce` report: sections, checks, figures, and the writer.
//!
//! Each paper's section lives in [`sections`] and calls the paper module's experiments; they are listed
//! once in [`registry::sections`]. A section runs its experiment under a [`Context`] (seed, quick
//! mode, output folder) and returns a [`SectionReport`]: checks (claim, measured value, tolerance,
//! pass/fail), SVG figures drawn with [`plot::Chart`], and named numbers for `results.json`.

pub mod axis;
pub mod format;
pub mod glossary;
pub mod legend;
pub mod plot;
pub mod registry;
pub mod run_info;
pub mod sections;
mod write;

pub use write::{run, run_sections, RunOptions, RunSummary};

use crate::error::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One verifiable claim with the value the run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// Claim id from the spec (e.g. `"AK1"`, `"C3"`).
    pub id: String,
    /// The claim in words.
    pub claim: String,
    /// The measured value.
    pub measured: f64,
    /// The tolerance or bound it is held to, in words (e.g. `"<= 1e-12"`).
    pub tolerance: String,
    /// Whether it held.
    pub passed: bool,
    /// A failed check of a claim the registry marks as not reproduced
    /// (the `not_reproduced` field of [`crate::claims::Claim`]): shown, but not counted in the
    /// exit status.
    pub known_non_reproduction: bool,
    /// Significant digits the report prints `measured` with (more than [`format::SIGNIFICANT`]
    /// only where the bounds need them to be told apart).
    #[serde(skip)]
    pub digits: usize,
}

impl Check {
    /// Passes when `measured <= bound` (NaN fails).
    pub fn at_most(id: &str, claim: &str, measured: f64, bound: f64) -> Self {
        let tolerance = format!("<= {}", format::number(bound));
        Self::with(id, claim, measured, tolerance, measured <= bound)
    }
    /// Passes when `measured >= bound` (NaN fails).
    pub fn at_least(id: &str, claim: &str, measured: f64, bound: f64) -> Self {
        let tolerance = format!(">= {}", format::number(bound));
        Self::with(id, claim, measured, tolerance, measured >= bound)
    }
    /// Passes when `lo <= measured <= hi` (NaN fails). The report prints the bounds and the
    /// measured value with the digits needed to tell `lo` from `hi`.
    pub fn within(id: &str, claim: &str, measured: f64, lo: f64, hi: f64) -> Self {
        let ok = (lo..=hi).contains(&measured);
        let digits = format::digits_to_separate(lo, hi);
        let tolerance = if lo == hi {
            format!("= {}", format::number_sig(lo, digits))
        } else {
            format!(
                "in [{}, {}]",
                format::number_sig(lo, digits),
                format::number_sig(hi, digits)
            )
        };
        Check {
            digits,
            ..Self::with(id, claim, measured, tolerance, ok)
        }
    }
    /// A check whose pass rule is computed by the caller; `tolerance` says what the rule is.
    pub fn with(id: &str, claim: &str, measured: f64, tolerance: String, passed: bool) -> Self {
        Check {
            id: id.into(),
            claim: claim.into(),
            measured,
            tolerance,
            passed,
            known_non_reproduction: false,
            digits: format::SIGNIFICANT,
        }
    }
    /// The measured value as the report prints it ([`format::number_sig`]).
    pub fn measured_text(&self) -> String {
        format::number_sig(self.measured, self.digits)
    }
}

/// A figure written into the report folder.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// File name inside the report folder (`*.svg`).
    pub file: String,
    /// Caption: what is plotted, and the measured end values beside the authors' reported ranges.
    pub caption: String,
}

/// What one section produced.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SectionReport {
    /// Checks, in the order they should be listed.
    pub checks: Vec<Check>,
    /// Figures, in order.
    pub figures: Vec<Figure>,
    /// Every number worth keeping, by name, for `results.json`.
    pub values: BTreeMap<String, serde_json::Value>,
    /// Free-text remarks shown under the section (caveats, what was not run in quick mode).
    pub notes: Vec<String>,
}

impl SectionReport {
    /// Adds a check.
    pub fn check(&mut self, c: Check) {
        self.checks.push(c);
    }
    /// Records a named value (anything serde can serialise).
    pub fn value(&mut self, name: &str, v: impl Serialize) {
        let v = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
        self.values.insert(name.to_string(), v);
    }
    /// Adds a remark.
    pub fn note(&mut self, s: impl Into<String>) {
        self.notes.push(s.into());
    }
    /// Draws `chart` into `<out>/<stem>.svg` and lists it with its caption.
    pub fn figure(
        &mut self,
        ctx: &Context,
        stem: &str,
        chart: &plot::Chart,
        caption: impl Into<String>,
    ) -> Result<()> {
        let file = format!("{stem}.svg");
        chart.save_svg(&ctx.out_dir.join(&file))?;
        self.figures.push(Figure {
            file,
            caption: caption.into(),
        });
        Ok(())
    }
}

/// What a section is run with.
#[derive(Clone, Debug)]
pub struct Context {
    /// Quick mode: smaller sizes, fewer draws; the whole quick run takes under a minute.
    pub quick: bool,
    /// Base seed; sections derive their streams from it with [`crate::rng::seeded`].
    pub seed: u64,
    /// Report folder (exists when `run` is called).
    pub out_dir: PathBuf,
}

impl Context {
    /// A progress bar for long work (drawn on stderr only when it is a terminal).
    pub fn progress(&self, len: u64, msg: &str) -> indicatif::ProgressBar {
        let pb = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "  {msg:<32} [{bar:30}] {pos}/{len} ({elapsed})",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(msg.to_string());
        pb
    }
}

/// One paper's (or kernel family's) part of the report.
pub trait Section: Send + Sync {
    /// Short id used by `--only` (lowercase, no spaces: `"attention"`, `"nexttoken"`).
    fn name(&self) -> &'static str;
    /// Heading shown in the report.
    fn title(&self) -> &'static str;
    /// Runs the experiment. An `Err` is reported as a failed section, not a crash.
    fn run(&self, ctx: &Context) -> Result<SectionReport>;
}
