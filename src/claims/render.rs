//! `proofs-notes/CLAIMS.md`, rendered from the registry.

use super::{papers, Claim, Sharing};
use std::fmt::Write;

/// The Markdown text of `proofs-notes/CLAIMS.md`: one table per paper, the sharing summary and the
/// list of assertions that changed.
pub fn markdown() -> String {
    let mut s = String::new();
    s.push_str(
        "# Claims\n\n\
         Generated from the registry in `src/claims/` by `ATTNMECH_BLESS=1 cargo test --test lib \
         claims::`; do not edit by hand (the same test fails when this file drifts from the \
         registry).\n\n\
         Each claim: a namespaced id (`paper.ID`, the spec's id within its paper), its tags \
         ([M] model-forced, [D] derived, [V] derived and checked numerically, [H] heuristic, \
         [E] empirical trend, [R] recollection, [P] paper statement, [C] authors' code), the \
         assertion kind, the statement with its hypothesis, the test functions that assert it, the \
         experiment function and bound (where test and report share them), the report check ids \
         and the proofs note. *Shared*: `shared` = one experiment function and one bound for test \
         and report; `same driver` = one experiment driver, protocol or bound written twice; \
         `duplicated` = two implementations; `test only` = not in the report.\n\n",
    );
    let all: Vec<&Claim> = papers().iter().flat_map(|p| p.2.iter()).collect();
    let count = |k: Sharing| all.iter().filter(|c| c.shared == k).count();
    let _ = writeln!(
        s,
        "{} claims: {} shared, {} same driver, {} duplicated, {} test only.\n",
        all.len(),
        count(Sharing::Shared),
        count(Sharing::SameDriver),
        count(Sharing::Duplicated),
        count(Sharing::TestOnly)
    );
    for (paper, title, claims) in papers() {
        let _ = writeln!(s, "## `{paper}`: {title}\n");
        s.push_str("| id | tags | kind | statement | asserted by | experiment / bound | report | note | shared |\n");
        s.push_str("|---|---|---|---|---|---|---|---|---|\n");
        for c in claims {
            let tags: String = c.tags.iter().map(|t| format!("[{}]", t.letter())).collect();
            let tests = c
                .tests
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join("<br>");
            let exp = [c.experiment, c.bound]
                .iter()
                .flatten()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join("<br>");
            let report = c.report.join(", ");
            let note = c.note.trim_start_matches("proofs-notes/");
            let _ = writeln!(
                s,
                "| `{}` | {tags} | {} | {} | {tests} | {exp} | {report} | [{note}]({note}) | {} |",
                c.id,
                c.kind.name(),
                c.statement.replace('|', "\\|"),
                c.shared.label()
            );
        }
        s.push('\n');
    }
    s.push_str("## Assertions changed under issue 13\n\n");
    s.push_str("| id | old → new, and why |\n|---|---|\n");
    for c in all.iter().filter(|c| !c.changes.is_empty()) {
        let _ = writeln!(s, "| `{}` | {} |", c.id, c.changes.replace('|', "\\|"));
    }
    s
}
