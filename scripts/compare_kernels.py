#!/usr/bin/env python3
"""Issue 16: attnmech's divergences, verifier, k-NN and Cholesky beside PyTorch, faiss and scipy.

Usage: compare_kernels.py RUST_RESULTS

RUST_RESULTS holds the `RESULT <kernel> <shape> threads=<t> seconds=<s> bytes=<b>` lines of
`examples/kernel_compare.rs`, measured in the same run (compare_kernels.sh runs both). This script
times, on the same shapes and with 2 threads unless stated:
- PyTorch: FKL/RKL/JSD[0.5]/TVD as log_softmax + kl_div (or the TVD/JSD formulas) + autograd
  backward to the student logits, [8, V] f32; a PyTorch verifier (acceptance test on all gamma
  drafts, residual max(0, p - q), multinomial), [15 rows, V];
- faiss IndexFlatL2, 10-NN of 64 and 256 queries among 100k points in d = 128, with its BLAS
  path forced (`distance_compute_blas_threshold = 1`), at 1 and 2 threads;
- scipy cho_factor + cho_solve, n = 4096, 10 right-hand sides, f64;
and prints ONE table of ratios against the issue's targets. Best-of-N wall-clock times.
"""
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import faiss  # noqa: E402


def best(fn, reps):
    fn()
    out = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def rust_results(path):
    res = {}
    for line in open(path):
        if not line.startswith("RESULT "):
            continue
        parts = line.split()
        kv = dict(p.split("=") for p in parts[3:])
        key = (parts[1], parts[2], int(kv["threads"]))
        res[key] = (float(kv["seconds"]), int(kv["bytes"]))
        # One-thread on-CPU time (immune to time-slicing), compared only with itself.
        res[("cpu",) + key] = (float(kv.get("cpu_seconds", "0")), int(kv["bytes"]))
    return res


def torch_divergences(positions, v, reps=20):
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(16)
    tz = 4.0 * torch.rand(positions, v, generator=gen)
    lp = F.log_softmax(tz, dim=-1)
    z0 = 4.0 * torch.rand(positions, v, generator=gen)
    beta = 0.5

    def run(kind):
        z = z0.clone().requires_grad_(True)
        lq = F.log_softmax(z, dim=-1)
        if kind == "fkl":
            loss = F.kl_div(lq, lp, reduction="sum", log_target=True)
        elif kind == "rkl":
            loss = F.kl_div(lp, lq, reduction="sum", log_target=True)
        elif kind == "jsd0.5":
            lm = torch.logsumexp(torch.stack([lp + np.log(beta), lq + np.log(1 - beta)]), dim=0)
            loss = beta * F.kl_div(lm, lp, reduction="sum", log_target=True) + (
                1 - beta
            ) * F.kl_div(lm, lq, reduction="sum", log_target=True)
        else:
            loss = 0.5 * (lp.exp() - lq.exp()).abs().sum()
        loss.backward()
        return z.grad

    return {k: best(lambda: run(k), reps) for k in ["fkl", "rkl", "jsd0.5", "tvd"]}


def torch_verify(positions, v, reps=20):
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(6)
    gamma = positions - 1
    p = torch.softmax(4.0 * torch.rand(positions, v, generator=gen), dim=-1)
    q = torch.softmax(4.0 * torch.rand(gamma, v, generator=gen), dim=-1)
    drafts = torch.tensor([(i * 7919) % v for i in range(gamma)])

    def run():
        idx = torch.arange(gamma)
        ratio = p[idx, drafts] / q[idx, drafts]
        u = torch.rand(gamma, generator=gen)
        rejected = (u > ratio).nonzero()
        if len(rejected) == 0:
            return gamma, torch.multinomial(p[gamma], 1, generator=gen)
        i = int(rejected[0])
        res = (p[i] - q[i]).clamp(min=0)
        return i, torch.multinomial(res / res.sum(), 1, generator=gen)

    return best(run, reps)


def faiss_knn(threads, nq, n=100_000, d=128, k=10, reps=5):
    faiss.omp_set_num_threads(threads)
    faiss.cvar.distance_compute_blas_threshold = 1
    rng = np.random.default_rng(0)
    xb = (rng.random((n, d), dtype=np.float32) - 0.5).astype(np.float32)
    xq = (rng.random((nq, d), dtype=np.float32) - 0.5).astype(np.float32)
    index = faiss.IndexFlatL2(d)
    index.add(xb)
    return best(lambda: index.search(xq, k), reps)


def scipy_cholesky(n=4096, c=10, reps=3):
    rng = np.random.default_rng(3)
    x = rng.random((n, 64)) - 0.5
    k = x @ x.T + n * 1e-3 * np.eye(n)
    y = rng.random((n, c))
    return best(lambda: scipy.linalg.cho_solve(scipy.linalg.cho_factor(k, lower=True), y), reps)


def main():
    rust = rust_results(sys.argv[1])
    rows = []  # (what, measured, target, met)

    def add(what, value, target):
        rows.append((what, value, target, value >= target))

    for positions, v in [(8, 32000), (8, 131072), (64, 131072)]:
        shape = f"p{positions}_v{v}"
        label = f"v={v}" if positions == 8 else f"v={v} p={positions} (beyond L3)"
        tt = torch_divergences(positions, v)
        copy_t, copy_b = rust[("copy", shape, 2)]
        copy1_t, _ = rust[("cpu", "copy", shape, 1)]
        for name in ["fkl", "rkl", "jsd0.5", "tvd"]:
            t1, _ = rust[("cpu", name, shape, 1)]
            if t1 > 0 and copy1_t > 0:
                add(f"{name} {label}: bytes/s / copy bytes/s (1 thr, on-CPU)", copy1_t / t1, 0.5)
            t, b = rust[(name, shape, 2)]
            add(f"{name} {label}: bytes/s / copy bytes/s (2 thr)", (b / t) / (copy_b / copy_t), 0.5)
            add(f"{name} {label}: PyTorch time / ours (2 thr)", tt[name] / t, 1.5)
        t1, _ = rust[("cpu", "verify", shape, 1)]
        if t1 > 0 and copy1_t > 0:
            add(f"verify {label}: bytes/s / copy bytes/s (1 thr, on-CPU)", (copy1_t / t1) * ((2 * positions - 1) / (3 * positions)), 0.5)
        t, b = rust[("verify", shape, 2)]
        add(f"verify {label}: bytes/s / copy bytes/s (2 thr)", (b / t) / (copy_b / copy_t), 0.5)
        add(f"verify {label}: PyTorch time / ours (2 thr)", torch_verify(positions, v) / t, 1.5)
    for nq in [64, 256]:
        shape = f"n100000_d128_q{nq}_k10"
        t1, t2 = rust[("knn", shape, 1)][0], rust[("knn", shape, 2)][0]
        add(f"knn q={nq}: faiss-BLAS time / ours (2 thr)", faiss_knn(2, nq) / t2, 1.5)
        add(f"knn q={nq}: faiss-BLAS time / ours (1 thr)", faiss_knn(1, nq) / t1, 0.0)
        add(f"knn q={nq}: ours 1 thr / ours 2 thr", t1 / t2, 1.7)
    t_sc = scipy_cholesky()
    for thr in [1, 2]:
        t = rust[("sc_factor_solve", "n4096_c10", thr)][0]
        add(f"cholesky+solve n=4096: scipy (2 thr) / ours ({thr} thr)", t_sc / t, 1.0 if thr == 2 else 0.0)
        llt = rust[("faer_llt", "n4096", thr)][0]
        fac = rust[("sc_factor", "n4096", thr)][0]
        sol = rust[("sc_solve", "n4096_c10", thr)][0]
        print(f"# cholesky {thr} thr: faer bare llt {llt*1e3:.0f} ms, GramFactor::new {fac*1e3:.0f} ms "
              f"(checks+copy {(fac-llt)*1e3:.0f} ms), solve {sol*1e3:.0f} ms; scipy {t_sc*1e3:.0f} ms")
    for key, (t, b) in sorted(rust.items()):
        if key[0] == "copy":
            _, shape, thr = key
            print(f"# copy {shape} {thr} thr: {b / t / 1e9:.1f} GB/s")
    print(f"{'measurement':58} {'ratio':>7} {'target':>7}  met")
    for what, value, target, met in rows:
        tgt = f"{target:.1f}" if target > 0 else "-"
        print(f"{what:58} {value:7.2f} {tgt:>7}  {'yes' if met or target == 0 else 'NO'}")


if __name__ == "__main__":
    main()
