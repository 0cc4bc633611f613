//! Redirects to sign in: a probe sent to an identity provider's login address (or any
//! `/authorize` or `/login` URL) was intercepted by something that wants a browser session.
//! The probe never follows such a redirect (it is another origin); it says who intercepted.

use url::Url;

use crate::config::shown;
use crate::exit::Category;
use crate::finding::{Finding, clean};

/// Identity providers' sign-in hosts, and who they are.
const PROVIDERS: &[(&str, &str)] = &[
    ("login.microsoftonline.com", "Microsoft Entra ID"),
    ("login.windows.net", "Microsoft Entra ID"),
    ("login.microsoftonline.us", "Microsoft Entra ID"),
    ("login.live.com", "Microsoft"),
    (".b2clogin.com", "Azure AD B2C"),
    (".okta.com", "Okta"),
    (".oktapreview.com", "Okta"),
    (".okta-emea.com", "Okta"),
    ("accounts.google.com", "Google"),
    (".auth0.com", "Auth0"),
    (".onelogin.com", "OneLogin"),
    ("login.salesforce.com", "Salesforce"),
];

/// Path endings of sign-in and authorization endpoints.
const PATHS: &[&str] = &[
    "/authorize",
    "/auth",
    "/login",
    "/signin",
    "/sign-in",
    "/sign_in",
    "/sso",
    "/saml2",
    "/oauth2/start",
    "/login.srf",
    "/logon",
];

/// Who serves sign-in at this host, when it is a known identity provider.
fn provider(host: &str) -> Option<&'static str> {
    let host = host.to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|(h, _)| {
            if h.starts_with('.') {
                host.ends_with(h)
            } else {
                host == *h
            }
        })
        .map(|(_, who)| *who)
}

/// Whether a path is a sign-in or authorization endpoint.
pub fn login_path(path: &str) -> bool {
    let p = path.trim_end_matches('/').to_ascii_lowercase();
    PATHS.iter().any(|e| p.ends_with(e)) || p.contains("/login/") || p.contains("/signin/")
}

/// The failure for a redirect to `next` when it leads to a sign-in page.
pub fn redirect(status: u16, next: &Url) -> Option<Finding> {
    let host = next.host_str().unwrap_or("");
    let who = provider(host);
    let saml = next.query_pairs().any(|(k, _)| k == "SAMLRequest");
    let oauth =
        next.query_pairs().any(|(k, _)| k == "response_type") && next.query_pairs().any(|(k, _)| k == "client_id");
    if who.is_none() && !saml && !oauth && !login_path(next.path()) {
        return None;
    }
    let by = who.map(|w| format!(" of {w}")).unwrap_or_default();
    Some(
        Finding::plain(
            "probe_sign_in_redirect",
            Category::Authentication,
            format!(
                "the probe was redirected ({status}) to the sign-in page{by} at {}: something in front of the API intercepted the call and wants a browser sign-in; not followed",
                clean(&shown(next), 300)
            ),
        )
        .hint("an SSO gateway or application proxy in front of the API did not accept the credentials the profile sends, and sent the call to sign in instead")
        .hint("ask its owner to let API clients through with a bearer token it accepts, or point the profile at the API behind it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_redirects() {
        let u = |s: &str| Url::parse(s).unwrap();
        let ms = redirect(
            302,
            &u("https://login.microsoftonline.com/t/oauth2/v2.0/authorize?client_id=x"),
        )
        .unwrap();
        assert_eq!(ms.kind(), "probe_sign_in_redirect");
        assert!(ms.summary().contains("of Microsoft Entra ID"), "{}", ms.summary());
        assert!(redirect(302, &u("https://acme.okta.com/app/x/sso/saml?SAMLRequest=abc")).is_some());
        assert!(redirect(302, &u("https://sso.corp.example/oauth2/start?rd=%2F")).is_some());
        assert!(redirect(301, &u("https://other.example/v2/items")).is_none());
        assert!(login_path("/account/login"));
        assert!(!login_path("/v2/documents"));
    }
}
