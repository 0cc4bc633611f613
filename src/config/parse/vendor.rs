//! Reading each profile type's own keys: `hypatos`, `hypergene` (Entra or basic) and
//! `rest` (with its `auth` table).

use super::assertion::Around;
use super::auth::ClientRules;
use super::*;
use crate::config::assertion::ASSERTION_KEYS;

/// The keys [`Reader::oauth_client`] reads besides `token_params`, in the order the
/// vendors' key lists name them.
const CLIENT_KEYS: &[&str] = &[
    "token_url",
    "client_id",
    "client_secret",
    "scope",
    "scopes",
    "client_auth",
];

/// A Hypergene profile's `auth`.
#[derive(Clone, Copy)]
enum HypergeneAuth {
    /// Client credentials at Entra ID or a `token_url` (the default).
    OAuth2,
    /// HTTP Basic.
    Basic,
}

impl HypergeneAuth {
    /// Its `auth` value.
    fn name(self) -> &'static str {
        match self {
            HypergeneAuth::OAuth2 => "oauth2",
            HypergeneAuth::Basic => "basic",
        }
    }
}

impl Reader<'_> {
    pub(super) fn hypatos(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        let own = [&["endpoint"][..], CLIENT_KEYS, &["probe", "token_params"]].concat();
        self.keys(obj, &own, " for type = \"hypatos\"");
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
        let rules = ClientRules {
            default_auth: ClientAuth::Basic,
            secret_required: true,
            why: " (type = \"hypatos\")",
            around: None,
        };
        let client = self.oauth_client(obj, token_url, &rules);
        let probe = self.probe(obj, endpoint.as_ref());
        Some((endpoint?, Auth::ClientCredentials(client?), probe, Vendor::Hypatos))
    }

    pub(super) fn hypergene(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        let mode = self.hypergene_mode(obj)?;
        let common = ["auth", "portfolio_id", "domain", "probe"];
        let own: Vec<&str> = match mode {
            HypergeneAuth::Basic => [&common[..], &["username", "password"]].concat(),
            HypergeneAuth::OAuth2 => [
                &common[..],
                &["tenant_id", "authority"],
                CLIENT_KEYS,
                &["token_params"],
                ASSERTION_KEYS,
            ]
            .concat(),
        };
        self.keys(
            obj,
            &own,
            &format!(" for type = \"hypergene\" with auth = \"{}\"", mode.name()),
        );
        let portfolio_id = self.portfolio_id(obj);
        let domain = self.hypergene_domain(obj);
        let api_base = match (&domain, &portfolio_id) {
            (Some(d), Some(p)) => join(d, &format!("{p}/api/v2")),
            _ => None,
        };
        let probe = self.probe(obj, api_base.as_ref());
        let (auth, entra) = match mode {
            HypergeneAuth::Basic => (self.hypergene_basic(obj)?, None),
            HypergeneAuth::OAuth2 => self.hypergene_oauth2(obj)?,
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

    /// Its `auth`: `oauth2` unless set.
    fn hypergene_mode(&mut self, obj: Obj<'_>) -> Option<HypergeneAuth> {
        match self.string(obj, "auth") {
            None => Some(HypergeneAuth::OAuth2),
            Some((s, _)) if s == "oauth2" => Some(HypergeneAuth::OAuth2),
            Some((s, _)) if s == "basic" => Some(HypergeneAuth::Basic),
            Some((s, span)) => {
                let help = suggest(&s, ["oauth2", "basic"]).map(|x| format!("did you mean `{x}`?"));
                self.push(
                    Some(span),
                    obj.key("auth"),
                    format!("`{s}` is not a Hypergene auth; valid: `oauth2`, `basic`"),
                    help,
                );
                None
            }
        }
    }

    /// Its required `portfolio_id`, an id and not a path.
    fn portfolio_id(&mut self, obj: Obj<'_>) -> Option<String> {
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
        portfolio_id
    }

    /// Its `domain` URL (the public one unless set); the old sub-domain setting is refused.
    fn hypergene_domain(&mut self, obj: Obj<'_>) -> Option<Url> {
        match obj.get("domain") {
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
        }
    }

    /// `auth = "basic"`: a user name and password.
    fn hypergene_basic(&mut self, obj: Obj<'_>) -> Option<Auth> {
        let username = self.source(obj, "username", false);
        let password = self.source(obj, "password", true);
        for k in ["username", "password"] {
            if obj.get(k).is_none() {
                self.missing(obj, k, " (auth = \"basic\")");
            }
        }
        Some(Auth::Basic {
            username: username?,
            password: password?,
        })
    }

    /// `auth = "oauth2"`: client credentials at Entra ID (from `tenant_id` and `authority`)
    /// or at a `token_url`, with the Portfolios scope unless scopes are set.
    fn hypergene_oauth2(&mut self, obj: Obj<'_>) -> Option<(Auth, Option<Entra>)> {
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
        let rules = ClientRules {
            default_auth: ClientAuth::Post,
            secret_required: true,
            why: " (auth = \"oauth2\")",
            around: Some(Around {
                hypergene: true,
                authority: authority.as_ref(),
            }),
        };
        let mut client = self.oauth_client(obj, token_url, &rules);
        if let Some(c) = &mut client
            && c.scopes.is_empty()
            && obj.get("scope").is_none()
            && obj.get("scopes").is_none()
        {
            c.scopes = vec![HYPERGENE_SCOPE.to_string()];
        }
        Some((Auth::ClientCredentials(client?), entra))
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
