//! The candle sentence embedder against sentence-transformers' own vectors for the same
//! model (tests/fixtures/embed/minilm-reference.json, made by
//! scripts/make-embedding-fixtures.py), and its errors on a missing or corrupt model.
//!
//! Needs the model: scripts/fetch-test-models (or $DRIFTLENS_MODELS/all-MiniLM-L6-v2).

use driftlens::embed::{cosine, model_dir, EmbedError, Embedder, EmbeddingCache, SentenceEmbedder};
use std::path::PathBuf;
use std::sync::OnceLock;

fn model() -> &'static SentenceEmbedder {
    static M: OnceLock<SentenceEmbedder> = OnceLock::new();
    M.get_or_init(|| {
        let dir = model_dir("all-MiniLM-L6-v2");
        SentenceEmbedder::load(&dir)
            .unwrap_or_else(|e| panic!("all-MiniLM-L6-v2 is needed for this test: {e}"))
    })
}

struct Reference {
    text: String,
    tokens: usize,
    vector: Vec<f32>,
}

fn reference() -> Vec<Reference> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/embed/minilm-reference.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Reference {
            text: s["text"].as_str().unwrap().to_string(),
            tokens: s["tokens"].as_u64().unwrap() as usize,
            vector: s["vector"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect(),
        })
        .collect()
}

#[test]
fn vectors_match_sentence_transformers() {
    let refs = reference();
    assert!(
        refs.len() >= 50,
        "the fixture holds {} sentences",
        refs.len()
    );
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let got = model().embed(&texts).unwrap();
    assert_eq!(got.len(), refs.len());
    let mut worst = (1.0f32, "");
    for (r, v) in refs.iter().zip(&got) {
        assert_eq!(v.len(), 384);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!(
            (norm - 1.0).abs() < 1e-4,
            "vector of {:?} has norm {norm}",
            r.text
        );
        let c = cosine(v, &r.vector);
        if c < worst.0 {
            worst = (c, &r.text);
        }
    }
    assert!(
        worst.0 > 1.0 - 1e-4,
        "cosine with sentence-transformers only {} for {:?}",
        worst.0,
        worst.1
    );
    // the fixture covers an empty sentence and one cut at the 256-token window
    assert!(refs.iter().any(|r| r.text.is_empty()));
    assert!(refs.iter().any(|r| r.tokens == 256));
}

#[test]
fn batching_and_order_do_not_change_vectors() {
    let refs = reference();
    let texts: Vec<&str> = refs.iter().take(12).map(|r| r.text.as_str()).collect();
    let together = model().embed(&texts).unwrap();
    for (i, t) in texts.iter().enumerate() {
        let alone = model().embed(&[t]).unwrap();
        assert!(
            cosine(&alone[0], &together[i]) > 1.0 - 1e-5,
            "sentence {i} differs alone and in a batch"
        );
    }
    assert!(model().embed(&[]).unwrap().is_empty());
}

#[test]
fn similar_sentences_are_closer_than_unrelated_ones() {
    let v = model()
        .embed(&[
            "Putin and Xi held a video call on Wednesday.",
            "On Wednesday Xi and Putin spoke by video link.",
            "The recipe needs two eggs and some flour.",
        ])
        .unwrap();
    assert!(cosine(&v[0], &v[1]) > 0.7);
    assert!(cosine(&v[0], &v[2]) < 0.3);
}

#[test]
fn missing_model_names_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let err = SentenceEmbedder::load(&dir.path().join("nope"))
        .err()
        .unwrap();
    assert!(matches!(err, EmbedError::MissingFolder { .. }));
    assert!(
        err.to_string().contains("scripts/fetch-test-models"),
        "{err}"
    );

    let src = model_dir("all-MiniLM-L6-v2");
    std::fs::copy(src.join("config.json"), dir.path().join("config.json")).unwrap();
    std::fs::copy(
        src.join("tokenizer.json"),
        dir.path().join("tokenizer.json"),
    )
    .unwrap();
    let err = SentenceEmbedder::load(dir.path()).err().unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains("model.safetensors")
            && msg.contains("missing")
            && msg.contains("scripts/fetch-test-models"),
        "{msg}"
    );
}

#[test]
fn corrupt_model_files_name_the_file() {
    let src = model_dir("all-MiniLM-L6-v2");
    for broken in ["model.safetensors", "config.json", "tokenizer.json"] {
        let dir = tempfile::tempdir().unwrap();
        for f in ["config.json", "tokenizer.json", "model.safetensors"] {
            if f == broken {
                // a download cut short: the first half of the real file (at most a kilobyte)
                let bytes = std::fs::read(src.join(f)).unwrap();
                std::fs::write(dir.path().join(f), &bytes[..1024.min(bytes.len() / 2)]).unwrap();
            } else {
                std::os::unix::fs::symlink(src.join(f).canonicalize().unwrap(), dir.path().join(f))
                    .unwrap();
            }
        }
        let err = SentenceEmbedder::load(dir.path())
            .err()
            .unwrap_or_else(|| panic!("a truncated {broken} loaded"));
        let msg = err.to_string();
        assert!(
            msg.contains(broken) && msg.contains("scripts/fetch-test-models"),
            "{broken}: {msg}"
        );
    }
}

#[test]
fn cache_returns_the_same_vectors_and_survives_a_torn_write() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        "The talks went well.",
        "Peskov denied it.",
        "The talks went well.",
    ];
    let mut cache = EmbeddingCache::open(dir.path(), model().id(), model().dimension()).unwrap();
    let first = cache.embed_all(model(), &texts, 2, |_, _| {}).unwrap();
    assert_eq!(cache.len(), 2, "a repeated sentence is stored once");
    let path = cache.path().to_path_buf();
    // tear the last record, as a crash mid-write would
    let len = std::fs::metadata(&path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len - 100).unwrap();
    drop(f);
    let mut again = EmbeddingCache::open(dir.path(), model().id(), model().dimension()).unwrap();
    assert_eq!(
        again.len(),
        1,
        "the torn record is dropped, the whole one kept"
    );
    let second = again.embed_all(model(), &texts, 2, |_, _| {}).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert!(cosine(a, b) > 1.0 - 1e-6);
    }
    let reopened = EmbeddingCache::open(dir.path(), model().id(), model().dimension()).unwrap();
    assert_eq!(reopened.len(), 2);
    assert!(reopened.get("Peskov denied it.").is_some());
}

/// A run whose vectors are all cached opens the cache by the model's id without loading the
/// model: the id read from the files must be the loaded model's, with and without a prefix,
/// or every cached vector would be computed again.
#[test]
fn the_id_read_without_loading_is_the_loaded_models() {
    let dir = driftlens::embed::model_dir("all-MiniLM-L6-v2");
    let loaded = SentenceEmbedder::load(&dir).expect("scripts/fetch-test-models installs MiniLM");
    let (id, dim) = driftlens::embed::model_identity(&dir, "").unwrap();
    assert_eq!((id.as_str(), dim), (loaded.id(), loaded.dimension()));
    let prefixed = loaded.with_prefix("query: ");
    let (id, _) = driftlens::embed::model_identity(&dir, "query: ").unwrap();
    assert_eq!(id, prefixed.id());
}
