//! The command-line face: its flags ([`flags`], every one in one place) and the commands
//! that print (`analyze`, `models`). Only the binary compiles these modules.

pub mod analyze;
pub mod flags;
pub mod models;
