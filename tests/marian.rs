//! The Marian engine against the reference (`transformers` + `sentencepiece`), on the
//! fixtures scripts/make-marian-fixtures.py made: a small random-weight MarianMTModel in the
//! Hugging Face layout, SentencePiece models trained on the corpus, and what the reference
//! computed with them (logits, greedy and beam-search outputs, tokenizations).

use driftlens::translate::marian::config::GenerationSettings;
use driftlens::translate::marian::spm::SentencePiece;
use driftlens::translate::marian::{DecodeOptions, Marian, MarianError, Precision};
use driftlens::translate::{CancelFlag, TranslateError, Translator};
use serde_json::Value;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/marian")
}

fn json(name: &str) -> Value {
    let p = fixtures().join(name);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

/// The fixture model in f32: the precision whose arithmetic is the reference's.
fn model() -> &'static Marian {
    static M: OnceLock<Marian> = OnceLock::new();
    M.get_or_init(|| {
        Marian::load_with(&fixtures().join("model"), Precision::F32)
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The fixture model with int8 linear layers.
fn model_int8() -> &'static Marian {
    static M: OnceLock<Marian> = OnceLock::new();
    M.get_or_init(|| {
        Marian::load_with(&fixtures().join("model"), Precision::Int8)
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn b64_f32(s: &str) -> Vec<f32> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let bytes: Vec<u8> = s.bytes().collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().take_while(|&&c| c != b'=').count();
        let v = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| {
            acc | (if c == b'=' { 0 } else { val(c) }) << (18 - 6 * i as u32)
        });
        out.push((v >> 16) as u8);
        if n > 2 {
            out.push((v >> 8) as u8);
        }
        if n > 3 {
            out.push(v as u8);
        }
    }
    out.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The reference's generated ids after the decoder start token, without trailing padding.
fn reference_output(v: &Value, pad: u32) -> Vec<u32> {
    let mut all = ids(v);
    all.remove(0);
    while all.last() == Some(&pad) {
        all.pop();
    }
    all
}

#[test]
fn logits_equal_the_reference_within_1e_4() {
    let m = model();
    let cases = json("logits.json");
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut worst = 0f32;
    let mut steps = 0;
    for (i, c) in cases.iter().enumerate() {
        let src = ids(&c["input_ids"]);
        let dec = ids(&c["decoder_input_ids"]);
        let logits = m
            .network()
            .forward(&[src], std::slice::from_ref(&dec))
            .unwrap();
        let got: Vec<Vec<f32>> = logits.squeeze(0).unwrap().to_vec2().unwrap();
        let want: Vec<Vec<f32>> = c["logits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| b64_f32(s.as_str().unwrap()))
            .collect();
        assert_eq!(got.len(), want.len(), "case {i}: steps");
        for (t, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g.len(), w.len(), "case {i} step {t}: vocabulary size");
            for (j, (a, b)) in g.iter().zip(w).enumerate() {
                let d = (a - b).abs();
                assert!(
                    d <= 1e-4,
                    "case {i} step {t} token {j}: candle {a} vs reference {b} (diff {d})"
                );
                worst = worst.max(d);
            }
            steps += 1;
        }
    }
    eprintln!("logits: {steps} decoder steps compared, largest difference {worst:e}");
}

fn generation_cases() -> Vec<Value> {
    let g = json("generate.json");
    let cases = g["cases"].as_array().unwrap().clone();
    assert!(
        cases.len() >= 20,
        "the fixture holds {} inputs",
        cases.len()
    );
    cases
}

fn settings(beams: usize) -> GenerationSettings {
    let s = &model().options().generation;
    assert_eq!(s.num_beams, 4, "generation_config.json asks for 4 beams");
    assert_eq!(s.max_length, 24);
    assert_eq!(s.bad_words_ids, vec![vec![s.pad_token_id]]);
    GenerationSettings {
        num_beams: beams,
        ..s.clone()
    }
}

/// Runs the search on every fixture input, `batch` at a time, and lists the inputs whose
/// output differs from the reference's.
fn compare(beams: usize, batch: usize, key: &str) {
    let m = model();
    let cases = generation_cases();
    let inputs: Vec<Vec<u32>> = cases.iter().map(|c| ids(&c["input_ids"])).collect();
    // The tokenizer makes the same encoder inputs as the reference's MarianTokenizer.
    for (c, input) in cases.iter().zip(&inputs) {
        assert_eq!(
            &m.encode(c["text"].as_str().unwrap()),
            input,
            "encoder input for {:?}",
            c["text"]
        );
    }
    let done = RefCell::new(Vec::new());
    let on_done = |i: usize| done.borrow_mut().push(i);
    let got = m
        .generate_ids(&inputs, &settings(beams), batch, None, &on_done)
        .unwrap();
    let pad = settings(beams).pad_token_id;
    let mut wrong = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let want = reference_output(&c[key], pad);
        if got[i] != want {
            wrong.push(format!(
                "input {i} {:?}:\n  candle    {:?}\n  reference {:?}",
                c["text"].as_str().unwrap(),
                got[i],
                want
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} {key} outputs differ (beams {beams}, batch {batch}):\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    let mut reported = done.into_inner();
    reported.sort();
    assert_eq!(
        reported,
        (0..cases.len()).collect::<Vec<_>>(),
        "every sentence reports its end once"
    );
}

#[test]
fn greedy_search_equals_the_reference_one_sentence_at_a_time() {
    compare(1, 1, "greedy");
}

#[test]
fn greedy_search_equals_the_reference_in_padded_batches() {
    compare(1, 8, "greedy");
    compare(1, 64, "greedy");
}

#[test]
fn beam_search_equals_the_reference_one_sentence_at_a_time() {
    compare(4, 1, "beam");
}

#[test]
fn beam_search_equals_the_reference_in_padded_batches() {
    compare(4, 8, "beam");
    compare(4, 64, "beam");
}

#[test]
fn outputs_vary_so_the_comparison_means_something() {
    let cases = generation_cases();
    let distinct: std::collections::HashSet<Vec<u32>> =
        cases.iter().map(|c| ids(&c["greedy"])).collect();
    assert!(
        distinct.len() * 3 >= cases.len() * 2,
        "only {} distinct greedy outputs for {} inputs",
        distinct.len(),
        cases.len()
    );
    let early = cases
        .iter()
        .filter(|c| reference_output(&c["beam"], 0).len() < 23)
        .count();
    assert!(
        early >= 5,
        "beam search should end some sentences before the maximum length ({early} did)"
    );
    let differ = cases.iter().filter(|c| c["beam"] != c["greedy"]).count();
    assert!(
        differ >= 10,
        "beam search should differ from greedy search on many inputs ({differ} do)"
    );
}

#[test]
fn translations_decode_to_the_reference_text() {
    let m = model();
    let cases = generation_cases();
    let texts: Vec<String> = cases
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    let out = m.translate(&texts).unwrap();
    for (c, got) in cases.iter().zip(&out) {
        assert_eq!(
            got,
            c["beam_text"].as_str().unwrap(),
            "beam-search translation of {:?}",
            c["text"]
        );
    }
    let greedy = DecodeOptions {
        generation: settings(1),
        batch_size: 5,
    };
    let out = m.translate_with(&texts, &greedy, &|_, _| {}, None).unwrap();
    for (c, got) in cases.iter().zip(&out) {
        assert_eq!(
            got,
            c["greedy_text"].as_str().unwrap(),
            "greedy translation of {:?}",
            c["text"]
        );
    }
}

#[test]
fn translator_reports_progress_keeps_order_and_empty_sentences() {
    let m = model();
    let cases = generation_cases();
    let mut sentences: Vec<String> = cases
        .iter()
        .take(6)
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    sentences.insert(2, String::new());
    sentences.push("   ".into());
    let seen = RefCell::new(Vec::new());
    let progress = |d: usize, t: usize| seen.borrow_mut().push((d, t));
    let out = m
        .translate_batch(&sentences, &progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(out.len(), sentences.len());
    assert_eq!(out[2], "");
    assert_eq!(out[7], "");
    let alone = m.translate(&[sentences[3].clone()]).unwrap();
    assert_eq!(
        out[3], alone[0],
        "a sentence translates the same in a batch and alone"
    );
    let seen = seen.into_inner();
    assert_eq!(seen.last(), Some(&(8, 8)));
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress never goes back: {seen:?}"
    );
    assert!(
        seen.len() >= 7,
        "progress is reported per sentence: {seen:?}"
    );
    assert!(m.id().to_string().contains("beams=4"), "{}", m.id());
}

#[test]
fn cancelling_stops_translation_with_a_clear_error() {
    let m = model();
    let cancel = CancelFlag::new();
    cancel.cancel();
    let err = m
        .translate_batch(&["Hola.".to_string()], &|_, _| {}, &cancel)
        .unwrap_err();
    assert!(matches!(err, TranslateError::Cancelled { .. }), "{err}");
    assert!(err.to_string().contains("cancelled"), "{err}");
}

// --- Tokenizer ------------------------------------------------------------------------------

fn spm(name: &str) -> SentencePiece {
    SentencePiece::from_bytes(&std::fs::read(fixtures().join("model").join(name)).unwrap()).unwrap()
}

#[test]
fn sentencepiece_encodes_and_decodes_every_corpus_sentence_as_the_reference() {
    let t = json("tokenizer.json");
    let langs = t["languages"].as_object().unwrap();
    assert!(langs.len() >= 10, "{} languages", langs.len());
    let source = spm("source.spm");
    let target = spm("target.spm");
    let mut total = 0;
    let mut unk_seen = 0;
    for (lang, l) in langs {
        let sp = if l["spm"] == "target.spm" {
            &target
        } else {
            &source
        };
        let rows = l["rows"].as_array().unwrap();
        assert!(rows.len() >= 20, "{lang}: {} sentences", rows.len());
        for r in rows {
            let text = r["text"].as_str().unwrap();
            let want = ids(&r["spm_ids"]);
            let got = sp.encode_ids(text);
            assert_eq!(
                got,
                want,
                "{lang}: ids of {text:?}\n  pieces {:?}",
                sp.encode_pieces(text)
            );
            let decoded = r.get("spm_decoded").and_then(Value::as_str).unwrap_or(text);
            assert_eq!(sp.decode_ids(&want), decoded, "{lang}: decoding {text:?}");
            unk_seen += want.iter().filter(|&&i| i == sp.unk_id()).count();
            total += 1;
        }
    }
    eprintln!("sentencepiece: {total} sentences in {} languages equal the reference ({unk_seen} unknown pieces among them)", langs.len());
    assert!(
        unk_seen > 0,
        "the fixture should exercise unknown characters"
    );
}

#[test]
fn marian_tokenizer_encodes_and_decodes_every_corpus_sentence_as_the_reference() {
    let m = model();
    let t = json("tokenizer.json");
    for (lang, l) in t["languages"].as_object().unwrap() {
        for r in l["rows"].as_array().unwrap() {
            let text = r["text"].as_str().unwrap();
            let want = ids(&r["marian_ids"]);
            if lang == "en" {
                // English goes through the target model in the reference; the source side is
                // checked on the other languages.
                continue;
            }
            assert_eq!(m.tokenizer().encode(text), want, "{lang}: {text:?}");
            let decoded = r
                .get("marian_decoded")
                .and_then(Value::as_str)
                .unwrap_or(text);
            assert_eq!(
                m.tokenizer().decode(&want, true),
                decoded,
                "{lang}: decoding {text:?}"
            );
        }
    }
}

#[test]
fn tokenizer_edge_cases_match_the_reference() {
    let m = model();
    let source = spm("source.spm");
    let t = json("tokenizer.json");
    for r in t["edge_cases"].as_array().unwrap() {
        let text = r["text"].as_str().unwrap();
        assert_eq!(
            source.encode_ids(text),
            ids(&r["spm_ids"]),
            "sentencepiece ids of {text:?}"
        );
        assert_eq!(
            source.decode_ids(&ids(&r["spm_ids"])),
            r["spm_decoded"].as_str().unwrap(),
            "sentencepiece text of {text:?}"
        );
        assert_eq!(
            m.tokenizer().encode(text),
            ids(&r["marian_ids"]),
            "Marian ids of {text:?}"
        );
        assert_eq!(
            m.tokenizer().decode(&ids(&r["marian_ids"]), true),
            r["marian_decoded"].as_str().unwrap(),
            "Marian text of {text:?}"
        );
    }
    assert_eq!(
        m.tokenizer().language_codes(),
        [">>deu<<", ">>fra<<", ">>spa<<"]
    );
}

// --- Damaged and missing files --------------------------------------------------------------

fn copy_model() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixtures().join("model")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    dir
}

fn load_err(dir: &Path) -> MarianError {
    match Marian::load(dir) {
        Ok(_) => panic!("a damaged model in {} loaded", dir.display()),
        Err(e) => e,
    }
}

fn assert_names(err: &MarianError, file: &str, words: &[&str]) {
    let msg = err.to_string();
    assert!(msg.contains(file), "the message should name {file}: {msg}");
    assert!(
        msg.contains("driftlens models fetch"),
        "the message should say how to fix it: {msg}"
    );
    for w in words {
        assert!(msg.contains(w), "the message should say {w:?}: {msg}");
    }
}

#[test]
fn a_missing_file_is_named_with_the_fix() {
    for file in ["vocab.json", "config.json", "source.spm", "target.spm"] {
        let dir = copy_model();
        std::fs::remove_file(dir.path().join(file)).unwrap();
        let err = load_err(dir.path());
        assert!(matches!(err, MarianError::MissingFile { .. }), "{err}");
        assert_names(&err, file, &["missing"]);
    }
    // Without model.safetensors the older pytorch_model.bin serves; without both, the
    // message names both.
    let dir = copy_model();
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    std::fs::remove_file(dir.path().join("pytorch_model.bin")).unwrap();
    assert_names(
        &load_err(dir.path()),
        "model.safetensors",
        &["pytorch_model.bin"],
    );
}

#[test]
fn a_truncated_or_corrupt_file_is_named_with_the_fix() {
    let truncate = |dir: &Path, file: &str, keep: f64| {
        let p = dir.join(file);
        let b = std::fs::read(&p).unwrap();
        std::fs::write(&p, &b[..(b.len() as f64 * keep) as usize]).unwrap();
    };
    let dir = copy_model();
    truncate(dir.path(), "model.safetensors", 0.6);
    assert_names(&load_err(dir.path()), "model.safetensors", &["truncated"]);

    let dir = copy_model();
    truncate(dir.path(), "model.safetensors", 0.0);
    assert_names(&load_err(dir.path()), "model.safetensors", &[]);

    let dir = copy_model();
    let p = dir.path().join("model.safetensors");
    let mut b = std::fs::read(&p).unwrap();
    b[10..200].fill(b'#');
    std::fs::write(&p, b).unwrap();
    assert_names(&load_err(dir.path()), "model.safetensors", &["damaged"]);

    for (file, keep) in [
        ("source.spm", 0.5),
        ("target.spm", 0.1),
        ("vocab.json", 0.5),
        ("config.json", 0.5),
    ] {
        let dir = copy_model();
        truncate(dir.path(), file, keep);
        assert_names(&load_err(dir.path()), file, &["cannot be used"]);
    }

    let dir = copy_model();
    std::fs::write(
        dir.path().join("source.spm"),
        b"\xff\xff\xff\xff not a model at all \x00\x01",
    )
    .unwrap();
    assert_names(&load_err(dir.path()), "source.spm", &["SentencePiece"]);
}

#[test]
fn weights_that_do_not_fit_the_config_are_reported() {
    let dir = copy_model();
    let p = dir.path().join("config.json");
    let mut cfg: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    cfg["decoder_layers"] = 3.into();
    std::fs::write(&p, serde_json::to_vec(&cfg).unwrap()).unwrap();
    assert_names(
        &load_err(dir.path()),
        "model.safetensors",
        &["does not hold the weights config.json describes"],
    );

    let dir = copy_model();
    let p = dir.path().join("config.json");
    let mut cfg: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    cfg["vocab_size"] = 100.into();
    std::fs::write(&p, serde_json::to_vec(&cfg).unwrap()).unwrap();
    assert_names(&load_err(dir.path()), "vocab.json", &["different models"]);
}

#[test]
fn an_old_config_without_newer_keys_still_loads() {
    // Checkpoints converted in 2020 lack share_encoder_decoder_embeddings, decoder_vocab_size
    // and forced_eos_token_id; MarianConfig's defaults fill them in.
    let dir = copy_model();
    let p = dir.path().join("config.json");
    let mut cfg: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    for k in [
        "share_encoder_decoder_embeddings",
        "decoder_vocab_size",
        "forced_eos_token_id",
        "use_cache",
        "is_encoder_decoder",
    ] {
        cfg.as_object_mut().unwrap().remove(k);
    }
    std::fs::write(&p, serde_json::to_vec(&cfg).unwrap()).unwrap();
    let m = Marian::load_with(dir.path(), Precision::F32).unwrap_or_else(|e| panic!("{e}"));
    let text = generation_cases()[0]["text"].as_str().unwrap().to_string();
    assert_eq!(
        m.translate(std::slice::from_ref(&text)).unwrap(),
        model().translate(&[text]).unwrap()
    );
}

#[test]
fn pytorch_model_bin_gives_the_same_model_as_safetensors() {
    let dir = copy_model();
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let m = Marian::load_with(dir.path(), Precision::F32).unwrap_or_else(|e| panic!("{e}"));
    let cases = json("logits.json");
    let c = &cases["cases"][0];
    let logits = m
        .network()
        .forward(&[ids(&c["input_ids"])], &[ids(&c["decoder_input_ids"])])
        .unwrap();
    let got: Vec<f32> = logits.flatten_all().unwrap().to_vec1().unwrap();
    let want = b64_f32(c["logits"][0].as_str().unwrap());
    let worst = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(
        worst <= 1e-4,
        "logits from pytorch_model.bin differ from the reference by {worst}"
    );
    let inputs: Vec<Vec<u32>> = generation_cases()
        .iter()
        .take(10)
        .map(|c| ids(&c["input_ids"]))
        .collect();
    let got = m
        .generate_ids(&inputs, &settings(4), 4, None, &|_| {})
        .unwrap();
    for (c, g) in generation_cases().iter().zip(&got) {
        assert_eq!(g, &reference_output(&c["beam"], settings(4).pad_token_id));
    }
}

#[test]
fn an_unreadable_pytorch_checkpoint_is_explained() {
    // A legacy (pre-zip) or damaged pytorch_model.bin: the message names the file and says
    // how to convert it, instead of a parser's complaint.
    let dir = copy_model();
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    std::fs::write(
        dir.path().join("pytorch_model.bin"),
        b"\x80\x02\x8a\x0alegacy pickle data, not a zip archive",
    )
    .unwrap();
    let err = load_err(dir.path()).to_string();
    assert!(
        err.contains("pytorch_model.bin") && err.contains("model.safetensors"),
        "{err}"
    );

    let dir = copy_model();
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let p = dir.path().join("pytorch_model.bin");
    let b = std::fs::read(&p).unwrap();
    std::fs::write(&p, &b[..b.len() / 2]).unwrap();
    assert_names(&load_err(dir.path()), "pytorch_model.bin", &["truncated"]);
}

// --- Int8 against f32 -----------------------------------------------------------------------

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        ab += x as f64 * y as f64;
        aa += x as f64 * x as f64;
        bb += y as f64 * y as f64;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

#[test]
fn int8_logits_stay_close_to_f32_at_every_step() {
    // Every fixture input, both networks fed the f32 greedy output (teacher forcing), so
    // each step compares the same decoder input.
    let (f32_model, int8_model) = (model(), model_int8());
    let inputs: Vec<Vec<u32>> = generation_cases()
        .iter()
        .map(|c| ids(&c["input_ids"]))
        .collect();
    let greedy = f32_model
        .generate_ids(&inputs, &settings(1), 8, None, &|_| {})
        .unwrap();
    let start = settings(1).decoder_start_token_id;
    let (mut worst, mut steps) = (f64::INFINITY, 0);
    for (i, (src, out)) in inputs.iter().zip(&greedy).enumerate() {
        let mut dec = vec![start];
        dec.extend_from_slice(&out[..out.len() - 1]);
        let logits = |m: &Marian| -> Vec<Vec<f32>> {
            m.network()
                .forward(std::slice::from_ref(src), std::slice::from_ref(&dec))
                .unwrap()
                .squeeze(0)
                .unwrap()
                .to_vec2()
                .unwrap()
        };
        for (t, (a, b)) in logits(f32_model)
            .iter()
            .zip(&logits(int8_model))
            .enumerate()
        {
            let c = cosine(a, b);
            assert!(
                c >= 0.999,
                "input {i} step {t}: int8 logits cosine {c} against f32"
            );
            worst = worst.min(c);
            steps += 1;
        }
    }
    eprintln!("int8: {steps} decoder steps, logits cosine against f32 at least {worst}");
}

#[test]
fn int8_picks_the_same_next_token_as_f32_at_most_steps() {
    // What a user would notice: the output tokens. Both networks are fed the f32 greedy
    // output and the argmax of their logits is compared at every step. The fixture's random
    // weights make near-ties common (whole greedy outputs part at the first one of them),
    // so the check is per step.
    let (f32_model, int8_model) = (model(), model_int8());
    let inputs: Vec<Vec<u32>> = generation_cases()
        .iter()
        .map(|c| ids(&c["input_ids"]))
        .collect();
    let greedy = f32_model
        .generate_ids(&inputs, &settings(1), 8, None, &|_| {})
        .unwrap();
    let int8_greedy = int8_model
        .generate_ids(&inputs, &settings(1), 8, None, &|_| {})
        .unwrap();
    let start = settings(1).decoder_start_token_id;
    let argmax = |xs: &[f32]| {
        xs.iter()
            .enumerate()
            .fold(0, |best, (i, &x)| if x > xs[best] { i } else { best })
    };
    let (mut same, mut steps) = (0, 0);
    for (src, out) in inputs.iter().zip(&greedy) {
        let mut dec = vec![start];
        dec.extend_from_slice(&out[..out.len() - 1]);
        let logits = |m: &Marian| -> Vec<Vec<f32>> {
            m.network()
                .forward(std::slice::from_ref(src), std::slice::from_ref(&dec))
                .unwrap()
                .squeeze(0)
                .unwrap()
                .to_vec2()
                .unwrap()
        };
        for (a, b) in logits(f32_model).iter().zip(&logits(int8_model)) {
            same += usize::from(argmax(a) == argmax(b));
            steps += 1;
        }
    }
    let whole = greedy
        .iter()
        .zip(&int8_greedy)
        .filter(|(a, b)| a == b)
        .count();
    eprintln!("int8: same next token as f32 at {same} of {steps} steps; whole greedy outputs equal for {whole} of {}", inputs.len());
    assert!(
        same * 100 >= steps * 90,
        "int8 picks f32's next token at only {same} of {steps} steps"
    );
    // The first step has no near-tie history behind it: it must agree almost everywhere.
    let first_same = inputs
        .iter()
        .zip(&greedy)
        .zip(&int8_greedy)
        .filter(|((_, a), b)| a.first() == b.first())
        .count();
    assert!(
        first_same * 10 >= inputs.len() * 9,
        "first tokens equal for only {first_same} of {}",
        inputs.len()
    );
}

#[test]
fn precision_is_chosen_at_load_and_keys_the_cache() {
    assert_eq!(model().precision(), Precision::F32);
    assert_eq!(model_int8().precision(), Precision::Int8);
    // Int8 output can differ, so its translations are cached apart; f32 keeps its old keys.
    assert!(
        model_int8().id().to_string().contains("precision=int8"),
        "{}",
        model_int8().id()
    );
    assert!(
        !model().id().to_string().contains("precision"),
        "{}",
        model().id()
    );
    assert_eq!("int8".parse::<Precision>(), Ok(Precision::Int8));
    assert_eq!("F32".parse::<Precision>(), Ok(Precision::F32));
    let err = "bf16".parse::<Precision>().unwrap_err();
    assert!(err.contains("int8 or f32"), "{err}");
}
