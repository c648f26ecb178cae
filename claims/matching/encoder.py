"""Sentence vectors from the shipped ONNX model: ``Encoder().encode(texts)``.

The model (``models/matcher.onnx``) is all-MiniLM-L6-v2 fine-tuned on CLEF 2020 train to put
a claim and its rewordings close together, exported with its mean pooling and L2
normalisation inside the graph and its weights quantised to int8 (``training/train_matcher.py``
builds it). Vectors are float32, ``DIMENSION`` long, of unit length, so a dot product is the
cosine. Run with onnxruntime and the tokenizer's Rust library; no torch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .text import clean

MODEL_DIR = Path(__file__).resolve().parent / "models"
DIMENSION = 384
MAX_TOKENS = 128  # a claim is a sentence or two; longer texts are cut here


class Encoder:
    """Loads the model once; ``encode`` is safe to call from several threads."""

    def __init__(self, model_dir: Path | str = MODEL_DIR, threads: int = 1) -> None:
        # One thread by default: a Celery worker process is one of several on the machine.
        import onnxruntime
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self.info = json.loads((model_dir / "matcher.json").read_text(encoding="utf-8"))
        self.dimension = int(self.info["dimension"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(self.info.get("max_tokens", MAX_TOKENS)))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model_dir / "matcher.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One unit-length float32 row per text (an empty text gets a zero row)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        cleaned = [clean(t) for t in texts]
        # Similar lengths in a batch waste less on padding.
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        for start in range(0, len(order), batch_size):
            rows = [i for i in order[start : start + batch_size] if cleaned[i]]
            if not rows:
                continue
            with self._lock:
                encodings = self.tokenizer.encode_batch([cleaned[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            (vectors,) = self.session.run(None, feed)
            out[rows] = vectors.astype(np.float32, copy=False)
        return out
