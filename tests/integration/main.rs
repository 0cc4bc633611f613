//! Integration tests: the real `conn` binary against real local servers.

mod support;

mod canary;
mod ci;
mod config_cli;
mod corpus;
mod corpus_api;
mod corpus_token;
mod faults;
mod hostile_servers;
mod http2;
mod login;
mod manage;
mod oidc;
mod redirects;
mod sec_files;
mod sec_inputs;
mod sec_login_route;
mod sec_redaction;
mod secrets_hardening;
mod security_cases;
mod store_hardening;
mod tls;
mod tls_mtls;
mod token;
mod token_answers;
mod token_one;
mod vendors;
mod vendors_portfolios;
mod vendors_rest;
