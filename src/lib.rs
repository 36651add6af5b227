//! Driftlens: shows where the meaning of a text drifted when it was translated.
//!
//! The pipeline runs top to bottom, each stage a module with a small typed interface
//! (see ARCHITECTURE.md): `text` loads documents, detects languages, splits sentences and
//! finds quotations. The pure stages (`text`, `align`, `drift`) live in the `driftlens-core`
//! crate (crates/core), the engines (`translate`, `embed`, `models`, `atomic`) in
//! `driftlens-engines` (crates/engines); both are re-exported here. This crate is the
//! application (`analyze`, `review`, `export`, `resources`, `bench`) and the workbench.

pub use driftlens_core::{align, direct, drift};
pub use driftlens_engines::{atomic, embed, models, translate};
pub mod analyze;
pub mod bench;
pub mod export;
pub mod import;
pub mod resources;
pub mod review;
pub mod text;
pub mod ui;
