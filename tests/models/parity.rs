//! all-MiniLM-L6-v2 on attnmech's kernels against PyTorch (tests/fixtures/minilm, made by
//! scripts/minilm_reference.sh). Needs the weights (scripts/fetch_minilm.sh); skips without them.

use attnmech::models::{default_model_dir, Batch, MiniLm};
use safetensors::SafeTensors;
use std::sync::OnceLock;

/// The acceptance thresholds.
const MIN_COSINE: f64 = 0.99999;
const MAX_EMBEDDING_ERR: f64 = 1e-4;
const MAX_HIDDEN_ERR: f64 = 1e-3;
/// Padding: a sentence alone vs inside a padded batch. Only the attention kernel sees padding
/// (masked keys contribute exp(−∞) = 0), so the results may differ only by f32 rounding of
/// differently blocked sums: stated at 10× below the parity threshold.
const MAX_PADDING_ERR: f64 = 1e-5;

fn model() -> Option<&'static MiniLm> {
    static MODEL: OnceLock<Option<MiniLm>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = default_model_dir();
            if !dir.join("model.safetensors").is_file() {
                println!(
                    "SKIP: all-MiniLM-L6-v2 weights not found at {}; run scripts/fetch_minilm.sh",
                    dir.display()
                );
                return None;
            }
            Some(MiniLm::load(&dir).expect("loading all-MiniLM-L6-v2"))
        })
        .as_ref()
}

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm")
}

fn sentences() -> Vec<String> {
    let text = std::fs::read_to_string(fixture_dir().join("sentences.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Reference {
    embeddings: Vec<f32>,
    input_ids: Vec<usize>,
    lengths: Vec<usize>,
    hidden_index: Vec<(usize, usize)>,
    hidden_rows: Vec<f32>,
}

fn reference() -> Reference {
    let bytes = std::fs::read(fixture_dir().join("reference.safetensors")).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let f32s = |name: &str| -> Vec<f32> {
        st.tensor(name)
            .unwrap()
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    let ints = |name: &str| -> Vec<usize> {
        st.tensor(name)
            .unwrap()
            .data()
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().unwrap()) as usize)
            .collect()
    };
    let idx = ints("hidden_index");
    Reference {
        embeddings: f32s("embeddings"),
        input_ids: ints("input_ids"),
        lengths: ints("lengths"),
        hidden_index: idx.chunks_exact(2).map(|p| (p[0], p[1])).collect(),
        hidden_rows: f32s("hidden_rows"),
    }
}

#[test]
fn minilm_matches_pytorch() {
    let Some(m) = model() else { return };
    let sentences = sentences();
    let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let r = reference();
    let batch = m.tokenize(&refs).unwrap();
    assert_eq!(
        batch.lengths, r.lengths,
        "token counts differ from the reference tokenizer"
    );
    assert_eq!(
        batch.ids, r.input_ids,
        "token ids differ from the reference tokenizer"
    );

    let d = m.model.config.hidden;
    let hidden = m.model.forward(&batch).unwrap();
    let offsets = batch.offsets();
    let mut hidden_err = 0.0f64;
    for (row, &(s, t)) in r.hidden_index.iter().enumerate() {
        let ours = &hidden[(offsets[s] + t) * d..(offsets[s] + t + 1) * d];
        let theirs = &r.hidden_rows[row * d..(row + 1) * d];
        for (a, b) in ours.iter().zip(theirs) {
            hidden_err = hidden_err.max((a - b).abs() as f64);
        }
    }
    let emb = m.model.embed(&batch).unwrap();
    let (mut emb_err, mut min_cos) = (0.0f64, 1.0f64);
    for (a, b) in emb.chunks_exact(d).zip(r.embeddings.chunks_exact(d)) {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
        let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        min_cos = min_cos.min(dot / (na * nb));
        for (x, y) in a.iter().zip(b) {
            emb_err = emb_err.max((x - y).abs() as f64);
        }
    }
    println!(
        "MiniLM parity over {} sentences: min cosine {min_cos:.9}, embedding max abs err {emb_err:.3e}, \
         hidden max abs err {hidden_err:.3e} ({} rows)",
        sentences.len(),
        r.hidden_index.len()
    );
    assert!(min_cos >= MIN_COSINE, "min cosine {min_cos}");
    assert!(
        emb_err <= MAX_EMBEDDING_ERR,
        "embedding max abs err {emb_err:e}"
    );
    assert!(
        hidden_err <= MAX_HIDDEN_ERR,
        "hidden max abs err {hidden_err:e}"
    );
}

#[test]
fn padding_does_not_change_embeddings() {
    let Some(m) = model() else { return };
    let sentences = sentences();
    let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let d = m.model.config.hidden;
    let together = m.embed(&refs).unwrap();
    let mut worst = 0.0f64;
    for (i, s) in refs.iter().enumerate() {
        let alone = m.embed(&[*s]).unwrap();
        for (a, b) in alone.iter().zip(&together[i * d..(i + 1) * d]) {
            worst = worst.max((a - b).abs() as f64);
        }
    }
    println!(
        "padding: max abs difference, alone vs in a padded batch of {}: {worst:.3e}",
        refs.len()
    );
    assert!(
        worst <= MAX_PADDING_ERR,
        "padding changed an embedding by {worst:e}"
    );
}

#[test]
fn minilm_rejects_bad_batches() {
    let Some(m) = model() else { return };
    let c = &m.model.config;
    let too_long = Batch::from_sequences(&[vec![101; c.max_positions + 1]]);
    assert!(m.model.forward(&too_long).is_err());
    let bad_id = Batch::from_sequences(&[vec![101, c.vocab_size, 102]]);
    assert!(m.model.forward(&bad_id).is_err());
    assert!(m.embed(&[]).is_err());
}
