//! A failure found by a test, as the steps name it; the text cleaning every renderer uses.
//!
//! A [`Finding`] is a [`Failure`](crate::failure::Failure): typed data with its category,
//! its stable kind, its summary and its hints. Findings travel in the report; they are never
//! errors.

/// What went wrong and what to do.
pub type Finding = crate::failure::Failure;

pub use crate::redact::text::{clean, safe, safe_lines};
