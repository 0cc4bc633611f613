//! Why a token request was refused, in words a person can act on.
//!
//! The decision keys off what the server documents: Entra's AADSTS code (only to pick the
//! hint, per Microsoft's advice), then the RFC 6749 §5.2 `error`, then Hypatos's
//! `{title, detail}`, then the bare HTTP status.

use crate::config::{Auth, Vendor};
use crate::exit::Category;
use crate::finding::Finding;
use crate::oauth::server_error::ServerError;

/// What the diagnosis needs to know about the request.
pub struct Context<'a> {
    /// Vendor facts.
    pub vendor: &'a Vendor,
    /// The auth kind.
    pub auth: &'a Auth,
    /// Scopes requested.
    pub scopes: &'a [String],
    /// The secret looks like a GUID (an Entra secret *ID* rather than its value).
    pub secret_is_guid: bool,
    /// The token URL as shown.
    pub token_url: &'a str,
}

fn entra(code: i64, ctx: &Context<'_>) -> Option<Finding> {
    let f = |c: Category, s: &str| Finding::new(c, s.to_string());
    Some(match code {
        7000215 => {
            let mut x = f(Category::Authentication, "Entra rejected the client secret (AADSTS7000215: invalid client secret)");
            if ctx.secret_is_guid {
                x = x.hint("the client_secret you sent looks like a GUID: that is the secret's ID, not its value. In the Azure portal, App registrations → Certificates & secrets, the Value is shown only once when the secret is created; create a new secret and copy its Value");
            } else {
                x = x.hint("most often the secret's ID was pasted instead of its Value; the Value is shown only once, when the secret is created (App registrations → Certificates & secrets)");
            }
            x.hint("also check for spaces around the secret, a secret that was rotated since, or a secret of another app or tenant")
        }
        7000222 => f(Category::Authentication, "Entra says the client secret has expired (AADSTS7000222)")
            .hint("create a new secret in App registrations → Certificates & secrets and update the profile"),
        700016 => f(Category::Authentication, "Entra does not know this client id in this tenant (AADSTS700016)")
            .hint("client_id must be the Application (client) ID from the app's Overview page")
            .hint("tenant_id must be the tenant where the app is registered or has been consented to"),
        7000218 => f(Category::Authentication, "Entra expects a client secret and none was sent (AADSTS7000218)")
            .hint("set client_secret"),
        700025 => f(Category::Authentication, "Entra says this is a public client, which must not send a secret (AADSTS700025)")
            .hint("register the app as a Web (confidential) application, or remove the secret"),
        7000112 | 70001 => f(Category::Authentication, "the application is disabled in this tenant")
            .hint("a tenant administrator must enable the app again"),
        50126 => f(Category::Authentication, "wrong username or password (AADSTS50126)").hint("check username and password"),
        50076 | 50079 | 53003 | 50053 | 50055 | 50057 | 50034 => f(
            Category::Authentication,
            "Entra refuses this sign-in without interaction (MFA, Conditional Access, or the account is locked, disabled or its password expired)",
        )
        .hint("the password grant cannot satisfy these; use an authorization-code profile (conn login) instead"),
        90002 => f(Category::Endpoint, "Entra does not know this tenant (AADSTS90002)")
            .hint("check tenant_id: the Directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com")
            .hint("check the cloud: a tenant in a national cloud needs its own authority (not login.microsoftonline.com)"),
        900023 => f(Category::Endpoint, "the tenant id is malformed (AADSTS900023)")
            .hint("tenant_id is neither a GUID nor a domain name; a path segment or a {{placeholder}} may have slipped into it"),
        9001023 | 90124 | 90130 => f(Category::Endpoint, "this request is not supported on the /common or /consumers endpoint")
            .hint("use the tenant's own id in the token URL"),
        70011 | 1002012 | 700022 => {
            let mut x = f(Category::Permission, match code {
                1002012 => "Entra requires the scope to end in /.default for client credentials (AADSTS1002012)",
                700022 => "the scope names more than one resource (AADSTS700022)",
                _ => "Entra rejected the scope (AADSTS70011)",
            })
            .hint("for client credentials, request exactly one scope: the resource's Application ID URI followed by /.default, e.g. api://<app-id>/.default");
            if let Some(h) = guid_hint(ctx.scopes) {
                x = x.hint(h);
            }
            x
        }
        500011 => {
            let mut x = f(Category::Permission, "the API named in the scope is not known in this tenant (AADSTS500011)")
                .hint("the Application ID URI in the scope is wrong, or the API (for Hypergene: its enterprise application) has no service principal or admin consent in your tenant: ask a tenant administrator to consent");
            if let Some(h) = guid_hint(ctx.scopes) {
                x = x.hint(h);
            }
            x
        }
        65001 => f(Category::Permission, "the user or administrator has not consented to this application (AADSTS65001)")
            .hint("grant consent: an administrator can grant it for the tenant in Enterprise applications"),
        700024 => f(Category::Authentication, "the client assertion is not within its valid time (AADSTS700024)")
            .hint("check this machine's clock"),
        900144 | 9002313 | 90014 => f(Category::Endpoint, "Entra says the request is missing a parameter or malformed")
            .hint("check scope, client_id and the token URL; the server's words below name the parameter"),
        _ => return None,
    })
}

/// The documented Portfolios GUID is 8-4-4-16 instead of 8-4-4-4-12; offer the canonical form.
pub fn guid_hint(scopes: &[String]) -> Option<String> {
    scopes.iter().find_map(|s| {
        let inner = s.strip_prefix("api://")?;
        let (id, rest) = inner.split_once('/').unwrap_or((inner, ""));
        let parts: Vec<&str> = id.split('-').collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let hex = id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if hex && lens == [8, 4, 4, 16] {
            let canonical = format!("{}-{}-{}-{}-{}", parts[0], parts[1], parts[2], &parts[3][..4], &parts[3][4..]);
            let suffix = if rest.is_empty() { String::new() } else { format!("/{rest}") };
            Some(format!(
                "the scope's id {id} is not a canonical GUID (8-4-4-4-12); Hypergene documents it this way, but the registered one is probably api://{canonical}{suffix}: try scope = \"api://{canonical}{suffix}\""
            ))
        } else {
            None
        }
    })
}

/// Explain a refused token request.
pub fn explain(e: &ServerError, ctx: &Context<'_>) -> Finding {
    let entra_finding = e.aadsts().and_then(|c| entra(c, ctx));
    let quote = match (&entra_finding, &e.description) {
        // Entra: the summary already names the code; quote the message after it.
        (Some(_), Some(d)) => Some(strip_aadsts(d)),
        _ => e.quote(),
    };
    let mut f = entra_finding
        .or_else(|| e.error.as_deref().map(|code| rfc6749(code, e, ctx)))
        .unwrap_or_else(|| by_status(e, ctx));
    if let Some(q) = quote
        && !f.summary.contains(&q)
    {
        f.summary = format!("{}: {q}", f.summary);
    }
    if matches!(ctx.auth, Auth::Password { .. }) && f.category == Category::Authentication {
        f.hints
            .push("the password grant also fails when the account needs MFA or is under Conditional Access".into());
    }
    f
}

/// `AADSTS7000215: Invalid client secret provided. … Trace ID: …` → `Invalid client secret provided. …`
fn strip_aadsts(d: &str) -> String {
    let d = d.find(" Trace ID:").map_or(d, |i| &d[..i]).trim();
    let d = match d.strip_prefix("AADSTS") {
        Some(rest) => rest
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(':')
            .trim(),
        None => d,
    };
    crate::finding::clean(d, 200)
}

fn rfc6749(code: &str, e: &ServerError, ctx: &Context<'_>) -> Finding {
    let password = matches!(ctx.auth, Auth::Password { .. });
    match code {
        "invalid_client" => Finding::new(Category::Authentication, format!("the server rejected the client credentials ({})", e.status))
            .hint("check client_id and client_secret; a secret copied with a trailing space or from another environment is a common cause"),
        "invalid_grant" if password => Finding::new(Category::Authentication, "the server rejected the username or password (invalid_grant)")
            .hint("check username and password; the account may also be locked or need MFA"),
        "invalid_grant" => Finding::new(Category::Authentication, "the server rejected the grant (invalid_grant)")
            .hint("the refresh token or code is invalid, expired or revoked: sign in again with conn login"),
        "unauthorized_client" => Finding::new(Category::Permission, "this client is not allowed to use this grant (unauthorized_client)")
            .hint("enable the grant type for this client at the authorization server"),
        "invalid_scope" => {
            let mut f = Finding::new(Category::Permission, "the server rejected the requested scope (invalid_scope)");
            if ctx.scopes.is_empty() {
                f = f.hint("no scope was requested and the server has no default: set scopes");
            } else {
                f = f.hint(format!(
                    "requested: {}; each must be assigned to this client at the server (names are case-sensitive)",
                    ctx.scopes.join(" ")
                ));
            }
            f
        }
        "unsupported_grant_type" => Finding::new(Category::Endpoint, "the server does not support this grant type (unsupported_grant_type)")
            .hint("check the auth type of the profile against what the server offers"),
        "invalid_request" => Finding::new(Category::Endpoint, "the server says the token request is malformed (invalid_request)")
            .hint("the server's words below name the problem; check token_params and client_auth (a server refuses credentials sent both ways)"),
        "temporarily_unavailable" | "server_error" => {
            Finding::new(Category::Endpoint, format!("the token endpoint reported an error on its side ({code})")).hint("try again later; if it persists, contact the service")
        }
        other => Finding::new(Category::Endpoint, format!("the token endpoint answered {} with error \"{other}\"", e.status)),
    }
}

fn by_status(e: &ServerError, ctx: &Context<'_>) -> Finding {
    let s = e.status;
    let hypatos = matches!(ctx.vendor, Vendor::Hypatos);
    match s {
        401 if hypatos => Finding::new(Category::Authentication, "Hypatos rejected the client credentials (401)")
            .hint("check client_id and client_secret of the API service account in Hypatos Studio (Settings → API); a secret is shown only when it is created"),
        401 => Finding::new(Category::Authentication, "the token endpoint rejected the client credentials (401)")
            .hint("check client_id and client_secret"),
        403 => Finding::new(Category::Permission, "the token endpoint refused the request (403)")
            .hint("the client may be disabled or blocked from this network"),
        404 | 405 => {
            let mut f = Finding::new(Category::Endpoint, format!("the token URL {} answered {s}: there is no token endpoint there", ctx.token_url));
            if hypatos {
                f = f.hint("the Hypatos token URL is {endpoint}/auth/token with endpoint such as https://api.cloud.hypatos.ai/v2 (EU) or https://api.cloud.hypatos.com/v2 (US)");
            } else {
                f = f.hint("check token_url: the path, a missing or extra trailing part, the version segment");
            }
            f
        }
        429 => Finding::new(Category::Endpoint, "the token endpoint is rate limiting (429)").hint("wait and try again; do not run many tests against it at once"),
        500..=599 => Finding::new(Category::Endpoint, format!("the token endpoint failed on its side ({s})")).hint("try again later; if it persists, contact the service"),
        _ => Finding::new(Category::Endpoint, format!("the token endpoint answered {s} without a token")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_guid_hint() {
        let h = guid_hint(&["api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1/.default".to_string()]).unwrap();
        assert!(h.contains("api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default"));
        assert!(guid_hint(&["api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default".to_string()]).is_none());
    }
}
