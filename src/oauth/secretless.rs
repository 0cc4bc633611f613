//! The diagnosis of a refused client that sent an assertion: the rule tables' answer, fitted
//! with what was sent (the certificate's thumbprints, the federated assertion's claims, the
//! clocks) so a person can compare it with what is registered on the app.

use crate::config::shown;
use crate::creds::ClientAssertion;
use crate::creds::cert::utc;
use crate::failure::Failure;
use crate::failure::oauth::{self, AssertionFacts, Facts, Federated, Throttle, with_assertion};
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
pub fn explain(
    e: &ServerError,
    throttle: &Throttle,
    req: &Request<'_>,
    a: &ClientAssertion,
    skew: Option<i64>,
) -> Failure {
    let f = Facts {
        hypatos: false,
        grant: match req.grant {
            Grant::ClientCredentials => oauth::Grant::ClientCredentials,
            Grant::Password { .. } => oauth::Grant::Password,
            _ => oauth::Grant::SignIn,
        },
        scopes: req.scopes.to_vec(),
        secret_is_guid: false,
        token_url: shown(req.url),
    };
    match diagnose::explain_facts(e, throttle, &f) {
        Failure::OAuth(mut r) => {
            with_assertion(&mut r, &facts(a, skew));
            Failure::OAuth(r)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    //! The assertion rows against real Entra answers (tests/corpus/entra.toml).
    use super::*;
    use crate::config::assertion::Given;
    use crate::creds::assertion::Federated as Given_;
    use crate::exit::Category;
    use crate::oauth::server_error::ServerError;

    fn entra(status: u16, body: &str) -> ServerError {
        crate::oauth::server_error::parse(status, body.as_bytes(), &[])
    }

    fn federated() -> ClientAssertion {
        let claims = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"iss":"https://oidc.prod-aks.azure.com/x/","sub":"system:serviceaccount:default:other","aud":"api://AzureADTokenExchange","exp":1700000000}"#,
        );
        let v = crate::secret::Secret::new(format!("e30.{claims}.c2ln"));
        ClientAssertion::Given(Given_::new(
            Given::Source(crate::secret::Source::Env("T".into())),
            Some(v),
        ))
    }

    fn explained(status: u16, body: &str, a: &ClientAssertion, skew: Option<i64>) -> Failure {
        let url = url::Url::parse("https://login.microsoftonline.com/t/oauth2/v2.0/token").unwrap();
        let req = Request {
            url: &url,
            client_id: "c",
            client_secret: None,
            assertion: Some(a),
            method: crate::config::ClientAuth::ClientAssertion,
            grant: Grant::ClientCredentials,
            scopes: &[],
            params: &[],
            timeout: std::time::Duration::from_secs(1),
        };
        explain(&entra(status, body), &Throttle::default(), &req, a, skew)
    }

    #[test]
    fn federated_refusals_show_what_was_sent() {
        // https://github.com/Azure/azure-workload-identity/blob/01dc464497ac558220f7bd08f792ed4dc9ffcff1/docs/book/src/troubleshooting.md
        let body = r#"{"error":"invalid_request","error_description":"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://oidc.prod-aks.azure.com/XXXXXX/'. Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'. Assertion Audience: 'api://AzureADTokenExchange'.","error_codes":[70021]}"#;
        let f = explained(400, body, &federated(), None);
        assert_eq!(f.kind(), "entra_no_federated_identity");
        assert_eq!(f.category(), Category::Authentication);
        let hints = f.hints().join("\n");
        assert!(hints.contains("subject system:serviceaccount:default:other"), "{hints}");
        assert!(hints.contains("Federated credentials"), "{hints}");
        // https://github.com/AzureAD/microsoft-authentication-library-for-java/issues/984
        let body = r#"{"error":"invalid_client","error_description":"AADSTS700024: Client assertion is not within its valid time range.","error_codes":[700024]}"#;
        let f = explained(401, body, &federated(), Some(-400));
        assert_eq!(f.kind(), "entra_assertion_time");
        let hints = f.hints().join("\n");
        assert!(
            hints.contains("400s ahead of the server's") && hints.contains("expires 2023-11-14 22:13 UTC"),
            "{hints}"
        );
    }

    #[test]
    fn another_servers_invalid_client_speaks_of_the_assertion() {
        let f = explained(
            401,
            r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
            &federated(),
            None,
        );
        assert_eq!(f.kind(), "oauth_invalid_client_assertion");
        assert!(!f.hints().join(" ").contains("client_secret"), "{:?}", f.hints());
        assert!(f.summary().contains("client authentication failed"));
    }
}
