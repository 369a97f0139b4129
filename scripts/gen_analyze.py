#!/usr/bin/env python3
"""Writes a synthetic `attnmech analyze` dataset (standard library only, seeded).

Each sample is T distinct tokens drawn uniformly from [K] (the authors' sampler, T <= K), its
label a uniform token of the sequence; identity embeddings (no "embeddings" field).

    python3 scripts/gen_analyze.py --samples 10000 --tokens 100 --vocab 1000 > /tmp/big.json
    cargo run --release -- analyze /tmp/big.json > /dev/null
"""
import argparse
import json
import random
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--tokens", type=int, default=100)
    p.add_argument("--vocab", type=int, default=1000)
    p.add_argument("--prompts", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if not 1 <= a.tokens <= a.vocab:
        sys.exit("need 1 <= tokens <= vocab")
    rng = random.Random(a.seed)
    samples = []
    for _ in range(a.samples):
        toks = rng.sample(range(a.vocab), a.tokens)
        samples.append({"tokens": toks, "label": rng.choice(toks)})
    prompts = [rng.sample(range(a.vocab), a.tokens) for _ in range(a.prompts)]
    json.dump({"vocab": a.vocab, "samples": samples, "prompts": prompts}, sys.stdout)


if __name__ == "__main__":
    main()
