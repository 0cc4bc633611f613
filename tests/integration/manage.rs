//! Everyday use: `conn add`, `remove` and `edit` change the profiles file while keeping its
//! comments and layout (and refuse invalid results, leaving it untouched); `show --curl`
//! prints requests that work when run; completions and the man page come from the CLI.

use conn::demo::fake::{FakeService, HypatosAccount, World};

use crate::support::{Out, Sandbox, rt};

const FILE: &str = r#"# Our API connections. Ask #platform before changing.

[defaults]
timeout = "20s" # the proxy is slow

# Billing, staging only for now
[profiles.old]
type = "rest"
base_url = "https://old.example.com/api" # keep until March
probe = "/health"

# The other one
[profiles.keep]
type = "rest"
base_url = "https://keep.example.com/api"
"#;

fn file(s: &Sandbox) -> String {
    std::fs::read_to_string(s.path().join("profiles.toml")).unwrap()
}

#[cfg(unix)]
fn mode(s: &Sandbox) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(s.path().join("profiles.toml"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
fn set_mode(s: &Sandbox, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(s.path().join("profiles.toml"), std::fs::Permissions::from_mode(m)).unwrap();
}

fn comments_kept(text: &str) {
    for c in [
        "# Our API connections. Ask #platform before changing.",
        "timeout = \"20s\" # the proxy is slow",
        "# The other one",
    ] {
        assert!(text.contains(c), "lost {c:?}:\n{text}");
    }
}

#[test]
fn add_writes_a_working_profile_and_keeps_comments_and_mode() {
    let svc = rt().block_on(FakeService::start(World::default())).unwrap();
    let base = svc.base_url();
    let s = Sandbox::with(FILE).var("BILLING_SECRET", "rest-secret");
    set_mode(&s, 0o640);
    let out = s.conn(&[
        "add",
        "billing",
        "--type",
        "rest",
        "--auth",
        "oauth2-client-credentials",
        "--set",
        &format!("base_url={base}/rest/api"),
        "--set",
        "probe=/billing/invoices",
        "--set",
        &format!("auth.token_url={base}/rest/oauth/token"),
        "--set",
        "auth.client_id=rest-cli",
        "--secret-env",
        "auth.client_secret=BILLING_SECRET",
        "--set",
        "auth.scopes=billing.read",
    ]);
    out.code(0)
        .stderr_has("added profile `billing`")
        .no_secrets(&["rest-secret"]);
    let text = file(&s);
    assert!(text.starts_with(FILE), "the existing text changed:\n{text}");
    comments_kept(&text);
    assert!(text.contains("[profiles.billing]\ntype = \"rest\""), "{text}");
    assert!(text.contains("[profiles.billing.auth]"), "{text}");
    assert!(text.contains("client_secret = { env = \"BILLING_SECRET\" }"), "{text}");
    assert!(!text.contains("rest-secret"));
    assert_eq!(mode(&s), 0o640);
    s.conn(&["validate"]).code(0);
    let t = s.conn(&["test", "billing", "--format", "json"]);
    t.code(0).no_secrets(&["rest-secret"]);
    assert_eq!(t.profile()["status"], "pass");
    // The same name again is refused.
    let again = s.conn(&[
        "add",
        "billing",
        "--type",
        "rest",
        "--set",
        "base_url=https://x.example.com",
    ]);
    again.code(2).stderr_has("already has a profile `billing`");
}

#[test]
fn add_refuses_literal_secrets_missing_fields_and_invalid_values() {
    let s = Sandbox::with(FILE);
    let lit = s.conn(&[
        "add",
        "h",
        "--type",
        "hypatos",
        "--set",
        "client_id=abc",
        "--set",
        "client_secret=very-Secret-literal-9",
    ]);
    lit.code(2)
        .stderr_has("--secret-env client_secret=VARIABLE")
        .no_secrets(&["very-Secret-literal-9"]);
    let missing = s.conn(&["add", "h", "--type", "hypatos"]);
    missing
        .code(2)
        .stderr_has("--set client_id=…")
        .stderr_has("--secret-env client_secret=VARIABLE");
    let no_type = s.conn(&["add", "h"]);
    no_type.code(2).stderr_has("--type");
    let bad = s.conn(&[
        "add",
        "r",
        "--type",
        "rest",
        "--set",
        "base_url=billing.example.com",
        "--set",
        "tiemout=5s",
    ]);
    bad.code(2)
        .stderr_has("did you mean `https://billing.example.com`?")
        .stderr_has("did you mean `timeout`?");
    assert_eq!(file(&s), FILE, "a refused add changed the file");
    // With --literal-secret the value is written as asked.
    s.conn(&[
        "add",
        "h",
        "--type",
        "hypatos",
        "--set",
        "client_id=abc",
        "--set",
        "client_secret=very-Secret-literal-9",
        "--literal-secret",
    ])
    .code(0)
    .no_secrets(&["very-Secret-literal-9"]);
    let text = file(&s);
    assert!(text.contains("client_secret = \"very-Secret-literal-9\""), "{text}");
    comments_kept(&text);
}

#[test]
fn add_creates_the_file_when_there_is_none() {
    let s = Sandbox::new();
    let out = s.conn(&[
        "--config",
        "new/profiles.toml",
        "add",
        "api",
        "--type",
        "rest",
        "--auth",
        "api-key",
        "--set",
        "base_url=https://api.example.com",
        "--secret-env",
        "auth.key=API_KEY",
    ]);
    out.code(0);
    let text = std::fs::read_to_string(s.path().join("new/profiles.toml")).unwrap();
    assert!(text.contains("[profiles.api]"), "{text}");
    assert!(!text.contains("[profiles]\n"), "{text}");
    assert!(text.contains("key = { env = \"API_KEY\" }"), "{text}");
}

#[test]
fn remove_asks_or_needs_yes_and_keeps_the_rest() {
    let s = Sandbox::with(FILE);
    set_mode(&s, 0o600);
    let out = s.conn(&["remove", "old"]);
    out.code(2).stderr_has("--yes");
    assert_eq!(file(&s), FILE);
    s.conn(&["remove", "nope", "--yes"]).code(2).stderr_has("nope");
    let out = s.conn(&["remove", "old", "--yes"]);
    out.code(0).stderr_has("removed profile `old`");
    let text = file(&s);
    assert!(!text.contains("profiles.old"), "{text}");
    assert!(!text.contains("keep until March"), "{text}");
    comments_kept(&text);
    assert!(text.contains("[profiles.keep]"));
    assert_eq!(mode(&s), 0o600);
    s.conn(&["validate"]).code(0);
}

#[test]
fn edit_validates_before_saving() {
    let s = Sandbox::with(FILE).var("EDITOR", "sed -i s/old.example.com/new.example.com/");
    let out = s.conn(&["edit", "old"]);
    out.code(0).stderr_has("saved");
    let text = file(&s);
    assert!(
        text.contains("base_url = \"https://new.example.com/api\" # keep until March"),
        "{text}"
    );
    comments_kept(&text);
    // An edit that breaks the file is refused without a terminal; the file is untouched.
    let before = file(&s);
    let broken = Sandbox::with(&before).var("EDITOR", "sed -i s/probe/prbe/");
    let out = broken.conn(&["edit", "old"]);
    out.code(2).stderr_has("did you mean `probe`?").stderr_has("unchanged");
    assert_eq!(file(&broken), before);
    let syntax = Sandbox::with(&before).var("EDITOR", "sed -i s/^type/type=/");
    syntax.conn(&["edit", "old"]).code(2);
    assert_eq!(file(&syntax), before);
    // No change, no write; an unknown profile is named.
    Sandbox::with(FILE)
        .var("EDITOR", "true")
        .conn(&["edit", "old"])
        .code(0)
        .stderr_has("no changes");
    Sandbox::with(FILE)
        .var("EDITOR", "true")
        .conn(&["edit", "olt"])
        .code(2)
        .stderr_has("old");
    // The editor's temporary copies are gone.
    let left: Vec<_> = std::fs::read_dir(s.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".conn-edit-"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn man_page_and_completions_cover_every_command() {
    use clap::CommandFactory;
    let s = Sandbox::new();
    let man = s.conn(&["man"]);
    man.code(0);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    let cmd = conn::cli::Cli::command();
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.contains(&"add".to_string()) && names.contains(&"man".to_string()));
    for n in &names {
        assert!(man.stdout.contains(n.as_str()), "man page lacks {n}");
    }
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = s.conn(&["completions", shell]);
        out.code(0);
        for n in &names {
            assert!(out.stdout.contains(n.as_str()), "{shell} completion lacks {n}");
        }
    }
}

/// Run a `--curl` script with `sh` and these variables.
pub(crate) fn run_script(script: &str, vars: &[(&str, &str)]) -> Out {
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        c.env(k, v);
    }
    let o = c.output().expect("sh");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn need_curl() {
    assert!(
        std::process::Command::new("curl").arg("--version").output().is_ok(),
        "curl is needed for the --curl tests (scripts/test.sh checks for it)"
    );
}

#[test]
fn curl_reproduces_hypatos_basic_form_encoded() {
    need_curl();
    // A secret that RFC 6749 form-encoding changes: + / ~ space quote and non-ASCII.
    let secret = "a+b/c~d e'f\"g$h%é";
    let mut w = World::default();
    w.hypatos_accounts.push(HypatosAccount {
        client_id: "curl:account".into(),
        client_secret: secret.into(),
        scopes: vec!["documents.read".into()],
    });
    let svc = rt().block_on(FakeService::start(w)).unwrap();
    let s = Sandbox::with(&format!(
        "[profiles.h]\ntype = \"hypatos\"\nendpoint = \"{}/hypatos/v2\"\nclient_id = \"curl:account\"\nclient_secret = {{ env = \"HYP_SECRET\" }}\nscope = \"documents.read\"\n",
        svc.base_url()
    ))
    .var("HYP_SECRET", secret);
    s.conn(&["test", "h"]).code(0);
    let before = svc.requests().len();
    let out = s.conn(&["show", "h", "--curl"]);
    out.code(0).no_secrets(&[secret]);
    out.stdout_has("${HYP_SECRET}").stdout_has("form()");
    let ran = run_script(&out.stdout, &[("HYP_SECRET", secret)]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let reqs = svc.requests();
    let new: Vec<_> = reqs[before..].iter().collect();
    let token = new
        .iter()
        .find(|r| r.path().ends_with("/auth/token"))
        .expect("token request");
    assert!(token.header("authorization").unwrap().starts_with("Basic "));
    let probe = new
        .iter()
        .find(|r| r.path().contains("/documents"))
        .expect("probe request");
    assert!(
        probe.header("authorization").unwrap().starts_with("Bearer "),
        "{probe:?}"
    );
    assert!(ran.stdout.contains(" 200 "), "{}", ran.stdout);
    assert!(!ran.stdout.contains("401"), "{}", ran.stdout);
}

#[test]
fn curl_uses_placeholders_for_secrets_not_in_variables() {
    need_curl();
    let svc = rt().block_on(FakeService::start(World::default())).unwrap();
    let s = Sandbox::with(&format!(
        "[profiles.r]\ntype = \"rest\"\nbase_url = \"{0}/rest/api\"\nprobe = \"/billing/x\"\n[profiles.r.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{0}/rest/oauth/token\"\nclient_id = \"rest-cli\"\nclient_secret = {{ file = \"secret.txt\" }}\nclient_auth = \"post\"\nscopes = \"billing.read\"\n\n[profiles.k]\ntype = \"rest\"\nbase_url = \"{0}/rest/api\"\nprobe = \"/health\"\n[profiles.k.auth]\ntype = \"api-key\"\nkey = \"demo-api-key-123\"\nname = \"api_key\"\nin = \"query\"\n",
        svc.base_url()
    ));
    s.write("secret.txt", "rest-secret\n");
    let out = s.conn(&["show", "r", "--curl"]);
    out.code(0).no_secrets(&["rest-secret"]);
    out.stdout_has("${CONN_CLIENT_SECRET}").stdout_has("secret.txt");
    let ran = run_script(&out.stdout, &[("CONN_CLIENT_SECRET", "rest-secret")]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("\"auth\":\"bearer\""), "{}", ran.stdout);
    let token = svc
        .requests()
        .into_iter()
        .find(|r| r.path().ends_with("/oauth/token"))
        .unwrap();
    let body = String::from_utf8_lossy(&token.body).to_string();
    assert!(
        body.contains("client_secret=rest-secret") && body.contains("scope=billing.read"),
        "{body}"
    );
    // A literal key in the file is never printed: it becomes a placeholder.
    let out = s.conn(&["show", "k", "--curl"]);
    out.code(0).no_secrets(&["demo-api-key-123"]).stdout_has("${CONN_KEY}");
    let ran = run_script(&out.stdout, &[("CONN_KEY", "demo-api-key-123")]);
    assert!(
        ran.stdout.contains("\"status\":\"ok\""),
        "{}\n{}",
        ran.stdout,
        ran.stderr
    );
}

#[test]
fn add_asks_in_a_terminal_and_never_echoes_a_secret() {
    use crate::support::on_terminal;
    let s = Sandbox::with(FILE);
    let out = on_terminal(
        &s,
        &["add", "asked"],
        &[
            ("type (", "rest"),
            ("auth (", "oauth2-client-credentials"),
            ("base_url: ", "https://asked.example.com/api"),
            ("auth.token_url: ", "https://login.example.com/token"),
            ("auth.client_id: ", "asked-cli"),
            ("[ASKED_CLIENT_SECRET]: ", ""),
        ],
    );
    out.code(0);
    let text = file(&s);
    comments_kept(&text);
    assert!(text.contains("[profiles.asked.auth]"), "{text}");
    assert!(
        text.contains("client_secret = { env = \"ASKED_CLIENT_SECRET\" }"),
        "{text}"
    );
    // A literal secret, asked for with echo off, is written but never shown.
    let secret = "typed-Secret-Value-42";
    let out = on_terminal(
        &s,
        &["add", "lit", "--type", "hypatos", "--literal-secret"],
        &[("client_id: ", "lit-cli"), ("client_secret (not shown): ", secret)],
    );
    out.code(0).no_secrets(&[secret]);
    assert!(file(&s).contains(&format!("client_secret = \"{secret}\"")));
}

#[test]
fn in_a_terminal_remove_asks_and_edit_offers_to_fix_problems() {
    use crate::support::on_terminal;
    let s = Sandbox::with(FILE);
    let no = on_terminal(&s, &["remove", "old"], &[("[y/N] ", "n")]);
    no.code(0).stdout_has("nothing removed");
    assert_eq!(file(&s), FILE);
    on_terminal(&s, &["remove", "old"], &[("[y/N] ", "y")]).code(0);
    assert!(!file(&s).contains("[profiles.old]"));
    // The first edit breaks a key, the second repairs it: saved after "Edit again?".
    let editor = s.write(
        "editor.sh",
        "#!/bin/sh\nif [ -e \"$(dirname \"$1\")/edited-once\" ]; then sed -i s/base_urll/base_url/ \"$1\"; else touch \"$(dirname \"$1\")/edited-once\"; sed -i 's/keep.example.com/kept.example.com/; s/^base_url/base_urll/' \"$1\"; fi\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let s = s.var("EDITOR", editor.to_str().unwrap());
    let before = file(&s);
    let out = on_terminal(&s, &["edit", "keep"], &[("Edit again? [Y/n] ", "")]);
    out.code(0).stdout_has("did you mean `base_url`?").stdout_has("saved");
    let text = file(&s);
    assert_ne!(text, before);
    assert!(text.contains("base_url = \"https://kept.example.com/api\""), "{text}");
    comments_kept(&text);
}
