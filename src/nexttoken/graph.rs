//! Token-priority graphs (TPG), their strongly connected components and condensation DAG.
//!
//! For each query token `k`, `G^(k)` has an edge `y → j` for every sample with query `k`, label `y`
//! and every distinct token `j ≠ y` of its sequence (the query included). `i ⇒_k j` iff a path
//! `i → … → j` exists; equal priority = same SCC. SCCs come from an iterative Tarjan (no recursion,
//! so no depth limit); heights are longest-path lengths to a sink of the condensation.

use super::dataset::Dataset;
use crate::error::{check_ids, check_len, Error, Result};
use std::collections::VecDeque;

/// `G^(k)` for one query token, with its SCC decomposition. Built only by
/// [`PriorityGraph::from_samples`] / [`build_graphs`], so its parts agree; read them through the
/// getters.
#[derive(Clone, Debug)]
pub struct PriorityGraph {
    /// The query token `k`.
    pub(crate) query: usize,
    /// Successors of every node (sorted, distinct, no self-loops); `K` nodes.
    pub(crate) succ: Vec<Vec<usize>>,
    /// Whether the token occurs in some sample with query `k`.
    pub(crate) present: Vec<bool>,
    /// SCC id of every node.
    pub(crate) scc_of: Vec<usize>,
    /// Members of every SCC (sorted).
    pub(crate) sccs: Vec<Vec<usize>>,
    /// Height of every SCC in the condensation (longest path to a sink; sinks have 0).
    pub(crate) height: Vec<usize>,
}

impl PriorityGraph {
    /// The query token `k`.
    pub fn query(&self) -> usize {
        self.query
    }
    /// Successors of every node (sorted, distinct, no self-loops); `K` lists.
    pub fn succ(&self) -> &[Vec<usize>] {
        &self.succ
    }
    /// Whether each token occurs in some sample with query `k`.
    pub fn present(&self) -> &[bool] {
        &self.present
    }
    /// SCC id of every node.
    pub fn scc_of(&self) -> &[usize] {
        &self.scc_of
    }
    /// Members of every SCC (sorted).
    pub fn sccs(&self) -> &[Vec<usize>] {
        &self.sccs
    }
    /// Height of every SCC in the condensation (longest path to a sink; sinks have 0).
    pub fn height(&self) -> &[usize] {
        &self.height
    }

    /// Builds `G^(k)` on `vocab` nodes from `(label, distinct tokens)` pairs of the samples whose
    /// query is `k`.
    ///
    /// # Errors
    /// `OutOfRange` for a query, label or token not below `vocab` (checked before allocating).
    pub fn from_samples(
        query: usize,
        vocab: usize,
        samples: &[(usize, Vec<usize>)],
    ) -> Result<Self> {
        check_ids("graph query", &[query], vocab)?;
        for (y, toks) in samples {
            check_ids("graph sample label", &[*y], vocab)?;
            check_ids("graph sample tokens", toks, vocab)?;
        }
        Ok(Self::from_samples_of(query, vocab, samples))
    }

    /// [`PriorityGraph::from_samples`] for ids below `vocab` by construction.
    pub(crate) fn from_samples_of(
        query: usize,
        vocab: usize,
        samples: &[(usize, Vec<usize>)],
    ) -> Self {
        let mut succ = vec![Vec::new(); vocab];
        let mut present = vec![false; vocab];
        for (y, toks) in samples {
            present[*y] = true;
            for &j in toks {
                present[j] = true;
                if j != *y {
                    succ[*y].push(j);
                }
            }
        }
        for s in &mut succ {
            s.sort_unstable();
            s.dedup();
        }
        let (scc_of, sccs) = tarjan(&succ);
        let mut g = PriorityGraph {
            query,
            succ,
            present,
            scc_of,
            sccs,
            height: Vec::new(),
        };
        g.height = g.condensation_heights();
        g
    }

    /// Number of nodes `K`.
    pub fn vocab(&self) -> usize {
        self.succ.len()
    }

    /// Every edge `(i, j)`.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.succ
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.iter().map(move |&j| (i, j)))
    }

    /// `i ≍_k j`: same SCC.
    pub fn same_scc(&self, i: usize, j: usize) -> bool {
        self.scc_of[i] == self.scc_of[j]
    }

    /// `i ⇒_k j`: a directed path from `i` to `j` (every node reaches itself).
    pub fn reaches(&self, i: usize, j: usize) -> bool {
        if i == j {
            return true;
        }
        let mut seen = vec![false; self.vocab()];
        let mut queue = VecDeque::from([i]);
        seen[i] = true;
        while let Some(u) = queue.pop_front() {
            for &v in &self.succ[u] {
                if v == j {
                    return true;
                }
                if !seen[v] {
                    seen[v] = true;
                    queue.push_back(v);
                }
            }
        }
        false
    }

    /// `i ≻_k j`: `i ⇒ j` and not `j ⇒ i`.
    pub fn strictly_higher(&self, i: usize, j: usize) -> bool {
        self.reaches(i, j) && !self.reaches(j, i)
    }

    /// The SCCs of present tokens, highest priority first (height descending, then smallest
    /// member): a topological order of the condensation.
    pub fn sccs_in_priority_order(&self) -> Vec<Vec<usize>> {
        let mut ids: Vec<usize> = (0..self.sccs.len())
            .filter(|&c| self.sccs[c].iter().any(|&t| self.present[t]))
            .collect();
        ids.sort_by_key(|&c| (std::cmp::Reverse(self.height[c]), self.sccs[c][0]));
        ids.into_iter().map(|c| self.sccs[c].clone()).collect()
    }

    /// Whether some SCC has two or more members (a cycle).
    pub fn is_cyclic(&self) -> bool {
        self.sccs.iter().any(|c| c.len() >= 2)
    }

    /// Whether some edge crosses two SCCs (then the graph-SVM has an inequality row).
    pub fn has_cross_edge(&self) -> bool {
        self.edges().any(|(i, j)| !self.same_scc(i, j))
    }

    fn condensation_heights(&self) -> Vec<usize> {
        // Tarjan numbers SCCs in reverse topological order: successors of SCC c have ids < c.
        let mut height = vec![0usize; self.sccs.len()];
        for c in 0..self.sccs.len() {
            let mut h = 0;
            for &u in &self.sccs[c] {
                for &v in &self.succ[u] {
                    let cv = self.scc_of[v];
                    if cv != c {
                        h = h.max(height[cv] + 1);
                    }
                }
            }
            height[c] = h;
        }
        height
    }
}

/// Iterative Tarjan: returns (SCC id of every node, members of every SCC). SCC ids follow
/// completion order, which is a reverse topological order of the condensation.
pub fn tarjan(succ: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    const UNSEEN: usize = usize::MAX;
    let n = succ.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut scc_of = vec![UNSEEN; n];
    let mut sccs: Vec<Vec<usize>> = Vec::new();
    let mut next = 0usize;
    // Explicit DFS stack of (node, position in its successor list).
    let mut call: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        call.push((root, 0));
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if *pos < succ[v].len() {
                let w = succ[v][*pos];
                *pos += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let id = sccs.len();
                    let mut members = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        scc_of[w] = id;
                        members.push(w);
                        if w == v {
                            break;
                        }
                    }
                    members.sort_unstable();
                    sccs.push(members);
                }
            }
        }
    }
    (scc_of, sccs)
}

/// All token-priority graphs of a dataset, one per query token that occurs (ascending query id).
pub fn build_graphs(ds: &Dataset) -> Vec<PriorityGraph> {
    let kv = ds.vocab();
    let mut per_query: Vec<Vec<(usize, Vec<usize>)>> = vec![Vec::new(); kv];
    for r in ds.rows() {
        let mut toks: Vec<usize> = r.others.iter().map(|o| o.0).collect();
        toks.push(r.label);
        per_query[r.query].push((r.label, toks));
    }
    per_query
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(k, s)| PriorityGraph::from_samples_of(k, kv, s))
        .collect()
}

/// Checks that `graphs` are well-formed graphs on `vocab` nodes: every per-node vector has `vocab`
/// entries, every successor, SCC member and query is a node, every SCC id indexes `sccs`, and the
/// queries ascend strictly. `O(K + edges)` per graph. A graph's own parts agree by construction;
/// this catches graphs over another vocabulary and lists out of order, once per call of every
/// function that indexes with them.
pub fn check_graph_shapes(vocab: usize, graphs: &[PriorityGraph]) -> Result<()> {
    for (i, g) in graphs.iter().enumerate() {
        check_ids("graph query", &[g.query], vocab)?;
        if i > 0 && graphs[i - 1].query >= g.query {
            return Err(Error::InvalidArgument {
                what: "graphs",
                reason: "queries must ascend strictly (as build_graphs returns them)".into(),
            });
        }
        check_len("graph successor lists (one per token)", vocab, g.succ.len())?;
        check_len(
            "graph presence flags (one per token)",
            vocab,
            g.present.len(),
        )?;
        check_len("graph SCC ids (one per token)", vocab, g.scc_of.len())?;
        check_len(
            "graph SCC heights (one per SCC)",
            g.sccs.len(),
            g.height.len(),
        )?;
        check_ids("graph SCC id", &g.scc_of, g.sccs.len())?;
        for s in &g.succ {
            check_ids("graph successor", s, vocab)?;
        }
        for (c, members) in g.sccs.iter().enumerate() {
            check_ids("graph SCC member", members, vocab)?;
            if members.is_empty() || members.iter().any(|&t| g.scc_of[t] != c) {
                return Err(Error::InvalidArgument {
                    what: "graph SCCs",
                    reason: format!("SCC {c} is empty or disagrees with the SCC ids"),
                });
            }
        }
    }
    Ok(())
}

/// [`check_graph_shapes`], plus: the graphs belong to `ds`, i.e. there is exactly one per query
/// token of `ds` (as [`build_graphs`] returns them). Graphs of another dataset fail here with
/// [`Error::ShapeMismatch`] (other vocabulary or number of queries) or
/// [`Error::InvalidArgument`] (a query `ds` does not have).
pub fn check_graphs(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<()> {
    let kv = ds.vocab();
    check_graph_shapes(kv, graphs)?;
    let mut is_query = vec![false; kv];
    for r in ds.rows() {
        is_query[r.query] = true;
    }
    let queries = is_query.iter().filter(|&&q| q).count();
    check_len(
        "graphs (one per query token of the dataset)",
        queries,
        graphs.len(),
    )?;
    match graphs.iter().find(|g| !is_query[g.query]) {
        None => Ok(()),
        Some(g) => Err(Error::InvalidArgument {
            what: "graphs",
            reason: format!("a graph has query {} which no sample of the dataset has (graphs of another dataset?)", g.query),
        }),
    }
}

/// The graph of query `k`, if `k` occurs as a query.
pub fn graph_for(graphs: &[PriorityGraph], k: usize) -> Option<&PriorityGraph> {
    graphs.iter().find(|g| g.query == k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_handles_long_chain_without_recursion() {
        // A 200k-node cycle would overflow a recursive Tarjan's stack.
        let n = 200_000;
        let succ: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let (_, sccs) = tarjan(&succ);
        assert_eq!(sccs.len(), 1);
        assert_eq!(sccs[0].len(), n);
    }

    #[test]
    fn tarjan_two_cycles_and_bridge() {
        let succ = vec![vec![1], vec![0, 2], vec![3], vec![2]];
        let (of, sccs) = tarjan(&succ);
        assert_eq!(sccs.len(), 2);
        assert_eq!(of[0], of[1]);
        assert_eq!(of[2], of[3]);
        assert_ne!(of[0], of[2]);
    }
}
