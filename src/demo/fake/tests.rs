//! Black-box tests: real HTTP/1.1 over loopback.

use super::entra::is_guid;
use super::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Form<'a> = &'a [(&'a str, &'a str)];
/// tenant, form, Authorization, status, error, AADSTS code, message prefix
type EntraCase<'a> = (&'a str, Form<'a>, Option<&'a str>, u16, &'a str, u32, &'a str);
const CC: (&str, &str) = ("grant_type", "client_credentials");
const ID: (&str, &str) = ("client_id", DEMO_CLIENT_ID);
const SECRET: (&str, &str) = ("client_secret", DEMO_CLIENT_SECRET);
const PF: (&str, &str) = ("scope", "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default");
const GRAPH: &str = "https://graph.microsoft.com";

struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
    json: Value,
}
impl Got {
    fn h(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    /// Asserts the status and that each key of `want` has that value in the JSON body.
    fn check(&self, status: u16, want: Value) -> &Self {
        assert_eq!(self.status, status, "{}", self.text);
        for (k, v) in want.as_object().expect("object") {
            assert_eq!(&self.json[k], v, "{k} in {}", self.text);
        }
        self
    }
}

/// A running fake plus a minimal HTTP/1.1 client: one request per connection, so the tests
/// need no HTTP client crate (the main crate's reqwest has no TLS provider until one is set).
struct T {
    svc: FakeService,
}
impl T {
    async fn new(world: World) -> T {
        T {
            svc: FakeService::start(world).await.expect("start"),
        }
    }
    async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Got {
        let mut sock = tokio::net::TcpStream::connect(self.svc.addr()).await.expect("connect");
        let path = path.replace('{', "%7B").replace('}', "%7D");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.svc.addr()
        );
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        sock.write_all(format!("{head}\r\n").as_bytes())
            .await
            .expect("write head");
        sock.write_all(body).await.expect("write body");
        let mut raw = Vec::new();
        sock.read_to_end(&mut raw).await.expect("read");
        let raw = String::from_utf8(raw).expect("UTF-8 answer");
        let (head, text) = raw.split_once("\r\n\r\n").expect("head");
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).expect("status line");
        let headers = lines.filter_map(|l| l.split_once(": "));
        let headers = headers.map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect();
        let json = serde_json::from_str(text).unwrap_or(Value::Null);
        Got {
            status: status.parse().expect("status"),
            headers,
            text: text.to_string(),
            json,
        }
    }
    async fn get(&self, path: &str, auth: Option<&str>) -> Got {
        let headers: Vec<_> = auth.map(|a| ("authorization", a)).into_iter().collect();
        self.send("GET", path, &headers, b"").await
    }
    async fn post(&self, path: &str, auth: Option<&str>, form: Form<'_>) -> Got {
        let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
        headers.extend(auth.map(|a| ("authorization", a)));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send("POST", path, &headers, body.as_bytes()).await
    }
    /// A fake-Entra access token, as an `Authorization` value.
    async fn entra_bearer(&self, tenant: &str, id: &str, secret: &str, res: &str) -> String {
        let scope = format!("{res}/.default");
        let form = [CC, ("client_id", id), ("client_secret", secret), ("scope", &scope)];
        let g = self
            .post(&format!("/entra/{tenant}/oauth2/v2.0/token"), None, &form)
            .await;
        assert_eq!(g.status, 200, "{}", g.text);
        bearer(&g.json["access_token"])
    }
}

/// RFC 6749 §2.3.1 Basic: both halves form-urlencoded first.
fn basic(id: &str, secret: &str) -> String {
    let enc = |x: &str| url::form_urlencoded::byte_serialize(x.as_bytes()).collect::<String>();
    raw_basic(&enc(id), &enc(secret))
}
fn raw_basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}
fn bearer(token: &Value) -> String {
    format!("Bearer {}", token.as_str().expect("token"))
}
fn problem(g: &Got, status: u16, title: &str, detail: &str) {
    assert_eq!(g.json, json!({"title": title, "detail": detail, "status": status}));
    assert_eq!((g.status, g.h("content-type")), (status, "application/problem+json"));
}
/// Checks Entra's whole error shape; returns the text between `AADSTSnnnn: ` and the IDs.
fn aad_msg(g: &Got, base: &str, status: u16, error: &str, code: u32) -> String {
    g.check(status, json!({"error": error, "error_codes": [code]}));
    let field = |k: &str| g.json[k].as_str().expect(k).to_string();
    let (trace, corr, ts) = (field("trace_id"), field("correlation_id"), field("timestamp"));
    assert!(is_guid(&trace) && is_guid(&corr), "{}", g.text);
    assert!(ts.len() == 20 && ts.as_bytes()[10] == b' ' && ts.ends_with('Z'), "{ts}");
    let tail = format!("\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}");
    let desc = field("error_description");
    let msg = desc.strip_prefix(&format!("AADSTS{code}: ")).expect("AADSTS prefix");
    assert_eq!(field("error_uri"), format!("{base}/entra/error?code={code}"));
    assert_eq!(g.h("x-ms-request-id"), trace);
    msg.strip_suffix(&tail).expect("trace lines").to_string()
}
fn jwt_part(jwt: &str, i: usize) -> Value {
    let jwt = jwt.trim_start_matches("Bearer ");
    let raw = URL_SAFE_NO_PAD
        .decode(jwt.split('.').nth(i).expect("part"))
        .expect("b64");
    serde_json::from_slice(&raw).expect("json")
}

#[tokio::test]
async fn misc_routes_recording_keepalive_and_drop() {
    let t = T::new(World::default()).await;
    let g = t.get("/_health", None).await;
    assert_eq!((g.status, g.text.as_str()), (200, "ok"));
    assert_eq!(
        t.get("/nope", None).await.json,
        json!({"title": "Not Found", "status": 404})
    );
    let big = "x".repeat(MAX_BODY + 1);
    let g = t.send("POST", "/rest/oauth/token", &[], big.as_bytes()).await;
    assert_eq!(
        (g.status, &g.json),
        (413, &json!({"title": "Payload Too Large", "status": 413}))
    );
    t.post("/rest/oauth/token?a=1", Some("Basic Zm9v"), &[CC]).await;
    let last = t.svc.requests().pop().expect("recorded");
    assert_eq!((last.method.as_str(), last.path()), ("POST", "/rest/oauth/token"));
    assert_eq!(last.path_and_query, "/rest/oauth/token?a=1");
    assert_eq!(last.header("Authorization"), Some("Basic Zm9v"));
    assert_eq!(last.body, b"grant_type=client_credentials");
    let hits = (t.svc.hits("/_health"), t.svc.hits("/rest/"), t.svc.hits("/"));
    assert_eq!(hits, (1, 2, 4));
    // Keep-alive: two requests over one connection.
    let mut sock = tokio::net::TcpStream::connect(t.svc.addr()).await.expect("connect");
    let mut seen = String::new();
    for _ in 0..2 {
        sock.write_all(b"GET /_health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buf = [0u8; 1024];
        let n = sock.read(&mut buf).await.expect("read");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert_eq!(seen.matches("HTTP/1.1 200 OK").count(), 2, "{seen}");
    let addr = t.svc.addr();
    drop(t);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn hypatos_token_and_probes() {
    let t = T::new(World::default()).await;
    let (url, creds) = ("/hypatos/v2/auth/token", basic("demo-hypatos", "hyp-secret-1"));
    let g = t.post(url, Some(&creds), &[CC]).await;
    let token = g.json["access_token"].as_str().expect("token");
    assert!(token.starts_with("hyp_") && token.len() == 36);
    let scope = "documents.read projects.read";
    let want = json!({"access_token": token, "expires_in": 3600, "scope": scope,
        "token_type": "Bearer"});
    assert_eq!((g.status, &g.json), (200, &want));
    assert_eq!(
        (g.h("cache-control"), g.h("x-ratelimit-limit")),
        ("no-store", "10, 10;w=1")
    );
    let auth = bearer(&g.json["access_token"]);
    let g = t.get("/hypatos/v2/documents?limit=1", Some(&auth)).await;
    g.check(200, json!({"limit": 1, "offset": 0, "totalCount": 1}));
    assert_eq!(g.json["data"].as_array().map(Vec::len), Some(1));
    assert!(g.h("x-ratelimit-remaining").parse::<u32>().expect("remaining") < 10);
    assert_eq!(
        (g.h("x-ratelimit-limit"), g.h("x-ratelimit-reset")),
        ("10, 10;w=1", "1")
    );
    let g = t.get("/hypatos/v2/projects?limit=1", Some(&auth)).await;
    g.check(200, json!({"limit": 1, "totalCount": 1}));
    let forbidden = ("Forbidden", "Not enough privileges to perform an action on a resource");
    let g = t.get("/hypatos/v2/companies", Some(&auth)).await;
    problem(&g, 403, forbidden.0, forbidden.1);
    assert_eq!(g.h("x-ratelimit-limit"), "10, 10;w=1");
    let unauth = "Provided no credentials or invalid credentials";
    let g = t.get("/hypatos/v2/documents?limit=1", None).await;
    problem(&g, 401, "Unauthorized", unauth);
    problem(
        &t.get("/hypatos/v2/projects", Some("Bearer x")).await,
        401,
        "Unauthorized",
        unauth,
    );
    problem(
        &t.get("/hypatos/v2/companies", None).await,
        401,
        "Invalid token",
        unauth,
    );
    let g = t.get("/hypatos/v2/documents?limit=x", Some(&auth)).await;
    g.check(400, json!({"title": "Bad request", "status": 400}));
    // Requested scopes are intersected with the assigned ones; unknown ones are dropped.
    let g = t
        .post(url, Some(&creds), &[CC, ("scope", "projects.read files.read")])
        .await;
    g.check(200, json!({"scope": "projects.read"}));
    let g = t
        .get("/hypatos/v2/documents", Some(&bearer(&g.json["access_token"])))
        .await;
    problem(&g, 403, forbidden.0, forbidden.1);
    let g = t
        .post(url, Some(&basic("demo-hypatos-narrow", "hyp-secret-2")), &[CC])
        .await;
    g.check(200, json!({"scope": "enrichment.write"}));
    let g = t
        .get("/hypatos/v2/projects", Some(&bearer(&g.json["access_token"])))
        .await;
    problem(&g, 403, forbidden.0, forbidden.1);
}

#[tokio::test]
async fn hypatos_token_errors_and_basic_decoding() {
    let t = T::new(World::default()).await;
    let (url, good) = ("/hypatos/v2/auth/token", basic("demo-hypatos", "hyp-secret-1"));
    let bad = (
        "Invalid client credentials",
        "The provided client credentials are not valid",
    );
    problem(&t.post(url, None, &[CC]).await, 401, bad.0, bad.1);
    let in_body = [CC, ("client_id", "demo-hypatos"), ("client_secret", "hyp-secret-1")];
    problem(&t.post(url, None, &in_body).await, 401, bad.0, bad.1);
    let g = t.post(url, Some(&basic("demo-hypatos", "nope")), &[CC]).await;
    problem(&g, 401, bad.0, bad.1);
    let missing = "The request body must contain 'grant_type'";
    problem(&t.post(url, Some(&good), &[]).await, 400, "Bad request", missing);
    let g = t.post(url, Some(&good), &[("grant_type", "password")]).await;
    g.check(400, json!({"title": "Bad request", "status": 400}));
    assert_eq!(g.h("content-type"), "application/problem+json");
    // "Raw Basic works, encoded doesn't", and the reverse.
    let (id, secret) = ("ops@acme", "p+ss/w0rd~1");
    let mut world = World::default();
    world.hypatos_accounts[0].client_id = id.into();
    world.hypatos_accounts[0].client_secret = secret.into();
    for (mode, raw_ok) in [(BasicDecoding::FormDecoded, false), (BasicDecoding::Raw, true)] {
        world.hypatos_basic_decoding = mode;
        let t = T::new(world.clone()).await;
        let raw = t.post(url, Some(&raw_basic(id, secret)), &[CC]).await.status;
        let encoded = t.post(url, Some(&basic(id, secret)), &[CC]).await.status;
        assert_eq!((raw == 200, encoded == 200), (raw_ok, !raw_ok), "{mode:?}");
    }
}

#[tokio::test]
async fn entra_discovery() {
    let t = T::new(World::default()).await;
    let base = t.svc.base_url();
    let e = format!("{base}/entra/{DEMO_TENANT_ID}");
    let methods = json!(["client_secret_post", "private_key_jwt", "client_secret_basic"]);
    for tenant in [DEMO_TENANT_ID, "contoso.onmicrosoft.com", "Contoso.OnMicrosoft.com"] {
        let g = t
            .get(&format!("/entra/{tenant}/v2.0/.well-known/openid-configuration"), None)
            .await;
        g.check(
            200,
            json!({"issuer": format!("{e}/v2.0"),
            "token_endpoint": format!("{e}/oauth2/v2.0/token"),
            "authorization_endpoint": format!("{e}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{e}/oauth2/v2.0/devicecode"),
            "jwks_uri": format!("{e}/discovery/v2.0/keys"),
            "token_endpoint_auth_methods_supported": methods,
            "tenant_region_scope": "EU", "cloud_instance_name": "microsoftonline.com"}),
        );
    }
    let g = t.get("/entra/common/v2.0/.well-known/openid-configuration", None).await;
    g.check(200, json!({"issuer": format!("{base}/entra/{{tenantid}}/v2.0")}));
    #[rustfmt::skip]
    let cases = [
        ("99999999-2222-3333-4444-555555555555", "invalid_tenant", 90002),
        ("fabrikam.com", "invalid_tenant", 90002),
        ("{{tenant}}", "invalid_request", 900023),
        ("token", "invalid_request", 900023),
    ];
    for (tenant, error, code) in cases {
        let g = t
            .get(&format!("/entra/{tenant}/v2.0/.well-known/openid-configuration"), None)
            .await;
        let msg = aad_msg(&g, &base, 400, error, code);
        let want = match code {
            90002 => format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator"
            ),
            _ => format!(
                "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain."
            ),
        };
        assert!(msg.starts_with(&want), "{msg}");
    }
}

#[tokio::test]
async fn entra_token_success() {
    let mut world = World::default();
    let t = T::new(world.clone()).await;
    let g = t
        .post(
            &format!("/entra/{DEMO_TENANT_ID}/oauth2/v2.0/token"),
            None,
            &[CC, ID, SECRET, PF],
        )
        .await;
    let keys: Vec<&String> = g.json.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["access_token", "expires_in", "ext_expires_in", "token_type"]);
    g.check(
        200,
        json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599}),
    );
    assert_eq!(g.h("x-ms-request-id").len(), 36);
    let jwt = g.json["access_token"].as_str().expect("jwt");
    assert_eq!(jwt_part(jwt, 0), json!({"typ": "JWT", "alg": "RS256", "kid": "fake"}));
    let p = jwt_part(jwt, 1);
    let want = json!({"aud": PORTFOLIOS_RESOURCE, "appid": DEMO_CLIENT_ID, "azp": DEMO_CLIENT_ID,
        "tid": DEMO_TENANT_ID, "ver": "1.0", "roles": ["Portfolio.Read"],
        "iss": format!("https://sts.windows.net/{DEMO_TENANT_ID}/")});
    for (k, v) in want.as_object().expect("object") {
        assert_eq!(&p[k], v, "{k}");
    }
    let (iat, exp) = (p["iat"].as_u64().expect("iat"), p["exp"].as_u64().expect("exp"));
    assert_eq!((exp - iat, &p["nbf"]), (3599, &p["iat"]));
    assert!(is_guid(p["sub"].as_str().expect("sub")));
    // Basic (form-encoded halves) on the domain-named tenant; no roles => no `roles` claim.
    let auth = basic(DEMO_NOROLE_CLIENT_ID, DEMO_NOROLE_SECRET);
    let scope = ("scope", "https://graph.microsoft.com/.default");
    let g = t
        .post(
            "/entra/contoso.onmicrosoft.com/oauth2/v2.0/token",
            Some(&auth),
            &[CC, scope],
        )
        .await;
    let p = jwt_part(g.check(200, json!({})).json["access_token"].as_str().expect("jwt"), 1);
    assert_eq!((&p["aud"], p.get("roles")), (&json!(GRAPH), None));
    world.entra_expires_in_as_string = true;
    let t = T::new(world).await;
    let g = t
        .post(
            &format!("/entra/{DEMO_TENANT_ID}/oauth2/v2.0/token"),
            None,
            &[CC, ID, SECRET, PF],
        )
        .await;
    g.check(200, json!({"expires_in": "3599", "ext_expires_in": "3599"}));
}

#[tokio::test]
async fn entra_token_errors() {
    let t = T::new(World::default()).await;
    let (base, c) = (t.svc.base_url(), "contoso.onmicrosoft.com");
    let both = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let two = (
        "scope",
        "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default https://graph.microsoft.com/.default",
    );
    let typo = ("scope", "api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1/.default");
    let unknown = ("client_id", "cccccccc-0000-4000-8000-000000000009");
    #[rustfmt::skip]
    let cases: &[EntraCase] = &[
        ("{{tenant}}", &[CC, ID, SECRET, PF], None, 400, "invalid_request", 900023, "Specified tenant identifier '{{tenant}}' is neither a valid DNS name, nor a valid external domain."),
        ("fabrikam.com", &[CC, ID, SECRET, PF], None, 400, "invalid_request", 90002, "Tenant 'fabrikam.com' not found."),
        ("common", &[CC, ID, SECRET, PF], None, 400, "invalid_request", 9001023, "The grant type is not supported over the /common or /consumers endpoints."),
        (c, &[ID, SECRET, PF], None, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."),
        (c, &[("grant_type", "password"), ID, SECRET], None, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type 'password'."),
        (c, &[CC, ID, SECRET, PF], Some(&both), 400, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid."),
        (c, &[CC, unknown, SECRET, PF], None, 400, "unauthorized_client", 700016, "Application with identifier 'cccccccc-0000-4000-8000-000000000009' was not found in the directory 'contoso.onmicrosoft.com'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        (c, &[CC, ID, PF], None, 401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
        (c, &[CC, ID, ("client_secret", DEMO_SECRET_ID), PF], None, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'aaaaaaaa-0000-4000-8000-000000000001'."),
        (c, &[CC, ID, ("client_secret", "wrong"), PF], None, 401, "invalid_client", 7000215, "Invalid client secret provided."),
        (c, &[CC, ID, ("client_secret", DEMO_EXPIRED_SECRET), PF], None, 401, "invalid_client", 7000222, "The provided client secret keys for app 'aaaaaaaa-0000-4000-8000-000000000001' are expired. Visit the Azure portal to create new keys for your app"),
        (c, &[CC, ID, SECRET], None, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."),
        (c, &[CC, ID, SECRET, ("scope", "api://x/Portfolio.Read")], None, 400, "invalid_scope", 1002012, "The provided value for scope api://x/Portfolio.Read is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        (c, &[CC, ID, SECRET, two], None, 400, "invalid_scope", 700022, "The provided value for the input parameter scope is not valid because it contains more than one resource."),
        (c, &[CC, ID, SECRET, typo], None, 400, "invalid_resource", 500011, "The resource principal named api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1 was not found in the tenant named contoso.onmicrosoft.com. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."),
        (c, &[CC, ID, SECRET, ("scope", "API://E3C1FE1D-65FC-48DD-AD12-A948B6F6D4D1/.default")], None, 400, "invalid_resource", 500011, "The resource principal named API://E3C1FE1D"),
    ];
    for &(tenant, form, auth, status, error, code, want) in cases {
        let g = t.post(&format!("/entra/{tenant}/oauth2/v2.0/token"), auth, form).await;
        let msg = aad_msg(&g, &base, status, error, code);
        assert!(msg.starts_with(want), "{code}: {msg}");
    }
    // A client-request-id GUID becomes the correlation id and is echoed.
    let corr = "01234567-89ab-4def-8123-456789abcdef";
    let url = format!("/entra/{c}/oauth2/v2.0/token");
    let g = t.send("POST", &url, &[("client-request-id", corr)], b"").await;
    assert_eq!(
        (g.json["correlation_id"].as_str(), g.h("client-request-id")),
        (Some(corr), corr)
    );
    assert_eq!(t.get(&format!("/entra/{c}/oauth2/v2.0/token"), None).await.status, 405);
}

#[tokio::test]
async fn portfolios_api() {
    let mut world = World::default();
    let mut other = world.entra_tenants[0].clone();
    other.id = "22222222-2222-3333-4444-555555555555".into();
    other.domains = vec!["fabrikam.onmicrosoft.com".into()];
    world.entra_tenants.push(other);
    let t = T::new(world).await;
    let (tn, id, sec) = (DEMO_TENANT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let good = t.entra_bearer(tn, id, sec, PORTFOLIOS_RESOURCE).await;
    let graph = t.entra_bearer(tn, id, sec, GRAPH).await;
    let norole = t.entra_bearer(tn, DEMO_NOROLE_CLIENT_ID, DEMO_NOROLE_SECRET, PORTFOLIOS_RESOURCE);
    let norole = norole.await;
    let foreign = t
        .entra_bearer("fabrikam.onmicrosoft.com", id, sec, PORTFOLIOS_RESOURCE)
        .await;
    let g = t.get("/portfolios/nope/api/v2", Some(&good)).await;
    let want = json!({"title": "Not Found", "status": 404, "detail": "No portfolio 'nope'"});
    assert_eq!((g.status, &g.json), (404, &want));
    let base = "/portfolios/demo-portfolio/api/v2";
    let legacy_wrong = raw_basic("legacy", "wrong");
    #[rustfmt::skip]
    let cases = [
        (None, 401, r#"Bearer realm="portfolios""#),
        (Some("Token abc"), 401, r#"Bearer realm="portfolios""#),
        (Some("Bearer nope"), 401, r#"Bearer realm="portfolios", error="invalid_token""#),
        (Some(&graph), 401, r#"Bearer realm="portfolios", error="invalid_token", error_description="The audience is invalid""#),
        (Some(&foreign), 401, r#"Bearer realm="portfolios", error="invalid_token", error_description="The tenant is not allowed to access this portfolio""#),
        (Some(&norole), 403, r#"Bearer realm="portfolios", error="insufficient_scope", scope="Portfolio.Read""#),
        (Some(&legacy_wrong), 401, r#"Basic realm="portfolios""#),
    ];
    for (auth, status, challenge) in cases {
        let g = t.get(base, auth).await;
        assert_eq!((g.status, g.h("www-authenticate")), (status, challenge), "{auth:?}");
    }
    let want = json!({"portfolio": "demo-portfolio", "name": "Demo Portfolio", "apiVersion": "v2"});
    for auth in [good.clone(), raw_basic("legacy", "legacy-pass")] {
        assert_eq!(t.get(base, Some(&auth)).await.json, want);
    }
    let g = t.get(&format!("{base}/reports/r-42?format=json"), Some(&good)).await;
    g.check(200, json!({"reportId": "r-42", "portfolio": "demo-portfolio"}));
    assert_eq!(t.get(&format!("{base}/nothing/here"), Some(&good)).await.status, 404);
}

#[tokio::test]
async fn rest_token_endpoint() {
    let t = T::new(World::default()).await;
    let (url, auth) = ("/rest/oauth/token", basic("rest-cli", "rest-secret"));
    let g = t.post(url, Some(&auth), &[CC]).await;
    g.check(
        200,
        json!({"scope": "billing.read", "token_type": "Bearer", "expires_in": 3600}),
    );
    let hdrs = (g.h("cache-control"), g.h("pragma"), g.json.get("refresh_token"));
    assert_eq!(hdrs, ("no-store", "no-cache", None));
    let post = [CC, ("client_id", "rest-cli"), ("client_secret", "rest-secret")];
    assert_eq!(t.post(url, None, &post).await.status, 200);
    let pw = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "alice-pass"),
    ];
    let g = t.post(url, Some(&auth), &pw).await;
    let rt = g.json["refresh_token"].as_str().expect("refresh_token").to_string();
    let g = t
        .post(
            url,
            Some(&auth),
            &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        )
        .await;
    g.check(200, json!({"scope": "billing.read"}));
    let wrong_pw = [pw[0], pw[1], ("password", "nope")];
    let wrong_post = [CC, ("client_id", "rest-cli"), ("client_secret", "x")];
    let bad_basic = basic("rest-cli", "x");
    let challenge = r#"Basic realm="rest""#;
    #[rustfmt::skip]
    let cases: &[(Option<&str>, Form, u16, &str, &str)] = &[
        (Some(&auth), &post, 400, "invalid_request", ""),
        (Some(&bad_basic), &[CC], 401, "invalid_client", challenge),
        (None, &wrong_post, 400, "invalid_client", ""),
        (None, &[CC, ("client_id", "rest-cli")], 400, "invalid_client", ""),
        (Some(&auth), &[("scope", "billing.read")], 400, "invalid_request", ""),
        (Some(&auth), &[CC, CC], 400, "invalid_request", ""),
        (Some(&auth), &[("grant_type", "urn:x")], 400, "unsupported_grant_type", ""),
        (Some(&auth), &[CC, ("scope", "billing.admin")], 400, "invalid_scope", ""),
        (Some(&auth), &wrong_pw, 400, "invalid_grant", ""),
    ];
    for &(a, form, status, error, www) in cases {
        let g = t.post(url, a, form).await;
        assert_eq!(
            (g.status, g.json["error"].as_str(), g.h("www-authenticate")),
            (status, Some(error), www),
            "{form:?}"
        );
    }
    let g = t.post(url, None, &wrong_post).await;
    assert_eq!(g.json["error_description"], "Client authentication failed");
    let g = t.post(url, Some(&auth), &wrong_pw).await;
    assert_eq!(g.json["error_description"], "Invalid resource owner credentials");
    assert_eq!(t.get(url, None).await.status, 405);
    for (mode, basic_ok) in [(RestClientAuth::Basic, true), (RestClientAuth::Post, false)] {
        let t = T::new(World {
            rest_client_auth: mode,
            ..World::default()
        })
        .await;
        let (b, p) = (t.post(url, Some(&auth), &[CC]).await, t.post(url, None, &post).await);
        let (ok, bad) = if basic_ok { (b, p) } else { (p, b) };
        assert_eq!(ok.status, 200, "{mode:?}");
        let want = if basic_ok { (400, "") } else { (401, challenge) };
        bad.check(want.0, json!({"error": "invalid_client"}));
        assert_eq!(bad.h("www-authenticate"), want.1);
    }
}

#[tokio::test]
async fn rest_api_auth() {
    let t = T::new(World::default()).await;
    let g = t
        .post("/rest/oauth/token", Some(&basic("rest-cli", "rest-secret")), &[CC])
        .await;
    let tok = bearer(&g.json["access_token"]);
    let g = t.get("/rest/api/health", Some(&tok)).await;
    assert_eq!((g.status, &g.json), (200, &json!({"status": "ok"})));
    let (svc, bad_svc) = (raw_basic("svc", "svc-pass"), raw_basic("svc", "nope"));
    #[rustfmt::skip]
    let cases = [
        ("/rest/api/billing/invoices", Some(tok.as_str()), 200, "bearer", ""),
        ("/rest/api/admin/users", Some(&tok), 403, "insufficient_scope", r#"Bearer realm="rest", error="insufficient_scope", scope="billing.admin""#),
        ("/rest/api/billing", None, 401, "unauthorized", r#"Bearer realm="rest""#),
        ("/rest/api/billing", Some("Bearer nope"), 401, "invalid_token", r#"Bearer realm="rest", error="invalid_token""#),
        ("/rest/api/billing?api_key=demo-api-key-123", None, 200, "api_key", ""),
        ("/rest/api/billing?api_key=nope", None, 401, "invalid_api_key", r#"Bearer realm="rest""#),
        ("/rest/api/admin", Some(&svc), 200, "basic", ""),
        ("/rest/api/billing", Some(&bad_svc), 401, "invalid_credentials", r#"Basic realm="rest""#),
    ];
    for (path, auth, status, what, www) in cases {
        let g = t.get(path, auth).await;
        let got = if status == 200 {
            &g.json["auth"]
        } else {
            &g.json["error"]
        };
        assert_eq!(
            (g.status, got.as_str(), g.h("www-authenticate")),
            (status, Some(what), www),
            "{path}"
        );
    }
    let g = t
        .send("GET", "/rest/api/billing", &[("X-API-Key", "demo-api-key-123")], b"")
        .await;
    g.check(200, json!({"auth": "api_key"}));
    t.get("/rest/public/status", None)
        .await
        .check(200, json!({"public": true}));
    // Behind the sign-in gateway: its page, whatever the token.
    let g = t.get("/rest/intranet/reports", Some(&tok)).await;
    assert_eq!((g.status, g.h("content-type")), (200, "text/html; charset=utf-8"));
    assert!(g.text.contains("<title>Sign in to your account</title>"), "{}", g.text);
}
