//! Integration tests: the real `conn` binary against real local servers.

mod support;

mod canary;
mod config_cli;
mod faults;
mod hardening;
mod oidc;
mod tls;
mod tls_mtls;
mod token;
mod vendors;
