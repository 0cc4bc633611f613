//! The diagnosis of a refused client that sent an assertion: the rule tables' answer, fitted
//! with what was sent (the certificate's thumbprints, the federated assertion's claims, the
//! clocks) so a person can compare it with what is registered on the app.

use crate::config::shown;
use crate::creds::ClientAssertion;
use crate::creds::cert::utc;
use crate::failure::Failure;
use crate::failure::oauth::{AssertionFacts, Facts, Federated, with_assertion};
use crate::oauth::diagnose;
use crate::oauth::server_error::ServerError;
use crate::oauth::token::{Grant, Request};

/// What the hints may show of an assertion; `skew`: seconds this machine is behind the server.
pub fn facts(a: &ClientAssertion, skew: Option<i64>) -> AssertionFacts {
    match a {
        ClientAssertion::Signed(s) => AssertionFacts {
            subject: s.cert.as_ref().map(|c| c.subject.clone()),
            sha1: s.cert.as_ref().map(|c| c.sha1_hex()),
            x5t_s256: s.cert.as_ref().map(|c| c.x5t_s256()),
            alg: Some(s.alg.as_str()),
            federated: None,
            skew,
        },
        ClientAssertion::Given(f) => {
            let c = f.claims();
            let or = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
            AssertionFacts {
                federated: Some(Federated {
                    source: f.given.describe(),
                    iss: or(c.iss),
                    sub: or(c.sub),
                    aud: or(c.aud),
                    expires: c.exp.map_or("(no exp)".into(), utc),
                }),
                skew,
                ..AssertionFacts::default()
            }
        }
    }
}

/// Explain a refused request that carried an assertion.
pub fn explain(e: &ServerError, req: &Request<'_>, a: &ClientAssertion, skew: Option<i64>) -> Failure {
    let f = Facts {
        hypatos: false,
        password: matches!(req.grant, Grant::Password { .. }),
        scopes: req.scopes.to_vec(),
        secret_is_guid: false,
        token_url: shown(req.url),
    };
    match diagnose::explain_facts(e, &f) {
        Failure::OAuth(mut r) => {
            with_assertion(&mut r, &facts(a, skew));
            Failure::OAuth(r)
        }
        other => other,
    }
}
