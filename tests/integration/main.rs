//! Integration tests: the real `conn` binary against real local servers.

mod support;

mod ci;
mod config_cli;
mod faults;
mod login;
mod manage;
mod oidc;
mod tls;
mod token;
mod vendors;
