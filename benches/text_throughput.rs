//! Loads, detects and splits a 20 MB multilingual text and prints MB/s and peak memory, beside
//! plain UAX #29 splitting and pysbd (see `driftlens::bench::text`; `driftlens bench text` runs
//! the same in the release binary).
//!
//! Run: `cargo bench --bench text_throughput` (release build).

fn main() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance");
    match driftlens::bench::text::run(&corpus, 20) {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("text_throughput: {e}");
            std::process::exit(1);
        }
    }
}
