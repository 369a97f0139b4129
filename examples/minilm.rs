//! Sentence embeddings from all-MiniLM-L6-v2 running on attnmech's kernels.
//!
//! ```text
//! bash scripts/fetch_minilm.sh
//! cargo run --release --features models --example minilm -- "A sentence." "Another one."
//! ```
//! Prints each sentence's token count, embedding norm and first coordinates, then the cosine
//! similarity of every pair. The weights are read from `$ATTNMECH_MODELS/all-minilm-l6-v2`
//! (default `~/.cache/attnmech/all-minilm-l6-v2`).

use attnmech::models::{default_model_dir, MiniLm};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sentences: Vec<String> = std::env::args().skip(1).collect();
    if sentences.is_empty() {
        eprintln!("usage: minilm \"A sentence.\" [\"Another one.\" ...]");
        std::process::exit(2);
    }
    let dir = default_model_dir();
    if !dir.join("model.safetensors").is_file() {
        eprintln!(
            "all-MiniLM-L6-v2 weights not found at {}; run scripts/fetch_minilm.sh",
            dir.display()
        );
        std::process::exit(1);
    }
    let model = MiniLm::load(&dir)?;
    let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let batch = model.tokenize(&refs)?;
    // Best of 5 runs: the first also pays for page faults and thread start-up.
    let mut emb = Vec::new();
    let mut elapsed = std::time::Duration::MAX;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        emb = model.model.embed(&batch)?;
        elapsed = elapsed.min(start.elapsed());
    }
    let d = model.model.config.hidden;
    for (i, (s, e)) in sentences.iter().zip(emb.chunks_exact(d)).enumerate() {
        let norm = e.iter().map(|x| x * x).sum::<f32>().sqrt();
        println!(
            "[{i}] {} tokens, norm {norm:.6}, first coordinates {:?}  {s:?}",
            batch.lengths[i],
            &e[..4]
        );
    }
    if sentences.len() > 1 {
        println!("cosine similarities:");
        for i in 0..sentences.len() {
            let row: Vec<String> = (0..sentences.len())
                .map(|j| {
                    let c: f32 = emb[i * d..(i + 1) * d]
                        .iter()
                        .zip(&emb[j * d..(j + 1) * d])
                        .map(|(a, b)| a * b)
                        .sum();
                    format!("{c:7.4}")
                })
                .collect();
            println!("  [{i}] {}", row.join(" "));
        }
    }
    println!(
        "encoded {} sentences ({} tokens) in {:.1} ms (best of 5)",
        sentences.len(),
        batch.tokens(),
        elapsed.as_secs_f64() * 1e3
    );
    Ok(())
}
