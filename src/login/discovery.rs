//! OpenID Connect discovery (OIDC Discovery 1.0 §4): the provider's endpoints, checked.
//!
//! The document's `issuer` must equal the configured one (a mix-up defence), and a provider
//! that lists its PKCE methods must list S256 when the profile uses PKCE.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::net::body::MAX_BODY;

/// The parts of a provider's metadata that a login uses.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// `issuer`, exactly as the provider states it.
    pub issuer: String,
    /// Authorization endpoint.
    pub authorization_endpoint: Url,
    /// Token endpoint.
    pub token_endpoint: Url,
    /// RFC 8628 device endpoint, when offered.
    pub device_authorization_endpoint: Option<Url>,
    /// Where the signing keys are.
    pub jwks_uri: Option<Url>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub iss_parameter: bool,
}

/// `{issuer}/.well-known/openid-configuration`.
pub fn url(issuer: &Url) -> Option<Url> {
    Url::parse(&format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    ))
    .ok()
}

/// Fetch and check the provider's metadata.
pub async fn discover(
    http: &reqwest::Client,
    issuer: &Url,
    pkce: bool,
    timeout: Duration,
) -> Result<Metadata, Finding> {
    let u = url(issuer)
        .ok_or_else(|| Finding::plain("issuer_not_url", Category::Config, "the issuer is not a usable URL"))?;
    let what = issuer.host_str().unwrap_or("the provider").to_string();
    let req = http.get(u.clone()).header(reqwest::header::ACCEPT, "application/json");
    let a = crate::net::fetch(req, timeout, MAX_BODY, &what).await?;
    if a.status != 200 {
        return Err(Finding::plain(
            "oidc_discovery_status",
            Category::Endpoint,
            format!(
                "the provider's OpenID configuration at {} answered {}",
                crate::config::shown(&u),
                a.status
            ),
        )
        .hint("check issuer: discovery reads {issuer}/.well-known/openid-configuration"));
    }
    let v: Value = serde_json::from_slice(&a.body.bytes).map_err(|_| {
        Finding::plain(
            "oidc_discovery_not_json",
            Category::Endpoint,
            format!("the OpenID configuration at {} is not JSON", crate::config::shown(&u)),
        )
    })?;
    parse(&v, issuer, pkce)
}

/// Check a metadata document against the configured issuer.
pub fn parse(v: &Value, issuer: &Url, pkce: bool) -> Result<Metadata, Finding> {
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let bad = |k: &str| {
        Finding::plain(
            "oidc_discovery_missing_field",
            Category::Endpoint,
            format!("the OpenID configuration has no usable {k}"),
        )
    };
    let stated = s("issuer").ok_or_else(|| bad("issuer"))?;
    if stated.trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
        return Err(Finding::plain(
            "oidc_issuer_mismatch",
            Category::Endpoint,
            format!(
                "the provider calls itself \"{}\", not the configured issuer {issuer}",
                clean(stated, 200)
            ),
        )
        .hint(
            "set issuer to exactly the provider's issuer; a mismatch is refused because it is how mix-up attacks work",
        ));
    }
    let endpoint = |k: &str| {
        s(k).and_then(|x| Url::parse(x).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    if pkce
        && let Some(methods) = v.get("code_challenge_methods_supported").and_then(Value::as_array)
        && !methods.iter().any(|m| m.as_str() == Some("S256"))
    {
        return Err(Finding::plain(
            "pkce_s256_unsupported",
            Category::Endpoint,
            "the provider does not offer PKCE with S256",
        )
        .hint("conn only uses S256; if the provider cannot, set pkce = false (weaker)"));
    }
    Ok(Metadata {
        issuer: stated.to_string(),
        authorization_endpoint: endpoint("authorization_endpoint").ok_or_else(|| bad("authorization_endpoint"))?,
        token_endpoint: endpoint("token_endpoint").ok_or_else(|| bad("token_endpoint"))?,
        device_authorization_endpoint: endpoint("device_authorization_endpoint"),
        jwks_uri: endpoint("jwks_uri"),
        iss_parameter: v
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_must_match_and_s256_must_be_offered() {
        let iss = Url::parse("https://idp.example").unwrap();
        let doc = serde_json::json!({"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth","token_endpoint":"https://idp.example/token"});
        assert!(parse(&doc, &iss, true).is_ok());
        let other = serde_json::json!({"issuer":"https://evil.example","authorization_endpoint":"https://idp.example/auth","token_endpoint":"https://idp.example/token"});
        assert!(
            parse(&other, &iss, true)
                .unwrap_err()
                .summary()
                .contains("not the configured issuer")
        );
        let plain = serde_json::json!({"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth","token_endpoint":"https://idp.example/token","code_challenge_methods_supported":["plain"]});
        assert!(parse(&plain, &iss, true).is_err());
        assert!(parse(&plain, &iss, false).is_ok());
    }
}
