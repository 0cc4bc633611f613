//! Hypatos Studio API v2 under `/hypatos/v2` (protocols.md §1): `POST /auth/token` with
//! RFC 6749 §2.3.1 Basic client auth only, and the `documents`/`projects`/`companies` probes.
//! Errors use Hypatos' `{title,detail,status}` shape; every response has the rate-limit headers.

use super::*;

/// Hypatos' `Error` schema, served as RFC 7807 problem JSON.
fn problem(status: u16, title: &str, detail: &str) -> Resp {
    let body = jo! {"title": title, "detail": detail, "status": status};
    Resp::new(status, "application/problem+json", body)
}
fn bad_request(detail: &str) -> Resp {
    problem(400, "Bad request", detail)
}

impl Shared {
    pub(super) fn hypatos(&self, rq: &Rq, rest: &[&str]) -> Resp {
        let count = {
            let (mut st, t) = (self.lock(), now());
            let (sec, n) = st.hypatos_window;
            st.hypatos_window = (t, if sec == t { n + 1 } else { 1 });
            st.hypatos_window.1
        };
        let resp = match (rest, rq.method.as_str()) {
            _ if self.world.hypatos_enforce_rate_limit && count > 10 => {
                problem(429, "Too Many Requests", "Rate limit exceeded").h("retry-after", "1")
            }
            (["auth", "token"], "POST") => self.hypatos_token(rq),
            (["documents"], "GET") => self.hypatos_list(rq, "documents.read", "Unauthorized"),
            (["projects"], "GET") => self.hypatos_list(rq, "projects.read", "Unauthorized"),
            (["companies"], "GET") => self.hypatos_list(rq, "companies.read", "Invalid token"),
            (["auth", "token"], _) => method_not_allowed("POST"),
            (["documents" | "projects" | "companies"], _) => method_not_allowed("GET"),
            _ => problem(404, "Not Found", "The requested resource was not found"),
        };
        let remaining = 10u32.saturating_sub(count).to_string();
        resp.h("x-ratelimit-limit", "10, 10;w=1")
            .h("x-ratelimit-remaining", remaining)
            .h("x-ratelimit-reset", "1")
    }

    fn hypatos_token(&self, rq: &Rq) -> Resp {
        // Body credentials (client_secret_post) are not a method Hypatos documents: ignored.
        let creds = match (self.world.hypatos_basic_decoding, rq.auth()) {
            (BasicDecoding::Raw, Auth::Basic(u, p)) => Some((u, p)),
            (BasicDecoding::FormDecoded, _) => rq.client_basic(),
            _ => None,
        };
        let known = |(id, sec): (String, String)| {
            let mut accounts = self.world.hypatos_accounts.iter();
            accounts.find(|a| a.client_id == id && a.client_secret == sec)
        };
        let Some(account) = creds.and_then(known) else {
            let detail = "The provided client credentials are not valid";
            return problem(401, "Invalid client credentials", detail);
        };
        let form = rq.form();
        match get(&form, "grant_type") {
            Some("client_credentials") => {}
            None => return bad_request("The request body must contain 'grant_type'"),
            Some(g) => {
                let detail = format!("Unsupported grant_type '{g}', expected 'client_credentials'");
                return bad_request(&detail);
            }
        }
        // No `scope`: everything assigned. Otherwise the intersection; unknown ones are dropped.
        let mut granted = account.scopes.clone();
        if let Some(req) = get(&form, "scope") {
            granted.retain(|sc| req.split_whitespace().any(|r| r == sc));
        }
        let (token, scope) = (random_token("hyp_", 32), granted.join(" "));
        let expiry = now() + 3600;
        self.lock().hypatos_tokens.insert(token.clone(), (granted, expiry));
        let body = jo! {"access_token": token, "expires_in": 3600, "scope": scope,
        "token_type": "Bearer"};
        Resp::json(200, body).h("cache-control", "no-store")
    }

    fn hypatos_list(&self, rq: &Rq, scope: &str, title_401: &str) -> Resp {
        let Some(scopes) = live_scopes(rq, &self.lock().hypatos_tokens) else {
            let detail = "Provided no credentials or invalid credentials";
            return problem(401, title_401, detail);
        };
        if !scopes.iter().any(|s| s == scope) {
            let detail = "Not enough privileges to perform an action on a resource";
            return problem(403, "Forbidden", detail);
        }
        // `limit`: default 20, max 50 (larger values are clamped), must be an integer >= 0.
        let limit = match get(&rq.query_pairs(), "limit").map(str::parse::<u64>) {
            None => 20,
            Some(Ok(n)) => n.min(50),
            Some(Err(_)) => return bad_request("'limit' must be an integer between 0 and 50"),
        };
        let (item, limit) = match scope {
            "documents.read" => (
                json!({"id": "6650c0de5e1d2a0012a0b001", "title": "invoice-0001.pdf",
                    "state": "done", "projectId": "6650c0de5e1d2a0012a0a001",
                    "createdAt": "2024-05-02T09:30:00.000Z"}),
                limit,
            ),
            "projects.read" => (
                json!({"id": "6650c0de5e1d2a0012a0a001", "name": "Demo AP invoices",
                    "createdAt": "2024-04-01T08:00:00.000Z"}),
                limit,
            ),
            // companies: "For now pagination is not implemented".
            _ => (
                json!({"id": "6650c0de5e1d2a0012a0c001", "name": "Demo Company GmbH",
                    "active": true, "createdAt": "2024-03-01T08:00:00.000Z"}),
                1,
            ),
        };
        let data = if limit == 0 { vec![] } else { vec![item] };
        Resp::json(200, jo! {"data": data, "limit": limit, "offset": 0, "totalCount": 1})
    }
}
