//! `conn demo`: a local service that plays Hypatos, Entra with Portfolios, and a REST API
//! ([`fake`]), and a set of profiles against it, healthy and broken in the ways people break
//! them ([`profiles`]).

pub mod cert;
pub mod fake;
pub mod profiles;
