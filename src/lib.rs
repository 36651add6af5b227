//! Driftlens: shows where the meaning of a text drifted when it was translated.
//!
//! The pipeline runs top to bottom, each stage a module with a small typed interface
//! (see ARCHITECTURE.md): `text` loads documents, detects languages, splits sentences and
//! finds quotations.

pub mod text;
pub mod align;
pub mod translate;
pub mod models;
pub mod embed;
pub mod drift;
pub mod analyze;
pub mod review;
pub mod export;
pub mod ui;
