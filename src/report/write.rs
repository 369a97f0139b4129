//! Runs the selected sections and writes `report.md` and `results.json`.

use super::run_info::RunInfo;
use super::{format, glossary, registry, Context, Section, SectionReport};
use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// Options of `attnmech reproduce`.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Quick mode (under a minute for the whole report).
    pub quick: bool,
    /// Only these sections (by name); empty means all.
    pub only: Vec<String>,
    /// Report folder.
    pub out_dir: PathBuf,
    /// Base seed.
    pub seed: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            quick: false,
            only: Vec::new(),
            out_dir: PathBuf::from("report"),
            seed: 0,
        }
    }
}

#[derive(Serialize)]
struct SectionResult {
    name: &'static str,
    title: &'static str,
    seconds: f64,
    error: Option<String>,
    #[serde(flatten)]
    report: SectionReport,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed (a section that returned `Err` counts as one failure).
    pub failed: usize,
    /// Path of the Markdown report.
    pub report_path: PathBuf,
}

/// Runs the selected sections and writes the report into `opts.out_dir`.
pub fn run(opts: &RunOptions) -> Result<RunSummary> {
    run_sections(opts, &registry::sections())
}

/// [`run`] over the given sections instead of the registered ones. A section that returns `Err`
/// or panics is reported as failed, with the error or the panic message, and the other sections
/// still run.
pub fn run_sections(opts: &RunOptions, all: &[Box<dyn Section>]) -> Result<RunSummary> {
    for name in &opts.only {
        if !all.iter().any(|s| s.name() == name) {
            let known: Vec<_> = all.iter().map(|s| s.name()).collect();
            return Err(Error::InvalidArgument {
                what: "--only",
                reason: format!("unknown section `{name}`; known: {}", known.join(", ")),
            });
        }
    }
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| Error::file(&opts.out_dir, e))?;
    let info = RunInfo::collect(opts.quick, opts.seed);
    let ctx = Context {
        quick: opts.quick,
        seed: opts.seed,
        out_dir: opts.out_dir.clone(),
    };
    let mut results = Vec::new();
    for s in all
        .iter()
        .filter(|s| opts.only.is_empty() || opts.only.iter().any(|o| o == s.name()))
    {
        eprintln!("[{}] {}", s.name(), s.title());
        let t0 = Instant::now();
        // A panicking section must not take the report down: its checks are lost, it counts as
        // failed with the panic message, and the remaining sections run.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.run(&ctx)));
        let (report, error) = match outcome {
            Ok(Ok(r)) => (r, None),
            Ok(Err(e)) => (SectionReport::default(), Some(e.to_string())),
            Err(payload) => (
                SectionReport::default(),
                Some(format!("panicked: {}", panic_message(payload.as_ref()))),
            ),
        };
        let seconds = t0.elapsed().as_secs_f64();
        let failed = report.checks.iter().filter(|c| !c.passed).count();
        eprintln!(
            "[{}] {} checks, {} failed{} ({seconds:.1} s)",
            s.name(),
            report.checks.len(),
            failed,
            error
                .as_ref()
                .map(|e| format!(", error: {e}"))
                .unwrap_or_default()
        );
        results.push(SectionResult {
            name: s.name(),
            title: s.title(),
            seconds,
            error,
            report,
        });
    }
    let passed = results
        .iter()
        .flat_map(|r| &r.report.checks)
        .filter(|c| c.passed)
        .count();
    let failed = results
        .iter()
        .flat_map(|r| &r.report.checks)
        .filter(|c| !c.passed)
        .count()
        + results.iter().filter(|r| r.error.is_some()).count();

    let json = serde_json::json!({
        "run": info,
        "seed": opts.seed,
        "quick": opts.quick,
        "passed": passed,
        "failed": failed,
        "sections": results,
    });
    let json_path = opts.out_dir.join("results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&json)?)
        .map_err(|e| Error::file(&json_path, e))?;
    let report_path = opts.out_dir.join("report.md");
    std::fs::write(
        &report_path,
        markdown(&results, &info, &opts.out_dir, passed, failed),
    )
    .map_err(|e| Error::file(&report_path, e))?;
    Ok(RunSummary {
        passed,
        failed,
        report_path,
    })
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

fn markdown(
    results: &[SectionResult],
    info: &RunInfo,
    out_dir: &Path,
    passed: usize,
    failed: usize,
) -> String {
    let mut s = String::new();
    let notes = NotesLinks::new(out_dir);
    let _ = writeln!(s, "# attnmech reproduction report\n");
    let _ = writeln!(
        s,
        "{passed} checks passed, {failed} failed ({} mode). Every number is also in \
         `results.json`. Tags such as [P] or [M] and the check ids are explained in the \
         [glossary](#glossary).\n",
        info.mode
    );

    let _ = writeln!(s, "## Run details\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    for (k, v) in info.rows() {
        let _ = writeln!(s, "| {k} | {} |", cell(&v));
    }
    let total: f64 = results.iter().map(|r| r.seconds).sum();
    let _ = writeln!(
        s,
        "| sections run in | {} s |\n",
        format::number_sig(total, 3)
    );

    let _ = writeln!(s, "## Contents\n");
    for (i, r) in results.iter().enumerate() {
        let failed = r.report.checks.iter().filter(|c| !c.passed).count();
        let verdict = match (&r.error, failed) {
            (Some(_), _) => "**section failed**".to_string(),
            (None, 0) => format!("{} checks, all passed", r.report.checks.len()),
            (None, f) => format!("{} checks, **{f} failed**", r.report.checks.len()),
        };
        let _ = writeln!(
            s,
            "{}. [{}](#{}) — {verdict}",
            i + 1,
            r.title,
            section_anchor(r.name)
        );
    }
    let _ = writeln!(s, "{}. [Glossary](#glossary)\n", results.len() + 1);

    for (i, r) in results.iter().enumerate() {
        let _ = writeln!(s, "<a id=\"{}\"></a>\n", section_anchor(r.name));
        let _ = writeln!(s, "## {}. {} (`{}`)\n", i + 1, r.title, r.name);
        if let Some(doc) = glossary::section(r.name) {
            let papers: Vec<String> = doc
                .papers
                .iter()
                .map(|p| match (p.arxiv, p.url()) {
                    (Some(id), Some(url)) => format!("{} — [arXiv {id}]({url})", p.citation),
                    _ => p.citation.to_string(),
                })
                .collect();
            let _ = writeln!(
                s,
                "**Paper{}:** {}.\n",
                if papers.len() > 1 { "s" } else { "" },
                papers.join("; ")
            );
            let links: Vec<String> = doc.notes.iter().map(|n| notes.link(n)).collect();
            let _ = writeln!(s, "**Proofs and derivations:** {}.\n", links.join(", "));
        }
        let _ = writeln!(s, "Ran in {} s.\n", format::number_sig(r.seconds, 2));
        if let Some(e) = &r.error {
            let _ = writeln!(s, "**Section failed:** {e}\n");
        }
        if !r.report.checks.is_empty() {
            let _ = writeln!(s, "| id | claim | measured | tolerance | result |");
            let _ = writeln!(s, "|---|---|--:|---|---|");
            for c in &r.report.checks {
                let verdict = if c.passed { "pass" } else { "**FAIL**" };
                let _ = writeln!(
                    s,
                    "| [{}](#{}) | {} | {} | {} | {} |",
                    c.id,
                    id_anchor(r.name, &c.id),
                    cell(&c.claim),
                    c.measured_text(),
                    cell(&c.tolerance),
                    verdict
                );
            }
            let _ = writeln!(s);
        }
        for f in &r.report.figures {
            let _ = writeln!(s, "![{}]({})\n\n*{}*\n", f.file, f.file, f.caption);
        }
        for n in &r.report.notes {
            let _ = writeln!(s, "- {n}");
        }
        if !r.report.notes.is_empty() {
            let _ = writeln!(s);
        }
    }
    glossary_markdown(&mut s, results, &notes);
    s
}

/// The glossary: tags, kinds of check, words, and every check id of this run.
fn glossary_markdown(s: &mut String, results: &[SectionResult], notes: &NotesLinks) {
    let _ = writeln!(s, "<a id=\"glossary\"></a>\n\n## Glossary\n");
    let _ = writeln!(s, "### Tags\n\nClaims, notes and captions carry a tag that says where a statement comes from and how hard it may be asserted.\n");
    let _ = writeln!(s, "| tag | meaning |\n|---|---|");
    for (tag, meaning) in glossary::TAGS {
        let _ = writeln!(s, "| {tag} | {} |", cell(meaning));
    }
    let _ = writeln!(s, "\n### Kinds of check\n\n| kind | meaning |\n|---|---|");
    for (kind, meaning) in glossary::KINDS {
        let _ = writeln!(s, "| {kind} | {} |", cell(meaning));
    }
    let _ = writeln!(s, "\n### Words\n\n| word | meaning |\n|---|---|");
    for (word, meaning) in glossary::WORDS {
        let _ = writeln!(s, "| {word} | {} |", cell(meaning));
    }
    let _ = writeln!(
        s,
        "\n### Sections, papers and notes\n\n| section | papers (arXiv) | proofs and derivations |\n|---|---|---|"
    );
    for r in results {
        let Some(doc) = glossary::section(r.name) else {
            continue;
        };
        let papers: Vec<String> = doc
            .papers
            .iter()
            .map(|p| match (p.arxiv, p.url()) {
                (Some(id), Some(url)) => format!("[{id}]({url})"),
                _ => p.citation.to_string(),
            })
            .collect();
        let links: Vec<String> = doc.notes.iter().map(|n| notes.link(n)).collect();
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} |",
            r.name,
            section_anchor(r.name),
            papers.join(", "),
            links.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\n### Check ids\n\nAn id names a claim; a suffix after a hyphen (`RM5-base`, `A6a-slope`) marks a \
         further measurement of the claim its prefix names. The same id can mean different claims in \
         different sections. Each section's proofs-notes (above) give the derivation and the reason \
         for each tolerance.\n"
    );
    let _ = writeln!(
        s,
        "| id | section | what is checked | kind |\n|---|---|---|---|"
    );
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for r in results {
        for c in &r.report.checks {
            if seen.contains(&(r.name, c.id.as_str())) {
                continue;
            }
            seen.push((r.name, c.id.as_str()));
            let (what, kind) = glossary::check_id(r.name, &c.id).unwrap_or((c.claim.as_str(), "—"));
            let _ = writeln!(
                s,
                "| <a id=\"{}\"></a>{} | [{}](#{}) | {} | {} |",
                id_anchor(r.name, &c.id),
                c.id,
                r.name,
                section_anchor(r.name),
                cell(what),
                kind
            );
        }
    }
    let _ = writeln!(s);
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn section_anchor(name: &str) -> String {
    format!("sec-{}", slug(name))
}

fn id_anchor(section: &str, id: &str) -> String {
    format!("id-{}-{}", slug(section), slug(id))
}

/// Letters, digits and hyphens only (HTML ids that every Markdown viewer keeps).
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Links from the report folder to the repository's `proofs-notes/`, relative so they survive a
/// move of the repository; plain file names where the notes are not on this machine.
struct NotesLinks {
    prefix: Option<String>,
}

impl NotesLinks {
    fn new(out_dir: &Path) -> Self {
        let notes = Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs-notes");
        let prefix = match (notes.canonicalize(), out_dir.canonicalize()) {
            (Ok(notes), Ok(out)) => relative(&out, &notes),
            _ => None,
        };
        NotesLinks { prefix }
    }

    fn link(&self, file: &str) -> String {
        match &self.prefix {
            Some(p) => format!("[proofs-notes/{file}]({p}/{file})"),
            None => format!("`proofs-notes/{file}` (in the attnmech repository)"),
        }
    }
}

/// The path of `to` seen from the folder `from` (both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> Option<String> {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}
