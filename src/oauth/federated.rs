//! A GitHub Actions job's own OIDC token, asked for as a federated client assertion:
//! `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with
//! `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, whose answer's `value` is the
//! assertion (<https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#updating-your-actions-for-oidc>).
//! Both the request token and the answer are secrets.

use std::time::Duration;

use reqwest::header;

use crate::config::assertion::GITHUB_OIDC_VARS;
use crate::exit::Category;
use crate::failure::Failure;
use crate::secret::{self, Secret};

/// Largest answer read.
const MAX_ANSWER: usize = 64 * 1024;

fn failure(summary: String) -> Failure {
    Failure::plain("github_oidc_failed", Category::Authentication, summary).hint(
        "the job needs `permissions: id-token: write`; check that the audience is the one the federated credential names (Entra: api://AzureADTokenExchange)",
    )
}

/// The URL asked: the variable's URL with `audience` appended.
pub fn request_url(base: &str, audience: &str) -> String {
    let a: String = url::form_urlencoded::byte_serialize(audience.as_bytes()).collect();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}audience={a}")
}

/// Ask GitHub Actions for the job's OIDC token with this audience.
pub async fn github(http: &reqwest::Client, audience: &str, timeout: Duration) -> Result<Secret, Failure> {
    let var = |name: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
            Failure::plain(
                "github_oidc_unavailable",
                Category::Config,
                format!(
                    "{} and {} must both be set (a GitHub Actions job with `id-token: write`)",
                    GITHUB_OIDC_VARS[0], GITHUB_OIDC_VARS[1]
                ),
            )
        })
    };
    let base = var(GITHUB_OIDC_VARS[0])?;
    let bearer = Secret::new(var(GITHUB_OIDC_VARS[1])?);
    let url = request_url(&base, audience);
    let Ok(parsed) = url::Url::parse(&url) else {
        return Err(failure(format!("{} is not a URL", GITHUB_OIDC_VARS[0])));
    };
    let mut auth = header::HeaderValue::from_str(&format!("Bearer {}", bearer.expose()))
        .map_err(|_| failure(format!("{} is not a usable header value", GITHUB_OIDC_VARS[1])))?;
    auth.set_sensitive(true);
    let req = http
        .get(parsed.clone())
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, auth);
    let host = parsed.host_str().unwrap_or("GitHub Actions").to_string();
    let a = crate::net::fetch(req, timeout, MAX_ANSWER, &host).await?;
    let shown = crate::config::shown(&parsed);
    if !(200..300).contains(&a.status) {
        return Err(failure(format!(
            "GitHub Actions answered {} when asked for the job's OIDC token at {shown}",
            a.status
        )));
    }
    let value = serde_json::from_slice::<serde_json::Value>(&a.body.bytes)
        .ok()
        .and_then(|v| v.get("value").and_then(|x| x.as_str()).map(str::to_string))
        .filter(|v| !v.is_empty());
    match value {
        Some(v) => {
            secret::register(&v);
            Ok(Secret::new(v))
        }
        None => Err(failure(format!(
            "the answer from {shown} has no `value`: no OIDC token came"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_appended() {
        assert_eq!(
            request_url("https://x/t?api-version=2.0", "api://AzureADTokenExchange"),
            "https://x/t?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
        );
        assert_eq!(request_url("https://x/t", "a b"), "https://x/t?audience=a+b");
    }
}
