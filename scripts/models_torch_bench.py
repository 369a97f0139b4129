"""PyTorch CPU side of benches/models.rs (same inputs, same thread count), plus the table.

Usage: models_torch_bench.py MODEL_DIR CRITERION_DIR
Times (2 threads, float32):
  encode: all-MiniLM-L6-v2 sentence embeddings (mean pooling + L2 norm) for the bench's 32
          sentences of 8..128 tokens, padded to the longest with an attention mask;
  train:  one step (forward, tied next-token cross-entropy, backward, clip_grad_norm_(1.0),
          AdamW lr 1e-4 wd 0.01) of the small decoder (2 layers, 128 wide, 4 heads, MLP 512,
          vocab 1024, post-LN, exact GELU) on 16 x 64 tokens.
Reads criterion's mean times for minilm/encode_32x128 and small/train_step and prints a
markdown table with the ratios.
"""
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

THREADS = 2
torch.set_num_threads(THREADS)


def encode_inputs():
    seqs = []
    for i in range(32):
        n = 8 + (37 * i) % 121
        seqs.append([101] + [1000 + (i * 7919 + t * 104729) % 29000 for t in range(1, n - 1)] + [102])
    t = max(map(len, seqs))
    ids = torch.zeros(32, t, dtype=torch.long)
    mask = torch.zeros(32, t, dtype=torch.long)
    for b, s in enumerate(seqs):
        ids[b, : len(s)] = torch.tensor(s)
        mask[b, : len(s)] = 1
    return ids, mask


def time_it(fn, warmup=2, min_time=3.0):
    for _ in range(warmup):
        fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_time or n < 5:
        fn()
        n += 1
    return (time.perf_counter() - start) / n


class Block(torch.nn.Module):
    def __init__(self, d, heads, inter):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.ModuleList([torch.nn.Linear(d, d) for _ in range(3)])
        self.o = torch.nn.Linear(d, d)
        self.ln1 = torch.nn.LayerNorm(d, eps=1e-12)
        self.fc1 = torch.nn.Linear(d, inter)
        self.fc2 = torch.nn.Linear(inter, d)
        self.ln2 = torch.nn.LayerNorm(d, eps=1e-12)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = (m(x).view(b, t, self.heads, d // self.heads).transpose(1, 2) for m in self.qkv)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, d)
        h = self.ln1(x + self.o(a))
        return self.ln2(h + self.fc2(F.gelu(self.fc1(h))))


class Small(torch.nn.Module):
    def __init__(self, vocab=1024, d=128, layers=2, heads=4, inter=512, positions=128):
        super().__init__()
        self.word = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Embedding(positions, d)
        self.ln = torch.nn.LayerNorm(d, eps=1e-12)
        self.blocks = torch.nn.ModuleList([Block(d, heads, inter) for _ in range(layers)])

    def forward(self, ids):
        x = self.ln(self.word(ids) + self.pos(torch.arange(ids.shape[1])))
        for blk in self.blocks:
            x = blk(x)
        return x @ self.word.weight.T


def criterion_mean_s(root, group, name):
    path = os.path.join(root, group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["mean"]["point_estimate"] * 1e-9


def main(model_dir, criterion_dir):
    from transformers import AutoModel

    model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
    ids, mask = encode_inputs()

    def encode():
        with torch.inference_mode():
            h = model(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return F.normalize((h * m).sum(1) / m.sum(1), dim=1)

    t_encode = time_it(encode)

    torch.manual_seed(1)
    small = Small()
    opt = torch.optim.AdamW(small.parameters(), lr=1e-4, weight_decay=0.01)
    tids = torch.tensor([[(i * 7919 + t * 104729) % 1024 for t in range(64)] for i in range(16)])

    def step():
        opt.zero_grad(set_to_none=True)
        logits = small(tids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, 1024), tids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(small.parameters(), 1.0)
        opt.step()

    t_train = time_it(step)

    rows = []
    for what, unit, n, t_torch, group, name, target in [
        ("encode 32 sentences (8..128 tokens), MiniLM", "sentences/s", 32, t_encode, "minilm", "encode_32x128", 1.5),
        ("train step, small decoder, 16x64 tokens", "tokens/s", 1024, t_train, "small", "train_step", 1.0),
    ]:
        try:
            t_ours = criterion_mean_s(criterion_dir, group, name)
            ours = f"{n / t_ours:,.0f}"
            ratio = f"{t_torch / t_ours:.2f}x"
        except FileNotFoundError:
            ours, ratio = "n/a", "n/a"
        rows.append(f"| {what} | {unit} | {ours} | {n / t_torch:,.0f} | {ratio} | {target}x |")
    print(f"torch {torch.__version__}, {THREADS} threads")
    print("| workload | unit | attnmech | PyTorch | ratio | target |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
