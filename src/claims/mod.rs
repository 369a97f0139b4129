//! The claim registry: every theorem check of the papers, by a namespaced id (`nexttoken.C3`,
//! `ccmc.A4`, `attsvm.A4`, ...), with its statement (one sentence, hypothesis included), its tag, the
//! experiment function it runs, the test that asserts it, the report checks that show it and the
//! proofs note that argues it.
//!
//! The table is data, one file per paper; `proofs-notes/CLAIMS.md` is rendered from it by
//! [`markdown`] (the drift test in `tests/claims/` fails when the committed file differs, and
//! rewrites it under `ATTNMECH_BLESS=1`). Paths are written `file::function` relative to the crate
//! root, so the same test can check that each named function and note exists.
//!
//! The statements are condensed from the specs the modules were written against, so the ids
//! resolve without anything outside the repository.

mod attention;
mod attsvm;
mod cascade;
mod ccmc;
mod embed_distill;
mod memorisation;
mod nexttoken;
mod pause;
mod prompt_attention;
mod render;
mod resmem;
mod specdec;
mod supervision;

pub use render::markdown;

/// Where a claim's statement comes from and how hard it may be asserted (the specs' tag legend).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// Stated by the paper; qualitative (direction only unless also M, D or V).
    P,
    /// Read in the authors' public code.
    C,
    /// Forced by the model definition, checked numerically: hard assert.
    M,
    /// Derived, self-contained mathematics: hard assert.
    D,
    /// Derived and checked numerically when the spec was written: hard assert at the stated tolerance.
    V,
    /// Recollection of the paper body, not re-checked: never hard-code its constants.
    R,
    /// Heuristic (mean-field / asymptotic), confirmed by simulation: statistical assertions only.
    H,
    /// Empirical trend: statistical or direction check with slack.
    E,
}

impl Tag {
    /// The one-letter form used in the specs and notes.
    pub fn letter(self) -> char {
        match self {
            Tag::P => 'P',
            Tag::C => 'C',
            Tag::M => 'M',
            Tag::D => 'D',
            Tag::V => 'V',
            Tag::R => 'R',
            Tag::H => 'H',
            Tag::E => 'E',
        }
    }
}

/// What kind of assertion a claim admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Equality up to a floating-point tolerance.
    Identity,
    /// A bound that must hold (rounding slack only).
    Inequality,
    /// Holds in distribution: fixed seeds, p-values or SE bands.
    Statistical,
    /// Direction or convergence over a sweep, loose thresholds.
    Trend,
}

impl Kind {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Identity => "identity",
            Kind::Inequality => "inequality",
            Kind::Statistical => "statistical",
            Kind::Trend => "trend",
        }
    }
}

/// Whether the test and the report run one implementation of the claim's experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Test and report call one experiment function and one bound (issue 13's standard).
    Shared,
    /// Test and report call the same experiment driver, but each writes its own protocol or bound.
    SameDriver,
    /// Test and report implement the experiment separately.
    Duplicated,
    /// Only the test checks it; the report does not show it.
    TestOnly,
}

impl Sharing {
    /// Short label for the table.
    pub fn label(self) -> &'static str {
        match self {
            Sharing::Shared => "shared",
            Sharing::SameDriver => "same driver",
            Sharing::Duplicated => "duplicated",
            Sharing::TestOnly => "test only",
        }
    }
}

/// One claim of one paper.
#[derive(Clone, Copy, Debug)]
pub struct Claim {
    /// `paper.ID`: the paper module (or kernel family) and the spec's claim id.
    pub id: &'static str,
    /// Provenance tags, strongest first.
    pub tags: &'static [Tag],
    /// Assertion kind.
    pub kind: Kind,
    /// One sentence: hypothesis, then conclusion.
    pub statement: &'static str,
    /// The experiment function (`src/...rs::name`), when the claim runs one beyond a direct call.
    pub experiment: Option<&'static str>,
    /// The bound both test and report judge with (`src/...rs::name`), when unified.
    pub bound: Option<&'static str>,
    /// The assertions: test functions (`tests/...rs::name`).
    pub tests: &'static [&'static str],
    /// The report's check ids (as printed in its section) that show this claim.
    pub report: &'static [&'static str],
    /// The proofs note (`proofs-notes/<file>.md`).
    pub note: &'static str,
    /// Whether test and report share one implementation.
    pub shared: Sharing,
    /// Changes of the assertion (old → new tolerance or protocol, and why); empty when none.
    pub changes: &'static str,
    /// Empty when the claim reproduces. Otherwise the measured numbers and why it does not.
    pub not_reproduced: &'static str,
    /// The report checks (their measured-quantity text, the report's `Check::claim`) that
    /// fail because of the `not_reproduced` field: the report shows them as "not reproduced
    /// (known)" and does not count them in its exit status, so any *other* failure still fails a
    /// run, and an honest non-reproduction is shown, never hidden by a changed bound.
    pub not_reproduced_checks: &'static [&'static str],
}

impl Claim {
    /// A claim checked by tests only (no report check, no shared experiment, no change recorded).
    pub(crate) const fn new(
        id: &'static str,
        tags: &'static [Tag],
        kind: Kind,
        statement: &'static str,
        tests: &'static [&'static str],
        note: &'static str,
    ) -> Self {
        Claim {
            id,
            tags,
            kind,
            statement,
            experiment: None,
            bound: None,
            tests,
            report: &[],
            note,
            shared: Sharing::TestOnly,
            changes: "",
            not_reproduced: "",
            not_reproduced_checks: &[],
        }
    }

    /// The report checks that show the claim, and how test and report share its implementation.
    pub(crate) const fn report(self, report: &'static [&'static str], shared: Sharing) -> Self {
        Claim {
            report,
            shared,
            ..self
        }
    }

    /// The shared experiment function and bound.
    pub(crate) const fn experiment(self, experiment: &'static str, bound: &'static str) -> Self {
        Claim {
            experiment: Some(experiment),
            bound: Some(bound),
            ..self
        }
    }

    /// A record of how the assertion changed (old → new, and why).
    pub(crate) const fn changed(self, changes: &'static str) -> Self {
        Claim { changes, ..self }
    }

    /// Records that the claim does not reproduce here: the measured numbers and the reason.
    /// `checks` are the report checks (measured-quantity text) that this failure makes fail.
    pub(crate) const fn not_reproduced(
        self,
        checks: &'static [&'static str],
        not_reproduced: &'static str,
    ) -> Self {
        Claim {
            not_reproduced,
            not_reproduced_checks: checks,
            ..self
        }
    }

    /// The paper namespace (`attsvm` of `attsvm.A4`).
    pub fn paper(&self) -> &'static str {
        self.id.split_once('.').map_or(self.id, |(p, _)| p)
    }

    /// The id within the paper (`A4` of `attsvm.A4`).
    pub fn local_id(&self) -> &'static str {
        self.id.split_once('.').map_or(self.id, |(_, c)| c)
    }
}

/// The papers in report order, each with its claims.
pub fn papers() -> [(&'static str, &'static str, &'static [Claim]); 12] {
    [
        (
            "attention",
            "FlashAttention-2 kernels (Dao 2023)",
            attention::CLAIMS,
        ),
        (
            "nexttoken",
            "Token-priority graphs and the graph-SVM (Li et al. 2024)",
            nexttoken::CLAIMS,
        ),
        (
            "attsvm",
            "Transformers as SVMs (Tarzanagh et al. 2023)",
            attsvm::CLAIMS,
        ),
        (
            "ccmc",
            "Self-attention as a context-conditioned Markov chain (Ildiz et al. 2024)",
            ccmc::CLAIMS,
        ),
        (
            "prompt_attention",
            "Prompt-attention (Oymak et al. 2023)",
            prompt_attention::CLAIMS,
        ),
        (
            "specdec",
            "DistillSpec: speculative decoding and distillation (Zhou et al. 2023)",
            specdec::CLAIMS,
        ),
        ("pause", "Pause tokens (Goyal et al. 2023)", pause::CLAIMS),
        (
            "cascade",
            "Cascade deferral (Jitkrittum et al. 2023)",
            cascade::CLAIMS,
        ),
        (
            "resmem",
            "ResMem: residual memorisation (Yang et al. 2023)",
            resmem::CLAIMS,
        ),
        (
            "memorisation",
            "Memorisation across model sizes (Lukasik et al. 2023)",
            memorisation::CLAIMS,
        ),
        (
            "supervision",
            "Supervision complexity (Harutyunyan et al. 2023)",
            supervision::CLAIMS,
        ),
        (
            "embed_distill",
            "EmbedDistill (Kim et al. 2023)",
            embed_distill::CLAIMS,
        ),
    ]
}

/// Every registered claim, in report order.
pub fn all() -> impl Iterator<Item = &'static Claim> {
    papers()
        .into_iter()
        .flat_map(|(_, _, claims)| claims.iter())
}

/// The claim with this namespaced id.
pub fn find(id: &str) -> Option<&'static Claim> {
    all().find(|c| c.id == id)
}

/// Whether a failed report check (section `paper`, id `check`, measured quantity `quantity`) is a
/// known non-reproduction: a claim of that paper shown by `check` lists `quantity` among its
/// [`Claim::not_reproduced_checks`].
pub fn is_known_non_reproduction(paper: &str, check: &str, quantity: &str) -> bool {
    for_report_check(paper, check)
        .iter()
        .any(|c| c.not_reproduced_checks.contains(&quantity))
}

/// The claims of paper `paper` whose report list names check id `check`.
pub fn for_report_check(paper: &str, check: &str) -> Vec<&'static Claim> {
    all()
        .filter(|c| c.paper() == paper && c.report.contains(&check))
        .collect()
}
