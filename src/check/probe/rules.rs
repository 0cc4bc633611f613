//! The rules that read a refusal by what it means rather than by its status, in order: a
//! sign-in page, throttling, refusals by a proxy, CDN or gateway, vendor codes, and the
//! server's own words. The first rule that matches gives the verdict; an answer no rule
//! matches is judged by its status in [`super::verdict`].
//!
//! Every rule here is covered by rows of the corpus (`tests/corpus`) and a row of
//! `tests.rs`.

use super::seen::Seen;
use crate::config::Auth;
use crate::exit::Category::{self, *};
use crate::finding::Finding;
use crate::net::responder::Responder;

/// A rule: a finding when it applies.
type Rule = fn(&Seen<'_>) -> Option<Finding>;

/// The rules, first match wins.
pub const RULES: &[(&str, Rule)] = &[
    ("a sign-in page instead of the API", sign_in_page),
    ("throttling, whatever the status", throttled),
    ("words the server uses, as data", worded),
    ("a proxy that wants its own credentials", proxy_auth),
    ("a proxy, CDN or WAF that refused", refused_in_front),
    ("AWS error codes", aws),
    ("a challenge naming insufficient_scope", insufficient_scope),
];

/// The first rule's finding.
pub fn judge(s: &Seen<'_>) -> Option<Finding> {
    RULES.iter().find_map(|(_, rule)| rule(s))
}

/// Where `what` was said: `(403, answered by X)` and the server's words.
fn told(s: &Seen<'_>, what: &str) -> String {
    format!("{what} {}{}", s.status_by(), s.quote())
}

fn sign_in_page(s: &Seen<'_>) -> Option<Finding> {
    let page = s.page.as_ref()?;
    let evidence = match &page.sign_in {
        Some(e) => e.clone(),
        None if s.hop > 0 && super::signin::login_path(&s.path) => format!("redirected to {}", s.url),
        None => return None,
    };
    let by = page
        .provider
        .or(s.who.as_ref().map(Responder::name))
        .map(|w| format!(" of {w}"))
        .unwrap_or_default();
    Some(
        Finding::plain(
            "probe_sign_in_page",
            Authentication,
            format!(
                "the API answered {} with a sign-in page{by} ({evidence}), not the API's answer: something in front of the API intercepted the call",
                s.status
            ),
        )
        .hint("an SSO gateway or application proxy in front of the API wants a browser session and did not accept the credentials the profile sends")
        .hint("ask its owner to let API clients through with a bearer token it accepts (for example a token for the proxy's own app, or a pass-through route), or point the profile at the API behind it"),
    )
}

/// 429, and refusals that say they are rate limits or throttles under another status.
fn throttled(s: &Seen<'_>) -> Option<Finding> {
    const WORDS: &[&str] = &["rate limit", "too many requests", "throttl", "too_many_requests"];
    const CODES: &[&str] = &[
        "E0000047",
        "TooManyRequestsException",
        "ThrottlingException",
        "RESOURCE_EXHAUSTED",
    ];
    let code = s.se.vendor_code.as_deref().is_some_and(|c| CODES.contains(&c));
    let exhausted = s.quota.as_ref().map(|q| q.exhausted.clone()).unwrap_or_default();
    if !(s.status == 429 || code || (s.status == 403 && !exhausted.is_empty()) || s.says(WORDS))
        || (200..300).contains(&s.status)
    {
        return None;
    }
    let quota = if exhausted.is_empty() {
        String::new()
    } else {
        format!(" ({})", exhausted.join(", "))
    };
    let wait = crate::net::quota::wait(s.headers);
    let waited = wait.as_ref().map(|w| format!("; {w}")).unwrap_or_default();
    Some(
        Finding::plain(
            "probe_rate_limited",
            Endpoint,
            format!("{}{quota}{waited}", told(s, "the API is rate limiting the calls")),
        )
        .hint(match wait {
            Some(w) => format!("{w}, then try again; run fewer tests against it at once; the credentials are fine"),
            None if s.says(&["try again in", "retry after", "retry in"]) => {
                "wait as long as the server's words say, then try again; run fewer tests against it at once".into()
            }
            None => {
                "the server does not say how long: wait a minute, then try again; run fewer tests against it at once"
                    .into()
            }
        }),
    )
}

/// A refusal recognised by the server's words.
struct Words {
    /// Any of these in what the server said (lower case).
    said: &'static [&'static str],
    /// Only for these statuses; empty for any failing one.
    status: &'static [u16],
    kind: &'static str,
    category: Category,
    /// What it means, before the status and the server's words.
    what: &'static str,
    hint: &'static str,
}

/// The refusals whose words tell what they mean, whatever their status says.
const WORDS: &[Words] = &[
    Words {
        said: &["maximum number of login attempts"],
        status: &[],
        kind: "probe_login_attempts_exceeded",
        category: Endpoint,
        what: "the API blocks sign-ins for a while after too many failed attempts",
        hint: "wait, then fix the credential that failed before: the block follows repeated rejected credentials, and it refuses valid ones too until it ends",
    },
    Words {
        said: &["quota"],
        status: &[403],
        kind: "probe_quota_exceeded",
        category: Endpoint,
        what: "the call quota is used up",
        hint: "calls resume when the quota is replenished (the server's words say when): wait, or ask for a larger quota; the credentials are fine",
    },
    Words {
        said: &["missing authentication token"],
        status: &[403],
        kind: "probe_no_route",
        category: Endpoint,
        what: "the gateway has no route for this path or method",
        hint: "API Gateway answers a path, method or stage that does not exist with this 403, whatever the credentials: check the probe path, the stage in the base URL, and that the method exists",
    },
    Words {
        said: &["no route matched"],
        status: &[],
        kind: "probe_no_route",
        category: Endpoint,
        what: "the gateway has no route for this address",
        hint: "check the base URL and the path prefix the gateway's route is defined for; no credential was checked",
    },
    Words {
        said: &["no required ssl certificate was sent"],
        status: &[400],
        kind: "probe_client_certificate_missing",
        category: Tls,
        what: "the server requires a TLS client certificate and none was sent",
        hint: "set client_cert and client_key in the profile (mutual TLS); the API's credentials are not the problem",
    },
    Words {
        said: &["ssl certificate error"],
        status: &[400],
        kind: "probe_client_certificate_rejected",
        category: Tls,
        what: "the server could not verify the TLS client certificate",
        hint: "check that client_cert is issued by a CA the server trusts, has not expired, and is made for client authentication",
    },
    Words {
        said: &["plain http request was sent to https port"],
        status: &[],
        kind: "probe_wrong_scheme",
        category: Endpoint,
        what: "plain HTTP reached a port that expects TLS",
        hint: "use https:// in the profile's URL, or the port that serves plain HTTP",
    },
    Words {
        said: &["no api key found", "missing subscription key"],
        status: &[401, 403],
        kind: "probe_api_key_missing",
        category: Authentication,
        what: "the gateway found no API key in the request",
        hint: "send the key under the name the gateway expects: Azure API Management reads the Ocp-Apim-Subscription-Key header (or the subscription-key query parameter), Kong's key-auth apikey unless configured otherwise",
    },
    Words {
        said: &["invalid subscription key"],
        status: &[401, 403],
        kind: "probe_api_key_rejected",
        category: Authentication,
        what: "the gateway does not accept the API key",
        hint: "the key is not one the gateway knows, or its subscription is not active: copy the current key of an active subscription into the profile",
    },
    Words {
        said: &["csrf"],
        status: &[403],
        kind: "probe_csrf_rejected",
        category: Config,
        what: "the server's CSRF protection refused the call",
        hint: "the probe's method needs a CSRF token on this server: probe with GET (method in the probe table)",
    },
    Words {
        said: &["not valid for use with the rest api"],
        status: &[],
        kind: "probe_token_not_for_api",
        category: Permission,
        what: "the token is live but not allowed to use this API",
        hint: "request the scope that grants API access (Salesforce: api) and check that the user may use the API (Salesforce: API Enabled)",
    },
];

fn worded(s: &Seen<'_>) -> Option<Finding> {
    let w = WORDS
        .iter()
        .filter(|w| w.status.is_empty() || w.status.contains(&s.status))
        .find(|w| s.says(w.said))?;
    if (200..300).contains(&s.status) {
        return None;
    }
    let mut f = Finding::plain(w.kind, w.category, told(s, w.what)).hint(w.hint);
    if w.kind == "probe_api_key_missing"
        && let Auth::ApiKey { name, location, .. } = &s.ctx.profile.auth
    {
        f = f.hint(format!(
            "the profile sends its key as {} `{name}`: the gateway did not find it there",
            if *location == crate::config::KeyIn::Header {
                "header"
            } else {
                "query parameter"
            }
        ));
    }
    Some(f)
}

fn proxy_auth(s: &Seen<'_>) -> Option<Finding> {
    if s.status != 407 {
        return None;
    }
    let who = s.who.as_ref().map_or("a proxy on the way", Responder::name);
    Some(
        Finding::plain(
            "probe_proxy_auth_required",
            Network,
            told(s, &format!("{who} wants its own credentials before it passes the call on")),
        )
        .hint("give the proxy its credentials: proxy = { url = \"…\", username = \"…\", password = { env = \"…\" } } in the profile; the API was not reached, so its credentials are not the problem"),
    )
}

fn refused_in_front(s: &Seen<'_>) -> Option<Finding> {
    let hint = match s.who.as_ref()? {
        Responder::Squid { .. } if s.status == 403 => {
            "the proxy's access rules do not allow this destination: ask its admins to allow the API's host, or set the profile's proxy (or NO_PROXY) so that it is not used"
        }
        Responder::Cloudflare { code, .. } if s.status == 403 => match code.as_deref() {
            Some("1010") => {
                "Cloudflare's browser integrity check rejected the client's signature (its User-Agent): ask the site's owner to let API clients through"
            }
            _ => {
                "a firewall rule of the site's owner blocks this client (its address, country or user agent): ask them to allow it, quoting the Ray ID"
            }
        },
        _ => return None,
    };
    let kind = match s.who {
        Some(Responder::Squid { .. }) => "probe_proxy_refused",
        _ => "probe_edge_blocked",
    };
    Some(
        Finding::plain(
            kind,
            Network,
            told(s, "the request was refused before it reached the API"),
        )
        .hint(hint),
    )
}

/// An AWS error code and what it means.
struct Aws {
    codes: &'static [&'static str],
    kind: &'static str,
    category: Category,
    what: &'static str,
    hint: &'static str,
}

const AWS: &[Aws] = &[
    Aws {
        codes: &["UnrecognizedClientException", "InvalidClientTokenId"],
        kind: "aws_credentials_not_recognized",
        category: Authentication,
        what: "AWS does not recognise the credentials the request was signed with",
        hint: "check the access key id and its secret, and that a session token belongs to the same credentials and region",
    },
    Aws {
        codes: &[
            "IncompleteSignatureException",
            "InvalidSignatureException",
            "SignatureDoesNotMatch",
        ],
        kind: "aws_signature_invalid",
        category: Authentication,
        what: "AWS could not read or verify the request's signature",
        hint: "re-enter the access key and secret without spaces or line breaks (a pasted leading space breaks the Authorization header)",
    },
    Aws {
        codes: &["ExpiredToken", "ExpiredTokenException", "RequestExpired"],
        kind: "aws_token_expired",
        category: Authentication,
        what: "the AWS session credentials have expired",
        hint: "get new session credentials (STS) and try again",
    },
    Aws {
        codes: &["AccessDeniedException", "AccessDenied"],
        kind: "aws_access_denied",
        category: Permission,
        what: "AWS identified the caller, but no policy allows the action",
        hint: "allow the action for this caller in an IAM policy (the server's words name the action and the resource)",
    },
];

fn aws(s: &Seen<'_>) -> Option<Finding> {
    let code = s.se.vendor_code.as_deref()?;
    if code == "IncompleteSignatureException" && matches!(s.who, Some(Responder::AwsApiGateway { .. })) {
        return Some(
            Finding::plain("aws_gateway_signature_expected", Endpoint, told(s, "API Gateway read the Authorization header as a broken AWS signature"))
                .hint("the route does not exist, or its method is IAM (SigV4) protected and takes no bearer token: check the URL, the method and its authorization type before the token"),
        );
    }
    let a = AWS.iter().find(|a| a.codes.contains(&code))?;
    Some(Finding::plain(a.kind, a.category, told(s, a.what)).hint(a.hint))
}

/// `WWW-Authenticate: … error="insufficient_scope"` (on a 401 too), or a vendor saying so.
fn insufficient_scope(s: &Seen<'_>) -> Option<Finding> {
    let challenge = s.challenge_error() == Some("insufficient_scope");
    let vendor = s.se.vendor_code.as_deref() == Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
        || s.says(&["insufficient authentication scopes"]);
    if !(challenge || vendor) || !matches!(s.status, 401 | 403) {
        return None;
    }
    let granted = s.ctx.granted.unwrap_or(&[]);
    let named: Vec<&str> =
        s.se.scope
            .as_deref()
            .map(|x| x.split_whitespace().collect())
            .unwrap_or_default();
    let missing: Vec<&str> = named
        .iter()
        .copied()
        .filter(|x| !granted.iter().any(|g| g == x))
        .collect();
    let missing = if missing.is_empty() { named } else { missing };
    let mut f = if missing.is_empty() {
        Finding::plain("probe_scope_missing", Permission, told(s, "the token lacks a scope the API requires for this call"))
            .hint(match granted {
                [] => "the API does not say which: compare the token's scopes with what the API documents for this call, and request that scope".to_string(),
                g => format!("the API does not say which: the token has {}; compare with what the API documents for this call", g.join(" ")),
            })
    } else {
        let m = missing.join(" ");
        Finding::plain(
            "probe_scope_missing",
            Permission,
            format!(
                "the API refused the call {}: the token lacks the scope {m}{}",
                s.status_by(),
                s.quote()
            ),
        )
        .hint(format!(
            "assign {m} to this client at the authorization server and request it in scopes"
        ))
    };
    if let Some(c) = s.challenge_shown() {
        f = f.hint(format!("the API's challenge: {c}"));
    }
    Some(f)
}
