//! The claim registry (`src/claims/`): ids unique and namespaced, every named test function,
//! experiment function and proofs note exists, every report check id resolves, and
//! `proofs-notes/CLAIMS.md` is the registry's rendering (the drift test).

use attnmech::claims::{self, Sharing};
use std::collections::HashSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `file::name` → does `file` (relative to the crate root) define `fn name`?
fn defines_fn(path: &str) -> Result<(), String> {
    let (file, name) = path
        .split_once("::")
        .ok_or_else(|| format!("`{path}` is not `file::function`"))?;
    let text = std::fs::read_to_string(Path::new(ROOT).join(file))
        .map_err(|e| format!("`{path}`: cannot read {file}: {e}"))?;
    let defined = text.lines().any(|l| {
        let l = l.trim_start();
        let l = l.strip_prefix("pub ").unwrap_or(l);
        let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
        l.strip_prefix("fn ")
            .or_else(|| l.strip_prefix("const "))
            .is_some_and(|rest| {
                rest.strip_prefix(name)
                    .is_some_and(|after| after.starts_with(['(', '<', ':']))
            })
    });
    if defined {
        Ok(())
    } else {
        Err(format!("`{path}`: no `fn {name}` in {file}"))
    }
}

/// Ids are `paper.ID` with a known paper, unique across the registry (`ccmc.A4` ≠ `attsvm.A4`).
#[test]
fn claim_ids_are_unique_and_namespaced() {
    let papers: Vec<&str> = claims::papers().iter().map(|p| p.0).collect();
    let mut seen = HashSet::new();
    let mut n = 0;
    for (paper, _, list) in claims::papers() {
        for c in list {
            assert_eq!(c.paper(), paper, "{} filed under {paper}", c.id);
            assert!(!c.local_id().is_empty() && c.local_id() != c.id, "{}", c.id);
            assert!(seen.insert(c.id), "duplicate claim id {}", c.id);
            assert!(!c.tags.is_empty() && !c.tests.is_empty(), "{}", c.id);
            assert!(c.statement.ends_with('.'), "{}: one full sentence", c.id);
            n += 1;
        }
    }
    assert!(papers.len() == 12 && n >= 110, "{n} claims");
    assert!(claims::find("attsvm.A4").is_some() && claims::find("ccmc.A4").is_some());
    assert!(claims::find("A4").is_none());
}

/// Every registered test function, experiment function and bound exists where the registry says,
/// and so does every proofs note. Negative control: a misspelt name is reported.
#[test]
fn registered_functions_and_notes_exist() {
    let mut missing = Vec::new();
    for c in claims::all() {
        let fns = c
            .tests
            .iter()
            .chain(c.experiment.iter())
            .chain(c.bound.iter());
        missing.extend(fns.filter_map(|p| defines_fn(p).err()));
        if !Path::new(ROOT).join(c.note).is_file() {
            missing.push(format!("{}: note {} missing", c.id, c.note));
        }
        if c.shared == Sharing::Shared && (c.experiment.is_none() || c.bound.is_none()) {
            missing.push(format!("{}: shared without experiment and bound", c.id));
        }
        if c.shared != Sharing::TestOnly && c.report.is_empty() {
            missing.push(format!("{}: in the report but no report id", c.id));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    assert!(defines_fn("tests/claims/mod.rs::registered_functions_and_notes_exist").is_ok());
    assert!(defines_fn("tests/claims/mod.rs::registered_functions_and_note_exist").is_err());
    assert!(defines_fn("tests/nope.rs::x").is_err());
}

/// Every check id a report section emits (`Check::…("ID", …)` in `src/report/sections/<paper>.rs`)
/// names a registered claim of that paper that lists it, and every report id a claim lists is
/// emitted by its section.
#[cfg(feature = "report")]
#[test]
fn report_check_ids_resolve() {
    let mut problems = Vec::new();
    for (paper, _, list) in claims::papers() {
        let file = Path::new(ROOT).join(format!("src/report/sections/{paper}.rs"));
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let emitted = emitted_check_ids(&text);
        for id in &emitted {
            if claims::for_report_check(paper, id).is_empty() {
                problems.push(format!("{paper}: report check {id} resolves to no claim"));
            }
        }
        for c in list {
            for id in c.report {
                if !emitted.contains(&id.to_string()) {
                    problems.push(format!("{}: report id {id} not emitted", c.id));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The string literal that follows each `Check::<ctor>(` in a section's source.
#[cfg(feature = "report")]
fn emitted_check_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split("Check::").skip(1) {
        let Some(open) = part.find('(') else { continue };
        let rest = part[open + 1..].trim_start();
        if let Some(lit) = rest.strip_prefix('"') {
            if let Some(end) = lit.find('"') {
                out.push(lit[..end].to_string());
            }
        }
    }
    out
}

/// `proofs-notes/CLAIMS.md` is the registry's rendering. `ATTNMECH_BLESS=1` rewrites it;
/// otherwise a difference fails, naming the first line that differs.
#[test]
fn claims_md_matches_the_registry() {
    let path = Path::new(ROOT).join("proofs-notes/CLAIMS.md");
    let want = claims::markdown();
    if std::env::var("ATTNMECH_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &want).expect("write proofs-notes/CLAIMS.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let line = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(have.lines().count().min(want.lines().count()));
        panic!(
            "proofs-notes/CLAIMS.md drifted from src/claims/ (first difference at line {}); \
             regenerate with ATTNMECH_BLESS=1 cargo test --test lib claims::",
            line + 1
        );
    }
}

/// A claim marked as not reproduced names the report checks that fail because of it (a claim
/// checked only by tests names none), and says why with numbers; a claim that reproduces names
/// none (so the report can never excuse a check the registry does not list).
#[test]
fn not_reproduced_claims_name_their_checks_and_numbers() {
    for c in attnmech::claims::all() {
        if c.report.is_empty() || c.not_reproduced.is_empty() {
            assert!(c.not_reproduced_checks.is_empty(), "{}", c.id);
        } else {
            assert!(
                !c.not_reproduced_checks.is_empty(),
                "{}: name the report checks",
                c.id
            );
        }
        if !c.not_reproduced.is_empty() {
            assert!(
                c.not_reproduced.chars().any(|ch| ch.is_ascii_digit()),
                "{}: give the measured numbers",
                c.id
            );
        }
    }
    // Negative control: an unlisted quantity of a known claim is still a failure.
    assert!(attnmech::claims::is_known_non_reproduction(
        "attsvm",
        "A4",
        "corr(W, W^mm_α) (min over runs)"
    ));
    assert!(!attnmech::claims::is_known_non_reproduction(
        "attsvm",
        "A4",
        "selections locally optimal"
    ));
}
