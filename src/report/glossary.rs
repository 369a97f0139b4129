//! What the report's words mean, kept in the repository so `report.md` is readable on its own: the
//! provenance tags, the kinds of check, every check id, and for each section its papers (with arXiv
//! ids) and its `proofs-notes/` files.
//!
//! The tag, kind and id texts are copied from the project's mathematical specification, which does
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

/// Check ids: `(section, id, what is checked, kind)`. A report id with a suffix (`RM5-base`,
/// `B3-flip-acc`) is a further measurement of the claim its prefix names.
pub const CHECK_IDS: &[(&str, &str, &str, &str)] = &[
    ("attention", "AK1", "forward O = reference softmax attention, tolerance ~eps·c·sqrt(M·d)", "identity"),
    ("attention", "AK2", "L_i = logsumexp of row i of S", "identity"),
    ("attention", "AK3", "dQ, dK, dV = reference / finite differences (uses D = rowsum(dO∘O))", "identity"),
    ("attention", "AK4", "causal block skipping = element mask; N < M and N > M per alignment", "identity"),
    ("attention", "AK5", "fully masked rows: no NaN/inf, documented O and L", "identity"),
    ("attention", "AK6", "shapes around tile edges (Br±1, Bc±1, 1, odd d)", "identity"),
    ("attention", "AK7", "FLOPs: forward 4·N·M·d per head, backward 2.5×, causal ½", "identity"),
    ("attention", "AK8", "CUDA skips without a driver (no panic); all kernels compile via NVRTC", "identity"),
    ("nexttoken", "C1", "L convex (Hessian PSD); W^svm ≠ 0 ⇒ L(W + R W^svm) strictly decreasing, no finite minimiser", "inequality"),
    ("nexttoken", "C2", "ridge path: 1 − corr(W_λ, W^svm) decreasing, < 5e-3 at λ = 1e-8; S_fin error < 1e-5", "trend"),
    ("nexttoken", "C3", "GD: corr ≥ 0.95, projected corr ≥ corr − 1e-3, S_fin error ≤ 1e-2 (NGD) / ≤ 5e-3 (GD)", "trend"),
    ("nexttoken", "C4", "attention mass on SCC(y_i) → 1", "trend"),
    ("nexttoken", "C5", "within-SCC attention = softmax of W^fin scores (L1 ≤ 1e-3 after 1e5 GD steps)", "trend"),
    ("nexttoken", "C6", "L(W(τ)) → L_red(W^fin) (> 0 with cycles)", "identity (limit value) + trend"),
    ("nexttoken", "C7", "non-convex heads: corr with local graph-SVM ≫ corr with global", "statistical"),
    ("attsvm", "A1", "regularisation path → W^mm (Frobenius) / W^mm_⋆ (nuclear, (K, Q))", "trend"),
    ("attsvm", "A2", "local GD convergence inside a cone around W^mm_α", "trend"),
    ("attsvm", "A3", "global convergence only under extra conditions; no rates", "trend (no hard assert)"),
    ("attsvm", "A4", "GD-selected tokens locally optimal; corr(W, W^mm_α) → 1", "statistical"),
    ("attsvm", "A5", "rank(Frobenius solution) ≤ n; nuclear solution lower rank", "inequality + statistical"),
    ("ccmc", "A2", "attention output = CCMC formula (1e-12); gauge W̄ + 1cᵀ invariant", "identity"),
    ("ccmc", "A3", "positional-encoding formula (position-weighted counts)", "identity"),
    ("ccmc", "A4", "nullity(H_j) = (K − |V_j|) + #components(G_j); coverage ⇔ total nullity K", "identity"),
    ("ccmc", "A5", "NLL convex, separable per column; finite MLE ⇔ split condition", "identity"),
    ("ccmc", "A6a", "n·excess KL → p/2 within the χ² band; log-log slope ∈ [−1.15, −0.85]", "statistical"),
    ("ccmc", "A6b", "parameter-error slope ∈ [−1.2, −0.8] (medians, ≥ 6 reps)", "trend"),
    ("ccmc", "A6c", "n·KL / (K(K−1)/2) ≈ 1 for K ∈ {4, 6, 8, 12}", "statistical"),
    ("ccmc", "A7.1", "distinct tokens in context never increase", "identity"),
    ("ccmc", "A7.2", "sliding window: almost-sure absorption; exact absorbing-chain solve", "identity (+ statistical MC)"),
    ("ccmc", "A7.3", "mean-field rest point: F_i = 1 on support, < 1 off it", "statistical"),
    ("ccmc", "A7.4", "single winner: winner fraction ≥ 0.85 after 1e5 steps in ≥ 7 of 8 runs", "statistical"),
    ("ccmc", "A7.5", "loser exponents r_i = exp(W̄[i,k] − W̄[k,k]) (slopes ±0.1)", "statistical"),
    ("prompt_attention", "B3", "expressivity separation: prompt-attention (PA) strictly more expressive than self-attention and linear prompt-attention (LinPA) on the contextual mixture model", "identity"),
    ("prompt_attention", "B5", "known-prompt head error: Monte Carlo against the exact finite-sample formula", "statistical"),
    ("prompt_attention", "B6.1", "gradient kernels vs finite differences, rel ≤ 1e-6", "identity"),
    ("prompt_attention", "B6.2", "PA accuracy 1; margin = α − (1−α)β to 1e-12", "identity"),
    ("prompt_attention", "B6.3", "LinPA output label-free (spread ≤ 1e-10); trained LinPA ≤ 0.55", "identity + statistical"),
    ("prompt_attention", "B6.4", "two-step GD alignment table ±15%; cos(q_2, q⋆) ≥ 0.93 at n = 32·d", "statistical"),
    ("prompt_attention", "B6.5", "known-prompt head error: MC ±0.01 of exact, ±0.02 of asymptotic", "statistical"),
    ("prompt_attention", "B6.6", "regression: SA, PA ≥ 0.98, LinPA ≤ 0.55; no SA-gap gate", "trend"),
    ("specdec", "DS1", "speculative-decoding output law = target law (exact enumeration, 1e-12)", "identity"),
    ("specdec", "DS2", "same, sampled (χ², p > 1e-3)", "statistical"),
    ("specdec", "DS3", "mutants break DS1/DS2 (negative tests)", "statistical"),
    ("specdec", "DS4", "acceptance = 1 − TVD", "identity"),
    ("specdec", "DS5", "i.i.d. block formula and pmf", "identity + statistical"),
    ("specdec", "DS6", "E[B] ≥ on-policy TVD bound; A_1 = 1 − TVD", "inequality"),
    ("specdec", "DS7", "greedy speculative decoding = greedy target decoding", "identity"),
    ("specdec", "DS8", "lossy law; TV(P_ε, p) = β_ε − β_1", "identity"),
    ("specdec", "DS9", "β_ε, TV(P_ε, p) non-increasing in ε", "inequality"),
    ("specdec", "DS10", "logit gradients (finite differences 1e-8; Σ g = 0)", "identity"),
    ("specdec", "DS11", "JSD limits and bounds, Pinsker", "inequality"),
    ("specdec", "DS12", "speedup formula, γ*", "identity"),
    ("specdec", "DS13", "knowledge distillation raises acceptance", "trend"),
    ("specdec", "DS14", "on-policy data not worse than fixed data by > 2 SE", "trend"),
    ("specdec", "DS15", "best divergence is task dependent (record only)", "trend"),
    ("memorisation", "MM1", "degenerate algorithms give mem ≡ 0 / ≡ 1", "identity"),
    ("memorisation", "MM2", "1-NN exact memorisation vs estimator (4·SE)", "statistical"),
    ("memorisation", "MM3", "duplicates: mem ≤ 1 − m/(n−1)", "inequality"),
    ("memorisation", "MM4", "estimator unbiased (3 SE)", "statistical"),
    ("memorisation", "MM5", "influence estimator (masked means; 1-NN exact within 4 SE)", "identity + statistical"),
    ("memorisation", "MM6", "≥ 2 trajectory shapes each ≥ 5%", "trend"),
    ("memorisation", "MM7", "proxies' shape agreement < 1", "trend"),
    ("memorisation", "MM8", "distillation lowers memorisation, more on noisy examples", "trend"),
    ("pause", "PT1", "M = 0 reduces to standard training", "identity"),
    ("pause", "PT2", "loss invariant to masked logits; zero gradient there", "identity"),
    ("pause", "PT3", "number of loss terms; <pause> never a target", "identity"),
    ("pause", "PT4", "pretraining insertion count/order; uniform slots (χ²)", "identity + statistical"),
    ("pause", "PT5", "parameter overhead one embedding row (two if untied)", "identity"),
    ("pause", "PT6", "decoded output = tokens after the last pause", "identity"),
    ("pause", "PT7", "paper-scale gains (documented only)", "trend"),
    ("pause", "PT-capacity", "a hand-built two-layer attention network is correct iff N + M ≥ K (implementation-capacity argument)", "identity"),
    ("cascade", "CD1", "r* minimises R_c (brute force, 1e-12)", "identity"),
    ("cascade", "CD2", "plug-in regret identity and bound", "identity + inequality"),
    ("cascade", "CD3", "curve endpoints; oracle curve dominates", "identity + inequality"),
    ("cascade", "CD4", "g decreasing in s1 ⇒ confidence curve optimal", "identity"),
    ("cascade", "CD5", "specialist h2: confidence AUDC below optimal", "trend"),
    ("cascade", "CD6", "label noise: post-hoc recovers part of the gap", "trend"),
    ("cascade", "CD7", "post-hoc gains largest at low deferral rates", "trend"),
    ("cascade", "CD8", "expected cost = cost1 + rate·cost2", "identity"),
    ("resmem", "RM1", "k = 1 ⇒ f_RM(x_i) = y_i exactly", "identity"),
    ("resmem", "RM2", "σ → 0 ⇒ memorisation", "trend (limit)"),
    ("resmem", "RM3", "σ → ∞ ⇒ uniform average / constant shift", "trend (limit)"),
    ("resmem", "RM4", "zero residuals ⇒ f_RM = f", "identity"),
    ("resmem", "RM5", "ResMem risk slope ∈ [0.5, 0.9]; base risk flat (< 1%)", "trend"),
    ("resmem", "RM6", "weights sum to 1, equivariant, invariant to rigid motions of φ", "identity"),
    ("resmem", "RM7", "test gains over base", "trend"),
    ("supervision", "SC1", "SC = RKHS norm² = eigen form (rel 1e-10)", "identity"),
    ("supervision", "SC2", "SC ≥ 0, degree-2 homogeneous, convex, column-additive", "identity + inequality"),
    ("supervision", "SC3", "K' ⪰ K ⇒ SC(Y, K') ≤ SC(Y, K)", "inequality"),
    ("supervision", "SC4", "random labels have larger SC than smooth labels", "inequality (instance)"),
    ("supervision", "SC5", "SC of centred teacher probabilities → 0 as τ → ∞", "trend"),
    ("supervision", "SC6", "later checkpoints ⇒ higher SC", "trend"),
    ("supervision", "SC7", "distilled students generalise better", "trend"),
    ("supervision", "SC8", "margin bound holds (only when non-vacuous)", "statistical"),
    ("embed_distill", "ED1", "score gap ≤ ‖Δq‖‖d_t‖ + ‖q_s‖‖Δd‖", "inequality"),
    ("embed_distill", "ED2", "norm-bounded score/loss gap", "inequality"),
    ("embed_distill", "ED3", "asymmetric student gap = ⟨Δq, d_t⟩", "identity"),
    ("embed_distill", "ED4", "zero mismatch ⇒ zero losses and gradients", "identity"),
    ("embed_distill", "ED5", "softmax-CE minimiser; margin-MSE shift invariance", "identity"),
    ("embed_distill", "ED6", "gradient formulas (abs 3e-9)", "identity"),
    ("embed_distill", "ED7", "embedding matching improves retrieval", "trend"),
];

/// `(what, kind)` of a check id in a section: the id itself, else the id with its `-suffix` parts
/// dropped one by one (`B3-flip-acc`, then `B3-flip`, then `B3`).
pub fn check_id(section: &str, id: &str) -> Option<(&'static str, &'static str)> {
    let mut key = id;
    loop {
        if let Some(&(_, _, what, kind)) = CHECK_IDS
            .iter()
            .find(|&&(s, k, _, _)| s == section && k == key)
        {
            return Some((what, kind));
        }
        key = &key[..key.rfind('-')?];
    }
}
