//! Reading each profile type's own keys: `hypatos`, `hypergene` (Entra or basic) and
//! `rest` (with its `auth` table).

use super::*;

impl Reader<'_> {
    pub(super) fn hypatos(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        self.keys(
            obj,
            &[
                "endpoint",
                "token_url",
                "client_id",
                "client_secret",
                "scope",
                "scopes",
                "client_auth",
                "probe",
                "token_params",
            ],
            " for type = \"hypatos\"",
        );
        let endpoint = if obj.get("endpoint").is_some() {
            self.url(obj, "endpoint")
        } else {
            Url::parse(HYPATOS_ENDPOINT).ok()
        };
        let token_url = if obj.get("token_url").is_some() {
            self.url(obj, "token_url")
        } else {
            endpoint.as_ref().and_then(|e| join(e, "auth/token"))
        };
        let client = self.oauth_client(obj, token_url, ClientAuth::Basic, true, " (type = \"hypatos\")");
        let probe = self.probe(obj, endpoint.as_ref());
        Some((endpoint?, Auth::ClientCredentials(client?), probe, Vendor::Hypatos))
    }

    pub(super) fn hypergene(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        let mode = match self.string(obj, "auth") {
            None => "oauth2".to_string(),
            Some((s, span)) if s == "oauth2" || s == "basic" => {
                let _ = span;
                s
            }
            Some((s, span)) => {
                let help = suggest(&s, ["oauth2", "basic"]).map(|x| format!("did you mean `{x}`?"));
                self.push(
                    Some(span),
                    obj.key("auth"),
                    format!("`{s}` is not a Hypergene auth; valid: `oauth2`, `basic`"),
                    help,
                );
                return None;
            }
        };
        let common = ["auth", "portfolio_id", "domain", "probe"];
        let own: Vec<&str> = if mode == "basic" {
            common.iter().chain(&["username", "password"]).copied().collect()
        } else {
            common
                .iter()
                .chain(&[
                    "tenant_id",
                    "authority",
                    "token_url",
                    "client_id",
                    "client_secret",
                    "scope",
                    "scopes",
                    "client_auth",
                    "token_params",
                ])
                .copied()
                .collect()
        };
        self.keys(obj, &own, &format!(" for type = \"hypergene\" with auth = \"{mode}\""));
        let portfolio_id = self.nonempty(obj, "portfolio_id");
        if obj.get("portfolio_id").is_none() {
            self.missing(obj, "portfolio_id", " (type = \"hypergene\")");
        }
        if let Some(p) = &portfolio_id
            && p.contains(['/', '?', '#', ' '])
        {
            let span = obj.get("portfolio_id").map(|e| e.node.span.clone());
            self.push(
                span,
                obj.key("portfolio_id"),
                "must be a portfolio id, not a path or URL",
                None,
            );
        }
        let domain = match obj.get("domain") {
            None => Url::parse(HYPERGENE_DOMAIN).ok(),
            Some(e) => match &e.node.value {
                Value::Str(s) if !s.contains("://") && !s.trim().is_empty() => {
                    self.push(
                        Some(e.node.span.clone()),
                        obj.key("domain"),
                        format!("`{s}` looks like the old sub-domain setting, not a URL"),
                        Some(format!(
                            "write the whole address, e.g. \"{HYPERGENE_DOMAIN}\" (older connectors took only the sub-domain, such as \"hub\")"
                        )),
                    );
                    None
                }
                _ => self.url(obj, "domain"),
            },
        };
        let api_base = match (&domain, &portfolio_id) {
            (Some(d), Some(p)) => join(d, &format!("{p}/api/v2")),
            _ => None,
        };
        let probe = self.probe(obj, api_base.as_ref());
        let (auth, entra) = if mode == "basic" {
            let username = self.source(obj, "username", false);
            let password = self.source(obj, "password", true);
            for k in ["username", "password"] {
                if obj.get(k).is_none() {
                    self.missing(obj, k, " (auth = \"basic\")");
                }
            }
            (
                Auth::Basic {
                    username: username?,
                    password: password?,
                },
                None,
            )
        } else {
            let tenant = self.nonempty(obj, "tenant_id");
            let authority = if obj.get("authority").is_some() {
                self.url(obj, "authority")
            } else {
                Url::parse(ENTRA_AUTHORITY).ok()
            };
            let (token_url, entra) = if obj.get("token_url").is_some() {
                (self.url(obj, "token_url"), None)
            } else {
                if obj.get("tenant_id").is_none() {
                    self.missing(obj, "tenant_id", " (auth = \"oauth2\" without `token_url`)");
                }
                match (&authority, &tenant) {
                    (Some(a), Some(t)) => (
                        join(a, &format!("{t}/oauth2/v2.0/token")),
                        Some(Entra {
                            authority: a.clone(),
                            tenant: t.clone(),
                        }),
                    ),
                    _ => (None, None),
                }
            };
            let mut client = self.oauth_client(obj, token_url, ClientAuth::Post, true, " (auth = \"oauth2\")");
            if let Some(c) = &mut client
                && c.scopes.is_empty()
                && obj.get("scope").is_none()
                && obj.get("scopes").is_none()
            {
                c.scopes = vec![HYPERGENE_SCOPE.to_string()];
            }
            (Auth::ClientCredentials(client?), entra)
        };
        Some((
            api_base?,
            auth,
            probe,
            Vendor::Hypergene {
                portfolio_id: portfolio_id?,
                entra,
            },
        ))
    }

    pub(super) fn rest(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        self.keys(obj, &["base_url", "probe", "auth"], " for type = \"rest\"");
        let base_url = self.url(obj, "base_url");
        if obj.get("base_url").is_none() {
            self.missing(obj, "base_url", " (type = \"rest\")");
        }
        let probe = self.probe(obj, base_url.as_ref());
        let auth = match obj.get("auth") {
            None => Some(Auth::None),
            Some(e) => match &e.node.value {
                Value::Table(t) => {
                    let path = obj.key("auth");
                    self.rest_auth(Obj {
                        table: t,
                        path: &path,
                        span: &e.node.span,
                    })
                }
                Value::Str(s) if s == "none" => Some(Auth::None),
                _ => {
                    self.wrong_type(obj, e, "a table with a `type`, e.g. [profiles.NAME.auth]");
                    None
                }
            },
        };
        Some((base_url?, auth?, probe, Vendor::Rest))
    }
}
