//! What the report's words mean, kept in the repository so `report.md` is readable on its own: the
//! provenance tags, the kinds of check, and for each section its papers (with arXiv ids) and its
//! `proofs-notes/` files. Check ids resolve through the claim registry ([`crate::claims`]).
//!
//! The tag and kind texts are copied from the project's mathematical specification, which does
//! not ship with the crate; the `proofs-notes/` files restate what the checks rely on.

/// Provenance tags used in claims, notes and captions: `(tag, meaning)`.
pub const TAGS: &[(&str, &str)] = &[
    ("[P]", "stated by the paper (abstract or a faithful public summary); qualitative, direction only unless also D/M/V"),
    ("[C]", "read directly in the authors' public code; a convention safe to copy"),
    ("[M]", "forced by the model definition; derived and checked numerically when the specification was written; hard assert"),
    ("[D]", "derived, self-contained mathematics; ground truth, hard assert"),
    ("[V]", "derived from the definitions and checked numerically when the specification was written (\"[V: read]\": checked by reading the named public source); hard assert with the stated tolerance"),
    ("[R]", "recollection of the paper body, not re-checked against the full text; its constants are never hard-coded"),
    ("[H]", "heuristic (mean-field or asymptotic) derivation, confirmed by simulation; statistical assertions only"),
    ("[E]", "empirical trend; a statistical or direction check with slack, never an identity"),
];

/// Kinds of check: `(kind, meaning)`.
pub const KINDS: &[(&str, &str)] = &[
    ("identity", "equality up to a floating-point tolerance"),
    (
        "inequality",
        "a bound that must hold (small negative slack only for rounding)",
    ),
    (
        "statistical",
        "holds in distribution; tested with fixed seeds and p-values or standard-error bands",
    ),
    (
        "trend",
        "direction or convergence over a sweep, with loose thresholds (never a tight tolerance)",
    ),
];

/// Other words the report uses: `(word, meaning)`.
pub const WORDS: &[(&str, &str)] = &[
    ("spec", "the project's written mathematical specification, from which the claims, ids and tolerances come; it is not shipped with the crate. \"spec X\" in a note is the reference value it records (from an independent implementation). The proofs-notes linked per section restate every statement a check relies on, with its derivation."),
    ("SE", "standard error of a Monte-Carlo mean"),
    ("measured", "the number the run computed; the check passes when it satisfies the tolerance column"),
    ("quick / full", "quick mode shrinks sizes and draws so the whole report runs in about a minute; full mode runs the sizes the claims are stated for"),
];

/// A paper a section reproduces.
#[derive(Clone, Copy, Debug)]
pub struct Paper {
    /// Authors, venue and title as the specification names them.
    pub citation: &'static str,
    /// arXiv identifier, where the specification gives one.
    pub arxiv: Option<&'static str>,
}

impl Paper {
    /// `https://arxiv.org/abs/<id>`, where there is an id.
    pub fn url(&self) -> Option<String> {
        self.arxiv.map(|id| format!("https://arxiv.org/abs/{id}"))
    }
}

/// What the report knows about one section beyond its checks.
#[derive(Clone, Copy, Debug)]
pub struct SectionDoc {
    /// Section name (`Section::name`).
    pub name: &'static str,
    /// The papers it reproduces.
    pub papers: &'static [Paper],
    /// Its notes, as file names inside `proofs-notes/`.
    pub notes: &'static [&'static str],
}

const fn paper(citation: &'static str, arxiv: &'static str) -> Paper {
    Paper {
        citation,
        arxiv: Some(arxiv),
    }
}

/// Papers and notes per section, in report order.
pub const SECTIONS: &[SectionDoc] = &[
    SectionDoc {
        name: "attention",
        papers: &[paper("Dao, \"FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning\", 2023", "2307.08691")],
        notes: &["attention.md", "attention_kernels_cpu.md", "cuda.md"],
    },
    SectionDoc {
        name: "nexttoken",
        papers: &[paper("Li, Huang, Ildiz, Rawat, Oymak, \"Mechanics of Next Token Prediction with Self-Attention\", AISTATS 2024", "2403.08081")],
        notes: &["nexttoken_model.md", "nexttoken_graphs_svm.md", "nexttoken_finite.md", "nexttoken_implicit_bias.md"],
    },
    SectionDoc {
        name: "attsvm",
        papers: &[
            paper("Tarzanagh, Li, Thrampoulidis, Oymak, \"Transformers as Support Vector Machines\", 2023", "2308.16898"),
            paper("Tarzanagh, Li, Zhang, Oymak, \"Max-Margin Token Selection in Attention Mechanism\", NeurIPS 2023", "2306.13596"),
        ],
        notes: &["attsvm.md"],
    },
    SectionDoc {
        name: "ccmc",
        papers: &[paper("Ildiz et al., self-attention as a context-conditioned Markov chain, ICML 2024", "2402.13512")],
        notes: &["ccmc.md"],
    },
    SectionDoc {
        name: "prompt_attention",
        papers: &[paper("Oymak et al., \"On the Role of Attention in Prompt-tuning\", ICML 2023", "2306.03435")],
        notes: &["prompt_attention.md"],
    },
    SectionDoc {
        name: "specdec",
        papers: &[paper("Zhou, Lyu, Rawat, Menon, Rostamizadeh, Kumar, Kagy, Agarwal, \"DistillSpec\", ICLR 2024", "2310.08461")],
        notes: &["distillspec_speculative.md", "distillspec_divergences.md", "distillspec_lossy.md", "distillspec_trends.md"],
    },
    SectionDoc {
        name: "pause",
        papers: &[paper("Goyal, Ji, Rawat, Menon, Kumar, Nagarajan, \"Think before you speak\" (pause tokens), ICLR 2024", "2310.02226")],
        notes: &["pause_tokens.md"],
    },
    SectionDoc {
        name: "cascade",
        papers: &[paper("Jitkrittum, Gupta, Menon, Narasimhan, Rawat, Kumar, \"When Does Confidence-Based Cascade Deferral Suffice?\", NeurIPS 2023", "2307.02764")],
        notes: &["cascade.md"],
    },
    SectionDoc {
        name: "resmem",
        papers: &[paper("Yang, Lukasik, Nagarajan, Li, Rawat, Zaheer, Menon, Kumar, \"ResMem: Learn what you can and memorize the rest\", NeurIPS 2023", "2302.01576")],
        notes: &["resmem.md"],
    },
    SectionDoc {
        name: "memorisation",
        papers: &[paper("Lukasik, Nagarajan, Rawat, Menon, Kumar, \"What do larger image classifiers memorise?\", 2023", "2310.05337")],
        notes: &["memorisation.md"],
    },
    SectionDoc {
        name: "supervision",
        papers: &[paper("Harutyunyan, Rawat, Menon, Kim, Kumar, supervision complexity, ICLR 2023", "2301.12245")],
        notes: &["supervision.md"],
    },
    SectionDoc {
        name: "embed_distill",
        papers: &[paper("Kim, Rawat, Zaheer, Jayasumana, Sadhanala, Jitkrittum, Menon, Fergus, Kumar, \"EmbedDistill\", ICML 2023", "2301.12005")],
        notes: &["embed_distill.md"],
    },
];

/// The papers and notes of the section called `name`, if the glossary knows it.
pub fn section(name: &str) -> Option<&'static SectionDoc> {
    SECTIONS.iter().find(|s| s.name == name)
}

/// `(statement, kind)` of a check id in a section, from the claim registry ([`crate::claims`]):
/// the claim `section.id`, else the id with its `-suffix` parts dropped one by one (`B3-flip-acc`,
/// then `B3-flip`, then `B3`).
pub fn check_id(section: &str, id: &str) -> Option<(&'static str, &'static str)> {
    let mut key = id;
    loop {
        if let Some(c) = crate::claims::find(&format!("{section}.{key}")) {
            return Some((c.statement, c.kind.name()));
        }
        key = &key[..key.rfind('-')?];
    }
}
