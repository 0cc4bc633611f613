//! Reading a client that proves itself without a secret: `client_auth = "private_key_jwt"`
//! with its certificate and key (PEM or PKCS#12), `assertion_alg` and `key_id`, or
//! `client_auth = "client_assertion"` with where its assertion comes from.

use super::*;
use crate::config::assertion::{ASSERTION_KEYS, Alg, Assertion, ENTRA_HOSTS, Given, KeyFile, Signing};

/// What the table around the client says about the assertion's defaults.
pub(super) struct Around<'u> {
    /// The profile type is `hypergene` (PS256 by default).
    pub hypergene: bool,
    /// The profile's Entra `authority`, when it has one (PS256 there too).
    pub authority: Option<&'u Url>,
}

impl Reader<'_> {
    /// The assertion settings of a client whose `client_auth` is `how`; a problem for each
    /// key that does not fit it.
    pub(super) fn assertion(
        &mut self,
        obj: Obj<'_>,
        how: ClientAuth,
        token_url: Option<&Url>,
        around: &Around<'_>,
    ) -> Option<Assertion> {
        // Every key but `client_assertion` belongs to the signing key.
        let signing = &ASSERTION_KEYS[..ASSERTION_KEYS.len() - 1];
        match how {
            ClientAuth::PrivateKeyJwt => {
                self.not_here(obj, &["client_secret", "client_assertion"], how);
                self.signing(obj, token_url, around).map(Assertion::Signed)
            }
            ClientAuth::ClientAssertion => {
                self.not_here(obj, &[&["client_secret"][..], signing].concat(), how);
                if obj.get("client_assertion").is_none() {
                    self.missing(obj, "client_assertion", " (client_auth = \"client_assertion\")");
                    return None;
                }
                self.given(obj).map(Assertion::Given)
            }
            ClientAuth::Basic | ClientAuth::BasicRaw | ClientAuth::Post => {
                for k in ASSERTION_KEYS {
                    if let Some(e) = obj.get(k) {
                        let wanted = if *k == "client_assertion" {
                            "client_assertion"
                        } else {
                            "private_key_jwt"
                        };
                        self.push(
                            Some(e.key_span.clone()),
                            obj.key(k),
                            format!("`{k}` is used only with client_auth = \"{wanted}\""),
                            Some(format!(
                                "set client_auth = \"{wanted}\" (and remove client_secret), or remove `{k}`"
                            )),
                        );
                    }
                }
                None
            }
        }
    }

    /// A problem for each of `keys` present with `how`.
    fn not_here(&mut self, obj: Obj<'_>, keys: &[&str], how: ClientAuth) {
        for k in keys {
            if let Some(e) = obj.get(k) {
                self.push(
                    Some(e.key_span.clone()),
                    obj.key(k),
                    format!("`{k}` is not used with client_auth = \"{}\"", how.as_str()),
                    Some(format!(
                        "remove `{k}`: this client proves itself with its assertion, not a secret"
                    )),
                );
            }
        }
    }

    /// `private_key_jwt`: the key from PEM files or one PKCS#12 file, its algorithm and id.
    fn signing(&mut self, obj: Obj<'_>, token_url: Option<&Url>, around: &Around<'_>) -> Option<Signing> {
        let pem = obj.get("private_key").is_some() || obj.get("client_certificate").is_some();
        let p12 = obj.get("client_pkcs12").is_some() || obj.get("pkcs12_password").is_some();
        let key = match (pem, p12) {
            (true, true) => {
                self.push(
                    Some(obj.span.clone()),
                    obj.key("client_pkcs12"),
                    "give either `client_certificate` and `private_key` (PEM) or `client_pkcs12`, not both",
                    None,
                );
                None
            }
            (false, false) => {
                self.push(
                    Some(obj.span.clone()),
                    obj.key("private_key"),
                    "missing required key `private_key` (client_auth = \"private_key_jwt\")",
                    Some("set `client_certificate` and `private_key` (PEM files), or `client_pkcs12` (and `pkcs12_password`)".into()),
                );
                None
            }
            (true, false) => {
                let certificate = if obj.get("client_certificate").is_some() {
                    self.path(obj, "client_certificate")
                } else {
                    None
                };
                if obj.get("private_key").is_none() {
                    self.missing(obj, "private_key", " (with `client_certificate`)");
                }
                self.source(obj, "private_key", true).map(|private_key| KeyFile::Pem {
                    certificate,
                    private_key,
                })
            }
            (false, true) => {
                if obj.get("client_pkcs12").is_none() {
                    self.missing(obj, "client_pkcs12", " (with `pkcs12_password`)");
                }
                let password = self.source(obj, "pkcs12_password", true);
                self.path(obj, "client_pkcs12")
                    .map(|path| KeyFile::Pkcs12 { path, password })
            }
        };
        let chosen = self.string(obj, "assertion_alg");
        let alg = match &chosen {
            None => Some(default_alg(token_url, around)),
            Some((s, span)) => Alg::from_name(s).or_else(|| {
                let help = suggest(s, Alg::NAMES).map(|x| format!("did you mean `{x}`?"));
                self.push(
                    Some(span.clone()),
                    obj.key("assertion_alg"),
                    format!("`{s}` is not an assertion algorithm; valid: `PS256`, `RS256`, `ES256`"),
                    help,
                );
                None
            }),
        };
        let key_id = if obj.get("key_id").is_some() {
            self.nonempty(obj, "key_id")
        } else {
            None
        };
        Some(Signing {
            key: key?,
            alg: alg?,
            alg_set: chosen.is_some(),
            key_id,
        })
    }

    /// `client_assertion`: `{ file | env | command }` or `{ github_oidc = AUDIENCE }`.
    fn given(&mut self, obj: Obj<'_>) -> Option<Given> {
        let e = obj.get("client_assertion")?;
        if let Value::Table(t) = &e.node.value
            && let Some(g) = t.get("github_oidc")
        {
            let path = obj.key("client_assertion");
            let o = Obj {
                table: t,
                path: &path,
                span: &e.node.span,
            };
            self.unknown_keys(o, &["github_oidc"], "");
            return match &g.node.value {
                Value::Str(a) if !a.trim().is_empty() => Some(Given::GithubOidc {
                    audience: a.trim().to_string(),
                }),
                _ => {
                    self.push(
                        Some(g.node.span.clone()),
                        o.key("github_oidc"),
                        "expected the audience to ask for, e.g. \"api://AzureADTokenExchange\"",
                        None,
                    );
                    None
                }
            };
        }
        self.source(obj, "client_assertion", true).map(Given::Source)
    }
}

/// PS256 for Hypergene and Entra token URLs, RS256 elsewhere.
fn default_alg(token_url: Option<&Url>, around: &Around<'_>) -> Alg {
    let host = token_url.and_then(|u| u.host_str()).map(str::to_ascii_lowercase);
    let entra = host.as_deref().is_some_and(|h| {
        ENTRA_HOSTS.contains(&h)
            || around
                .authority
                .and_then(|a| a.host_str())
                .is_some_and(|a| a.eq_ignore_ascii_case(h))
    });
    if around.hypergene || entra {
        Alg::Ps256
    } else {
        Alg::Rs256
    }
}
