//! The diagnosis of every API answer in the corpus (`endpoint = "api"`), as the probe reads it.
