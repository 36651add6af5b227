#!/usr/bin/env python3
"""Marian decoding speed: candle (Driftlens, f32 and int8) against PyTorch `transformers`
(fp32) and CTranslate2 (fp32 and int8), in one run, on the same weights and the same inputs.

The model has the real opus-mt base shape (d_model 512, 6+6 layers, 8 heads, FFN 2048,
vocabulary 58101) with random weights (scripts/make-marian-fixtures.py --bench DIR);
CTranslate2 gets the same weights through its own transformers converter (once, into
DIR-ct2). It translates 100 corpus sentences (from several languages, tokenized once by the
reference MarianTokenizer), each with exactly --tokens output tokens, greedy, at batch 1
and batch 16 (longest first, so every engine pads alike), with 2 threads. Each engine runs
in its own process; the table gives tokens/s, each engine's ratio to PyTorch and each
process's peak resident memory (wait4's ru_maxrss: the model, the runtime and the load).
Then candle's int8 logits are compared with its f32 logits at every decoding step of the
100 sentences (cosine ≥ 0.999 wanted; `marian_speed --fidelity`).

Setup (once):

    python3 -m venv /root/.cache/driftlens/venv-marian
    /root/.cache/driftlens/venv-marian/bin/pip install torch transformers sentencepiece safetensors ctranslate2
    /root/.cache/driftlens/venv-marian/bin/python scripts/make-marian-fixtures.py --bench /root/.cache/driftlens/marian-bench

Run:

    /root/.cache/driftlens/venv-marian/bin/python scripts/bench-marian.py \\
        [--model DIR] [--tokens 32] [--beams 1,4] [--profile dev|release] [--threads 2] \\
        [--engines pytorch_fp32,candle_f32,candle_int8,ct2_fp32,ct2_int8] [--json] \\
        [--op-profile] [--no-fidelity]

`--json` ends the output with one line: {"batch16": {"pytorch_fp32": tok/s, "candle_f32":
…, "candle_int8": …, "ct2_fp32": …, "ct2_int8": …}, "batch1": {…}, "peak_mib": {…},
"fidelity": {…}} (with beam search, keys "beams4_batch16" and so on as well).
`--op-profile` adds candle's time per operation of `generate` (encoder, attention, FFN,
output projection, …) at every batch size. The candle side is `cargo bench --bench
marian_speed` in the chosen cargo profile (dev has dependencies and the engines crate
optimised, the root crate at opt-level 1; release is what a user runs). On shared cores
compare ratios from one run, and note the load average beside them.

CTranslate2's converter drops the padding row from the vocabulary (58,100 outputs instead
of 58,101) and starts decoding from a zero embedding, as real OPUS-MT models do; with random
weights its output tokens differ from the others', its work per token does not.
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
ENGINES = ["pytorch_fp32", "candle_f32", "candle_int8", "ct2_fp32", "ct2_int8"]


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


def batches_longest_first(inputs, batch):
    """The inputs in batches, longest first (as the candle side orders them)."""
    order = sorted(range(len(inputs)), key=lambda i: -len(inputs[i]))
    return [[inputs[i] for i in order[k : k + batch]] for k in range(0, len(order), batch)]


def report(engine, beams, batch, n, produced, secs, cpu, tokens):
    assert produced == n * tokens, (engine, produced, n * tokens)
    print(json.dumps({"engine": engine, "batch": batch, "beams": beams, "sentences": n, "tokens": produced, "seconds": secs, "cpu_seconds": cpu, "tokens_per_s": produced / secs, "tokens_per_cpu_s": produced / cpu}), flush=True)


def torch_worker(args):
    """Runs in a child process: PyTorch on the inputs, one JSON line per measurement."""
    import torch
    from transformers import MarianMTModel

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    model = MarianMTModel.from_pretrained(args.model).eval()
    print(json.dumps({"engine": "pytorch_fp32", "event": "loaded", "seconds": time.perf_counter() - t0, "threads": torch.get_num_threads(), "version": torch.__version__}), flush=True)
    inputs = json.load(open(args.inputs))
    pad = model.config.pad_token_id
    for beams in [int(b) for b in args.beams.split(",")]:
        for batch in [int(b) for b in args.batch.split(",")]:
            produced = 0
            t = time.perf_counter()
            cpu = time.process_time()
            with torch.inference_mode():
                for rows in batches_longest_first(inputs, batch):
                    width = max(len(r) for r in rows)
                    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
                    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
                    out = model.generate(input_ids=ids, attention_mask=mask, num_beams=beams, do_sample=False, max_length=args.tokens + 1, min_length=args.tokens + 1)
                    produced += (out[:, 1:] != pad).sum().item()
            report("pytorch_fp32", beams, batch, len(inputs), produced, time.perf_counter() - t, time.process_time() - cpu, args.tokens)


def ct2_worker(args):
    """Runs in a child process: CTranslate2 (args.compute_type) on the same token ids."""
    import ctranslate2

    engine = f"ct2_{'int8' if args.compute_type.startswith('int8') else 'fp32'}"
    t0 = time.perf_counter()
    translator = ctranslate2.Translator(args.ct2_model, device="cpu", compute_type=args.compute_type, inter_threads=1, intra_threads=args.threads)
    print(json.dumps({"engine": engine, "event": "loaded", "seconds": time.perf_counter() - t0, "threads": args.threads, "version": ctranslate2.__version__}), flush=True)
    vocab = json.load(open(Path(args.model) / "vocab.json", encoding="utf-8"))
    piece = {i: p for p, i in vocab.items()}
    inputs = [[piece[i] for i in row] for row in json.load(open(args.inputs))]
    for beams in [int(b) for b in args.beams.split(",")]:
        for batch in [int(b) for b in args.batch.split(",")]:
            produced = 0
            t = time.perf_counter()
            cpu = time.process_time()
            for rows in batches_longest_first(inputs, batch):
                # Exactly --tokens tokens, the end of sentence counted as the others do.
                results = translator.translate_batch(rows, beam_size=beams, max_batch_size=batch, min_decoding_length=args.tokens, max_decoding_length=args.tokens, return_end_token=True)
                produced += sum(len(r.hypotheses[0]) for r in results)
            report(engine, beams, batch, len(inputs), produced, time.perf_counter() - t, time.process_time() - cpu, args.tokens)


def run_measured(cmd, env):
    """Runs a command, returning its JSON lines and its peak resident memory in MiB (the
    process's own, from wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        rows = [json.loads(l) for l in out.read().splitlines() if l.startswith("{")]
        if status != 0 and not any(r.get("event") == "fidelity" for r in rows):
            sys.exit(f"{' '.join(cmd[:4])} … failed:\n{err.read()[-3000:]}")
    return rows, usage.ru_maxrss / 1024


def bench_executable(profile, env):
    """Builds the candle benchmark and returns the path of its executable."""
    res = subprocess.run(["cargo", "bench", "--profile", profile, "--bench", "marian_speed", "--no-run", "--message-format=json"], check=True, cwd=ROOT, env=env, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "marian_speed" and msg.get("executable"):
            return msg["executable"]
    sys.exit("cargo did not report the marian_speed executable")


def ct2_model(model):
    """The CTranslate2 conversion of the model, made once beside it."""
    out = Path(str(model).rstrip("/") + "-ct2")
    src = Path(model) / "model.safetensors"
    if not (out / "model.bin").exists() or (out / "model.bin").stat().st_mtime < src.stat().st_mtime:
        converter = Path(sys.executable).parent / "ct2-transformers-converter"
        subprocess.run([str(converter), "--model", str(model), "--output_dir", str(out), "--force"], check=True, capture_output=True)
    return out


def engine_command(engine, args, exe, inputs_path, ct2_dir):
    common = ["--inputs", inputs_path, "--tokens", str(args.tokens), "--batch", args.batch, "--beams", args.beams]
    if engine == "pytorch_fp32":
        return [sys.executable, __file__, "--worker", "pytorch", "--model", args.model, "--threads", str(args.threads)] + common
    if engine.startswith("ct2_"):
        compute = "int8" if engine == "ct2_int8" else "float32"
        return [sys.executable, __file__, "--worker", "ct2", "--model", args.model, "--ct2-model", str(ct2_dir), "--compute-type", compute, "--threads", str(args.threads)] + common
    precision = engine.split("_")[1]
    return [exe, "--model", args.model, "--precision", precision] + common + (["--profile"] if args.op_profile else [])


def print_profile(engine, r):
    total = r["seconds"]
    print(f"\n{engine}, batch {r['batch']}, beams {r['beams']}: {total:.2f} s, {r['tokens_per_s']:.0f} tok/s")
    print(f"  {'operation':<42} {'s':>7} {'share':>6} {'calls':>7}")
    timed = 0.0
    for op in r["profile"]:
        timed += op["seconds"]
        print(f"  {op['op']:<42} {op['seconds']:>7.3f} {op['seconds'] / total:>6.1%} {op['calls']:>7}")
    print(f"  {'(untimed: batching, tokenizer, glue)':<42} {total - timed:>7.3f} {(total - timed) / total:>6.1%}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="/root/.cache/driftlens/marian-bench")
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--sentences", type=int, default=100)
    ap.add_argument("--batch", default="1,16")
    ap.add_argument("--beams", default="1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--profile", default="dev", choices=["dev", "release"])
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--json", action="store_true", help="end with one JSON line of tokens/s per batch size and engine")
    ap.add_argument("--op-profile", action="store_true", help="candle's time per operation of generate")
    ap.add_argument("--no-fidelity", action="store_true", help="skip the int8-against-f32 logits check")
    ap.add_argument("--worker", choices=["pytorch", "ct2"], help=argparse.SUPPRESS)
    ap.add_argument("--inputs", help=argparse.SUPPRESS)
    ap.add_argument("--ct2-model", help=argparse.SUPPRESS)
    ap.add_argument("--compute-type", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker == "pytorch":
        return torch_worker(args)
    if args.worker == "ct2":
        return ct2_worker(args)
    if not (Path(args.model) / "model.safetensors").exists():
        sys.exit(f"no benchmark model in {args.model}; make it with: python scripts/make-marian-fixtures.py --bench {args.model}")
    engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        sys.exit(f"unknown engine(s) {', '.join(unknown)}; choose among {', '.join(ENGINES)}")

    from transformers import MarianTokenizer

    tok = MarianTokenizer.from_pretrained(args.model)
    texts = sentences(args.sentences)
    inputs = [tok(t).input_ids for t in texts]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(inputs, f)
        inputs_path = f.name
    lengths = sorted(len(i) for i in inputs)
    print(f"{len(inputs)} sentences from {', '.join(LANGS)}; source tokens: median {lengths[len(lengths) // 2]}, max {lengths[-1]}; {args.tokens} output tokens each, greedy{'' if args.beams == '1' else ' and beams ' + args.beams}; {args.threads} threads")

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    env.pop("DRIFTLENS_MARIAN_PROFILE", None)
    # Build and convert first, so neither is measured; then run each engine by itself.
    exe = bench_executable(args.profile, env) if any(e.startswith("candle") for e in engines) else None
    ct2_dir = ct2_model(args.model) if any(e.startswith("ct2") for e in engines) else None

    results, mem = {}, {}
    for engine in engines:
        # CTranslate2's pip wheel uses Intel MKL only on Intel CPUs; elsewhere its float32
        # GEMM goes to oneDNN, which measured 4.7x slower here (AMD EPYC, 15 against 70 tok/s
        # at batch 8), while its int8 GEMM is fastest on oneDNN (MKL's int8 on AMD: 14 tok/s
        # against 263). Each compute type gets its faster backend.
        engine_env = dict(env, CT2_USE_MKL="1") if engine == "ct2_fp32" else env
        rows, mem[engine] = run_measured(engine_command(engine, args, exe, inputs_path, ct2_dir), engine_env)
        for r in rows:
            if r.get("event") == "loaded":
                print(f"{engine}: loaded in {r['seconds']:.1f} s, {r['threads']} threads{', ' + r['version'] if 'version' in r else ''}")
            else:
                results[(engine, r["beams"], r["batch"])] = r
    fidelity = None
    if not args.no_fidelity and exe:
        rows, _ = run_measured([exe, "--model", args.model, "--inputs", inputs_path, "--tokens", str(args.tokens), "--fidelity"], env)
        fidelity = next((r for r in rows if r.get("event") == "fidelity"), None)
    os.unlink(inputs_path)

    if args.op_profile:
        for (engine, _, _), r in sorted(results.items()):
            if r.get("profile"):
                print_profile(engine, r)

    print()
    # Wall-clock rates are what a user sees; rates per CPU-second are steadier on a shared
    # machine (they leave out time spent waiting for a core).
    print(f"{'beams':>5} {'batch':>5} " + " ".join(f"{e + ' tok/s':>18}" for e in engines) + "   " + " ".join(f"{e + '/PyTorch':>20}" for e in engines if e != "pytorch_fp32"))
    summary = {}
    for beams in [int(b) for b in args.beams.split(",")]:
        for batch in [int(b) for b in args.batch.split(",")]:
            rates = {e: results[(e, beams, batch)]["tokens_per_s"] for e in engines}
            key = f"batch{batch}" if beams == 1 else f"beams{beams}_batch{batch}"
            summary[key] = {e: round(v, 1) for e, v in rates.items()}
            base = rates.get("pytorch_fp32")
            ratios = " ".join(f"{rates[e] / base:>19.2f}x" for e in engines if e != "pytorch_fp32") if base else ""
            print(f"{beams:>5} {batch:>5} " + " ".join(f"{rates[e]:>18.1f}" for e in engines) + "   " + ratios)
    print("\npeak resident memory (whole process, model and load included): " + ", ".join(f"{e} {m:.0f} MiB" for e, m in mem.items()))
    if fidelity:
        print(
            f"int8 against f32 (candle), every step of {fidelity['sentences']} sentences teacher-forced with the f32 greedy output: "
            f"{fidelity['steps']} steps, logits cosine min {fidelity['min_cosine']:.6f}, mean {fidelity['mean_cosine']:.6f}, "
            f"{fidelity['steps_under_0.999']} steps under 0.999; greedy outputs equal for {fidelity['greedy_outputs_equal']} of {fidelity['sentences']} sentences"
        )
    print(f"candle profile: {args.profile}")
    if args.json:
        summary["peak_mib"] = {e: round(m) for e, m in mem.items()}
        if fidelity:
            summary["fidelity"] = {k: fidelity[k] for k in ("steps", "min_cosine", "mean_cosine", "steps_under_0.999", "greedy_outputs_equal")}
        print(json.dumps(summary))
    if fidelity and fidelity["steps_under_0.999"] > 0:
        sys.exit("int8 fidelity: some steps' logits cosine is under 0.999")


if __name__ == "__main__":
    main()
