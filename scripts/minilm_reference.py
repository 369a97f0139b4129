"""Reference outputs of all-MiniLM-L6-v2 with PyTorch (transformers + mean pooling + L2 norm).

Reads tests/fixtures/minilm/sentences.json and the unpacked model folder (a local path, never a
hub), writes tests/fixtures/minilm/reference.safetensors:
  embeddings   F32 [B, 384]  sentence embeddings (mean pooling over real tokens, L2-normalised)
  input_ids    I64 [n]       the tokenizer's ids, every sentence's tokens back to back
  lengths      I64 [B]       tokens per sentence (with [CLS] and [SEP])
  hidden_index I64 [R, 2]    (sentence, token) of each reference hidden-state row
  hidden_rows  F32 [R, 384]  last hidden states at those positions
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402


def main(model_dir, fixture_dir):
    sentences = json.load(open(os.path.join(fixture_dir, "sentences.json")))
    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
    enc = tok(sentences, padding=True, truncation=True, max_length=128, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state  # [B, T, 384]
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    emb = torch.nn.functional.normalize(pooled, p=2, dim=1)
    lengths = enc["attention_mask"].sum(1)
    ids = torch.cat([enc["input_ids"][b, : lengths[b]] for b in range(len(sentences))])
    # A few token rows: first, middle and last token of every 9th sentence.
    index = []
    for b in range(0, len(sentences), 9):
        n = int(lengths[b])
        for t in sorted({0, n // 2, n - 1}):
            index.append((b, t))
    rows = torch.stack([hidden[b, t] for b, t in index])
    out = {
        "embeddings": emb.float().contiguous(),
        "input_ids": ids.long().contiguous(),
        "lengths": lengths.long().contiguous(),
        "hidden_index": torch.tensor(index, dtype=torch.long),
        "hidden_rows": rows.float().contiguous(),
    }
    path = os.path.join(fixture_dir, "reference.safetensors")
    save_file(out, path)
    print(f"wrote {path}: {len(sentences)} sentences, {len(index)} hidden rows, "
          f"lengths {int(lengths.min())}..{int(lengths.max())}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
