//! OAuth 2.0: the token exchange, written by hand so every byte of the answer is available
//! to the diagnosis; what servers say when they refuse; reading JWT claims for display; and
//! the explanations of OAuth, Entra and Hypatos errors.

pub mod diagnose;
pub mod federated;
pub mod jwt;
pub mod obtain;
pub mod secretless;
pub mod server_error;
pub mod token;
