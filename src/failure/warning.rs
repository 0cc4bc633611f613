//! Warnings: what passed but deserves attention, as data (kind, category, message).
//!
//! A warning never fails a profile unless `--strict`, which then fails it with the first
//! warning's category.

use serde::Serialize;

use crate::exit::Category;

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable snake_case name.
    pub kind: &'static str,
    /// The category it stands for under `--strict`.
    pub category: Category,
    /// One line for people.
    pub message: String,
}

impl Warning {
    /// A warning.
    pub fn new(kind: &'static str, category: Category, message: impl Into<String>) -> Warning {
        Warning {
            kind,
            category,
            message: message.into(),
        }
    }
}
