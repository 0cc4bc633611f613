//! The demo's profiles: healthy ones and the mistakes people make, pointed at the local
//! fake service. Each comment says what a run should find.

use super::fake::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SECRET_ID, DEMO_TENANT_ID, PORTFOLIOS_RESOURCE};

/// The demo profiles file for a service at `base` (`http://127.0.0.1:PORT`).
pub fn toml(base: &str) -> String {
    [hypatos(base), portfolios(base), rest(base)].concat()
}

/// Hypatos: healthy, a mistyped secret, a scope never given.
fn hypatos(base: &str) -> String {
    format!(
        r#"# conn demo: every profile talks only to {base}
[profiles.hypatos]
description = "healthy: token, then GET /documents chosen from the granted scopes"
type = "hypatos"
endpoint = "{base}/hypatos/v2"
client_id = "demo-hypatos"
client_secret = "hyp-secret-1"

[profiles.hypatos-wrong-secret]
description = "a mistyped client secret"
type = "hypatos"
endpoint = "{base}/hypatos/v2"
client_id = "demo-hypatos"
client_secret = "hyp-secret-l"

[profiles.hypatos-scope-missing]
description = "asks for a scope the service account was never given"
type = "hypatos"
endpoint = "{base}/hypatos/v2"
client_id = "demo-hypatos"
client_secret = "hyp-secret-1"
scope = "documents.read companies.read"

"#
    )
}

/// Hypergene Portfolios: Entra and legacy Basic, healthy and the usual mistakes.
fn portfolios(base: &str) -> String {
    format!(
        r#"[profiles.portfolios]
description = "healthy: Entra token for Portfolios, then a report"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "{DEMO_TENANT_ID}"
client_id = "{DEMO_CLIENT_ID}"
client_secret = "{DEMO_CLIENT_SECRET}"
scope = "{PORTFOLIOS_RESOURCE}/.default"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"
probe = "reports/42"

[profiles.portfolios-secret-id]
description = "the secret's ID pasted instead of its value"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "{DEMO_TENANT_ID}"
client_id = "{DEMO_CLIENT_ID}"
client_secret = "{DEMO_SECRET_ID}"
scope = "{PORTFOLIOS_RESOURCE}/.default"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"

[profiles.portfolios-wrong-tenant]
description = "a tenant id that does not exist"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "99999999-2222-3333-4444-555555555555"
client_id = "{DEMO_CLIENT_ID}"
client_secret = "{DEMO_CLIENT_SECRET}"
scope = "{PORTFOLIOS_RESOURCE}/.default"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"

[profiles.portfolios-documented-scope]
description = "the scope exactly as documented, with its non-canonical GUID"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "{DEMO_TENANT_ID}"
client_id = "{DEMO_CLIENT_ID}"
client_secret = "{DEMO_CLIENT_SECRET}"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"

[profiles.portfolios-wrong-portfolio]
description = "credentials fine, portfolio id wrong"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "{DEMO_TENANT_ID}"
client_id = "{DEMO_CLIENT_ID}"
client_secret = "{DEMO_CLIENT_SECRET}"
scope = "{PORTFOLIOS_RESOURCE}/.default"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio-2019"
probe = "reports/42"

[profiles.portfolios-legacy]
description = "healthy: legacy username and password"
type = "hypergene"
auth = "basic"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"
username = "legacy"
password = "legacy-pass"

"#
    )
}

/// Portfolios without a secret: a certificate uploaded to the app, and one that was not (the
/// classic AADSTS700027). `cert`/`key` and `other_cert`/`other_key` are the files' paths.
pub fn certificates(base: &str, cert: &str, key: &str, other_cert: &str, other_key: &str) -> String {
    let q = |p: &str| toml::Value::String(p.to_string()).to_string();
    let (cert, key, other_cert, other_key) = (q(cert), q(key), q(other_cert), q(other_key));
    format!(
        r#"
[profiles.portfolios-certificate]
description = "healthy: no secret, an assertion signed with a certificate uploaded to the app"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "{DEMO_TENANT_ID}"
client_id = "{DEMO_CLIENT_ID}"
client_auth = "private_key_jwt"
client_certificate = {cert}
private_key = {{ file = {key} }}
scope = "{PORTFOLIOS_RESOURCE}/.default"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"
probe = "reports/42"

[profiles.portfolios-wrong-certificate]
description = "a certificate that was never uploaded to the app: the wrong thumbprint"
type = "hypergene"
authority = "{base}/entra"
tenant_id = "{DEMO_TENANT_ID}"
client_id = "{DEMO_CLIENT_ID}"
client_auth = "private_key_jwt"
client_certificate = {other_cert}
private_key = {{ file = {other_key} }}
scope = "{PORTFOLIOS_RESOURCE}/.default"
domain = "{base}/portfolios"
portfolio_id = "demo-portfolio"
"#
    )
}

/// A generic REST API: OAuth client credentials and an API key.
fn rest(base: &str) -> String {
    format!(
        r#"[profiles.rest-billing]
description = "healthy: OAuth client credentials, then GET /billing"
type = "rest"
base_url = "{base}/rest/api"
probe = "/billing"
[profiles.rest-billing.auth]
type = "oauth2-client-credentials"
token_url = "{base}/rest/oauth/token"
client_id = "rest-cli"
client_secret = "rest-secret"
scopes = "billing.read"

[profiles.rest-admin]
description = "authenticated, but the endpoint needs a scope the client lacks"
type = "rest"
base_url = "{base}/rest/api"
probe = "/admin"
[profiles.rest-admin.auth]
type = "oauth2-client-credentials"
token_url = "{base}/rest/oauth/token"
client_id = "rest-cli"
client_secret = "rest-secret"
scopes = "billing.read"

[profiles.rest-behind-sso]
description = "behind an application proxy that answers API clients with its sign-in page"
type = "rest"
base_url = "{base}/rest/intranet"
probe = "/reports"
[profiles.rest-behind-sso.auth]
type = "oauth2-client-credentials"
token_url = "{base}/rest/oauth/token"
client_id = "rest-cli"
client_secret = "rest-secret"
scopes = "billing.read"

[profiles.rest-api-key]
description = "healthy: an API key in a header"
type = "rest"
base_url = "{base}/rest/api"
probe = "/health"
[profiles.rest-api-key.auth]
type = "api-key"
key = "demo-api-key-123"
"#
    )
}
