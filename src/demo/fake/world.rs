//! What exists on the fake vendors' side: the accounts, tenants, apps, portfolios and
//! clients of a [`World`], and the documented demo world ([`World::default`]). Plain data,
//! imported by the vendors' handlers; of the fake it imports only [`super::wire`]'s string
//! helpers.

use super::wire::{pairs, s, strs};

/// Demo Entra tenant (also reachable as `contoso.onmicrosoft.com`).
pub const DEMO_TENANT_ID: &str = "11111111-2222-3333-4444-555555555555";
/// Demo Entra app holding `Portfolio.Read` on [`PORTFOLIOS_RESOURCE`].
pub const DEMO_CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-000000000001";
/// Current secret value of [`DEMO_CLIENT_ID`].
pub const DEMO_CLIENT_SECRET: &str = "Qx8~demo.Secret_Value-1";
/// The portal "Secret ID" of [`DEMO_CLIENT_SECRET`] (the classic paste mistake).
pub const DEMO_SECRET_ID: &str = "bbbbbbbb-0000-4000-8000-000000000002";
/// A second, expired secret of [`DEMO_CLIENT_ID`].
pub const DEMO_EXPIRED_SECRET: &str = "Old7~demo.Secret_Value-0";
/// Second demo app: registered with a valid secret, but granted no roles.
pub const DEMO_NOROLE_CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-000000000004";
/// Secret value of [`DEMO_NOROLE_CLIENT_ID`].
pub const DEMO_NOROLE_SECRET: &str = "Nr9~demo.Secret_Value-2";
/// Hypergene's App ID URI (the hyphenated form of the GUID in Profitbase's docs).
pub const PORTFOLIOS_RESOURCE: &str = "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1";

/// How the Hypatos token endpoint reads the two halves of `Authorization: Basic`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BasicDecoding {
    /// Plain RFC 7617: halves compared as sent (what Python `requests` clients send).
    Raw,
    /// RFC 6749 §2.3.1: each half is form-urlencoded, so it is decoded before comparing.
    #[default]
    FormDecoded,
}

/// Client authentication methods the generic REST token endpoint accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestClientAuth {
    /// `client_secret_basic` (halves form-decoded, RFC 6749 §2.3.1).
    Basic,
    /// `client_secret_post`.
    Post,
    /// Either one (but never both in one request).
    #[default]
    Both,
}

/// A Hypatos API service account.
#[derive(Clone, Debug)]
pub struct HypatosAccount {
    /// Client ID.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scopes assigned to the account, e.g. `documents.read`.
    pub scopes: Vec<String>,
}
/// An Entra tenant.
#[derive(Clone, Debug)]
pub struct EntraTenant {
    /// Tenant GUID.
    pub id: String,
    /// Domain names that also name the tenant, e.g. `contoso.onmicrosoft.com`.
    pub domains: Vec<String>,
    /// App registrations (clients) in the tenant.
    pub apps: Vec<EntraApp>,
    /// APIs with a service principal in the tenant.
    pub resources: Vec<EntraResource>,
}
/// An Entra app registration.
#[derive(Clone, Debug)]
pub struct EntraApp {
    /// Application (client) ID.
    pub client_id: String,
    /// Its client secrets.
    pub secrets: Vec<EntraSecret>,
    /// DER of the certificates uploaded to it (App registrations → Certificates & secrets).
    pub certificates: Vec<Vec<u8>>,
}
/// An Entra client secret.
#[derive(Clone, Debug)]
pub struct EntraSecret {
    /// The "Secret ID" GUID the portal shows next to the value.
    pub id: String,
    /// The secret value.
    pub value: String,
    /// Past its end date.
    pub expired: bool,
}
/// An API (resource) known in an Entra tenant.
#[derive(Clone, Debug)]
pub struct EntraResource {
    /// e.g. `api://<guid>`; compared exactly (case-sensitive) with the scope minus `/.default`.
    pub app_id_uri: String,
    /// App roles granted to each client id on this resource (the token's `roles` claim).
    pub roles_by_client: Vec<(String, Vec<String>)>,
}
/// A Hypergene portfolio.
#[derive(Clone, Debug)]
pub struct Portfolio {
    /// Portfolio ID (the first path segment).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The Entra tenant whose tokens may use this portfolio.
    pub tenant_id: String,
    /// Legacy Basic `(username, password)` pairs.
    pub legacy_users: Vec<(String, String)>,
}
/// A client of the generic REST token endpoint.
#[derive(Clone, Debug)]
pub struct RestClient {
    /// Client ID.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scopes the client may be granted (all of them when it asks for none).
    pub scopes: Vec<String>,
}

/// What exists on the fake vendors' side.
#[derive(Clone, Debug)]
pub struct World {
    /// Hypatos service accounts.
    pub hypatos_accounts: Vec<HypatosAccount>,
    /// Whether the Hypatos token endpoint form-decodes Basic credentials.
    pub hypatos_basic_decoding: BasicDecoding,
    /// Answer 429 beyond 10 Hypatos requests per second (the headers are always sent).
    pub hypatos_enforce_rate_limit: bool,
    /// Entra tenants.
    pub entra_tenants: Vec<EntraTenant>,
    /// `expires_in`/`ext_expires_in` as JSON strings, as Entra v1 did.
    pub entra_expires_in_as_string: bool,
    /// Hypergene portfolios.
    pub portfolios: Vec<Portfolio>,
    /// The `aud` the Portfolios API requires.
    pub portfolios_resource: String,
    /// The app role the Portfolios API requires.
    pub portfolios_role: String,
    /// Client authentication methods the REST token endpoint accepts.
    pub rest_client_auth: RestClientAuth,
    /// REST token endpoint clients.
    pub rest_clients: Vec<RestClient>,
    /// Resource owners `(username, password)` for the password grant.
    pub rest_users: Vec<(String, String)>,
    /// API keys `/rest/api` accepts (header `X-API-Key` or query `api_key`).
    pub rest_api_keys: Vec<String>,
    /// Plain RFC 7617 Basic `(username, password)` users of `/rest/api`.
    pub rest_basic_users: Vec<(String, String)>,
    /// `(path_prefix, scope)`: bearer tokens need `scope` below the prefix (longest prefix wins).
    pub rest_required_scopes: Vec<(String, String)>,
}

impl Default for World {
    /// The demo world:
    /// - Hypatos `demo-hypatos`/`hyp-secret-1` (`documents.read projects.read`) and
    ///   `demo-hypatos-narrow`/`hyp-secret-2` (`enrichment.write`); Basic form-decoded.
    /// - Entra tenant [`DEMO_TENANT_ID`] = `contoso.onmicrosoft.com`; apps [`DEMO_CLIENT_ID`]
    ///   (secrets [`DEMO_CLIENT_SECRET`], id [`DEMO_SECRET_ID`], and expired
    ///   [`DEMO_EXPIRED_SECRET`]) and [`DEMO_NOROLE_CLIENT_ID`]/[`DEMO_NOROLE_SECRET`];
    ///   resources [`PORTFOLIOS_RESOURCE`] (role `Portfolio.Read` for [`DEMO_CLIENT_ID`]) and
    ///   `https://graph.microsoft.com` (no roles). `expires_in` is a number.
    /// - Portfolio `demo-portfolio` ("Demo Portfolio") in that tenant, legacy `legacy`/`legacy-pass`.
    /// - REST client `rest-cli`/`rest-secret` (`billing.read`, Basic or post), user
    ///   `alice`/`alice-pass`, API key `demo-api-key-123`, Basic user `svc`/`svc-pass`;
    ///   `/rest/api/billing` needs `billing.read`, `/rest/api/admin` needs `billing.admin`.
    fn default() -> Self {
        let hyp = |client_id: &str, client_secret: &str, scopes: &[&str]| HypatosAccount {
            client_id: s(client_id),
            client_secret: s(client_secret),
            scopes: strs(scopes),
        };
        let app = |client_id: &str, secrets: &[(&str, &str, bool)]| EntraApp {
            client_id: s(client_id),
            secrets: secrets
                .iter()
                .map(|&(id, value, expired)| EntraSecret {
                    id: s(id),
                    value: s(value),
                    expired,
                })
                .collect(),
            certificates: Vec::new(),
        };
        let resource = |uri: &str, roles: &[(&str, &[&str])]| EntraResource {
            app_id_uri: s(uri),
            roles_by_client: roles.iter().map(|(c, r)| (s(c), strs(r))).collect(),
        };
        let old_id = "bbbbbbbb-0000-4000-8000-000000000003";
        let norole_id = "bbbbbbbb-0000-4000-8000-000000000005";
        World {
            hypatos_accounts: vec![
                hyp("demo-hypatos", "hyp-secret-1", &["documents.read", "projects.read"]),
                hyp("demo-hypatos-narrow", "hyp-secret-2", &["enrichment.write"]),
            ],
            hypatos_basic_decoding: BasicDecoding::FormDecoded,
            hypatos_enforce_rate_limit: false,
            entra_tenants: vec![EntraTenant {
                id: s(DEMO_TENANT_ID),
                domains: strs(&["contoso.onmicrosoft.com"]),
                apps: vec![
                    app(
                        DEMO_CLIENT_ID,
                        &[
                            (DEMO_SECRET_ID, DEMO_CLIENT_SECRET, false),
                            (old_id, DEMO_EXPIRED_SECRET, true),
                        ],
                    ),
                    app(DEMO_NOROLE_CLIENT_ID, &[(norole_id, DEMO_NOROLE_SECRET, false)]),
                ],
                resources: vec![
                    resource(PORTFOLIOS_RESOURCE, &[(DEMO_CLIENT_ID, &["Portfolio.Read"])]),
                    resource("https://graph.microsoft.com", &[]),
                ],
            }],
            entra_expires_in_as_string: false,
            portfolios: vec![Portfolio {
                id: s("demo-portfolio"),
                name: s("Demo Portfolio"),
                tenant_id: s(DEMO_TENANT_ID),
                legacy_users: pairs(&[("legacy", "legacy-pass")]),
            }],
            portfolios_resource: s(PORTFOLIOS_RESOURCE),
            portfolios_role: s("Portfolio.Read"),
            rest_client_auth: RestClientAuth::Both,
            rest_clients: vec![RestClient {
                client_id: s("rest-cli"),
                client_secret: s("rest-secret"),
                scopes: strs(&["billing.read"]),
            }],
            rest_users: pairs(&[("alice", "alice-pass")]),
            rest_api_keys: strs(&["demo-api-key-123"]),
            rest_basic_users: pairs(&[("svc", "svc-pass")]),
            rest_required_scopes: pairs(&[
                ("/rest/api/billing", "billing.read"),
                ("/rest/api/admin", "billing.admin"),
            ]),
        }
    }
}
