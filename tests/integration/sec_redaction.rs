//! Secrets never reach the output (issue 11, findings 2, 4 and 5): tokens in a `-v` trace in
//! whatever shape the answer has, passwords and secret query values in configured URLs, and
//! a secret echoed by a server in the encodings servers use (HTML, lower-case percent, JSON
//! escapes, base64 of the request). Every server is in-process on 127.0.0.1.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::support::servers::{raw, read_request, respond};
use crate::support::{Out, Sandbox};

/// A client secret with every character that encodings treat specially.
const SECRET: &str = "Sx9\"q'w<e>r&t+y/u i\\o=p%7Ez-canary";

/// A profile `p`: client credentials at `{url}/token`, API base `{url}`.
fn profile(url: &str, client_id: &str, client_auth: &str) -> String {
    let secret = toml_string(SECRET);
    format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{url}\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{url}/token\"\nclient_id = \"{client_id}\"\nclient_secret = {secret}\nclient_auth = \"{client_auth}\"\n"
    )
}

fn toml_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A token server answering every request with `status`, `content_type` and `body`.
fn answering(status: &'static str, content_type: &'static str, body: String) -> crate::support::servers::Raw {
    raw(move |mut s| {
        if read_request(&mut s).is_some() {
            respond(&mut s, status, &[("Content-Type", content_type)], body.as_bytes());
        }
    })
}

/// `conn -v test p --format json` and the human report: no form of any secret anywhere.
#[track_caller]
fn runs_clean(s: &Sandbox, secrets: &[&str]) -> Vec<Out> {
    let mut outs = Vec::new();
    for args in [vec!["-v", "test", "p", "--format", "json"], vec!["test", "p"]] {
        let out = s.conn(&args);
        out.no_secrets(secrets);
        outs.push(out);
    }
    outs
}

// ---- finding 2: the -v trace of a token answer ----------------------------------------

#[test]
fn verbose_trace_masks_tokens_nested_form_encoded_in_arrays_and_camel_case() {
    let cases: Vec<(&str, &'static str, String)> = vec![
        (
            "nested-Access-Token-1f3a",
            "application/json",
            r#"{"data":{"access_token":"nested-Access-Token-1f3a","token_type":"Bearer"}}"#.into(),
        ),
        (
            "form-Access-Token-2b4c",
            "application/x-www-form-urlencoded",
            "access_token=form-Access-Token-2b4c&token_type=bearer&expires_in=3600".into(),
        ),
        (
            "array-Refresh-Token-3c5d",
            "application/json",
            r#"[{"refresh_token":"array-Refresh-Token-3c5d"},{"tokens":["array-Refresh-Token-3c5d"]}]"#.into(),
        ),
        (
            "camel-Access-Token-4d6e",
            "application/json",
            r#"{"result":{"accessToken":"camel-Access-Token-4d6e","IdToken":"camel-Access-Token-4d6e"}}"#.into(),
        ),
    ];
    for (token, ct, body) in cases {
        let srv = answering("200 OK", ct, body);
        let s = Sandbox::with(&profile(&srv.url(), "c", "basic"));
        let outs = runs_clean(&s, &[token, SECRET]);
        // The trace did show the answer, masked.
        outs[0].stderr_has("********");
    }
}

#[test]
fn terminal_escapes_in_a_traced_answer_never_reach_the_terminal() {
    // The escapes arrive raw in the body, as a hostile or broken server may send them.
    let body = "{\"error\":\"invalid_client\",\"error_description\":\"\u{1b}]0;owned\u{7}\u{1b}[31mred\u{9b}2J\"}";
    let srv = answering("401 Unauthorized", "application/json", body.to_string());
    let s = Sandbox::with(&profile(&srv.url(), "c", "basic"));
    let out = s.conn(&["-v", "token", "p"]);
    out.code(5);
    assert!(out.stderr.contains("< 401"), "the answer was traced:\n{}", out.stderr);
    let bad: Vec<char> = out.stderr.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "control characters {bad:?} on stderr:\n{}", out.stderr);
}

#[test]
fn a_token_answer_s_credentials_are_masked_wherever_else_they_show() {
    // A usable token whose answer also carries a camelCase copy of another credential, and
    // a scope that (oddly) repeats it: the scope is shown in the report, the value is not.
    let other = "other-Credential-Value-5e7f";
    let body = format!(
        r#"{{"access_token":"usable-Access-Token-6f80","token_type":"Bearer","expires_in":60,"refreshToken":"{other}","scope":"read {other}"}}"#
    );
    let srv = answering("200 OK", "application/json", body);
    let s = Sandbox::with(&profile(&srv.url(), "c", "basic"));
    for out in runs_clean(&s, &[other, "usable-Access-Token-6f80", SECRET]) {
        out.code(0);
    }
}

#[test]
fn a_token_echoed_with_quotes_and_backslashes_is_masked_in_the_trace() {
    // The answer is masked on the bytes as received: JSON escapes in a value do not let
    // it through, neither does a copy of the value under another credential key.
    let body = r#"{"access_token":"quote\"back\\slash\/token-7a91","token_type":"Bearer","expires_in":60,"debug":{"client_secret":"quote\"back\\slash\/token-7a91"}}"#;
    let srv = answering("200 OK", "application/json", body.into());
    let s = Sandbox::with(&profile(&srv.url(), "c", "basic"));
    for out in runs_clean(&s, &["quote\"back\\slash/token-7a91", SECRET]) {
        out.code(0);
    }
}

// ---- finding 4: passwords and secret query values in URLs ------------------------------

#[test]
fn a_password_in_an_unusable_profile_url_is_never_shown() {
    let text = "[profiles.p]\ntype = \"rest\"\nbase_url = \"http://127.0.0.1:9/api\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"http://svc:UrlPassword-Canary-88@127.0.0.1:99999/token\"\nclient_id = \"c\"\nclient_secret = \"client-secret-Canary-99\"\n";
    let s = Sandbox::with(text);
    for args in [
        vec!["test", "p", "--format", "json"],
        vec!["test", "p"],
        vec!["-v", "test", "p"],
        vec!["show", "p"],
        vec!["validate"],
        vec!["token", "p"],
    ] {
        let out = s.conn(&args);
        out.code(2)
            .no_secrets(&["UrlPassword-Canary-88", "client-secret-Canary-99"]);
        assert!(
            out.stderr.contains("token_url") || out.stdout.contains("token_url"),
            "{out:?}"
        );
    }
    // A password in a well-formed URL is refused too, naming the key, never the value.
    let s = Sandbox::with(&text.replace(":99999", ":9"));
    let out = s.conn(&["validate"]);
    out.code(2).no_secrets(&["UrlPassword-Canary-88"]);
    out.stderr_has("must not carry a user name or password");
}

#[test]
fn secret_query_values_are_masked_in_show_reports_and_the_trace() {
    let code = "QueryCode-Canary-a1b2";
    let key = "QueryApiKey-Canary-c3d4";
    let sig = "QuerySig-Canary-e5f6";
    let srv = answering(
        "200 OK",
        "application/json",
        r#"{"access_token":"query-Access-Token-0a0b","token_type":"Bearer","expires_in":60}"#.into(),
    );
    let u = srv.url();
    let text = format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{u}/api?subscription-key={key}\"\nprobe = {{ url = \"{u}/ping?api_key={key}&sig={sig}&limit=1\" }}\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{u}/token?code={code}&tenant=t1\"\nclient_id = \"c\"\nclient_secret = \"client-secret-Canary-99\"\n"
    );
    let s = Sandbox::with(&text);
    let secrets = [code, key, sig, "client-secret-Canary-99", "query-Access-Token-0a0b"];
    let show = s.conn(&["show", "p"]);
    show.code(0).no_secrets(&secrets);
    show.stdout_has("code=********&tenant=t1");
    show.stdout_has("limit=1");
    for args in [
        vec!["-v", "test", "p", "--format", "json"],
        vec!["test", "p"],
        vec!["test", "p", "--format", "junit"],
    ] {
        s.conn(&args).no_secrets(&secrets);
    }
    let json = s.conn(&["test", "p", "--format", "json"]);
    assert!(json.stdout.contains("code=********"), "{}", json.stdout);
}

#[test]
fn show_curl_takes_secret_query_values_from_variables_and_still_works() {
    let code = "CurlQueryCode-Canary-77";
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let srv = raw(move |mut s| {
        if let Some(r) = read_request(&mut s) {
            log.lock().unwrap().push(r.path.clone());
            let body = r#"{"access_token":"curl-Access-Token-88","token_type":"Bearer"}"#;
            respond(
                &mut s,
                "200 OK",
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            );
        }
    });
    let u = srv.url();
    let text = format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{u}/api\"\nprobe = \"/ping\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{u}/token?code={code}&x=1\"\nclient_id = \"c\"\nclient_secret = {{ env = \"CURL_TEST_SECRET\" }}\n"
    );
    let s = Sandbox::with(&text);
    let out = s.conn(&["show", "p", "--curl"]);
    out.code(0).no_secrets(&[code]);
    let script = &out.stdout;
    let var = "CONN_TOKEN_URL_CODE";
    assert!(script.contains(&format!("${{{var}}}")), "{script}");
    assert!(script.contains(&format!("#   {var}: ")), "{script}");
    // Run with the variables set: the token URL carries the real value.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("CURL_TEST_SECRET", "s3cret-value")
        .env(var, code)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("sh");
    assert!(status.success());
    let paths = seen.lock().unwrap().clone();
    assert!(paths.contains(&format!("/token?code={code}&x=1")), "{paths:?}");
}

// ---- finding 5: encodings of an echoed secret -------------------------------------------

/// What a careless server may echo of the request: the secret in many encodings.
fn echoed_forms(client_id: &str) -> Vec<String> {
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let html = crate::support::html_escaped(SECRET);
    let html_dec = SECRET
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
        .replace('<', "&#60;");
    let lower_pct = crate::support::lower_hex(&form(SECRET));
    let all_pct = crate::support::lower_hex(&crate::support::percent_all(SECRET));
    let json_net: String = SECRET
        .chars()
        .map(|c| match c {
            '"' | '\'' | '<' | '>' | '&' | '+' => format!("\\u{:04X}", c as u32),
            '\\' => "\\\\".into(),
            '/' => "\\/".into(),
            c => c.to_string(),
        })
        .collect();
    let body = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={}",
        form(SECRET)
    );
    vec![
        html,
        html_dec,
        lower_pct,
        all_pct,
        json_net,
        STANDARD.encode(SECRET),
        URL_SAFE_NO_PAD.encode(SECRET),
        STANDARD.encode(format!("{client_id}:{SECRET}")),
        STANDARD.encode(format!("{}:{}", form(client_id), form(SECRET))),
        URL_SAFE_NO_PAD.encode(format!("{client_id}:{}", form(SECRET))),
        STANDARD.encode(&body),
        STANDARD.encode(format!("x{body}")),
        STANDARD.encode(format!("xy{body}")),
    ]
}

#[test]
fn a_secret_echoed_in_common_encodings_is_masked() {
    // Three client ids of different lengths put the secret at the three base64 alignments.
    for client_id in ["c", "cl", "cli"] {
        for form in echoed_forms(client_id) {
            let json = serde_json::json!({
                "error": "invalid_client",
                "error_description": format!("bad request {form} end"),
            });
            let srv = answering("401 Unauthorized", "application/json", json.to_string());
            let s = Sandbox::with(&profile(&srv.url(), client_id, "basic"));
            // The JSON report on stdout and the -v trace (the whole answer) on stderr.
            let out = s.conn(&["-v", "test", "p", "--format", "json"]);
            out.code(5).no_secrets(&[SECRET]);
            assert!(
                !out.stdout.contains(&form) && !out.stderr.contains(&form),
                "{form} shown:\n{out:?}"
            );
        }
    }
}

#[test]
fn a_secret_echoed_in_an_html_error_title_is_masked() {
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let escaped = SECRET
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('<', "&lt;");
    for title in [escaped, crate::support::lower_hex(&form(SECRET))] {
        let page = format!("<html><head><title>Denied: {title}</title></head><body>{title}</body></html>");
        let srv = answering("200 OK", "text/html", page);
        let s = Sandbox::with(&profile(&srv.url(), "c", "post"));
        for out in runs_clean(&s, &[SECRET]) {
            assert!(!out.stdout.contains(&title) && !out.stderr.contains(&title), "{out:?}");
        }
        s.conn(&["test", "p"]).stdout_has("Denied: ********");
    }
}

#[test]
fn a_secret_too_short_to_mask_is_warned_about_by_source() {
    let srv = answering(
        "401 Unauthorized",
        "application/json",
        r#"{"error":"invalid_client"}"#.into(),
    );
    let u = srv.url();
    let text = format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{u}\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{u}/token\"\nclient_id = \"c\"\nclient_secret = {{ env = \"SHORT_SECRET\" }}\n"
    );
    let s = Sandbox::with(&text).var("SHORT_SECRET", "q7z");
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(5);
    out.stderr_has("client_secret");
    out.stderr_has("env SHORT_SECRET");
    out.stderr_has("too short");
    assert!(!out.stderr.contains("q7z"), "{}", out.stderr);
}
