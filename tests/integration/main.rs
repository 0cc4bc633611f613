//! Integration tests: the real `conn` binary against real local servers.

mod support;

mod config_cli;
mod faults;
mod login;
mod oidc;
mod tls;
mod token;
mod vendors;
