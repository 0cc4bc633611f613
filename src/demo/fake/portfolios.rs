//! Hypergene Portfolios API v2 under `/portfolios/{id}/api/v2` (protocols.md §2), protected
//! by the fake Entra's tokens (RFC 6750 challenges) or legacy Basic.

use super::*;

impl Shared {
    pub(super) fn portfolios(&self, rq: &Rq, id: &str, rest: &[&str]) -> Resp {
        let Some(p) = self.world.portfolios.iter().find(|p| p.id == id) else {
            let detail = format!("No portfolio '{id}'");
            let body = jo! {"title": "Not Found", "status": 404, "detail": detail};
            return Resp::json(404, body);
        };
        let deny = |status, challenge: String| {
            let title = if status == 401 { "Unauthorized" } else { "Forbidden" };
            titled(status, title).h("www-authenticate", challenge)
        };
        let invalid = |desc: Option<&str>| {
            let mut attrs = vec![("error", "invalid_token")];
            attrs.extend(desc.map(|d| ("error_description", d)));
            deny(401, bearer_challenge("portfolios", &attrs))
        };
        match rq.auth() {
            // RFC 6750 §3: no error attribute when no usable credentials were sent.
            Auth::None | Auth::Other => return deny(401, bearer_challenge("portfolios", &[])),
            Auth::Bearer(t) => {
                let (st, role) = (self.lock(), &self.world.portfolios_role);
                let Some(tok) = st.entra_tokens.get(&t) else {
                    return invalid(None);
                };
                if tok.exp <= now() {
                    return invalid(Some("The token is expired"));
                } else if tok.aud != self.world.portfolios_resource {
                    return invalid(Some("The audience is invalid"));
                } else if !tok.tid.eq_ignore_ascii_case(&p.tenant_id) {
                    return invalid(Some("The tenant is not allowed to access this portfolio"));
                } else if !tok.roles.contains(role) {
                    let attrs = [("error", "insufficient_scope"), ("scope", role.as_str())];
                    return deny(403, bearer_challenge("portfolios", &attrs));
                }
            }
            Auth::Basic(u, pw) => {
                if !p.legacy_users.iter().any(|(lu, lp)| *lu == u && *lp == pw) {
                    return deny(401, s("Basic realm=\"portfolios\""));
                }
            }
        }
        let body = match rest {
            [] | [""] => jo! {"portfolio": p.id, "name": p.name, "apiVersion": "v2"},
            ["reports", rid] if !rid.is_empty() => jo! {"reportId": rid, "portfolio": p.id,
            "format": "json", "columns": ["Account", "Period", "Amount"],
            "rows": json!([["3010", "2024-01", 1250.0]])},
            _ => return titled(404, "Not Found"),
        };
        Resp::json(200, body)
    }
}
