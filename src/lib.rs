//! Driftlens: shows where the meaning of a text drifted when it was translated.
//!
//! The pipeline runs top to bottom, each stage a module with a small typed interface
//! (see ARCHITECTURE.md): `text` loads documents, detects languages, splits sentences and
//! finds quotations. The pure stages (`text`, `align`, `drift`) live in the `driftlens-core`
//! crate (crates/core) and are re-exported here; this crate adds what touches the disk,
//! processes, models and the screen.

pub use driftlens_core::{align, drift};
pub mod analyze;
pub mod atomic;
pub mod bench;
pub mod embed;
pub mod export;
pub mod models;
pub mod resources;
pub mod review;
pub mod text;
pub mod translate;
pub mod ui;
