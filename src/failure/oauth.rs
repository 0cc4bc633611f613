//! Refused token (and discovery) requests, as data: Entra's AADSTS codes, other vendors' own
//! codes (Okta's `E0000…`), the server's words, RFC 6749 §5.2 `error` values and HTTP
//! statuses, each a table row (key → kind, category, summary, hints), with the hints that
//! depend on the request or on the answer's headers as small [`Extra`] computations.
//!
//! The decision reads what the server says most precisely first: Entra's AADSTS code (only to
//! pick the hint, per Microsoft's advice), another vendor's own code, a throttling status, the
//! description (some servers send the wrong `error`: Keycloak answers a bad secret with
//! `unauthorized_client`), the `error` value, and last the bare HTTP status. Adding a rule is
//! one row here plus one test row in `oauth/diagnose/tests.rs`.

use std::time::Duration;

use crate::exit::Category;

/// One diagnosis rule: the words for a kind of refusal.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable name.
    pub kind: &'static str,
    /// The category.
    pub category: Category,
    /// Summary; `{status}`, `{code}` (the `error`), `{id}` (the vendor's own code, such as
    /// `AADSTS50196` or `E0000047`) and `{token_url}` are filled in.
    pub summary: &'static str,
    /// Fixed hints.
    pub hints: &'static [&'static str],
    /// Hints computed from the request or the answer.
    pub extra: Extra,
}

/// Hints that depend on the request or the answer, computed by [`Extra::hints`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// None.
    None,
    /// Before the fixed hints: whether the secret sent looks like a secret *ID*.
    SecretLooksLikeId,
    /// After: the canonical form of a non-canonical GUID in the scope.
    GuidScope,
    /// Before: which scopes were requested.
    Scopes,
    /// Before: where the token endpoint is, for Hypatos or in general.
    TokenUrl,
    /// Before: how long the server asks to wait, and its quota, from the answer's headers.
    Wait,
    /// Before: the certificate that signed the assertion (its SHA-1 thumbprint as the Azure
    /// portal lists it), from [`AssertionFacts`].
    AssertionCertificate,
    /// Before: the assertion's times and this machine's clock against the server's.
    AssertionTime,
    /// Before: the issuer, subject and audience of the assertion sent.
    AssertionClaims,
}

/// Which grant a request used; in a table row, which grants the row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grant {
    /// Every grant (rows only).
    Any,
    /// `client_credentials`.
    #[default]
    ClientCredentials,
    /// `password`.
    Password,
    /// A grant that comes from a person's sign-in: an authorization code, a device code or a
    /// refresh token.
    SignIn,
}

/// What the diagnosis knows about the request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The profile talks to Hypatos.
    pub hypatos: bool,
    /// The grant used.
    pub grant: Grant,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// The secret looks like a GUID (an Entra secret *ID* rather than its value).
    pub secret_is_guid: bool,
    /// The token URL as shown.
    pub token_url: String,
}

/// What an answer's headers say about throttling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Throttle {
    /// How long the server asks to wait, and the header that says so (`Retry-After`,
    /// `x-ratelimit-reset`).
    pub wait: Option<(Duration, String)>,
    /// The quota headers as sent (`x-ratelimit-limit: 10`), cleaned.
    pub quota: Vec<String>,
    /// A quota header says nothing is left (`x-ratelimit-remaining: 0`).
    pub exhausted: bool,
}

impl Throttle {
    fn hints(&self) -> Vec<String> {
        let mut h = Vec::new();
        if let Some((after, header)) = &self.wait {
            h.push(format!(
                "the server asks to wait {} before trying again ({header})",
                humantime::format_duration(Duration::from_secs(after.as_secs()))
            ));
        }
        if !self.quota.is_empty() {
            h.push(format!("the server's quota: {}", self.quota.join("; ")));
        }
        h
    }
}

impl Extra {
    /// (before, after) the fixed hints.
    fn hints(self, f: &Facts, t: &Throttle) -> (Vec<String>, Vec<String>) {
        match self {
            Extra::None => (Vec::new(), Vec::new()),
            Extra::SecretLooksLikeId => (vec![if f.secret_is_guid {
                "the client_secret you sent looks like a GUID: that is the secret's ID, not its value. In the Azure portal, App registrations → Certificates & secrets, the Value is shown only once when the secret is created; create a new secret and copy its Value"
            } else {
                "most often the secret's ID was pasted instead of its Value; the Value is shown only once, when the secret is created (App registrations → Certificates & secrets)"
            }
            .to_string()], Vec::new()),
            Extra::GuidScope => (Vec::new(), guid_hint(&f.scopes).into_iter().collect()),
            Extra::Scopes => (vec![if f.scopes.is_empty() {
                "no scope was requested and the server has no default: set scopes".to_string()
            } else {
                format!(
                    "requested: {}; each must be assigned to this client at the server (names are case-sensitive)",
                    f.scopes.join(" ")
                )
            }], Vec::new()),
            Extra::TokenUrl => (vec![if f.hypatos {
                "the Hypatos token URL is {endpoint}/auth/token with endpoint such as https://api.cloud.hypatos.ai/v2 (EU) or https://api.cloud.hypatos.com/v2 (US)"
            } else {
                "check token_url: the path, a missing or extra trailing part, the version segment"
            }
            .to_string()], Vec::new()),
            Extra::Wait => (t.hints(), Vec::new()),
            // Computed from the assertion by [`with_assertion`]; nothing without one.
            Extra::AssertionCertificate | Extra::AssertionTime | Extra::AssertionClaims => (Vec::new(), Vec::new()),
        }
    }
}

const fn rule(
    kind: &'static str,
    category: Category,
    summary: &'static str,
    hints: &'static [&'static str],
    extra: Extra,
) -> Rule {
    Rule {
        kind,
        category,
        summary,
        hints,
        extra,
    }
}

use Category::{Authentication as Auth, Config, Endpoint, Interactive, Permission};

const SCOPE_ONE: &str = "for client credentials, request exactly one scope: the resource's Application ID URI followed by /.default, e.g. api://<app-id>/.default";
const SCOPE_EXISTS: &str = "each scope must be one the API exposes, spelled as it is registered; for client credentials, request exactly one: the resource's Application ID URI followed by /.default";
const TRY_LATER: &str = "try again later; if it persists, contact the service";
const SIGN_IN_INSTEAD: &str = "a profile without a person cannot do this step: use an authorization-code or OpenID Connect profile (auth = \"authorization_code\" or \"oidc\") and sign in once with conn login";
const SIGN_IN_AGAIN: &str = "sign in again: conn login";

/// Entra AADSTS codes; a row with an `error` applies only when the answer's `error` is that.
#[rustfmt::skip]
pub static ENTRA: &[(&[i64], Option<&str>, Rule)] = &[
    (&[7000215], None, rule("entra_invalid_client_secret", Auth, "Entra rejected the client secret (AADSTS7000215: invalid client secret)", &["also check for spaces around the secret, a secret that was rotated since, or a secret of another app or tenant"], Extra::SecretLooksLikeId)),
    (&[7000222], None, rule("entra_client_secret_expired", Auth, "Entra says the client secret has expired (AADSTS7000222)", &["create a new secret in App registrations → Certificates & secrets and update the profile"], Extra::None)),
    (&[700016], None, rule("entra_unknown_client", Auth, "Entra does not know this client id in this tenant (AADSTS700016)", &["client_id must be the Application (client) ID from the app's Overview page", "tenant_id must be the tenant where the app is registered or has been consented to"], Extra::None)),
    (&[700025], None, rule("entra_public_client", Auth, "Entra says this is a public client, which must not send a secret (AADSTS700025)", &["register the app as a Web (confidential) application, or remove the secret"], Extra::None)),
    (&[7000112, 70001], None, rule("entra_app_disabled", Auth, "the application is disabled in this tenant ({id})", &["a tenant administrator must enable the app again"], Extra::None)),
    (&[50126], None, rule("entra_wrong_password", Auth, "wrong username or password (AADSTS50126)", &["check username and password", "accounts that are federated or can only sign in with MFA also get this from the password grant"], Extra::None)),
    (&[50034], None, rule("entra_user_not_found", Auth, "Entra has no such user in this tenant (AADSTS50034)", &["check username: the sign-in name (user@domain) of an account in this tenant", "a user of another tenant must be invited as a guest, or tenant_id must be the user's own tenant"], Extra::None)),
    (&[50053], None, rule("entra_account_locked", Auth, "the account is locked, or Entra blocks sign-ins from this address (AADSTS50053)", &["too many wrong passwords lock an account for a while; a tenant administrator sees which of the two it is in Sign-in logs (error 50053, Failure reason)"], Extra::None)),
    (&[50055], None, rule("entra_password_expired", Auth, "the user's password has expired (AADSTS50055)", &["the user must change it in a browser sign-in, or an administrator must reset it; then update password"], Extra::None)),
    (&[50057], None, rule("entra_user_disabled", Auth, "the user account is disabled (AADSTS50057)", &["a tenant administrator must enable the account again"], Extra::None)),
    (&[50076, 50074, 50078], None, rule("entra_mfa_required", Interactive, "Entra requires multi-factor authentication for this sign-in ({id})", &[SIGN_IN_INSTEAD], Extra::None)),
    (&[50079, 50072], None, rule("entra_mfa_registration_required", Interactive, "the user must first register for multi-factor authentication ({id})", &[SIGN_IN_INSTEAD], Extra::None)),
    (&[50158], None, rule("entra_external_challenge", Interactive, "an external security challenge (another MFA provider) must be satisfied first (AADSTS50158)", &[SIGN_IN_INSTEAD], Extra::None)),
    (&[53003], None, rule("entra_conditional_access", Permission, "a Conditional Access policy blocks issuing this token (AADSTS53003)", &["a tenant administrator sees which policy applied in Sign-in logs; the policy (location, device, client app), not the credentials, must change"], Extra::None)),
    (&[50173], None, rule("entra_grant_revoked", Interactive, "the refresh token was revoked (AADSTS50173), for example after a password change", &[SIGN_IN_AGAIN], Extra::None)),
    (&[70008, 700082, 700084, 70043, 50089, 54005], None, rule("entra_grant_expired", Interactive, "the code or refresh token has expired or was already used ({id})", &[SIGN_IN_AGAIN], Extra::None)),
    (&[90002], None, rule("entra_unknown_tenant", Endpoint, "Entra does not know this tenant (AADSTS90002)", &["check tenant_id: the Directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com", "check the cloud: a tenant in a national cloud needs its own authority (not login.microsoftonline.com)"], Extra::None)),
    (&[900023], None, rule("entra_malformed_tenant", Endpoint, "the tenant id is malformed (AADSTS900023)", &["tenant_id is neither a GUID nor a domain name; a path segment or a {{placeholder}} may have slipped into it"], Extra::None)),
    (&[9001023, 90124, 90130], None, rule("entra_common_endpoint", Endpoint, "this request is not supported on the /common or /consumers endpoint ({id})", &["use the tenant's own id in the token URL"], Extra::None)),
    (&[90011], None, rule("entra_ambiguous_client", Config, "Entra received more than one client id (AADSTS90011)", &["send the client id once: remove client_id from token_params, since client_auth already sends it"], Extra::None)),
    (&[70011], None, rule("entra_invalid_scope", Permission, "Entra rejected the scope (AADSTS70011)", &[SCOPE_EXISTS], Extra::GuidScope)),
    (&[1002012], None, rule("entra_scope_not_default", Permission, "Entra requires the scope to end in /.default for client credentials (AADSTS1002012)", &[SCOPE_ONE], Extra::GuidScope)),
    (&[700022], None, rule("entra_scope_many_resources", Permission, "the scope names more than one resource (AADSTS700022)", &[SCOPE_ONE], Extra::GuidScope)),
    (&[500011], None, rule("entra_unknown_resource", Permission, "the API named in the scope is not known in this tenant (AADSTS500011)", &["the Application ID URI in the scope is wrong, or the API (for Hypergene: its enterprise application) has no service principal or admin consent in your tenant: ask a tenant administrator to consent"], Extra::GuidScope)),
    (&[7000229], None, rule("entra_no_service_principal", Auth, "the application has no service principal in this tenant (AADSTS7000229)", &["the app is registered in another tenant and was never added to this one: a tenant administrator must consent to it, which creates its enterprise application"], Extra::None)),
    (&[65001], None, rule("entra_consent_required", Permission, "the user or administrator has not consented to this application (AADSTS65001)", &["grant consent: an administrator can grant it for the tenant in Enterprise applications"], Extra::None)),
    (&[50012], None, rule("entra_assertion_rejected", Auth, "Entra could not validate the client assertion (AADSTS50012)", &["the server's words name what failed; the assertion's audience must be the tenant's token URL and its signature must come from a registered certificate"], Extra::None)),
    (&[90061], None, rule("entra_federation_issuer_unreachable", Endpoint, "Entra could not reach the issuer of the federated token (AADSTS90061)", &["the issuer's OpenID configuration and keys must be reachable from the internet at the issuer URL the token names"], Extra::None)),
    (&[50196], None, rule("entra_request_loop", Endpoint, "Entra stopped this client for asking for the same token too often (AADSTS50196: a request loop)", &["reuse a token until it expires instead of asking for a new one for every call (conn token keeps it in its store); retrying an error in a tight loop does the same", "wait a few minutes before trying again"], Extra::Wait)),
    (&[90055], None, rule("entra_tenant_throttled", Endpoint, "Entra is throttling requests for this tenant ({id}: too many incoming requests)", &["wait before trying again, and spread the tenant's token requests out"], Extra::Wait)),
    (&[9002313], Some("invalid_grant"), rule("entra_grant_unreadable", Auth, "Entra could not read the grant that was sent (AADSTS9002313: the request is malformed or invalid)", &["the code, refresh token or assertion sent is cut short, a placeholder, or from another tenant; for a stored sign-in, sign in again with conn login"], Extra::None)),
    (&[900144, 9002313, 90014], None, rule("entra_malformed_request", Config, "Entra says the request is missing a parameter or malformed ({id})", &["check scope, client_id, token_params and the token URL; the server's words name the parameter"], Extra::None)),
    // Clients without a secret: certificates (private_key_jwt) and federated credentials.
    (&[700027], None, rule("entra_certificate_not_registered", Auth, "Entra does not find the certificate that signed the client assertion on this app (AADSTS700027)", &[CERT_WHERE, "a private key that does not belong to the uploaded certificate, or a certificate of another app, gives the same answer"], Extra::AssertionCertificate)),
    (&[700024], None, rule("entra_assertion_time", Auth, "the client assertion is not within its valid time (AADSTS700024)", &["check this machine's clock (NTP): Entra compares the assertion's nbf and exp with its own time; a federated token may also simply have expired: fetch a new one"], Extra::AssertionTime)),
    (&[70021, 70022, 700211, 700212, 700213], None, rule("entra_no_federated_identity", Auth, "no federated credential on this app matches the assertion's issuer, subject and audience ({id})", &[FEDERATED_WHERE], Extra::AssertionClaims)),
    (&[7000218], None, rule("entra_secret_missing", Auth, "Entra expects a client secret or a client assertion, and neither was sent (AADSTS7000218)", &["set client_secret, or prove the client without a secret: a certificate (client_auth = \"private_key_jwt\") or a federated credential (client_auth = \"client_assertion\")"], Extra::None)),
];

/// Other vendors' own codes (Okta's `errorCode`).
#[rustfmt::skip]
pub static VENDOR: &[(&[&str], Rule)] = &[
    (&["E0000004"], rule("okta_authentication_failed", Auth, "Okta rejected the sign-in ({id})", &["check username and password; Okta answers the same for a user that does not exist or is locked"], Extra::None)),
    (&["E0000047"], rule("okta_rate_limited", Endpoint, "Okta's rate limit was exceeded ({id})", &["wait for the limit to reset; do not run many tests against the org at once"], Extra::Wait)),
];

const INVALID_CLIENT: Rule = rule(
    "oauth_invalid_client",
    Auth,
    "the server rejected the client credentials ({status})",
    &[
        "check client_id and client_secret; a secret copied with a trailing space or from another environment is a common cause",
    ],
    Extra::None,
);
const INVALID_PASSWORD: Rule = rule(
    "oauth_invalid_password",
    Auth,
    "the server rejected the username or password ({status})",
    &[
        "check username and password; the account may also be locked",
        "the password grant also fails when the account needs MFA or is under Conditional Access",
    ],
    Extra::None,
);
const LOGIN_EXPIRED: Rule = rule(
    "oauth_login_expired",
    Interactive,
    "the sign-in this request relies on is no longer valid ({status})",
    &[
        "the code or refresh token is invalid, expired or revoked",
        SIGN_IN_AGAIN,
    ],
    Extra::None,
);
const MFA_REQUIRED: Rule = rule(
    "oauth_mfa_required",
    Interactive,
    "the account needs multi-factor authentication ({status})",
    &[SIGN_IN_INSTEAD],
    Extra::None,
);
const CLIENT_AUTH_TWICE: Rule = rule(
    "oauth_client_auth_twice",
    Config,
    "the server refuses client credentials sent two ways at once ({status})",
    &[
        "client_auth picks one way: \"basic\" sends them in the Authorization header, \"post\" in the body; remove client_id or client_secret from token_params",
    ],
    Extra::None,
);
const RATE_LIMITED: Rule = rule(
    "token_rate_limited",
    Endpoint,
    "the token endpoint is rate limiting ({status})",
    &["wait and try again; do not run many tests against it at once"],
    Extra::Wait,
);

/// The server's words (its description, lower-cased) that outrank its `error` value.
#[rustfmt::skip]
pub static WORDS: &[(&[&str], Rule)] = &[
    (&["invalid client or invalid client credentials", "invalid client secret", "client authentication failed", "client credentials are invalid", "client_secret passed are incorrect", "client identifier invalid", "oauth client was not found"], INVALID_CLIENT),
    (&["invalid user credentials", "wrong email or password", "invalid username or password", "invalid resource owner credentials"], INVALID_PASSWORD),
    (&["refresh token is invalid", "invalid refresh token", "refresh token has expired", "token has been expired or revoked", "code passed is incorrect or expired"], LOGIN_EXPIRED),
    (&["multiple client credentials"], CLIENT_AUTH_TWICE),
    (&["multifactor authentication required", "multi-factor authentication is required"], MFA_REQUIRED),
    (&["connection was not found"], rule("auth0_connection_not_found", Config, "the server does not know the connection the request names ({status})", &["the connection (realm) named in token_params does not exist in this Auth0 tenant: check its name under Authentication in the dashboard"], Extra::None)),
];

/// RFC 6749 §5.2 `error` values, and vendors' names for them; a row applies to its grant.
#[rustfmt::skip]
pub static RFC6749: &[(&[&str], Grant, Rule)] = &[
    (&["invalid_client", "invalid_client_id", "incorrect_client_credentials"], Grant::Any, INVALID_CLIENT),
    (&["invalid_grant"], Grant::Password, INVALID_PASSWORD),
    (&["invalid_grant"], Grant::SignIn, LOGIN_EXPIRED),
    (&["bad_verification_code"], Grant::Any, LOGIN_EXPIRED),
    (&["invalid_grant"], Grant::Any, rule("oauth_invalid_grant", Auth, "the server rejected the grant (invalid_grant)", &["the assertion or code sent is invalid, expired or revoked; the server's words say which"], Extra::None)),
    (&["unauthorized_client"], Grant::Any, rule("oauth_unauthorized_client", Permission, "this client is not allowed to use this grant (unauthorized_client)", &["enable the grant type for this client at the authorization server (Keycloak: Service accounts roles; Auth0: the application's Grant Types; Cognito: the app client's OAuth grant types)"], Extra::None)),
    (&["access_denied"], Grant::Any, rule("oauth_access_denied", Auth, "the server denied the client ({status}: access_denied)", &["check client_id and client_secret, and that this client may ask for a token for this API (Auth0: authorize the application for the API)"], Extra::None)),
    (&["mfa_required"], Grant::Any, MFA_REQUIRED),
    (&["invalid_scope"], Grant::Any, rule("oauth_invalid_scope", Permission, "the server rejected the requested scope (invalid_scope)", &[], Extra::Scopes)),
    (&["unsupported_grant_type"], Grant::Any, rule("oauth_unsupported_grant_type", Endpoint, "the server does not support this grant type (unsupported_grant_type)", &["check the auth type of the profile against what the server offers"], Extra::None)),
    (&["invalid_request"], Grant::Any, rule("oauth_invalid_request", Config, "the server says the token request is malformed (invalid_request)", &["the server's words name the problem; check token_params and client_auth (a server refuses credentials sent both ways)"], Extra::None)),
    (&["temporarily_unavailable", "server_error"], Grant::Any, rule("oauth_server_error", Endpoint, "the token endpoint reported an error on its side ({code})", &[TRY_LATER], Extra::Wait)),
];

/// An `error` value no row names.
pub static RFC6749_OTHER: Rule = rule(
    "oauth_other_error",
    Endpoint,
    "the token endpoint answered {status} with error \"{code}\"",
    &["conn has no rule for this error; the server's words are quoted above, and its documentation names the fix"],
    Extra::None,
);

/// Statuses (an inclusive range), when the server said nothing conn understands;
/// `Some(true)` rows are for Hypatos only. The last row catches every status.
#[rustfmt::skip]
pub static STATUS: &[(u16, u16, Option<bool>, Rule)] = &[
    (401, 401, Some(true), rule("hypatos_invalid_client", Auth, "Hypatos rejected the client credentials (401)", &["check client_id and client_secret of the API service account in Hypatos Studio (Settings → API); a secret is shown only when it is created"], Extra::None)),
    (401, 401, None, rule("token_unauthorized", Auth, "the token endpoint rejected the client credentials (401)", &["check client_id and client_secret"], Extra::None)),
    (403, 403, None, rule("token_forbidden", Permission, "the token endpoint refused the request (403)", &["the client may be disabled or blocked from this network"], Extra::None)),
    (404, 405, None, rule("token_url_not_found", Endpoint, "the token URL {token_url} answered {status}: there is no token endpoint there", &[], Extra::TokenUrl)),
    (429, 429, None, RATE_LIMITED),
    (500, 599, None, rule("token_server_error", Endpoint, "the token endpoint failed on its side ({status})", &[TRY_LATER], Extra::Wait)),
    (0, u16::MAX, None, rule("token_no_token", Endpoint, "the token endpoint answered {status} without a token", &["check that token_url is the OAuth token endpoint"], Extra::None)),
];

/// The Entra rule for the first of `codes` that has one, with that code.
pub fn entra_rule(codes: &[i64], error: Option<&str>) -> Option<(i64, &'static Rule)> {
    codes.iter().find_map(|c| {
        ENTRA
            .iter()
            .find(|(cs, e, _)| cs.contains(c) && e.is_none_or(|e| Some(e) == error))
            .map(|(_, _, r)| (*c, r))
    })
}

/// The rule for a vendor's own code.
pub fn vendor_rule(code: &str) -> Option<&'static Rule> {
    VENDOR.iter().find(|(cs, _)| cs.contains(&code)).map(|(_, r)| r)
}

/// The rule for what the server said in words, when they are decisive.
pub fn words_rule(description: &str) -> Option<&'static Rule> {
    let d = description.to_lowercase();
    WORDS
        .iter()
        .find(|(ps, _)| ps.iter().any(|p| d.contains(p)))
        .map(|(_, r)| r)
}

/// The RFC 6749 rule for an `error` value.
pub fn rfc6749_rule(error: &str, grant: Grant) -> &'static Rule {
    RFC6749
        .iter()
        .find(|(e, g, _)| e.contains(&error) && (*g == Grant::Any || *g == grant))
        .map_or(&RFC6749_OTHER, |(_, _, r)| r)
}

/// The rule for a throttled answer: 429, or a quota that says nothing is left.
pub fn throttle_rule(status: u16, t: &Throttle) -> Option<&'static Rule> {
    (status == 429 || (t.exhausted && matches!(status, 400 | 403))).then_some(&THROTTLED)
}

static THROTTLED: Rule = RATE_LIMITED;

/// The status rule.
pub fn status_rule(status: u16, hypatos: bool) -> &'static Rule {
    STATUS
        .iter()
        .find(|(lo, hi, h, _)| (*lo..=*hi).contains(&status) && h.is_none_or(|h| h == hypatos))
        .map(|(_, _, _, r)| r)
        .unwrap_or(&STATUS[STATUS.len() - 1].3)
}

/// What the server said, as the rules fill it in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said {
    /// HTTP status.
    pub status: u16,
    /// The `error` value, when the server sent one.
    pub code: Option<String>,
    /// The vendor's own code (`AADSTS50196`, `E0000047`), when a rule keyed off it.
    pub id: Option<String>,
    /// The server's words, quoted after the summary unless it already says them.
    pub quote: Option<String>,
    /// What the headers say about throttling.
    pub throttle: Throttle,
}

/// A refused request: the rule that matched and what fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The rule.
    pub rule: &'static Rule,
    /// What the server said.
    pub said: Said,
    /// The token URL as shown.
    pub token_url: String,
    /// Hints before the rule's own, computed from the request.
    pub lead: Vec<String>,
    /// Hints after the rule's own, computed from the request.
    pub tail: Vec<String>,
}

impl Refusal {
    /// Apply `rule` to a refused request.
    pub fn new(rule: &'static Rule, said: Said, f: &Facts) -> Refusal {
        let (lead, tail) = rule.extra.hints(f, &said.throttle);
        Refusal {
            rule,
            said,
            token_url: f.token_url.clone(),
            lead,
            tail,
        }
    }

    /// Stable name.
    pub fn kind(&self) -> &'static str {
        self.rule.kind
    }

    /// The category.
    pub fn category(&self) -> Category {
        self.rule.category
    }

    /// One line: the rule's words, then the server's.
    pub fn summary(&self) -> String {
        // A 2xx that carries an error (GitHub's token endpoint) says so, not just "(200)".
        let status = match self.said.status {
            s @ 200..=299 => format!("{s}, with an error instead of a token"),
            s => s.to_string(),
        };
        let s = self
            .rule
            .summary
            .replace("{status}", &status)
            .replace("{code}", self.said.code.as_deref().unwrap_or(""))
            .replace("{id}", self.said.id.as_deref().unwrap_or(""))
            .replace("{token_url}", &self.token_url);
        match &self.said.quote {
            Some(q) if !s.contains(q.as_str()) => format!("{s}: {q}"),
            _ => s,
        }
    }

    /// What to change.
    pub fn hints(&self) -> Vec<String> {
        let mut h = self.lead.clone();
        h.extend(self.rule.hints.iter().map(|s| s.to_string()));
        h.extend(self.tail.iter().cloned());
        h
    }
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

// ------------------------------------------------------------------ clients without a secret

/// Where a person compares a certificate's thumbprint.
const CERT_WHERE: &str = "compare the SHA-1 thumbprint with the Thumbprint column in the Azure portal: App registrations → the app → Certificates & secrets → Certificates; if it is not listed, upload the certificate there (its public part: .cer, .pem or .crt)";
/// Where a person compares a federated credential.
const FEDERATED_WHERE: &str = "in the Azure portal: App registrations → the app → Certificates & secrets → Federated credentials; its Issuer, Subject identifier and Audience must equal the assertion's exactly (case, a trailing '/', the branch or environment in a GitHub subject)";

/// What a refused client without a secret sent: facts for the hints, none of them secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssertionFacts {
    /// The certificate's subject, when a certificate signed it.
    pub subject: Option<String>,
    /// Its SHA-1 thumbprint, upper-case hex.
    pub sha1: Option<String>,
    /// Its `x5t#S256`.
    pub x5t_s256: Option<String>,
    /// The signing algorithm, when conn signed.
    pub alg: Option<&'static str>,
    /// A federated assertion's source, `iss`, `sub`, `aud` and `exp` as shown.
    pub federated: Option<Federated>,
    /// Seconds this machine's clock is behind the server's `Date` (negative: ahead).
    pub skew: Option<i64>,
}

/// A federated assertion as the hints show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Federated {
    /// Where it came from.
    pub source: String,
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// `aud`.
    pub aud: String,
    /// `exp`, as shown, or why there is none.
    pub expires: String,
}

/// Any other server's `invalid_client` (or a bare 401) for a client that sent an assertion.
pub static ASSERTION_REJECTED: Rule = rule(
    "oauth_invalid_client_assertion",
    Auth,
    "the server rejected the client assertion ({status})",
    &[
        "the server does not accept this key for this client: register the public key (or certificate) shown above with the client at the server, or sign with the key that is registered; check that the server allows this assertion_alg",
    ],
    Extra::AssertionCertificate,
);

/// Fit a refusal to a client that sent an assertion: the hints that compare what was sent
/// with what is registered, and a rule that speaks of the assertion, not of a secret.
pub fn with_assertion(r: &mut Refusal, a: &AssertionFacts) {
    if matches!(r.rule.kind, "oauth_invalid_client" | "token_unauthorized") {
        r.rule = &ASSERTION_REJECTED;
    }
    let lead = match r.rule.extra {
        Extra::AssertionCertificate => certificate_hint(a),
        Extra::AssertionTime => time_hints(a),
        Extra::AssertionClaims => claims_hint(a),
        _ => Vec::new(),
    };
    r.lead.splice(0..0, lead);
}

fn certificate_hint(a: &AssertionFacts) -> Vec<String> {
    match (&a.subject, &a.sha1, &a.federated) {
        (Some(subject), Some(sha1), _) => vec![format!(
            "the assertion was signed {} with the certificate {subject}: SHA-1 thumbprint {sha1} (x5t#S256 {})",
            a.alg.unwrap_or(""),
            a.x5t_s256.as_deref().unwrap_or("")
        )],
        (_, _, Some(f)) => claims_of(f),
        _ => vec![format!(
            "the assertion was signed {} with a key and no certificate: the server must know that key (by its kid, or as the client's only key)",
            a.alg.unwrap_or("")
        )],
    }
}

fn time_hints(a: &AssertionFacts) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(s) = a.skew {
        let dir = if s > 0 { "behind" } else { "ahead of" };
        v.push(format!(
            "this machine's clock is {}s {dir} the server's (its Date header): conn signs assertions valid for five minutes from this machine's time",
            s.unsigned_abs()
        ));
    }
    if let Some(f) = &a.federated {
        v.push(format!(
            "the federated assertion from {} expires {}",
            f.source, f.expires
        ));
    }
    v
}

fn claims_hint(a: &AssertionFacts) -> Vec<String> {
    a.federated.as_ref().map(claims_of).unwrap_or_default()
}

fn claims_of(f: &Federated) -> Vec<String> {
    vec![format!(
        "the assertion sent (from {}): issuer {}, subject {}, audience {}, expires {}",
        f.source, f.iss, f.sub, f.aud, f.expires
    )]
}
