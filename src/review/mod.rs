//! What a person adds to an analysis: verdicts and notes on flagged pairs (the review
//! project, saved next to the corpus with atomic writes), and the classroom exercise built
//! from a drift variant's planted changes.

pub mod classroom;
pub mod project;

pub use classroom::{Checked, Exercise, RowCheck, RowOutcome};
pub use project::{Entry, Project, ProjectError, Verdict};
