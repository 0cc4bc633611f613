//! The canary sweep for clients without a secret (extends canary.rs): private keys (PEM
//! PKCS#8, PKCS#1, PKCS#12), a PKCS#12 password, federated assertions and every assertion conn
//! signed never appear in any command's output, format, `-v` trace, report file or the token
//! store, even from a server that echoes back what it was sent.

use crate::support::certs::{self, Kind};
use crate::support::counting::{Counting, Reply};
use crate::support::{Out, Sandbox};

const PFX_PASSWORD: &str = "pfx-Canary+j1/Q";
const FEDERATED: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiY2FuYXJ5In0.ZmVkLUNhbmFyeS1zaWduYXR1cmUtazI";

fn form(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Token endpoint at /token; /bad-token refuses and echoes the request body (the assertion).
fn server() -> Counting {
    Counting::start(|i, rq| {
        let echo = String::from_utf8_lossy(&rq.body).replace(['"', '\\'], "'");
        if rq.path.starts_with("/bad-token") {
            Reply::status(
                "401 Unauthorized",
                format!(r#"{{"error":"invalid_client","error_description":"you sent: {echo}"}}"#),
            )
            .header("Content-Type", "application/json")
        } else {
            Reply::json(format!(
                r#"{{"access_token":"at-secretless-{i}","token_type":"Bearer","expires_in":3600}}"#
            ))
        }
    })
}

fn profile(name: &str, base: &str, path: &str, lines: &str) -> String {
    format!(
        "[profiles.{name}]\ntype = \"rest\"\nbase_url = \"{base}\"\nprobe = false\n[profiles.{name}.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{base}{path}\"\nclient_id = \"cid\"\n{lines}\n"
    )
}

#[track_caller]
fn clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        for f in [s.clone(), form(s)] {
            assert!(!text.contains(&f), "{s:?} in {what}:\n{text}");
        }
    }
}

#[test]
fn no_key_password_or_assertion_leaves_through_any_output() {
    let srv = server();
    let rsa = certs::make(Kind::Rsa, "canary-rsa", 365);
    let ec = certs::make(Kind::Ec, "canary-ec", 365);
    let pfx = rsa.pkcs12(PFX_PASSWORD, false);
    let base = srv.url();
    let mut text = String::new();
    for (name, path) in [("pem", "/token"), ("pem-bad", "/bad-token")] {
        text += &profile(
            name,
            &base,
            path,
            &format!(
                "client_auth = \"private_key_jwt\"\nclient_certificate = \"{}\"\nprivate_key = {{ file = \"{}\" }}",
                rsa.cert.display(),
                rsa.key_traditional.display()
            ),
        );
    }
    text += &profile(
        "ec-bad",
        &base,
        "/bad-token",
        &format!(
            "client_auth = \"private_key_jwt\"\nprivate_key = {{ command = [\"cat\", \"{}\"] }}",
            ec.key.display()
        ),
    );
    text += &profile(
        "p12",
        &base,
        "/token",
        &format!(
            "client_auth = \"private_key_jwt\"\nclient_pkcs12 = \"{}\"\npkcs12_password = {{ env = \"PFX_PW\" }}",
            pfx.display()
        ),
    );
    text += &profile(
        "p12-bad",
        &base,
        "/bad-token",
        &format!(
            "client_auth = \"private_key_jwt\"\nclient_pkcs12 = \"{}\"\npkcs12_password = {{ env = \"PFX_PW\" }}",
            pfx.display()
        ),
    );
    text += &profile(
        "fed-bad",
        &base,
        "/bad-token",
        "client_auth = \"client_assertion\"\nclient_assertion = { env = \"FED\" }",
    );
    let s = Sandbox::with(&text)
        .var("PFX_PW", PFX_PASSWORD)
        .var("FED", FEDERATED)
        .var("GITHUB_ACTIONS", "false");
    let mut outs: Vec<(String, Out)> = Vec::new();
    let mut run = |args: &[&str]| {
        let out = s.conn(args);
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
        outs.push((format!("{args:?}"), out));
    };
    for format in ["human", "json", "junit", "github"] {
        run(&["-v", "test", "--all", "--format", format]);
        let file = format!("report-{format}.out");
        run(&["test", "--all", "--format", format, "--output", &file]);
    }
    for name in ["pem", "pem-bad", "ec-bad", "p12", "p12-bad", "fed-bad"] {
        run(&["-v", "show", name]);
        run(&["show", name, "--curl"]);
        run(&["-v", "token", name, "--format", "json"]);
    }
    run(&["-v", "validate", "--secrets"]);
    // Every assertion the server received, signed by conn or read from its source.
    let mut secrets: Vec<String> = srv
        .bodies()
        .iter()
        .flat_map(|b| {
            url::form_urlencoded::parse(b.as_bytes())
                .filter(|(k, _)| k == "client_assertion")
                .map(|(_, v)| v.into_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(secrets.len() >= 10, "{} assertions sent", secrets.len());
    // Their signatures alone, too.
    let sigs: Vec<String> = secrets
        .iter()
        .filter_map(|a| a.rsplit('.').next())
        .map(str::to_string)
        .collect();
    secrets.extend(sigs);
    secrets.extend(rsa.key_lines());
    secrets.extend(ec.key_lines());
    secrets.push(PFX_PASSWORD.into());
    secrets.push(FEDERATED.into());
    for (what, out) in &outs {
        clean(&format!("stderr of {what}"), &out.stderr, &secrets);
        // `conn token` prints the access token, never an assertion.
        clean(&format!("stdout of {what}"), &out.stdout, &secrets);
    }
    for f in std::fs::read_dir(s.path()).unwrap().flatten() {
        if f.file_name().to_string_lossy().starts_with("report-") {
            clean(
                &f.path().display().to_string(),
                &std::fs::read_to_string(f.path()).unwrap(),
                &secrets,
            );
        }
    }
    let store = s.path().join("cache/tokens");
    let mut entries = 0;
    for f in std::fs::read_dir(&store).unwrap().flatten() {
        entries += 1;
        clean(
            &f.path().display().to_string(),
            &std::fs::read_to_string(f.path()).unwrap_or_default(),
            &secrets,
        );
    }
    assert!(entries >= 2, "{entries} store files");
}
