//! Reading the credentials of a profile: the OAuth client (scopes, client authentication)
//! and a `rest` profile's `auth` table, driven by the [`AuthKind`] table.

use super::assertion::Around;
use super::*;

/// How a table's OAuth client is read.
pub(super) struct ClientRules<'u> {
    /// `client_auth` unless set.
    pub default_auth: ClientAuth,
    /// A secret is required (unless the client sends an assertion).
    pub secret_required: bool,
    /// Said after "missing required key".
    pub why: &'u str,
    /// Where assertions are allowed (everywhere but Hypatos): what sets their defaults.
    pub around: Option<Around<'u>>,
}

impl Reader<'_> {
    /// `scopes` (alias `scope`): space-delimited string or list.
    pub(super) fn scopes(&mut self, obj: Obj<'_>) -> Option<Vec<String>> {
        let a = obj.get("scopes");
        let b = obj.get("scope");
        if let (Some(_), Some(e)) = (a, b) {
            self.push(
                Some(e.key_span.clone()),
                obj.key("scope"),
                "`scope` and `scopes` are the same setting; keep one",
                None,
            );
            return None;
        }
        let e = a.or(b)?;
        let mut out = Vec::new();
        match &e.node.value {
            Value::Str(s) => out.extend(s.split_whitespace().map(str::to_string)),
            Value::Array(items) => {
                for n in items {
                    match &n.value {
                        Value::Str(s) => out.extend(s.split_whitespace().map(str::to_string)),
                        other => {
                            self.push(
                                Some(n.span.clone()),
                                obj.key(&e.key),
                                format!("expected strings, found {}", other.type_name()),
                                None,
                            );
                            return None;
                        }
                    }
                }
            }
            _ => {
                self.wrong_type(obj, e, "a space-separated string or a list of strings");
                return None;
            }
        }
        Some(out)
    }

    pub(super) fn client_auth(&mut self, obj: Obj<'_>, default: ClientAuth, secretless: bool) -> ClientAuth {
        let Some((s, span)) = self.string(obj, "client_auth") else {
            return default;
        };
        let valid: &[&str] = if secretless {
            &["basic", "basic-raw", "post", "private_key_jwt", "client_assertion"]
        } else {
            &["basic", "basic-raw", "post"]
        };
        match s.as_str() {
            "basic" => ClientAuth::Basic,
            "basic-raw" => ClientAuth::BasicRaw,
            "post" => ClientAuth::Post,
            "private_key_jwt" if secretless => ClientAuth::PrivateKeyJwt,
            "client_assertion" if secretless => ClientAuth::ClientAssertion,
            "private_key_jwt" | "client_assertion" => {
                self.push(
                    Some(span),
                    obj.key("client_auth"),
                    format!("`{s}` is not available here: Hypatos accepts only its client secret"),
                    Some("valid: `basic`, `basic-raw`, `post`".into()),
                );
                default
            }
            _ => {
                let help = suggest(&s, valid.iter().copied()).map(|x| format!("did you mean `{x}`?"));
                let list = valid.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                self.push(
                    Some(span),
                    obj.key("client_auth"),
                    format!("`{s}` is not a client authentication method; valid: {list}"),
                    help,
                );
                default
            }
        }
    }

    pub(super) fn oauth_client(
        &mut self,
        obj: Obj<'_>,
        token_url: Option<Url>,
        rules: &ClientRules<'_>,
    ) -> Option<OAuthClient> {
        let why = rules.why;
        let client_id = self.source(obj, "client_id", false);
        if obj.get("client_id").is_none() {
            self.missing(obj, "client_id", why);
        }
        let client_auth = self.client_auth(obj, rules.default_auth, rules.around.is_some());
        let client_secret = if client_auth.is_assertion() {
            None
        } else {
            self.source(obj, "client_secret", true)
        };
        if rules.secret_required && !client_auth.is_assertion() && obj.get("client_secret").is_none() {
            self.missing(obj, "client_secret", why);
        }
        let assertion = match &rules.around {
            Some(around) => self.assertion(obj, client_auth, token_url.as_ref(), around),
            None => None,
        };
        let broken = client_auth.is_assertion() && assertion.is_none();
        let scopes = self.scopes(obj).unwrap_or_default();
        let token_params = self.params(obj, "token_params");
        if broken {
            return None;
        }
        Some(OAuthClient {
            token_url: token_url?,
            client_id: client_id?,
            client_secret,
            scopes,
            client_auth,
            token_params,
            assertion,
        })
    }

    pub(super) fn rest_auth(&mut self, obj: Obj<'_>) -> Option<Auth> {
        let kind = match self.string(obj, "type") {
            None => "none".to_string(),
            Some((s, span)) => {
                if !REST_AUTH_TYPES.contains(&s.as_str()) {
                    let help = suggest(&s, REST_AUTH_TYPES.iter().copied()).map(|x| format!("did you mean `{x}`?"));
                    self.push(
                        Some(span),
                        obj.key("type"),
                        format!(
                            "`{s}` is not an auth type; valid: {}",
                            REST_AUTH_TYPES
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        help,
                    );
                    return None;
                }
                s
            }
        };
        let kind = AuthKind::from_name(&kind)?;
        let why = format!(" (auth.type = \"{}\")", kind.name());
        let context = format!(" for auth.type = \"{}\"", kind.name());
        let allowed: Vec<&str> = std::iter::once("type").chain(kind.keys()).collect();
        self.unknown_keys(obj, &allowed, &context);
        let required = |r: &mut Self, keys: &[&str]| {
            for k in keys {
                if obj.get(k).is_none() {
                    r.missing(obj, k, &why);
                }
            }
        };
        match kind {
            AuthKind::None => Some(Auth::None),
            AuthKind::Basic => {
                required(self, kind.required_credentials());
                let username = self.source(obj, "username", false);
                let password = self.source(obj, "password", true);
                Some(Auth::Basic {
                    username: username?,
                    password: password?,
                })
            }
            AuthKind::ApiKey => {
                required(self, kind.required_credentials());
                self.api_key(obj)
            }
            AuthKind::ClientCredentials | AuthKind::Password => {
                required(self, &["token_url"]);
                let token_url = self.url(obj, "token_url");
                let password_grant = kind.grant() == Grant::Password;
                let rules = ClientRules {
                    default_auth: ClientAuth::Basic,
                    secret_required: !password_grant,
                    why: &why,
                    around: Some(Around {
                        hypergene: false,
                        authority: None,
                    }),
                };
                let client = self.oauth_client(obj, token_url, &rules);
                if password_grant {
                    required(self, kind.required_credentials());
                    let username = self.source(obj, "username", false);
                    let password = self.source(obj, "password", true);
                    Some(Auth::Password {
                        client: client?,
                        username: username?,
                        password: password?,
                    })
                } else {
                    Some(Auth::ClientCredentials(client?))
                }
            }
            AuthKind::AuthorizationCode | AuthKind::OpenIdConnect => self.interactive_auth(obj, kind, &why),
        }
    }

    /// An `api-key` table: the key, its header or query parameter name, and where it goes.
    fn api_key(&mut self, obj: Obj<'_>) -> Option<Auth> {
        let key = self.source(obj, "key", true);
        let name = self.nonempty(obj, "name").unwrap_or_else(|| "X-API-Key".into());
        let location = match self.string(obj, "in") {
            None => KeyIn::Header,
            Some((s, _)) if s == "header" => KeyIn::Header,
            Some((s, _)) if s == "query" => KeyIn::Query,
            Some((s, span)) => {
                self.push(
                    Some(span),
                    obj.key("in"),
                    format!("`{s}` is not valid; use `header` or `query`"),
                    None,
                );
                KeyIn::Header
            }
        };
        if location == KeyIn::Header && reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            let span = obj.get("name").map(|e| e.node.span.clone());
            self.push(
                span,
                obj.key("name"),
                format!("`{name}` is not a valid header name"),
                None,
            );
        }
        Some(Auth::ApiKey {
            key: key?,
            name,
            location,
        })
    }

    /// An `oauth2-authorization-code` or `openid-connect` table: the client, and how the
    /// browser sign-in goes.
    fn interactive_auth(&mut self, obj: Obj<'_>, kind: AuthKind, why: &str) -> Option<Auth> {
        let oidc = kind == AuthKind::OpenIdConnect;
        let issuer = if oidc { self.url(obj, "issuer") } else { None };
        let has_issuer = oidc && obj.get("issuer").is_some();
        if !has_issuer {
            let need: &[&str] = &["authorization_url", "token_url"];
            for k in need {
                if obj.get(k).is_none() {
                    self.missing(
                        obj,
                        k,
                        if oidc {
                            " (openid-connect without `issuer`)"
                        } else {
                            why
                        },
                    );
                }
            }
        }
        let authorization_url = if obj.get("authorization_url").is_some() {
            self.url(obj, "authorization_url")
        } else {
            None
        };
        // With discovery the token URL is found at run time; the issuer stands in.
        let token_url = if obj.get("token_url").is_some() {
            self.url(obj, "token_url")
        } else {
            issuer.clone()
        };
        let rules = ClientRules {
            default_auth: ClientAuth::Basic,
            secret_required: false,
            why,
            around: Some(Around {
                hypergene: false,
                authority: None,
            }),
        };
        let mut client = self.oauth_client(obj, token_url, &rules);
        if oidc && let Some(c) = &mut client {
            if c.scopes.is_empty() {
                c.scopes = vec!["openid".into()];
            } else if !c.scopes.iter().any(|s| s == "openid") {
                c.scopes.insert(0, "openid".into());
            }
        }
        let pkce = self.boolean(obj, "pkce").unwrap_or(true);
        let extra_params = self.params(obj, "extra_params");
        let login_hint = self.string(obj, "login_hint").map(|s| s.0);
        let private_session = self.boolean(obj, "private_session").unwrap_or(false);
        let display_name = self.string(obj, "display_name").map(|s| s.0);
        let redirect_port = match obj.get("redirect_port") {
            None => None,
            Some(e) => match e.node.value {
                Value::Int(Some(p)) if (1..=65535).contains(&p) => Some(p as u16),
                _ => {
                    self.push(
                        Some(e.node.span.clone()),
                        obj.key("redirect_port"),
                        "expected a port number from 1 to 65535",
                        None,
                    );
                    None
                }
            },
        };
        Some(Auth::Interactive {
            client: client?,
            flow: Interactive {
                issuer,
                authorization_url,
                pkce,
                extra_params,
                login_hint,
                private_session,
                display_name,
                redirect_port,
                oidc,
            },
        })
    }
}
