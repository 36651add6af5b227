//! Sentence cells. Every sentence the workbench shows goes through [`show_text`]:
//! `script::show_text`, which wraps to the available width and, for right-to-left scripts,
//! orders each line visually with joined letters.

pub use super::script::{show_text, Highlight};
