//! The spec's worked instances (§9) as library values, for tests, the report and examples.

use super::dataset::{Dataset, Embeddings, Sample};
use crate::qp::Mat;

fn sample(tokens: &[usize], label: usize) -> Sample {
    Sample {
        tokens: tokens.to_vec(),
        label,
    }
}

/// HT1 (2-SCC cycle): `E = I_3`, `([0,1,2], y=0) ×2`, `([0,1,2], y=1)`. SCCs `{0,1} ≻ {2}`,
/// `‖W^svm‖² = 2/3`, `W^fin = (ln2/2)(e0 − e1)e2ᵀ`, limit loss `(2 ln 1.5 + ln 3)/3`.
pub fn ht1() -> Dataset {
    let s = [
        sample(&[0, 1, 2], 0),
        sample(&[0, 1, 2], 0),
        sample(&[0, 1, 2], 1),
    ];
    Dataset::new(Embeddings::identity(3), &s).expect("HT1 is valid")
}

/// HT3 (acyclic chain): `E = I_4`, `([0,1,3], 0)`, `([1,2,3], 1)`, `([2,3], 2)`;
/// `W^svm = (1.5, 0.5, −0.5, −1.5)ᵀ e3ᵀ`, `W^fin = 0`.
pub fn ht3() -> Dataset {
    let s = [
        sample(&[0, 1, 3], 0),
        sample(&[1, 2, 3], 1),
        sample(&[2, 3], 2),
    ];
    Dataset::new(Embeddings::identity(4), &s).expect("HT3 is valid")
}

/// HT6 (infeasible, `K > d`): `d = 1`, `E = [1, 2, 3]ᵀ`, `([0,1,2], 0)`, `([1,0], 1)`.
pub fn ht6() -> Dataset {
    let e = Mat::from_row_major(3, 1, vec![1.0, 2.0, 3.0]).expect("3 × 1");
    let s = [sample(&[0, 1, 2], 0), sample(&[1, 0], 1)];
    Dataset::new(Embeddings { e }, &s).expect("HT6 is valid")
}
