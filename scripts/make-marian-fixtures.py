#!/usr/bin/env python3
"""Builds the reference fixtures that prove Driftlens' Marian engine (candle) against
Hugging Face `transformers`, since no real OPUS-MT model can be downloaded here.

It trains two small SentencePiece unigram models on the bundled corpus (the source side on
every translation, the target side on the English original), builds a small MarianMTModel
with seeded random weights in the Hugging Face layout, and stores what the reference
computes with them:

    tests/fixtures/marian/model/        config.json, generation_config.json, model.safetensors
                                        and pytorch_model.bin (the same weights), source.spm,
                                        target.spm, vocab.json, tokenizer_config.json
    tests/fixtures/marian/logits.json   decoder logits (first step, and a few steps on)
    tests/fixtures/marian/generate.json greedy and beam-search token ids, decoded text
    tests/fixtures/marian/tokenizer.json sentencepiece ids and text per corpus sentence,
                                        MarianTokenizer ids and decoded text

`--bench DIR` instead writes a model with the real opus-mt base shape (d_model 512, 6+6
layers, 8 heads, FFN 2048, vocabulary 58101) and seeded random weights to DIR, for
scripts/bench-marian.py. It is large (about 300 MB) and never committed.

Setup (CPU only, from PyPI):
    python3 -m venv /root/.cache/driftlens/venv-marian
    /root/.cache/driftlens/venv-marian/bin/pip install torch transformers sentencepiece safetensors
Run from the repository root:
    /root/.cache/driftlens/venv-marian/bin/python scripts/make-marian-fixtures.py
The sentences come from `driftlens segment --json` (the binary in $CARGO_TARGET_DIR, else
`cargo run`), so the fixtures hold exactly the sentences the pipeline sees.
"""

import argparse
import base64
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import sentencepiece as spm
import torch
from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "russia-china-alliance"
OUT = ROOT / "tests" / "fixtures" / "marian"
SEED = 20211215

# Languages whose every sentence the tokenizer fixture covers: many scripts, both
# directions, languages with and without spaces between words.
TOKENIZER_LANGS = ["en", "ar", "de", "el", "hi", "hy", "ja", "ka", "ko", "ru", "th", "zh"]
# Inputs for the generation fixture: sentences from these languages.
GENERATE_LANGS = ["de", "es", "fr", "ru", "zh", "ja", "ar", "hi", "tr", "pl", "el", "ko"]
LANG_TOKENS = [">>deu<<", ">>fra<<", ">>spa<<"]


def driftlens():
    target = Path(os.environ.get("CARGO_TARGET_DIR", "/root/.cache/driftlens/target" if Path("/root/.cache/driftlens/target").is_dir() else ROOT / "target"))
    exe = target / "debug" / "driftlens"
    if exe.exists():
        return [str(exe)]
    return ["cargo", "run", "--quiet", "--bin", "driftlens", "--"]


def corpus_sentences(lang):
    path = CORPUS / f"{lang}.md"
    out = subprocess.run(driftlens() + ["segment", str(path), "--lang", lang, "--json"], check=True, capture_output=True, text=True, cwd=ROOT)
    return [s["text"] for s in json.loads(out.stdout)["sentences"]]


def corpus_paragraphs(lang):
    text = (CORPUS / f"{lang}.md").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n") if p.strip()]


def all_langs():
    return sorted(p.stem for p in CORPUS.glob("*.md") if p.stem != "README")


def train_spm(lines, prefix, vocab_size):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines))
        name = f.name
    try:
        spm.SentencePieceTrainer.train(
            input=name,
            model_prefix=str(prefix),
            model_type="unigram",
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            character_coverage=0.9995,
            normalization_rule_name="nmt_nfkc",
            # As OPUS-MT's models: <unk> = 0, <s> = 1, </s> = 2, no padding piece.
            unk_id=0,
            bos_id=1,
            eos_id=2,
            pad_id=-1,
            num_threads=2,
            seed_sentencepiece_size=200000,
            minloglevel=2,
        )
    finally:
        os.unlink(name)


def build_vocab(source_spm, target_spm, extra_pieces=0):
    """Marian's joint vocab.json: </s>, <unk>, the source pieces, the target pieces not
    already there, the language tokens, then <pad> last."""
    vocab = {"</s>": 0, "<unk>": 1}
    for sp in (source_spm, target_spm):
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if piece not in vocab and not sp.is_control(i) and not sp.is_unknown(i):
                vocab[piece] = len(vocab)
    for t in LANG_TOKENS:
        vocab[t] = len(vocab)
    for i in range(extra_pieces):
        vocab[f"<filler-{i}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def make_tokenizer_files(model_dir):
    model_dir.mkdir(parents=True, exist_ok=True)
    langs = [l for l in all_langs() if l != "en"]
    source_lines = [p for l in langs for p in corpus_paragraphs(l)]
    target_lines = corpus_paragraphs("en")
    with tempfile.TemporaryDirectory() as tmp:
        train_spm(source_lines, Path(tmp) / "source", 3000)
        train_spm(target_lines, Path(tmp) / "target", 800)
        shutil.copy(Path(tmp) / "source.model", model_dir / "source.spm")
        shutil.copy(Path(tmp) / "target.model", model_dir / "target.spm")


def load_spms(model_dir):
    return spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm")), spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))


def marian_config(vocab, d_model, layers, heads, ffn, max_pos):
    pad = vocab["<pad>"]
    return MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_pos,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
    )


def randomize(model, seed, eos_bias):
    """Seeded random weights, scaled so that outputs depend on the input instead of being one
    token repeated for every sentence: layer-norm gains of random sign (so the residual
    stream does not point back at the token just fed), weaker cross-attention, a small
    random output bias, and an end-of-sentence bias that ends some outputs early and lets
    others run to the maximum length. The sinusoidal position tables are left as the
    reference computes them (they are not saved with the weights)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "embed_positions" in name:
                continue
            if "layer_norm" in name:
                if name.endswith("weight"):
                    p.copy_(torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("shared.weight") or "embed_tokens" in name:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)
            elif name.endswith("weight") and p.dim() == 2:
                scale = 0.25 if "encoder_attn.out_proj" in name else 1.0
                p.copy_(scale * 1.3 * torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
        bias = torch.randn(model.final_logits_bias.shape, generator=g) / 6
        bias[0, model.config.eos_token_id] += eos_bias
        model.final_logits_bias.copy_(bias)
    model.eval()
    return model


def save_model(model, vocab, model_dir, generation, pytorch_bin=False):
    model.save_pretrained(model_dir, safe_serialization=True)
    if pytorch_bin:
        # The older checkpoint format too (a zip of pickled tensors, as torch.save writes),
        # so the tests can load the same weights both ways.
        torch.save(model.state_dict(), model_dir / "pytorch_model.bin")
    generation.save_pretrained(model_dir)
    with open(model_dir / "vocab.json", "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, indent=0)
    with open(model_dir / "tokenizer_config.json", "w", encoding="utf-8") as f:
        json.dump({"source_lang": "mul", "target_lang": "en", "model_max_length": 512, "separate_vocabs": False}, f)


def f32_base64(xs):
    """Little-endian float32 values, base64: exact and a third the size of decimal text."""
    return base64.b64encode(struct.pack(f"<{len(xs)}f", *xs)).decode("ascii")


def make_fixtures():
    torch.manual_seed(SEED)
    random.seed(SEED)
    model_dir = OUT / "model"
    if model_dir.exists():
        shutil.rmtree(model_dir)
    make_tokenizer_files(model_dir)
    source, target = load_spms(model_dir)
    vocab = build_vocab(source, target)
    cfg = marian_config(vocab, d_model=64, layers=2, heads=4, ffn=128, max_pos=256)
    model = randomize(MarianMTModel(cfg), SEED, eos_bias=2.3)
    generation = GenerationConfig(
        bad_words_ids=[[cfg.pad_token_id]],
        decoder_start_token_id=cfg.pad_token_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=cfg.pad_token_id,
        max_length=24,
        num_beams=4,
        length_penalty=1.0,
    )
    save_model(model, vocab, model_dir, generation, pytorch_bin=True)
    tok = MarianTokenizer.from_pretrained(str(model_dir))
    model = MarianMTModel.from_pretrained(str(model_dir)).eval()
    torch.set_num_threads(2)

    # Tokenizer: every sentence (and every paragraph) of the chosen languages.
    tokenizer_fixture = {"sentencepiece_version": spm.__version__, "languages": {}}
    for lang in TOKENIZER_LANGS:
        texts = corpus_sentences(lang)
        sp = target if lang == "en" else source
        rows = []
        for t in texts:
            ids = sp.encode(t)
            marian_ids = tok(t).input_ids
            row = {"text": t, "spm_ids": ids, "marian_ids": marian_ids}
            # Decoded text is stored only where it differs from the input (normalisation).
            if sp.decode(ids) != t:
                row["spm_decoded"] = sp.decode(ids)
            if tok.decode(marian_ids, skip_special_tokens=True) != t:
                row["marian_decoded"] = tok.decode(marian_ids, skip_special_tokens=True)
            rows.append(row)
        tokenizer_fixture["languages"][lang] = {"spm": "target.spm" if lang == "en" else "source.spm", "rows": rows}
    # Edge cases, through the source model.
    edge = ["", "   ", "  Leading and   inner   spaces  ", "Tab\tand\nnewline", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "ﬁ ligature, Ⅻ, ½", "emoji 🙂🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "e\u0301 combining", "\u200bzero\u200dwidth", ">>deu<< mit Sprachkennung", ">>fra<<", "no<<code>>here", "§±©™"]
    tokenizer_fixture["edge_cases"] = [
        {"text": t, "spm_ids": source.encode(t), "spm_decoded": source.decode(source.encode(t)), "marian_ids": tok(t).input_ids, "marian_decoded": tok.decode(tok(t).input_ids, skip_special_tokens=True)}
        for t in edge
    ]
    with open(OUT / "tokenizer.json", "w", encoding="utf-8") as f:
        json.dump(tokenizer_fixture, f, ensure_ascii=False, separators=(",", ":"))

    # Generation inputs: short-to-medium sentences from several languages.
    inputs = []
    for lang in GENERATE_LANGS:
        sents = [s for s in corpus_sentences(lang) if 20 <= len(s) <= 160]
        inputs += [s for s in sents[1:4]]
    inputs += [">>deu<< " + corpus_sentences("fr")[5]]
    assert len(inputs) >= 20
    results = []
    with torch.no_grad():
        for text in inputs:
            enc = tok([text], return_tensors="pt")
            greedy = model.generate(**enc, num_beams=1, do_sample=False)[0].tolist()
            beam = model.generate(**enc, do_sample=False)[0].tolist()  # generation_config.json: 4 beams
            results.append({
                "text": text,
                "input_ids": enc.input_ids[0].tolist(),
                "greedy": greedy,
                "beam": beam,
                "greedy_text": tok.decode(greedy, skip_special_tokens=True),
                "beam_text": tok.decode(beam, skip_special_tokens=True),
            })
        # The reference batched too, padded: the same outputs are expected.
        enc = tok(inputs, return_tensors="pt", padding=True)
        batched_greedy = model.generate(**enc, num_beams=1, do_sample=False).tolist()
        batched_beam = model.generate(**enc, do_sample=False).tolist()
    pad = cfg.pad_token_id
    strip = lambda ids: ids[: max(i for i, t in enumerate(ids) if t != pad or i == 0) + 1]
    agree_g = sum(strip(b) == strip(r["greedy"]) for b, r in zip(batched_greedy, results))
    agree_b = sum(strip(b) == strip(r["beam"]) for b, r in zip(batched_beam, results))
    greedy_lengths = [len(r["greedy"]) for r in results]
    distinct = len({tuple(r["greedy"]) for r in results})
    print(f"generate: {len(results)} inputs, {distinct} distinct greedy outputs, lengths {greedy_lengths}; reference batched = unbatched: greedy {agree_g}/{len(results)}, beam {agree_b}/{len(results)}")
    with open(OUT / "generate.json", "w", encoding="utf-8") as f:
        json.dump({"max_length": generation.max_length, "num_beams": generation.num_beams, "cases": results}, f, ensure_ascii=False, separators=(",", ":"))

    # Logits: first decoder step for several inputs, and every step of a teacher-forced
    # decoder input for two of them (exercises the self-attention cache).
    logit_cases = []
    with torch.no_grad():
        for r in results[:5]:
            ids = torch.tensor([r["input_ids"]])
            dec = torch.tensor([[cfg.decoder_start_token_id]])
            out = model(input_ids=ids, decoder_input_ids=dec).logits[0, 0]
            logit_cases.append({"input_ids": r["input_ids"], "decoder_input_ids": [cfg.decoder_start_token_id], "logits": [f32_base64(out.tolist())]})
        for r in results[5:7]:
            ids = torch.tensor([r["input_ids"]])
            dec_ids = r["greedy"][:5]
            out = model(input_ids=ids, decoder_input_ids=torch.tensor([dec_ids])).logits[0]
            logit_cases.append({"input_ids": r["input_ids"], "decoder_input_ids": dec_ids, "logits": [f32_base64(row) for row in out.tolist()]})
    with open(OUT / "logits.json", "w", encoding="utf-8") as f:
        json.dump({"cases": logit_cases}, f, separators=(",", ":"))
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({size / 1e6:.2f} MB)")


def make_bench_model(out_dir):
    """A model with the real opus-mt base shape and random weights, for the benchmark. It
    shares the fixture's SentencePiece files; the vocabulary is filled up to 58101 entries."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fixture = OUT / "model"
    for f in ("source.spm", "target.spm"):
        shutil.copy(fixture / f, out_dir / f)
    source, target = load_spms(out_dir)
    base = build_vocab(source, target)
    vocab = build_vocab(source, target, extra_pieces=58101 - len(base))
    cfg = marian_config(vocab, d_model=512, layers=6, heads=8, ffn=2048, max_pos=512)
    model = randomize(MarianMTModel(cfg), SEED + 1, eos_bias=0.0)
    generation = GenerationConfig(bad_words_ids=[[cfg.pad_token_id]], decoder_start_token_id=cfg.pad_token_id, eos_token_id=0, forced_eos_token_id=0, pad_token_id=cfg.pad_token_id, max_length=512, num_beams=4)
    save_model(model, vocab, out_dir, generation)
    print(f"wrote {out_dir}: vocab {len(vocab)}, d_model 512, 6+6 layers, 8 heads, FFN 2048")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", metavar="DIR", help="write the benchmark-sized model to DIR instead")
    args = ap.parse_args()
    if args.bench:
        make_bench_model(args.bench)
    else:
        make_fixtures()
