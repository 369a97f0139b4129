#!/usr/bin/env python3
"""Times PyTorch's scaled_dot_product_attention on the GPU and prints the joint table.

Usage: torch_sdpa_bench.py RUST_RESULTS [REPS]

RUST_RESULTS holds the `RESULT ...` lines of `gpu_bench` (attnmech's CUDA kernels). This script
times PyTorch on the same shapes (B, H, N, d) = (4, 16, 4096, {64, 128}), causal and not, f32 and
bf16, forward and forward + backward, with CUDA events (median of REPS after warm-up, fresh
random inputs), and prints ONE table of TFLOP/s (FlashAttention convention: forward 4 B H N^2 d,
backward 2.5x, causal halves) with the ratios attnmech / PyTorch.
"""
import sys

import torch
import torch.nn.functional as F


def flops(b, h, n, d, causal, with_bwd):
    f = 4.0 * b * h * n * n * d
    if with_bwd:
        f *= 3.5
    return f / 2 if causal else f


def time_ms(fn, reps):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2]


def torch_times(b, h, n, d, causal, dtype, reps):
    gen = torch.Generator(device="cuda").manual_seed(1234)
    mk = lambda: (torch.rand(b, h, n, d, device="cuda", generator=gen) + 0.25).to(dtype)
    q, k, v, g = mk(), mk(), mk(), mk()
    fwd = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    t_fwd = time_ms(fwd, reps)
    qg, kg, vg = (x.detach().clone().requires_grad_(True) for x in (q, k, v))

    def fwd_bwd():
        out = F.scaled_dot_product_attention(qg, kg, vg, is_causal=causal)
        out.backward(g)

    t_all = time_ms(fwd_bwd, reps)
    return t_fwd, t_all


def parse_rust(path):
    res = {}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return res
    for line in lines:
        if not line.startswith("RESULT "):
            continue
        kv = dict(item.split("=", 1) for item in line.split()[1:])
        key = (kv["dtype"], int(kv["d"]), int(kv["causal"]))
        if "fwd_ms" in kv:
            fb = kv.get("fwdbwd_ms")
            res[key] = (float(kv["fwd_ms"]), float(fb) if fb else None)
        else:
            res[key] = kv.get("error", "error")
    return res


def main():
    rust = parse_rust(sys.argv[1]) if len(sys.argv) > 1 else {}
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    b, h, n = 4, 16, 4096
    print(f"# torch {torch.__version__}, device {torch.cuda.get_device_name()}")
    hdr = (
        f"{'dtype':5} {'d':>4} {'causal':>6} | {'torch fwd':>9} {'ours fwd':>9} {'ratio':>6} | "
        f"{'torch f+b':>9} {'ours f+b':>9} {'ratio':>6}   (TFLOP/s)"
    )
    print(hdr)
    print("-" * len(hdr))
    for dtype_name, dtype in (("f32", torch.float32), ("bf16", torch.bfloat16)):
        for d in (64, 128):
            for causal in (False, True):
                try:
                    tf, tfb = torch_times(b, h, n, d, causal, dtype, reps)
                    pf = flops(b, h, n, d, causal, False) / (tf * 1e9)
                    pfb = flops(b, h, n, d, causal, True) / (tfb * 1e9)
                except Exception as e:  # report, keep going
                    print(f"{dtype_name:5} {d:4} {int(causal):6} | torch error: {e}")
                    continue
                ours = rust.get((dtype_name, d, int(causal)))
                if isinstance(ours, tuple):
                    of = flops(b, h, n, d, causal, False) / (ours[0] * 1e9)
                    if ours[1] is not None:
                        ofb = flops(b, h, n, d, causal, True) / (ours[1] * 1e9)
                        fb = f"{ofb:9.2f} {ofb / pfb:6.2f}"
                    else:
                        fb = f"{'n/a':>9} {'-':>6}"
                    tail = f"{of:9.2f} {of / pf:6.2f} | {pfb:9.2f} {fb}"
                else:
                    what = "n/a" if ours is None else "err"
                    tail = f"{what:>9} {'-':>6} | {pfb:9.2f} {what:>9} {'-':>6}"
                print(f"{dtype_name:5} {d:4} {int(causal):6} | {pf:9.2f} {tail}")
    for key, val in sorted(rust.items()):
        if not isinstance(val, tuple):
            print(f"# attnmech error at {key}: {val}")


if __name__ == "__main__":
    main()
