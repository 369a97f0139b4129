#!/usr/bin/env python3
"""PyTorch CPU scaled_dot_product_attention on the shapes of issue 10 section 4, beside attnmech.

Usage: attention_vs_torch.py [RUST_RESULTS]

RUST_RESULTS holds the `RESULT shape=... fwd_ms=... [fwdbwd_ms=...] [kv_gbs=... copy_gbs=...]`
lines printed by `cargo run --release --example attention_bench`; the decode lines carry the
KV-cache read rate and a 2-thread memory copy of the same size timed alternately with it, printed
below the table as the ratio the issue's target (>= 0.7x copy) is about. PyTorch runs with torch.set_num_threads(2), the
thread count of attnmech's benches. Each time is the median of 7 runs after 2 warm-ups, on fixed
seeded inputs. Shapes (B, H, N, d; non-causal unless named):
- gqa:      (1, 32 heads, 8 kv heads, 2048, 128) causal, enable_gqa=True
- strided:  (1, 8, 2048, 64) with q, k, v as [B, S, H, D] tensors viewed as [B, H, S, D]
- varlen:   16 sequences of lengths 64..1024 (fixed list below), H=8, d=64, causal; one SDPA call
            per sequence (PyTorch CPU has no varlen kernel)
- window:   (1, 8, 4096, 64), sliding window left=256, right=0 (FlashAttention convention: query i
            sees keys i-256..=i), as a boolean mask since SDPA has no window argument
- decode:   (B, 32 heads, 8 kv heads, 1 query, 4096 keys, 128) for B = 1 and 8; "paged" gathers
            the cache from a pool of 16-position blocks (index_select) before SDPA, since PyTorch
            has no paged kernel. Forward only (inference).
- bf16:     (1, 8, 2048, 128) in bfloat16
Ratios are torch time / attnmech time (above 1: attnmech is faster).
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

VARLEN = [64, 1024, 128, 512, 96, 768, 256, 640, 200, 1000, 320, 448, 80, 900, 384, 576]


def median_ms(fn):
    fn()
    fn()
    times = []
    for _ in range(7):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def rand(gen, *shape, dtype=torch.float32):
    return (torch.rand(*shape, generator=gen) * 2 - 1).to(dtype)


def fwd_and_bwd(make, run):
    """Times run(*tensors) forward, and forward + backward with a random upstream gradient."""
    tensors = make()
    t_fwd = median_ms(lambda: run(*tensors))
    leaves = [t.detach().clone().requires_grad_(True) for t in tensors]
    out = run(*leaves)
    grad = torch.rand_like(out)

    def both():
        for x in leaves:
            x.grad = None
        run(*leaves).backward(grad)

    return t_fwd, median_ms(both)


def cases():
    g = torch.Generator().manual_seed(1234)
    with_bwd = {}

    # GQA causal
    def gqa(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)

    with_bwd["gqa_b1_h32_kv8_n2048_d128_causal"] = fwd_and_bwd(
        lambda: (rand(g, 1, 32, 2048, 128), rand(g, 1, 8, 2048, 128), rand(g, 1, 8, 2048, 128)), gqa
    )

    # [B, S, H, D] strided input
    def strided(q, k, v):
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))

    with_bwd["bshd_b1_h8_n2048_d64"] = fwd_and_bwd(
        lambda: tuple(rand(g, 1, 2048, 8, 64) for _ in range(3)), strided
    )

    # varlen: packed [total, H, D], one call per sequence
    total = sum(VARLEN)
    starts = [sum(VARLEN[:i]) for i in range(len(VARLEN))]

    def varlen(q, k, v):
        outs = []
        for s, n in zip(starts, VARLEN):
            sl = lambda x: x[s : s + n].transpose(0, 1).unsqueeze(0)
            outs.append(F.scaled_dot_product_attention(sl(q), sl(k), sl(v), is_causal=True))
        return torch.cat([o.squeeze(0).transpose(0, 1) for o in outs])

    with_bwd["varlen_16seq_64to1024_h8_d64_causal"] = fwd_and_bwd(
        lambda: tuple(rand(g, total, 8, 64) for _ in range(3)), varlen
    )

    # sliding window 256 at N = 4096 (True = may attend)
    n = 4096
    i = torch.arange(n).unsqueeze(1)
    j = torch.arange(n).unsqueeze(0)
    mask = (j <= i) & (i - j <= 256)

    def window(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    with_bwd["window256_b1_h8_n4096_d64"] = fwd_and_bwd(
        lambda: tuple(rand(g, 1, 8, n, 64) for _ in range(3)), window
    )

    # bf16
    def dense(q, k, v):
        return F.scaled_dot_product_attention(q, k, v)

    with_bwd["bf16_b1_h8_n2048_d128"] = fwd_and_bwd(
        lambda: tuple(rand(g, 1, 8, 2048, 128, dtype=torch.bfloat16) for _ in range(3)), dense
    )

    # decode, forward only
    fwd_only = {}
    for b in (1, 8):
        q = rand(g, b, 32, 1, 128)
        k = rand(g, b, 8, 4096, 128)
        v = rand(g, b, 8, 4096, 128)
        with torch.no_grad():
            fwd_only[f"decode_b{b}_contiguous"] = median_ms(
                lambda: F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
            )
            # pool [blocks, 16, kv_heads, d] and a block table in reverse order
            blocks = b * 4096 // 16
            kp = rand(g, blocks, 16, 8, 128)
            vp = rand(g, blocks, 16, 8, 128)
            table = torch.arange(blocks - 1, -1, -1)

            def paged():
                kk = kp.index_select(0, table).view(b, 4096, 8, 128).transpose(1, 2)
                vv = vp.index_select(0, table).view(b, 4096, 8, 128).transpose(1, 2)
                return F.scaled_dot_product_attention(q, kk, vv, enable_gqa=True)

            fwd_only[f"decode_b{b}_paged"] = median_ms(paged)
    return with_bwd, fwd_only


bandwidth = {}


def parse_rust(path):
    res = {}
    if not path:
        return res
    for line in open(path).read().splitlines():
        if line.startswith("RESULT "):
            kv = dict(item.split("=", 1) for item in line.split()[1:])
            res[kv["shape"]] = (float(kv["fwd_ms"]), float(kv["fwdbwd_ms"]) if "fwdbwd_ms" in kv else None)
            if "kv_gbs" in kv:
                bandwidth[kv["shape"]] = (float(kv["kv_gbs"]), float(kv["copy_gbs"]))
    return res


def main():
    torch.set_num_threads(2)
    rust = parse_rust(sys.argv[1] if len(sys.argv) > 1 else None)
    with_bwd, fwd_only = cases()
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads; ms (median of 7); ratio = torch / attnmech")
    hdr = f"{'shape':38} | {'torch fwd':>9} {'ours fwd':>9} {'ratio':>6} | {'torch f+b':>9} {'ours f+b':>9} {'ratio':>6}"
    print(hdr)
    print("-" * len(hdr))
    rows = [(k, v) for k, v in with_bwd.items()] + [(k, (v, None)) for k, v in fwd_only.items()]
    for name, (tf, tfb) in rows:
        ours = rust.get(name)
        if ours is None:
            of = ofb = "not run"
            rf = rfb = "-"
        else:
            of, rf = f"{ours[0]:9.3f}", f"{tf / ours[0]:6.2f}"
            if ours[1] is None or tfb is None:
                ofb, rfb = "-", "-"
            else:
                ofb, rfb = f"{ours[1]:9.3f}", f"{tfb / ours[1]:6.2f}"
        tfb_s = f"{tfb:9.3f}" if tfb is not None else "-"
        print(f"{name:38} | {tf:9.3f} {of:>9} {rf:>6} | {tfb_s:>9} {ofb:>9} {rfb:>6}")
    if bandwidth:
        print()
        print("# decode KV-cache read rate vs a 2-thread copy of the same bytes, same run (target >= 0.70)")
        print(f"{'shape':38} | {'KV GB/s':>9} {'copy GB/s':>9} {'ratio':>6}")
        for name, (kv, cp) in bandwidth.items():
            print(f"{name:38} | {kv:9.2f} {cp:9.2f} {kv / cp:6.2f}")


if __name__ == "__main__":
    main()
