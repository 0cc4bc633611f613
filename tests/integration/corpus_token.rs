//! The diagnosis of every token-endpoint answer in the corpus (`endpoint = "token"`).
