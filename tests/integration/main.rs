//! Integration tests: the real `conn` binary against real local servers.

mod support;

mod canary;
mod ci;
mod config_cli;
mod faults;
mod hardening;
mod login;
mod manage;
mod oidc;
mod sec_files;
mod sec_inputs;
mod sec_login_route;
mod sec_redaction;
mod tls;
mod tls_mtls;
mod token;
mod vendors;
