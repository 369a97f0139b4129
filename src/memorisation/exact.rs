//! Exact memorisation and influence of a 1-nearest-neighbour classifier by subset combinatorics.
//!
//! For a query, order the training points by distance (ties by lower index). A 1-NN trained on a
//! uniform `m`-subset predicts the label of the first point of that order that lies in the
//! subset. For an ordered list of `N` items and a uniform `s`-subset, the `j`-th item (0-based) is
//! the first one selected with probability `P_j = C(N-1-j, s-1) / C(N, s)`, computed by the
//! overflow-free recurrence `P_0 = s/N`, `P_{j+1} = P_j (N-j-s)/(N-1-j)`.

use crate::error::{check_len, Error, Result};
use crate::resmem::knn::{BruteForce, NeighbourIndex, Neighbours};

/// `P_j`, `j = 0..N`: the probability that item `j` of an ordered list of `N` is the first one in a
/// uniform `s`-subset (all zeros when `s = 0`).
pub fn first_selected_probs(big_n: usize, s: usize) -> Vec<f64> {
    let mut p = vec![0.0; big_n];
    if s == 0 || s > big_n {
        return p;
    }
    p[0] = s as f64 / big_n as f64;
    for j in 0..big_n - 1 {
        let num = big_n as f64 - j as f64 - s as f64;
        p[j + 1] = if num <= 0.0 {
            0.0
        } else {
            p[j] * num / (big_n - 1 - j) as f64
        };
    }
    p
}

/// `(P(correct | i ∈ S), P(correct | i ∉ S))` of the 1-NN on one query whose training points,
/// nearest first, are `order` (a permutation of `0..n`), for `|S| = m` uniform.
fn conditional_accuracies(
    order: &[usize],
    labels: &[usize],
    query_label: usize,
    i: usize,
    m: usize,
) -> (f64, f64) {
    let n = order.len();
    let in_probs = first_selected_probs(n - 1, m - 1);
    let out_probs = first_selected_probs(n - 1, m);
    // Others ranked before i keep their rank q among the others, so "before i" is q < pos_i.
    let pos_i = order.iter().position(|&o| o == i).unwrap_or(n);
    let (mut p_in, mut p_out, mut before_i) = (0.0, 0.0, 0.0);
    for (q, &j) in order.iter().filter(|&&j| j != i).enumerate() {
        let hit = (labels[j] == query_label) as u8 as f64;
        p_out += out_probs[q] * hit;
        if q < pos_i {
            p_in += in_probs[q] * hit;
            before_i += in_probs[q];
        }
    }
    // Given i ∈ S and none of the points ranked before it selected, i itself answers.
    p_in += (1.0 - before_i) * (labels[i] == query_label) as u8 as f64;
    (p_in, p_out)
}

fn check_problem(x: &[f64], labels: &[usize], d: usize, m: usize) -> Result<usize> {
    if d == 0 {
        return Err(Error::InvalidArgument {
            what: "d",
            reason: "dimension must be positive".into(),
        });
    }
    let n = labels.len();
    check_len(
        "x",
        crate::error::checked_elems("x (n·d)", &[n, d])?,
        x.len(),
    )?;
    if n < 2 || m == 0 || m >= n {
        return Err(Error::InvalidArgument {
            what: "m",
            reason: format!("need 1 <= m <= n - 1 with n >= 2, got m = {m}, n = {n}"),
        });
    }
    Ok(n)
}

/// Full distance orders of `queries` over the training points (nearest first, ties by index).
pub fn distance_orders(x: &[f64], queries: &[f64], d: usize) -> Result<Neighbours> {
    let index = BruteForce::new(x.to_vec(), d)?;
    index.search(queries, index.len())
}

/// Exact size-`m` memorisation of every training point by a 1-NN classifier:
/// `mem_i = P(h_S(x_i) = y_i | i ∈ S) - P(h_S(x_i) = y_i | i ∉ S)`, `|S| = m` uniform.
///
/// `x` `[n, d]` row-major, `labels` `[n]`, `1 <= m <= n-1`.
pub fn exact_1nn_memorisation(x: &[f64], labels: &[usize], d: usize, m: usize) -> Result<Vec<f64>> {
    let n = check_problem(x, labels, d, m)?;
    let orders = distance_orders(x, x, d)?;
    Ok((0..n)
        .map(|i| {
            let (a, b) = conditional_accuracies(orders.row(i), labels, labels[i], i, m);
            a - b
        })
        .collect())
}

/// Exact influence of each training point on each test point for a 1-NN, `[n, t]` row-major:
/// `P(correct on x_j | i ∈ S) - P(correct on x_j | i ∉ S)`.
pub fn exact_1nn_influence(
    x: &[f64],
    labels: &[usize],
    test_x: &[f64],
    test_labels: &[usize],
    d: usize,
    m: usize,
) -> Result<Vec<f64>> {
    let n = check_problem(x, labels, d, m)?;
    check_len("test_x", test_labels.len() * d, test_x.len())?;
    let orders = distance_orders(x, test_x, d)?;
    let t = test_labels.len();
    let mut out = vec![0.0; n * t];
    for (j, &yj) in test_labels.iter().enumerate() {
        for i in 0..n {
            let (a, b) = conditional_accuracies(orders.row(j), labels, yj, i, m);
            out[i * t + j] = a - b;
        }
    }
    Ok(out)
}

/// Simulated 1-NN correctness `[runs, t]`: run `k`'s classifier, trained on the members of row
/// `k` of `membership` `[runs, n]`, answers each query with the label of its nearest member.
/// `orders` are the queries' full distance orders ([`distance_orders`]).
pub fn one_nn_correctness(
    orders: &Neighbours,
    labels: &[usize],
    query_labels: &[usize],
    membership: &[u8],
    runs: usize,
) -> Result<Vec<u8>> {
    let n = labels.len();
    check_len(
        "membership",
        crate::error::checked_elems("membership: runs·n", &[runs, n])?,
        membership.len(),
    )?;
    check_len("query_labels", orders.n_queries(), query_labels.len())?;
    // `orders` may come from any `NeighbourIndex`: its ids index `labels` and the membership rows.
    crate::error::check_ids("orders (reference ids)", orders.indices(), n)?;
    let t = query_labels.len();
    let mut out = vec![0u8; runs * t];
    for k in 0..runs {
        let member = &membership[k * n..(k + 1) * n];
        for (j, &yj) in query_labels.iter().enumerate() {
            let first = orders.row(j).iter().find(|&&i| member[i] == 1);
            out[k * t + j] = first.is_some_and(|&i| labels[i] == yj) as u8;
        }
    }
    Ok(out)
}
