//! The `nexttoken` fuzz body: the one-layer next-token model's loss and gradient against the
//! plain f64 reference, the prompt distribution, the graph SVM on priority graphs (possibly from
//! another vocabulary), and the Luce MLE, on hostile samples, embeddings, weights and choice sets.

use crate::fuzz::bytes::{assert_finite, moderate, Bytes};
use crate::nexttoken::dataset::{Dataset, Embeddings, Sample};
use crate::nexttoken::finite::luce_mle;
use crate::nexttoken::graph::PriorityGraph;
use crate::nexttoken::model::{
    loss_and_grad, prompt_distribution, reference_loss_and_grad, GradientForm,
};
use crate::nexttoken::svm::graph_svm;
use crate::qp::Mat;

fn embeddings(b: &mut Bytes, vocab: usize, hostile: bool) -> Option<Embeddings> {
    if b.flag() {
        return Some(Embeddings::identity(vocab));
    }
    let d = b.range(1, 3);
    Embeddings::new(Mat::from_row_major(vocab, d, b.values(vocab * d, hostile)).ok()?).ok()
}

fn samples(b: &mut Bytes, vocab: usize, hostile: bool) -> Vec<Sample> {
    (0..b.range(1, 5))
        .map(|_| {
            let len = b.range(1, 4);
            let tokens = b.ids(len, vocab, hostile);
            let label = if hostile && b.one_in(8) {
                b.below(vocab + 1)
            } else {
                tokens[b.below(tokens.len())]
            };
            Sample { tokens, label }
        })
        .collect()
}

/// Decodes one call and checks it: no panic; `Ok` results finite; the stable gradient form agrees
/// with the plain reference (`1e-9` relative) on moderate weights; the prompt distribution sums to
/// one; graph-SVM and Luce solutions are finite.
pub fn nexttoken(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let vocab = b.range(1, 4);
    match mode % 4 {
        0 | 1 => {
            let Some(emb) = embeddings(&mut b, vocab, hostile) else {
                return;
            };
            let d = emb.dim();
            let s = samples(&mut b, vocab, hostile);
            let Ok(ds) = Dataset::new(emb.clone(), &s) else {
                return;
            };
            let w = b.values(d * d, hostile);
            let Ok(w) = Mat::from_row_major(d, d, w) else {
                return;
            };
            let call = (&emb, &s, &w);
            if mode.is_multiple_of(4) {
                let want = reference_loss_and_grad(&ds, &w).expect("W is d × d and finite");
                // A finite-input overflow is an error naming it; a well-scaled input (weights
                // and embeddings within 1e100, so every score is below 1e301) must succeed.
                let got = match loss_and_grad(&ds, &w, GradientForm::Stable) {
                    Ok(got) => got,
                    Err(e) => {
                        assert!(
                            !(moderate(w.data()) && moderate(emb.matrix().data())),
                            "well-scaled input rejected: {e}\n{call:?}"
                        );
                        return;
                    }
                };
                assert!(
                    got.loss.is_finite() && got.grad.is_finite(),
                    "non-finite loss or gradient\n{call:?}"
                );
                if moderate(w.data())
                    && moderate(emb.matrix().data())
                    && w.data()
                        .iter()
                        .chain(emb.matrix().data())
                        .all(|x| x.abs() <= 8.0)
                {
                    assert!(
                        (got.loss - want.loss).abs() <= 1e-9 * (1.0 + want.loss.abs()),
                        "loss {} vs reference {}\n{call:?}",
                        got.loss,
                        want.loss
                    );
                    let scale = 1.0 + want.grad.norm();
                    assert!(
                        got.grad.sub(&want.grad).norm() <= 1e-9 * scale,
                        "gradient differs from the reference\n{call:?}"
                    );
                }
            } else {
                let len = b.below(4);
                let prompt = b.ids(len, vocab, hostile);
                if let Ok(p) = prompt_distribution(&emb, &w, &prompt) {
                    assert_finite("prompt_distribution", &p, &(call, &prompt));
                    let s: f64 = p.iter().sum();
                    assert!(
                        (s - 1.0).abs() <= 1e-12 * (vocab as f64 + 1.0),
                        "sums to {s}\n{:?}",
                        (call, &prompt)
                    );
                }
            }
        }
        2 => {
            let Some(emb) = embeddings(&mut b, vocab, false) else {
                return;
            };
            let s = samples(&mut b, vocab, false);
            let Ok(ds) = Dataset::new(emb, &s) else {
                return;
            };
            // Graphs from the samples, over this vocabulary or (hostile) another one.
            let gv = if hostile && b.one_in(4) {
                b.range(1, 5)
            } else {
                vocab
            };
            let graphs: Vec<PriorityGraph> = (0..gv)
                .map(|k| {
                    let mine: Vec<(usize, Vec<usize>)> = s
                        .iter()
                        .filter(|x| {
                            x.tokens.last() == Some(&k)
                                && x.label < gv
                                && x.tokens.iter().all(|&t| t < gv)
                        })
                        .map(|x| (x.label, x.tokens.clone()))
                        .collect();
                    PriorityGraph::from_samples(k, gv, &mine).expect("ids filtered below gv")
                })
                .collect();
            if let Ok(svm) = graph_svm(&ds, &graphs) {
                assert!(svm.w.is_finite(), "graph_svm not finite\n{s:?}");
            }
        }
        _ => {
            // Well-posed: distinct members and choice sets drawn from them; hostile: any ids.
            let m = if hostile { b.below(5) } else { b.range(1, 4) };
            let members: Vec<usize> = if hostile {
                (0..m).map(|_| b.below(6)).collect()
            } else {
                (0..m).collect()
            };
            let pool = if hostile { 7 } else { m };
            let choices: Vec<(usize, Vec<(usize, f64)>)> = (0..b.below(6))
                .map(|_| {
                    let set: Vec<(usize, f64)> = (0..b.range(1, 4))
                        .map(|_| {
                            (
                                b.below(pool),
                                if hostile {
                                    b.scalar(true)
                                } else {
                                    1.0 + b.below(3) as f64
                                },
                            )
                        })
                        .collect();
                    (set[b.below(set.len())].0, set)
                })
                .collect();
            if let Ok(u) = luce_mle(&members, &choices) {
                assert_finite("luce_mle", &u, &(&members, &choices));
            }
        }
    }
}
