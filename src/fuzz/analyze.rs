//! The `analyze` fuzz bodies: `attnmech analyze`'s JSON entry point, the one place where the crate
//! reads untrusted files, on arbitrary bytes ([`analyze_json`]) and on decoded documents that look
//! valid ([`analyze_structured`]: the right fields, small vocabularies, realisable labels, with
//! targeted corruptions such as huge or negative sizes, out-of-range ids, ragged embeddings,
//! extreme numbers, unknown fields and truncation).

use crate::fuzz::bytes::Bytes;
use crate::nexttoken::analyze::analyze_json as analyze;
use std::fmt::Write;

/// Checks one document: no panic; an `Ok` output is valid JSON without `null` (a non-finite
/// number serialises as `null`), and every predicted distribution sums to one.
fn check(doc: &str) {
    let Ok(out) = analyze(doc) else { return };
    let v: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("analyze output is not JSON ({e})\n{doc}\n{out}"));
    assert!(
        !out.contains("null"),
        "analyze output holds a non-finite number\n{doc}\n{out}"
    );
    for p in v["predictions"].as_array().into_iter().flatten() {
        let s: f64 = p["distribution"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_f64())
            .sum();
        assert!(
            (s - 1.0).abs() <= 1e-9,
            "prediction sums to {s}\n{doc}\n{out}"
        );
    }
}

/// `analyze_json` on the bytes as text (lossy UTF-8): never a panic or an abort, whatever the file.
pub fn analyze_json(data: &[u8]) {
    check(&String::from_utf8_lossy(data));
}

/// A number as JSON, or a corruption of it.
fn number(b: &mut Bytes, plain: usize, hostile: bool) -> String {
    if !(hostile && b.one_in(12)) {
        return plain.to_string();
    }
    [
        "1000000",
        "18446744073709551615",
        "18446744073709551616",
        "4294967296",
        "0",
        "-1",
        "1.5",
        "1e400",
        "\"2\"",
        "null",
    ][b.below(10)]
    .to_string()
}

fn float(b: &mut Bytes, hostile: bool) -> String {
    if hostile && b.one_in(12) {
        [
            "1e308", "-1e308", "1e309", "5e-324", "-0.0", "1e-320", "NaN",
        ][b.below(7)]
        .to_string()
    } else {
        format!("{}", b.grid())
    }
}

fn ids(b: &mut Bytes, n: usize, vocab: usize, hostile: bool) -> String {
    let v: Vec<String> = (0..n)
        .map(|_| {
            let id = b.below(vocab);
            number(b, id, hostile)
        })
        .collect();
    format!("[{}]", v.join(","))
}

/// Builds a document from the bytes: `{"vocab", "embeddings"?, "samples", "prompts"?}` with
/// `vocab ≤ 4`, up to 6 samples of up to 5 tokens whose label usually occurs in them, and, in
/// hostile mode (first byte's top bit), corruptions. Returns the text.
pub fn structured_document(data: &[u8]) -> String {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let vocab = b.range(1, 4);
    let mut doc = format!("{{\"vocab\": {}", number(&mut b, vocab, hostile));
    if b.flag() {
        let dim = b.range(1, 3);
        let rows: Vec<String> = (0..vocab + usize::from(hostile && b.one_in(8)))
            .map(|_| {
                let len = if hostile && b.one_in(8) {
                    b.below(4)
                } else {
                    dim
                };
                let r: Vec<String> = (0..len).map(|_| float(&mut b, hostile)).collect();
                format!("[{}]", r.join(","))
            })
            .collect();
        let _ = write!(doc, ", \"embeddings\": [{}]", rows.join(","));
    }
    let samples: Vec<String> = (0..b.range(usize::from(!hostile), 6))
        .map(|_| {
            let empty_ok = hostile && b.one_in(8);
            let n = b.range(usize::from(!empty_ok), 5);
            let tokens: Vec<usize> = (0..n).map(|_| b.below(vocab)).collect();
            let label = if tokens.is_empty() || (hostile && b.one_in(8)) {
                b.below(vocab + 1)
            } else {
                tokens[b.below(tokens.len())]
            };
            let t: Vec<String> = tokens.iter().map(|&t| number(&mut b, t, hostile)).collect();
            format!(
                "{{\"tokens\": [{}], \"label\": {}}}",
                t.join(","),
                number(&mut b, label, hostile)
            )
        })
        .collect();
    let _ = write!(doc, ", \"samples\": [{}]", samples.join(","));
    if b.flag() {
        let prompts: Vec<String> = (0..b.below(3))
            .map(|_| {
                let n = b.range(usize::from(!hostile), 4);
                ids(&mut b, n, vocab, hostile)
            })
            .collect();
        let _ = write!(doc, ", \"prompts\": [{}]", prompts.join(","));
    }
    if hostile && b.one_in(16) {
        doc.push_str(", \"extra\": 1");
    }
    doc.push('}');
    if hostile && b.one_in(16) {
        let cut = b.below(doc.len() + 1);
        doc.truncate(cut);
    }
    doc
}

/// `analyze_json` on a decoded, valid-looking document ([`structured_document`]); same checks as
/// [`analyze_json`].
pub fn analyze_structured(data: &[u8]) {
    check(&structured_document(data));
}
