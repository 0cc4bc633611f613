//! Generic OAuth-protected REST API under `/rest` (protocols.md §4.1–4.4): an RFC 6749 token
//! endpoint (client credentials, password, refresh) and an RFC 6750 resource server that also
//! takes API keys and Basic users; and under `/rest/intranet` the same API behind an
//! application proxy with pre-authentication, which answers API clients with its sign-in page.

use super::*;

/// RFC 6749 §5.2 error.
fn oauth_err(status: u16, error: &str, desc: &str) -> Resp {
    let r = Resp::json(status, jo! {"error": error, "error_description": desc});
    r.h("cache-control", "no-store").h("pragma", "no-cache")
}
fn invalid_request(desc: &str) -> Resp {
    oauth_err(400, "invalid_request", desc)
}

/// What Azure AD Application Proxy with pre-authentication served an API client holding a
/// client-credentials token: Entra's sign-in page, with 200. The page as captured, to the end
/// of its title (https://github.com/MicrosoftDocs/azure-docs/issues/83207; the corpus entry
/// `azure-app-proxy-200-sign-in-page`).
const SIGN_IN_PAGE: &str = "<!-- Copyright (C) Microsoft Corporation. All rights reserved. -->\n<!DOCTYPE html>\n<html dir=\"ltr\" class=\"\" lang=\"en\">\n<head>\n    <title>Sign in to your account</title>\n";

/// The application proxy in front of `/rest/intranet`: every call gets the sign-in page.
pub(super) fn rest_sign_in() -> Resp {
    Resp::new(200, "text/html; charset=utf-8", SIGN_IN_PAGE.as_bytes().to_vec())
}

impl Shared {
    pub(super) fn rest_token(&self, rq: &Rq) -> Resp {
        let form = rq.form();
        let seen_before = |i: usize, k: &String| form[..i].iter().any(|(k2, _)| k2 == k);
        if let Some((_, (k, _))) = form.iter().enumerate().find(|(i, (k, _))| seen_before(*i, k)) {
            return invalid_request(&format!("Parameter '{k}' is repeated"));
        }
        let used_header = rq.header("authorization").is_some();
        let secret = get(&form, "client_secret");
        let post = secret.map(|x| (s(get(&form, "client_id").unwrap_or("")), s(x)));
        if used_header && post.is_some() {
            return invalid_request("Multiple client authentication methods were used");
        }
        let creds = match (used_header, self.world.rest_client_auth) {
            (true, RestClientAuth::Basic | RestClientAuth::Both) => rq.client_basic(),
            (false, RestClientAuth::Post | RestClientAuth::Both) => post,
            _ => None,
        };
        let known = |(id, sec): (String, String)| {
            let mut clients = self.world.rest_clients.iter();
            clients.find(|c| c.client_id == id && c.client_secret == sec)
        };
        let Some(client) = creds.and_then(known) else {
            // RFC 6749 §5.2: 401 + challenge when the client used the Authorization header.
            let r = oauth_err(400, "invalid_client", "Client authentication failed");
            return match used_header {
                true => Resp { status: 401, ..r }.h("www-authenticate", "Basic realm=\"rest\""),
                false => r,
            };
        };
        let (allowed, refresh) = match get(&form, "grant_type") {
            None => return invalid_request("Missing 'grant_type' parameter"),
            Some("client_credentials") => (client.scopes.clone(), false),
            Some("password") => {
                let (Some(u), Some(pw)) = (get(&form, "username"), get(&form, "password")) else {
                    return invalid_request("The password grant needs 'username' and 'password'");
                };
                if !self.world.rest_users.iter().any(|(a, b)| a == u && b == pw) {
                    return oauth_err(400, "invalid_grant", "Invalid resource owner credentials");
                }
                (client.scopes.clone(), true)
            }
            Some("refresh_token") => {
                let rt = get(&form, "refresh_token").unwrap_or("");
                match self.lock().rest_refresh.get(rt) {
                    Some((cid, sc)) if *cid == client.client_id => (sc.clone(), true),
                    _ => return oauth_err(400, "invalid_grant", "Invalid refresh token"),
                }
            }
            Some(g) => {
                let desc = format!("Grant type '{g}' is not supported");
                return oauth_err(400, "unsupported_grant_type", &desc);
            }
        };
        let requested = get(&form, "scope").map(|r| strs(&r.split_whitespace().collect::<Vec<_>>()));
        if let Some(bad) = requested.iter().flatten().find(|x| !allowed.contains(x)) {
            let desc = format!("Scope '{bad}' is not allowed for this client");
            return oauth_err(400, "invalid_scope", &desc);
        }
        let granted = requested.unwrap_or(allowed);
        let (token, scope) = (random_token("rest_at_", 32), granted.join(" "));
        let mut fields = vec![
            ("access_token", json!(token)),
            ("token_type", json!("Bearer")),
            ("expires_in", json!(3600)),
        ];
        let mut st = self.lock();
        if refresh {
            let rt = random_token("rest_rt_", 32);
            let entry = (client.client_id.clone(), granted.clone());
            st.rest_refresh.insert(rt.clone(), entry);
            fields.push(("refresh_token", json!(rt)));
        }
        fields.push(("scope", json!(scope)));
        st.rest_tokens.insert(token, (granted, now() + 3600));
        let r = Resp::json(200, obj(&fields)).h("cache-control", "no-store");
        r.h("pragma", "no-cache")
    }

    pub(super) fn rest_api(&self, rq: &Rq) -> Resp {
        let required = self.world.rest_required_scopes.iter();
        let required = required
            .filter(|(p, _)| rq.path.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len());
        let fail = |status: u16, error: &str, desc: &str, challenge: String| {
            let body = jo! {"error": error, "error_description": desc};
            Resp::json(status, body).h("www-authenticate", challenge)
        };
        let via = match rq.auth() {
            Auth::Bearer(_) => {
                let Some(scopes) = live_scopes(rq, &self.lock().rest_tokens) else {
                    let c = bearer_challenge("rest", &[("error", "invalid_token")]);
                    return fail(401, "invalid_token", "The access token is invalid or expired", c);
                };
                if let Some((_, need)) = required.filter(|(_, need)| !scopes.contains(need)) {
                    let attrs = [("error", "insufficient_scope"), ("scope", need.as_str())];
                    let desc = format!("Requires scope '{need}'");
                    return fail(403, "insufficient_scope", &desc, bearer_challenge("rest", &attrs));
                }
                "bearer"
            }
            Auth::Basic(u, p) => {
                if !self.world.rest_basic_users.iter().any(|(a, b)| *a == u && *b == p) {
                    let c = s("Basic realm=\"rest\"");
                    return fail(401, "invalid_credentials", "Invalid username or password", c);
                }
                "basic"
            }
            Auth::None | Auth::Other => {
                let qp = rq.query_pairs();
                let Some(key) = rq.header("x-api-key").or_else(|| get(&qp, "api_key")) else {
                    let c = bearer_challenge("rest", &[]);
                    return fail(401, "unauthorized", "Authentication required", c);
                };
                if !self.world.rest_api_keys.iter().any(|k| k == key) {
                    let c = bearer_challenge("rest", &[]);
                    return fail(401, "invalid_api_key", "The API key is not valid", c);
                }
                "api_key"
            }
        };
        if rq.path == "/rest/api/health" {
            return Resp::json(200, jo! {"status": "ok"});
        }
        let data = json!([{"id": 1, "name": "demo"}]);
        Resp::json(200, jo! {"path": rq.path, "auth": via, "data": data})
    }
}
