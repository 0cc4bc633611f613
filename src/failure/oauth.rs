//! Refused token (and discovery) requests, as data: Entra's AADSTS codes, RFC 6749 §5.2
//! `error` values and HTTP statuses, each a table row (code → kind, category, summary,
//! hints), with the hints that depend on the request as small [`Extra`] computations.
//!
//! The decision keys off what the server documents: Entra's AADSTS code (only to pick the
//! hint, per Microsoft's advice), then the RFC 6749 `error`, then the bare HTTP status
//! (Hypatos's `{title, detail}` is quoted). Adding a rule is one row here plus one test row.

use crate::exit::Category;

/// One diagnosis rule: the words for a kind of refusal.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable name.
    pub kind: &'static str,
    /// The category.
    pub category: Category,
    /// Summary; `{status}`, `{code}` and `{token_url}` are filled in.
    pub summary: &'static str,
    /// Fixed hints.
    pub hints: &'static [&'static str],
    /// Hints computed from the request.
    pub extra: Extra,
}

/// Hints that depend on the request, computed by [`Extra::hints`].
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
    /// Before: the certificate that signed the assertion (its SHA-1 thumbprint as the Azure
    /// portal lists it), from [`AssertionFacts`].
    AssertionCertificate,
    /// Before: the assertion's times and this machine's clock against the server's.
    AssertionTime,
    /// Before: the issuer, subject and audience of the assertion sent.
    AssertionClaims,
}

/// What the diagnosis knows about the request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The profile talks to Hypatos.
    pub hypatos: bool,
    /// The password grant.
    pub password: bool,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// The secret looks like a GUID (an Entra secret *ID* rather than its value).
    pub secret_is_guid: bool,
    /// The token URL as shown.
    pub token_url: String,
}

impl Extra {
    /// (before, after) the fixed hints.
    fn hints(self, f: &Facts) -> (Vec<String>, Vec<String>) {
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

use Category::{Authentication as Auth, Endpoint, Permission};

const SCOPE_ONE: &str = "for client credentials, request exactly one scope: the resource's Application ID URI followed by /.default, e.g. api://<app-id>/.default";
const TRY_LATER: &str = "try again later; if it persists, contact the service";

/// Entra AADSTS codes.
#[rustfmt::skip]
pub static ENTRA: &[(&[i64], Rule)] = &[
    (&[7000215], rule("entra_invalid_client_secret", Auth, "Entra rejected the client secret (AADSTS7000215: invalid client secret)", &["also check for spaces around the secret, a secret that was rotated since, or a secret of another app or tenant"], Extra::SecretLooksLikeId)),
    (&[7000222], rule("entra_client_secret_expired", Auth, "Entra says the client secret has expired (AADSTS7000222)", &["create a new secret in App registrations → Certificates & secrets and update the profile"], Extra::None)),
    (&[700016], rule("entra_unknown_client", Auth, "Entra does not know this client id in this tenant (AADSTS700016)", &["client_id must be the Application (client) ID from the app's Overview page", "tenant_id must be the tenant where the app is registered or has been consented to"], Extra::None)),
    (&[700025], rule("entra_public_client", Auth, "Entra says this is a public client, which must not send a secret (AADSTS700025)", &["register the app as a Web (confidential) application, or remove the secret"], Extra::None)),
    (&[7000112, 70001], rule("entra_app_disabled", Auth, "the application is disabled in this tenant", &["a tenant administrator must enable the app again"], Extra::None)),
    (&[50126], rule("entra_wrong_password", Auth, "wrong username or password (AADSTS50126)", &["check username and password"], Extra::None)),
    (&[50076, 50079, 53003, 50053, 50055, 50057, 50034], rule("entra_interaction_required", Auth, "Entra refuses this sign-in without interaction (MFA, Conditional Access, or the account is locked, disabled or its password expired)", &["the password grant cannot satisfy these; use an authorization-code profile (conn login) instead"], Extra::None)),
    (&[90002], rule("entra_unknown_tenant", Endpoint, "Entra does not know this tenant (AADSTS90002)", &["check tenant_id: the Directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com", "check the cloud: a tenant in a national cloud needs its own authority (not login.microsoftonline.com)"], Extra::None)),
    (&[900023], rule("entra_malformed_tenant", Endpoint, "the tenant id is malformed (AADSTS900023)", &["tenant_id is neither a GUID nor a domain name; a path segment or a {{placeholder}} may have slipped into it"], Extra::None)),
    (&[9001023, 90124, 90130], rule("entra_common_endpoint", Endpoint, "this request is not supported on the /common or /consumers endpoint", &["use the tenant's own id in the token URL"], Extra::None)),
    (&[70011], rule("entra_invalid_scope", Permission, "Entra rejected the scope (AADSTS70011)", &[SCOPE_ONE], Extra::GuidScope)),
    (&[1002012], rule("entra_scope_not_default", Permission, "Entra requires the scope to end in /.default for client credentials (AADSTS1002012)", &[SCOPE_ONE], Extra::GuidScope)),
    (&[700022], rule("entra_scope_many_resources", Permission, "the scope names more than one resource (AADSTS700022)", &[SCOPE_ONE], Extra::GuidScope)),
    (&[500011], rule("entra_unknown_resource", Permission, "the API named in the scope is not known in this tenant (AADSTS500011)", &["the Application ID URI in the scope is wrong, or the API (for Hypergene: its enterprise application) has no service principal or admin consent in your tenant: ask a tenant administrator to consent"], Extra::GuidScope)),
    (&[7000229], rule("entra_no_service_principal", Permission, "the application has no service principal in this tenant (AADSTS7000229)", &["the app is registered in another tenant and was never added to this one: a tenant administrator must consent to it, which creates its enterprise application"], Extra::None)),
    (&[65001], rule("entra_consent_required", Permission, "the user or administrator has not consented to this application (AADSTS65001)", &["grant consent: an administrator can grant it for the tenant in Enterprise applications"], Extra::None)),
    (&[900144, 9002313, 90014], rule("entra_malformed_request", Endpoint, "Entra says the request is missing a parameter or malformed", &["check scope, client_id and the token URL; the server's words below name the parameter"], Extra::None)),
    // Clients without a secret: certificates (private_key_jwt) and federated credentials.
    (&[700027], rule("entra_certificate_not_registered", Auth, "Entra does not find the certificate that signed the client assertion on this app (AADSTS700027)", &[CERT_WHERE, "a private key that does not belong to the uploaded certificate, or a certificate of another app, gives the same answer"], Extra::AssertionCertificate)),
    (&[700024], rule("entra_assertion_time", Auth, "the client assertion is not within its valid time (AADSTS700024)", &["check this machine's clock (NTP): Entra compares the assertion's nbf and exp with its own time; a federated token may also simply have expired: fetch a new one"], Extra::AssertionTime)),
    (&[70021, 70022, 700211, 700212, 700213], rule("entra_no_federated_identity", Auth, "no federated credential on this app matches the assertion's issuer, subject and audience", &[FEDERATED_WHERE], Extra::AssertionClaims)),
    (&[7000218], rule("entra_secret_missing", Auth, "Entra expects a client secret or a client assertion, and neither was sent (AADSTS7000218)", &["set client_secret, or prove the client without a secret: a certificate (client_auth = \"private_key_jwt\") or a federated credential (client_auth = \"client_assertion\")"], Extra::None)),
];

/// RFC 6749 §5.2 `error` values; `Grant::Password` rows apply to the password grant only.
#[rustfmt::skip]
pub static RFC6749: &[(&[&str], Grant, Rule)] = &[
    (&["invalid_client"], Grant::Any, rule("oauth_invalid_client", Auth, "the server rejected the client credentials ({status})", &["check client_id and client_secret; a secret copied with a trailing space or from another environment is a common cause"], Extra::None)),
    (&["invalid_grant"], Grant::Password, rule("oauth_invalid_password", Auth, "the server rejected the username or password (invalid_grant)", &["check username and password; the account may also be locked or need MFA"], Extra::None)),
    (&["invalid_grant"], Grant::Any, rule("oauth_invalid_grant", Auth, "the server rejected the grant (invalid_grant)", &["the refresh token or code is invalid, expired or revoked: sign in again with conn login"], Extra::None)),
    (&["unauthorized_client"], Grant::Any, rule("oauth_unauthorized_client", Permission, "this client is not allowed to use this grant (unauthorized_client)", &["enable the grant type for this client at the authorization server"], Extra::None)),
    (&["invalid_scope"], Grant::Any, rule("oauth_invalid_scope", Permission, "the server rejected the requested scope (invalid_scope)", &[], Extra::Scopes)),
    (&["unsupported_grant_type"], Grant::Any, rule("oauth_unsupported_grant_type", Endpoint, "the server does not support this grant type (unsupported_grant_type)", &["check the auth type of the profile against what the server offers"], Extra::None)),
    (&["invalid_request"], Grant::Any, rule("oauth_invalid_request", Endpoint, "the server says the token request is malformed (invalid_request)", &["the server's words below name the problem; check token_params and client_auth (a server refuses credentials sent both ways)"], Extra::None)),
    (&["temporarily_unavailable", "server_error"], Grant::Any, rule("oauth_server_error", Endpoint, "the token endpoint reported an error on its side ({code})", &[TRY_LATER], Extra::None)),
];

/// An `error` value no row names.
pub static RFC6749_OTHER: Rule = rule(
    "oauth_other_error",
    Endpoint,
    "the token endpoint answered {status} with error \"{code}\"",
    &[],
    Extra::None,
);

/// Which grants a row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Every grant.
    Any,
    /// The password grant only.
    Password,
}

/// Statuses (an inclusive range), when the server said nothing conn understands;
/// `Some(true)` rows are for Hypatos only. The last row catches every status.
#[rustfmt::skip]
pub static STATUS: &[(u16, u16, Option<bool>, Rule)] = &[
    (401, 401, Some(true), rule("hypatos_invalid_client", Auth, "Hypatos rejected the client credentials (401)", &["check client_id and client_secret of the API service account in Hypatos Studio (Settings → API); a secret is shown only when it is created"], Extra::None)),
    (401, 401, None, rule("token_unauthorized", Auth, "the token endpoint rejected the client credentials (401)", &["check client_id and client_secret"], Extra::None)),
    (403, 403, None, rule("token_forbidden", Permission, "the token endpoint refused the request (403)", &["the client may be disabled or blocked from this network"], Extra::None)),
    (404, 405, None, rule("token_url_not_found", Endpoint, "the token URL {token_url} answered {status}: there is no token endpoint there", &[], Extra::TokenUrl)),
    (429, 429, None, rule("token_rate_limited", Endpoint, "the token endpoint is rate limiting (429)", &["wait and try again; do not run many tests against it at once"], Extra::None)),
    (500, 599, None, rule("token_server_error", Endpoint, "the token endpoint failed on its side ({status})", &[TRY_LATER], Extra::None)),
    (0, u16::MAX, None, rule("token_no_token", Endpoint, "the token endpoint answered {status} without a token", &[], Extra::None)),
];

/// The Entra rule for an AADSTS code.
pub fn entra_rule(code: i64) -> Option<&'static Rule> {
    ENTRA.iter().find(|(codes, _)| codes.contains(&code)).map(|(_, r)| r)
}

/// The RFC 6749 rule for an `error` value.
pub fn rfc6749_rule(error: &str, password: bool) -> &'static Rule {
    RFC6749
        .iter()
        .find(|(e, g, _)| e.contains(&error) && (*g == Grant::Any || password))
        .map_or(&RFC6749_OTHER, |(_, _, r)| r)
}

/// The status rule.
pub fn status_rule(status: u16, hypatos: bool) -> &'static Rule {
    STATUS
        .iter()
        .find(|(lo, hi, h, _)| (*lo..=*hi).contains(&status) && h.is_none_or(|h| h == hypatos))
        .map(|(_, _, _, r)| r)
        .unwrap_or(&STATUS[STATUS.len() - 1].3)
}

/// A refused request: the rule that matched and what fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The rule.
    pub rule: &'static Rule,
    /// HTTP status.
    pub status: u16,
    /// The `error` value, when the server sent one.
    pub code: Option<String>,
    /// The token URL as shown.
    pub token_url: String,
    /// The server's words, quoted after the summary unless it already says them.
    pub quote: Option<String>,
    /// Hints before the rule's own, computed from the request.
    pub lead: Vec<String>,
    /// Hints after the rule's own, computed from the request.
    pub tail: Vec<String>,
}

const PASSWORD_HINT: &str = "the password grant also fails when the account needs MFA or is under Conditional Access";

impl Refusal {
    /// Apply `rule` to a refused request.
    pub fn new(rule: &'static Rule, status: u16, code: Option<String>, quote: Option<String>, f: &Facts) -> Refusal {
        let (lead, mut tail) = rule.extra.hints(f);
        if f.password && rule.category == Category::Authentication {
            tail.push(PASSWORD_HINT.to_string());
        }
        Refusal {
            rule,
            status,
            code,
            token_url: f.token_url.clone(),
            quote,
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
        let s = self
            .rule
            .summary
            .replace("{status}", &self.status.to_string())
            .replace("{code}", self.code.as_deref().unwrap_or(""))
            .replace("{token_url}", &self.token_url);
        match &self.quote {
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
