//! Microsoft Entra ID v2 under `/entra/{tenant}` (protocols.md §3): OIDC discovery and the
//! client-credentials token endpoint, answering errors in Entra's AADSTS JSON shape.

use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// An AADSTS code and its message arguments.
pub(super) type Aad = (u32, Vec<String>);
fn aad<T>(code: u32, args: &[&str]) -> Result<T, Aad> {
    Err((code, strs(args)))
}

/// The AADSTS errors the fake emits (700027's words as Entra sent them in
/// https://github.com/keycloak/keycloak/issues/19425, tests/corpus/entra.toml): `code status error message` (`{0}`, `{1}` = arguments).
/// The `error` of 90002 is the discovery one; the token endpoint says `invalid_request`.
const AADSTS: &str = "\
90002 400 invalid_tenant Tenant '{0}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.
900023 400 invalid_request Specified tenant identifier '{0}' is neither a valid DNS name, nor a valid external domain.
9001023 400 invalid_request The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.
900144 400 invalid_request The request body must contain the following parameter: '{0}'.
70003 400 unsupported_grant_type The app requested an unsupported grant type '{0}'.
9002313 400 invalid_request Invalid request. Request is malformed or invalid. The client authenticated with more than one method: both an Authorization header and a 'client_secret' in the request body were sent.
700016 400 unauthorized_client Application with identifier '{0}' was not found in the directory '{1}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.
7000218 401 invalid_client The request body must contain the following parameter: 'client_assertion' or 'client_secret'.
7000215 401 invalid_client Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'.
7000222 401 invalid_client The provided client secret keys for app '{0}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.
1002012 400 invalid_scope The provided value for scope {0} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).
700022 400 invalid_scope The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {0} is not valid.
700027 401 invalid_client The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{0}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{1}'].
500011 400 invalid_resource The resource principal named {0} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.";

/// Discovery document; `{E}` = `{base}/entra/{tenant}`, `{I}` = issuer, `{R}` = region.
const DISCOVERY: &str = r#"{"token_endpoint":"{E}/oauth2/v2.0/token",
"token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt","client_secret_basic"],
"jwks_uri":"{E}/discovery/v2.0/keys","response_modes_supported":["query","fragment","form_post"],
"subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["RS256"],
"response_types_supported":["code","id_token","code id_token","id_token token"],
"scopes_supported":["openid","profile","email","offline_access"],"issuer":"{I}",
"request_uri_parameter_supported":false,"userinfo_endpoint":"https://graph.microsoft.com/oidc/userinfo",
"authorization_endpoint":"{E}/oauth2/v2.0/authorize","device_authorization_endpoint":"{E}/oauth2/v2.0/devicecode",
"http_logout_supported":true,"frontchannel_logout_supported":true,"end_session_endpoint":"{E}/oauth2/v2.0/logout",
"claims_supported":["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","nonce","preferred_username","name","tid","ver","at_hash","c_hash","email"],
"kerberos_endpoint":"{E}/kerberos","tenant_region_scope":{R},"cloud_instance_name":"microsoftonline.com",
"cloud_graph_host_name":"graph.windows.net","msgraph_host":"graph.microsoft.com","rbac_url":"https://pas.windows.net"}"#;

fn guid_from(b: &[u8]) -> String {
    let x: String = b.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}
fn uuid4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    guid_from(&b)
}
/// Stable pseudo object id (FNV-1a 128) for an app's service principal.
fn derived_guid(seed: &str) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in seed.bytes() {
        h = (h ^ b as u128).wrapping_mul(0x0000000001000000000000000000013B);
    }
    guid_from(&h.to_be_bytes())
}
pub(super) fn is_guid(v: &str) -> bool {
    let dash = |i| [8, 13, 18, 23].contains(&i);
    let ok = |(i, c): (usize, char)| {
        if dash(i) { c == '-' } else { c.is_ascii_hexdigit() }
    };
    v.len() == 36 && v.char_indices().all(ok)
}
fn is_dns_name(v: &str) -> bool {
    let labels: Vec<&str> = v.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld = labels.last().copied().unwrap_or("");
    let tld_ok = tld.chars().all(|c| c.is_ascii_alphabetic());
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

impl Shared {
    pub(super) fn entra_err(&self, rq: &Rq, (code, args): Aad) -> Resp {
        let line = AADSTS.lines().find(|l| l.starts_with(&format!("{code} ")));
        let mut f = line.expect("AADSTS code in table").splitn(4, ' ').skip(1);
        let status = f.next().and_then(|x| x.parse().ok()).unwrap_or(400);
        let (mut error, mut msg) = (f.next().unwrap_or(""), s(f.next().unwrap_or("")));
        // Discovery says `invalid_tenant` for an unknown tenant; the token endpoint `invalid_request`.
        if code == 90002 && rq.path.ends_with("/token") {
            error = "invalid_request";
        }
        for (i, a) in args.iter().enumerate() {
            msg = msg.replace(&format!("{{{i}}}"), a);
        }
        let trace = uuid4();
        // Entra echoes a client-supplied `client-request-id` as the correlation id.
        let corr = rq.header("client-request-id").filter(|c| is_guid(c));
        let corr = corr.map_or_else(uuid4, s);
        let ts = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let ts = ts.replace('T', " ");
        let desc = format!("AADSTS{code}: {msg}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}");
        let uri = format!("{}/entra/error?code={code}", self.base);
        let body = jo! {"error": error, "error_description": desc, "error_codes": [code],
        "timestamp": ts, "trace_id": trace, "correlation_id": corr, "error_uri": uri};
        self.entra_headers(rq, Resp::json(status, body), &trace)
    }
    fn entra_headers(&self, rq: &Rq, r: Resp, trace: &str) -> Resp {
        let r = r.h("cache-control", "no-store, no-cache").h("pragma", "no-cache");
        let r = r.h("x-ms-request-id", trace);
        match rq.header("client-request-id") {
            Some(c) => r.h("client-request-id", c),
            None => r,
        }
    }
    /// The tenant, `None` for the multi-tenant aliases, or AADSTS90002 / 900023.
    fn entra_tenant(&self, t: &str) -> Result<Option<&EntraTenant>, Aad> {
        let lower = t.to_ascii_lowercase();
        if ["common", "organizations", "consumers"].contains(&lower.as_str()) {
            return Ok(None);
        }
        let is = |x: &String| x.eq_ignore_ascii_case(t);
        let mut tenants = self.world.entra_tenants.iter();
        match tenants.find(|x| is(&x.id) || x.domains.iter().any(is)) {
            Some(x) => Ok(Some(x)),
            None if is_guid(t) || is_dns_name(t) => aad(90002, &[t]),
            None => aad(900023, &[t]),
        }
    }

    pub(super) fn entra_discovery(&self, rq: &Rq, t: &str) -> Result<Resp, Aad> {
        // Endpoints name the tenant GUID even when asked by domain, as Entra's do.
        let (id, issuer_id, region) = match self.entra_tenant(t)? {
            Some(x) => (x.id.clone(), x.id.clone(), "\"EU\""),
            None => (t.to_ascii_lowercase(), s("{tenantid}"), "null"),
        };
        let body = DISCOVERY.replace('\n', "").replace("{R}", region);
        let body = body.replace("{E}", &format!("{}/entra/{id}", self.base));
        let body = body.replace("{I}", &format!("{}/entra/{issuer_id}/v2.0", self.base));
        Ok(self.entra_headers(rq, Resp::json(200, body.into_bytes()), &uuid4()))
    }

    pub(super) fn entra_token(&self, rq: &Rq, t: &str) -> Result<Resp, Aad> {
        let Some(tenant) = self.entra_tenant(t)? else {
            return aad(9001023, &[]);
        };
        let form = rq.form();
        match get(&form, "grant_type") {
            None => return aad(900144, &["grant_type"]),
            Some("client_credentials") => {}
            Some(g) => return aad(70003, &[g]),
        }
        // Client auth: body, or Basic with form-decoded halves; never both.
        let basic = rq.client_basic();
        let body_secret = get(&form, "client_secret").map(s);
        if basic.is_some() && body_secret.is_some() {
            return aad(9002313, &[]);
        }
        let (client_id, secret) = match basic {
            Some((id, secret)) => (id, Some(secret)),
            None => (s(get(&form, "client_id").unwrap_or("")), body_secret),
        };
        if client_id.is_empty() {
            return aad(900144, &["client_id"]);
        }
        let mut apps = tenant.apps.iter();
        let Some(app) = apps.find(|a| a.client_id.eq_ignore_ascii_case(&client_id)) else {
            return aad(700016, &[&client_id, t]);
        };
        if let Some(assertion) = get(&form, "client_assertion") {
            // A certificate credential: the header's x5t#S256 names an uploaded certificate,
            // whose key must verify the signature (Entra's certificate-credentials page).
            if !super::entra_cert::verifies(&app.certificates, assertion) {
                return aad(700027, &[&app.client_id, &derived_guid(&app.client_id)]);
            }
        } else {
            let Some(secret) = secret.filter(|x| !x.is_empty()) else {
                return aad(7000218, &[]);
            };
            // A pasted Secret ID is just a wrong secret to Entra; the 7000215 text mentions it.
            match app.secrets.iter().find(|x| x.value == secret) {
                Some(x) if x.expired => return aad(7000222, &[&app.client_id]),
                Some(_) => {}
                None => return aad(7000215, &[&app.client_id]),
            }
        }
        let scope = get(&form, "scope").map_or("", str::trim);
        let parts: Vec<&str> = scope.split_whitespace().collect();
        if parts.is_empty() {
            return aad(900144, &["scope"]);
        } else if parts.iter().any(|p| !p.ends_with("/.default")) {
            return aad(1002012, &[scope]);
        }
        let mut resources: Vec<&str> = parts.iter().filter_map(|p| p.strip_suffix("/.default")).collect();
        resources.dedup();
        if resources.len() > 1 {
            return aad(700022, &[scope]);
        }
        let mut known = tenant.resources.iter();
        let Some(res) = known.find(|r| r.app_id_uri == resources[0]) else {
            return aad(500011, &[resources[0], t]);
        };
        let roles: Vec<String> = (res.roles_by_client.iter())
            .filter(|(c, _)| c.eq_ignore_ascii_case(&app.client_id))
            .flat_map(|(_, r)| r.clone())
            .collect();
        let (iat, cid, tid) = (now(), &app.client_id, &tenant.id);
        let sp = derived_guid(&format!("{tid}/{cid}"));
        let iss = format!("https://sts.windows.net/{tid}/");
        let mut claims = vec![
            ("aud", json!(res.app_id_uri)),
            ("iss", json!(iss)),
            ("iat", json!(iat)),
            ("nbf", json!(iat)),
            ("exp", json!(iat + 3599)),
            ("appid", json!(cid)),
            ("appidacr", json!("1")),
            ("azp", json!(cid)),
            ("idtyp", json!("app")),
            ("oid", json!(sp)),
            ("tid", json!(tid)),
        ];
        if !roles.is_empty() {
            claims.push(("roles", json!(roles)));
        }
        claims.extend([("sub", json!(sp)), ("ver", json!("1.0"))]);
        let header = br#"{"typ":"JWT","alg":"RS256","kid":"fake"}"#.to_vec();
        let parts = [header, obj(&claims), random_bytes(256)];
        let jwt = parts.map(|p| URL_SAFE_NO_PAD.encode(p)).join(".");
        let (aud, tid, exp) = (res.app_id_uri.clone(), tid.clone(), iat + 3599);
        let issued = EntraToken { aud, tid, roles, exp };
        self.lock().entra_tokens.insert(jwt.clone(), issued);
        let exp = match self.world.entra_expires_in_as_string {
            true => json!("3599"),
            false => json!(3599),
        };
        let body = jo! {"token_type": "Bearer", "expires_in": exp, "ext_expires_in": exp,
        "access_token": jwt};
        Ok(self.entra_headers(rq, Resp::json(200, body), &uuid4()))
    }
}
