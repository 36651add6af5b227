#!/usr/bin/env python3
"""Marian decoding speed: candle (Driftlens) against PyTorch `transformers`, side by side,
on the same weights and the same inputs.

The model has the real opus-mt base shape (d_model 512, 6+6 layers, 8 heads, FFN 2048,
vocabulary 58101) with random weights (scripts/make-marian-fixtures.py --bench DIR). It
translates 100 corpus sentences (from several languages, tokenized once by the reference
MarianTokenizer), each with exactly --tokens output tokens, at batch 1 and batch 16, with 2
threads. Each engine runs in its own process; the table gives tokens/s, the ratio candle /
PyTorch and each process's peak resident memory.

    /root/.cache/driftlens/venv-marian/bin/python scripts/bench-marian.py \
        [--model DIR] [--tokens 32] [--beams 1,4] [--profile dev|release] [--threads 2]

The candle side is `cargo bench --bench marian_speed` in the chosen cargo profile (dev has
dependencies optimised, our code at opt-level 1; release is what a user runs).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ["de", "es", "fr", "ru", "zh", "ja", "ar", "hi", "pl", "tr"]


def sentences(n):
    target = Path(os.environ.get("CARGO_TARGET_DIR", "/root/.cache/driftlens/target" if Path("/root/.cache/driftlens/target").is_dir() else ROOT / "target"))
    exe = target / "debug" / "driftlens"
    cmd = [str(exe)] if exe.exists() else ["cargo", "run", "--quiet", "--bin", "driftlens", "--"]
    out = []
    per = -(-n // len(LANGS))
    for lang in LANGS:
        res = subprocess.run(cmd + ["segment", str(ROOT / "corpora/russia-china-alliance" / f"{lang}.md"), "--lang", lang, "--json"], check=True, capture_output=True, text=True, cwd=ROOT)
        sents = [s["text"] for s in json.loads(res.stdout)["sentences"] if len(s["text"]) >= 30]
        out += sents[:per]
    return out[:n]


def torch_worker(args):
    """Runs in a child process: PyTorch on the inputs, one JSON line per measurement."""
    import torch
    from transformers import MarianMTModel

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    model = MarianMTModel.from_pretrained(args.model).eval()
    print(json.dumps({"engine": "pytorch", "event": "loaded", "seconds": time.perf_counter() - t0, "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)
    inputs = json.load(open(args.inputs))
    pad = model.config.pad_token_id
    for beams in [int(b) for b in args.beams.split(",")]:
        for batch in [int(b) for b in args.batch.split(",")]:
            # Same order as the candle side: longest first, so batches pad alike.
            order = sorted(range(len(inputs)), key=lambda i: -len(inputs[i]))
            produced = 0
            t = time.perf_counter()
            cpu = time.process_time()
            with torch.inference_mode():
                for k in range(0, len(order), batch):
                    rows = [inputs[i] for i in order[k : k + batch]]
                    width = max(len(r) for r in rows)
                    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
                    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
                    out = model.generate(input_ids=ids, attention_mask=mask, num_beams=beams, do_sample=False, max_length=args.tokens + 1, min_length=args.tokens + 1)
                    produced += (out[:, 1:] != pad).sum().item()
            secs = time.perf_counter() - t
            cpu = time.process_time() - cpu
            assert produced == len(inputs) * args.tokens, (produced, len(inputs) * args.tokens)
            print(json.dumps({"engine": "pytorch", "batch": batch, "beams": beams, "sentences": len(inputs), "tokens": produced, "seconds": secs, "cpu_seconds": cpu, "tokens_per_s": produced / secs, "tokens_per_cpu_s": produced / cpu}), flush=True)


def run_measured(cmd, env):
    """Runs a command, returning its JSON lines and its peak resident memory in MiB (the
    process's own, from wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if status != 0:
            sys.exit(f"{' '.join(cmd[:4])} … failed:\n{err.read()[-3000:]}")
        rows = [json.loads(l) for l in out.read().splitlines() if l.startswith("{")]
    return rows, usage.ru_maxrss / 1024


def bench_executable(profile, env):
    """Builds the candle benchmark and returns the path of its executable."""
    res = subprocess.run(["cargo", "bench", "--profile", profile, "--bench", "marian_speed", "--no-run", "--message-format=json"], check=True, cwd=ROOT, env=env, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "marian_speed" and msg.get("executable"):
            return msg["executable"]
    sys.exit("cargo did not report the marian_speed executable")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="/root/.cache/driftlens/marian-bench")
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--sentences", type=int, default=100)
    ap.add_argument("--batch", default="1,16")
    ap.add_argument("--beams", default="1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--profile", default="dev", choices=["dev", "release"])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--inputs", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return torch_worker(args)
    if not (Path(args.model) / "model.safetensors").exists():
        sys.exit(f"no benchmark model in {args.model}; make it with: python scripts/make-marian-fixtures.py --bench {args.model}")

    from transformers import MarianTokenizer

    tok = MarianTokenizer.from_pretrained(args.model)
    texts = sentences(args.sentences)
    inputs = [tok(t).input_ids for t in texts]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(inputs, f)
        inputs_path = f.name
    lengths = sorted(len(i) for i in inputs)
    print(f"{len(inputs)} sentences from {', '.join(LANGS)}; source tokens: median {lengths[len(lengths) // 2]}, max {lengths[-1]}; {args.tokens} output tokens each; {args.threads} threads")

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    # Build first, so the build is not measured; then run the executable itself.
    exe = bench_executable(args.profile, env)

    results = {}
    mem = {}
    for engine in ["pytorch", "candle"]:
        if engine == "pytorch":
            cmd = [sys.executable, __file__, "--worker", "--model", args.model, "--inputs", inputs_path, "--tokens", str(args.tokens), "--batch", args.batch, "--beams", args.beams, "--threads", str(args.threads)]
        else:
            cmd = [exe, "--model", args.model, "--inputs", inputs_path, "--tokens", str(args.tokens), "--batch", args.batch, "--beams", args.beams]
        rows, mem[engine] = run_measured(cmd, env)
        for r in rows:
            if r.get("event") == "loaded":
                print(f"{engine}: loaded in {r['seconds']:.1f} s, {r['threads']} threads")
            else:
                results[(engine, r["beams"], r["batch"])] = r
    os.unlink(inputs_path)

    print()
    # Wall-clock rates are what a user sees; rates per CPU-second are steadier on a shared
    # machine (they leave out time spent waiting for a core).
    print(f"{'beams':>5} {'batch':>5} {'PyTorch tok/s':>14} {'candle tok/s':>13} {'candle/PyTorch':>15} {'PyTorch tok/cpu-s':>18} {'candle tok/cpu-s':>17} {'ratio':>6} {'PyTorch s':>10} {'candle s':>9}")
    for beams in [int(b) for b in args.beams.split(",")]:
        for batch in [int(b) for b in args.batch.split(",")]:
            p = results[("pytorch", beams, batch)]
            c = results[("candle", beams, batch)]
            print(
                f"{beams:>5} {batch:>5} {p['tokens_per_s']:>14.1f} {c['tokens_per_s']:>13.1f} {c['tokens_per_s'] / p['tokens_per_s']:>14.2f}x"
                f" {p['tokens_per_cpu_s']:>18.1f} {c['tokens_per_cpu_s']:>17.1f} {c['tokens_per_cpu_s'] / p['tokens_per_cpu_s']:>5.2f}x {p['seconds']:>10.1f} {c['seconds']:>9.1f}"
            )
    print(f"\npeak resident memory: PyTorch {mem['pytorch']:.0f} MiB, candle {mem['candle']:.0f} MiB (whole process, model included)")
    print(f"candle profile: {args.profile}")


if __name__ == "__main__":
    main()
