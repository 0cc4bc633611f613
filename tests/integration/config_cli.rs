//! The profiles file through the real binary: the example validates, every kind of bad input
//! exits 2 with file:line:col, key path and a suggestion, and `show`/`profiles` never run a
//! secret command nor print a secret.

use crate::support::Sandbox;

const SECRET: &str = "canary-Secret-Value-91f3";

#[test]
fn example_file_is_valid_and_lists_every_kind() {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles.example.toml")).unwrap();
    let s = Sandbox::with(&example);
    s.conn(&["validate", "--no-secrets"])
        .code(0)
        .stdout_has("profiles valid");
    let out = s.conn(&["profiles"]);
    out.code(0);
    for kind in [
        "hypatos",
        "hypergene",
        "none",
        "basic",
        "api-key",
        "oauth2-client-credentials",
        "oauth2-password",
        "oauth2-authorization-code",
        "openid-connect",
    ] {
        out.stdout_has(kind);
    }
    // The same file given with --config from elsewhere.
    let other = Sandbox::new();
    let path = s.path().join("profiles.toml");
    other
        .conn(&["--config", path.to_str().unwrap(), "validate", "--no-secrets"])
        .code(0);
}

#[test]
fn typo_in_a_key_names_position_path_and_suggestion() {
    let s = Sandbox::with(
        "[profiles.billing]\ntype = \"rest\"\nbase_url = \"https://b.example/api\"\n\n[profiles.billing.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"https://login.example/token\"\nclient_id = \"x\"\nclient_secert = { env = \"B\" }\n",
    );
    let out = s.conn(&["validate"]);
    out.code(2)
        .stderr_has("profiles.toml:9:1: profiles.billing.auth.client_secert: unknown key")
        .stderr_has("did you mean `client_secret`?")
        .stderr_has("missing required key `client_secret`");
}

#[test]
fn wrong_type_and_auth_type_list_the_valid_ones() {
    let s = Sandbox::with(
        "[profiles.a]\ntype = \"hypatoss\"\n\n[profiles.b]\ntype = \"rest\"\nbase_url = \"https://x.example\"\nauth = { type = \"oauth2\" }\n",
    );
    let out = s.conn(&["validate"]);
    out.code(2)
        .stderr_has("profiles.toml:2:8: profiles.a.type: `hypatoss` is not a profile type; valid: `hypatos`, `hypergene`, `rest`")
        .stderr_has("did you mean `hypatos`?")
        .stderr_has("profiles.b.auth.type: `oauth2` is not an auth type; valid: `none`, `basic`, `api-key`");
}

#[test]
fn missing_required_key_for_the_auth_kind() {
    let s = Sandbox::with(
        "[profiles.crm]\ntype = \"rest\"\nbase_url = \"https://c.example\"\n[profiles.crm.auth]\ntype = \"oauth2-password\"\ntoken_url = \"https://c.example/t\"\nclient_id = \"c\"\nusername = \"u\"\n",
    );
    s.conn(&["validate"])
        .code(2)
        .stderr_has("profiles.crm.auth.password: missing required key `password` (auth.type = \"oauth2-password\")");
}

#[test]
fn invalid_url_duration_and_probe_method() {
    let s = Sandbox::with(
        "[defaults]\ntimeout = \"ten seconds\"\n\n[profiles.x]\ntype = \"rest\"\nbase_url = \"api.example.com/v1\"\nprobe = { method = \"POST\", path = \"/items\" }\nconnect_timeout = \"30\"\n",
    );
    let out = s.conn(&["validate"]);
    out.code(2)
        .stderr_has("profiles.toml:2:11: defaults.timeout: `ten seconds` is not a duration")
        .stderr_has("profiles.x.base_url: `api.example.com/v1` is not a URL: it has no scheme")
        .stderr_has("did you mean `https://api.example.com/v1`?")
        .stderr_has("profiles.x.probe.method: `POST` is not allowed: a connection test never changes data")
        .stderr_has("profiles.x.connect_timeout: `30` is not a duration");
    // All problems at once, counted.
    out.stderr_has("4 problems");
}

#[test]
fn durations_people_write_are_accepted() {
    let s = Sandbox::with(
        "[defaults]\ntimeout = \"10 seconds\"\nconnect_timeout = \"500ms\"\n[profiles.x]\ntype = \"rest\"\nbase_url = \"https://x.example\"\ntimeout = \"2m\"\n",
    );
    s.conn(&["validate"]).code(0);
    s.conn(&["show", "x"]).code(0).stdout_has("2m total, 500ms to connect");
}

#[test]
fn unset_secret_variable_and_failing_command_are_named_never_their_values() {
    let s = Sandbox::with(&format!(
        "[profiles.h]\ntype = \"hypatos\"\nclient_id = \"id\"\nclient_secret = {{ env = \"HYP_SECRET_NOT_SET\" }}\n\n[profiles.r]\ntype = \"rest\"\nbase_url = \"https://r.example\"\n[profiles.r.auth]\ntype = \"basic\"\nusername = \"u\"\npassword = {{ command = [\"sh\", \"-c\", \"echo {SECRET} >&2; exit 3\"] }}\n"
    ));
    let out = s.conn(&["validate", "--secrets"]);
    out.code(2)
        .stderr_has("profiles.h.client_secret: environment variable HYP_SECRET_NOT_SET is not set")
        .stderr_has("profiles.r.auth.password: secret command sh exited with status 3")
        .no_secrets(&[SECRET]);
    // Without --secrets (the default, or the old --no-secrets) nothing is read, and the file
    // is fine.
    s.conn(&["validate", "--no-secrets"]).code(0);
    s.conn(&["validate"]).code(0);
}

#[test]
fn unknown_environment_lists_the_ones_defined() {
    let s = Sandbox::with(
        "[profiles.b]\ntype = \"rest\"\nbase_url = \"https://b.example\"\n[profiles.b.environments.staging]\nbase_url = \"https://s.example\"\n[profiles.b.environments.prod]\nbase_url = \"https://p.example\"\n",
    );
    s.conn(&["show", "b@stagin"])
        .code(2)
        .stderr_has("profile `b` has no environment `stagin`; it has: staging, prod")
        .stderr_has("did you mean `b@staging`?");
    s.conn(&["test", "b@qa"]).code(2).stdout_has("has no environment `qa`");
}

#[test]
fn environments_override_nested_keys_and_are_selected_three_ways() {
    let s = Sandbox::with(
        "[profiles.billing]\ntype = \"rest\"\nbase_url = \"https://billing.example/api\"\n[profiles.billing.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"https://login.example/token\"\nclient_id = \"billing-cli\"\nclient_secret = { env = \"S\" }\n[profiles.billing.environments.staging]\nbase_url = \"https://staging.billing.example/api\"\nauth.client_id = \"billing-cli-staging\"\n",
    );
    let at = s.conn(&["show", "billing@staging"]);
    at.code(0)
        .stdout_has("billing@staging")
        .stdout_has("https://staging.billing.example/api")
        .stdout_has("billing-cli-staging");
    s.conn(&["show", "billing", "--env", "staging"])
        .code(0)
        .stdout_has("billing-cli-staging");
    let s = s.var("CONN_ENV", "staging");
    s.conn(&["show", "billing"]).code(0).stdout_has("billing-cli-staging");
    // NAME@ENV wins over CONN_ENV.
    let base = s.conn(&["show", "billing@staging"]);
    base.code(0);
}

#[test]
fn unknown_profile_gets_the_closest_name() {
    let s = Sandbox::with("[profiles.billing]\ntype = \"rest\"\nbase_url = \"https://b.example\"\n");
    s.conn(&["show", "biling"])
        .code(2)
        .stderr_has("no profile `biling`")
        .stderr_has("did you mean `billing`?");
    s.conn(&["test", "biling"])
        .code(2)
        .stderr_has("did you mean `billing`?");
}

#[test]
fn no_profiles_file_lists_where_it_looked() {
    let s = Sandbox::new();
    s.conn(&["profiles"])
        .code(2)
        .stderr_has("no profiles file found")
        .stderr_has("./profiles.toml")
        .stderr_has("cp profiles.example.toml profiles.toml");
    s.conn(&["--config", "missing.toml", "validate"])
        .code(2)
        .stderr_has("cannot read missing.toml: no such file");
    let s = s.var("CONN_CONFIG", "also-missing.toml");
    s.conn(&["validate"]).code(2).stderr_has("also-missing.toml");
}

#[test]
fn invalid_toml_names_the_position() {
    let s = Sandbox::with("[profiles.x]\ntype = \"rest\"\nbase_url = \n");
    s.conn(&["validate"])
        .code(2)
        .stderr_has("profiles.toml:3:")
        .stderr_has("invalid TOML");
}

#[test]
fn show_and_profiles_never_run_commands_or_print_secrets() {
    let s = Sandbox::new();
    let marker = s.path().join("ran");
    s.write(
        "profiles.toml",
        &format!(
            "[profiles.cmd]\ntype = \"hypatos\"\nclient_id = \"hyp-id\"\nclient_secret = {{ command = [\"touch\", \"{}\"] }}\n\n[profiles.lit]\ntype = \"rest\"\nbase_url = \"https://r.example\"\n[profiles.lit.auth]\ntype = \"api-key\"\nkey = \"{SECRET}\"\n",
            marker.display()
        ),
    );
    let show = s.conn(&["show", "cmd"]);
    show.code(0)
        .stdout_has("client_secret")
        .stdout_has("command touch")
        .stdout_has("https://api.cloud.hypatos.ai/v2/auth/token");
    s.conn(&["show", "lit"])
        .code(0)
        .stdout_has("********")
        .no_secrets(&[SECRET]);
    s.conn(&["profiles"]).code(0).no_secrets(&[SECRET]);
    assert!(!marker.exists(), "a secret command ran");
}

#[test]
fn show_prints_derived_urls() {
    let s = Sandbox::with(
        "[profiles.pf]\ntype = \"hypergene\"\nportfolio_id = \"acme\"\ntenant_id = \"contoso.onmicrosoft.com\"\nclient_id = \"app\"\nclient_secret = { env = \"PF\" }\n\n[profiles.oidc]\ntype = \"rest\"\nbase_url = \"https://api.example\"\n[profiles.oidc.auth]\ntype = \"openid-connect\"\nissuer = \"https://login.example\"\nclient_id = \"cli\"\nredirect_port = 8765\n",
    );
    s.conn(&["show", "pf"])
        .code(0)
        .stdout_has("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
        .stdout_has("https://hub.portfolio.hypergene.cloud/acme/api/v2")
        .stdout_has("env PF")
        .stdout_has("api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1/.default")
        .stdout_has("not a canonical GUID");
    let oidc = s.conn(&["show", "oidc"]);
    oidc.code(0).stdout_has("http://127.0.0.1:8765/callback");
    assert!(
        oidc.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("scopes") && l.trim_end().ends_with(" openid")),
        "{}",
        oidc.stdout
    );
}

#[test]
fn literal_secret_in_a_readable_file_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::with(&format!(
        "[profiles.h]\ntype = \"hypatos\"\nclient_id = \"i\"\nclient_secret = \"{SECRET}\"\n"
    ));
    s.conn(&["profiles"]).code(0);
    assert!(!s.conn(&["profiles"]).stderr.contains("warning"));
    let p = s.path().join("profiles.toml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    s.conn(&["profiles"])
        .code(0)
        .stderr_has("warning: profiles.toml holds a secret")
        .stderr_has("chmod 600")
        .no_secrets(&[SECRET]);
}

#[test]
fn hypergene_subdomain_and_portfolio_problems() {
    let s = Sandbox::with(
        "[profiles.p]\ntype = \"hypergene\"\nauth = \"basic\"\ndomain = \"hub\"\nportfolio_id = \"a\"\nusername = \"u\"\npassword = \"p\"\nclient_id = \"x\"\n",
    );
    s.conn(&["validate"])
        .code(2)
        .stderr_has("profiles.p.domain: `hub` looks like the old sub-domain setting")
        .stderr_has("profiles.p.client_id: unknown key for type = \"hypergene\" with auth = \"basic\"");
}

#[test]
fn completions_and_help() {
    let s = Sandbox::new();
    let out = s.conn(&["completions", "bash"]);
    out.code(0).stdout_has("_conn()");
    s.conn(&["completions", "zsh"]).code(0).stdout_has("#compdef conn");
    let help = s.conn(&["--help"]);
    help.code(0);
    for cmd in ["test", "profiles", "show", "validate", "demo", "completions"] {
        help.stdout_has(&format!("  {cmd}"));
    }
    s.conn(&["--nope"]).code(2);
}

#[test]
fn bad_profile_name() {
    let s = Sandbox::with("[profiles.\"bad name!\"]\ntype = \"rest\"\nbase_url = \"https://x.example\"\n");
    s.conn(&["validate"])
        .code(2)
        .stderr_has("a profile name may hold only letters, digits");
}

#[test]
fn the_readme_first_steps_validate_on_a_new_machine() {
    // cp profiles.example.toml profiles.toml && conn validate: no secret variable is set.
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles.example.toml")).unwrap();
    let s = Sandbox::with(&example);
    s.conn(&["validate"]).code(0).stdout_has("profiles valid");
    // --secrets resolves every secret source, as CI wants: the example's variables are unset.
    s.conn(&["validate", "--secrets"]).code(2).stderr_has("is not set");
    s.conn(&["validate", "--secrets", "--no-secrets"]).code(2);
}
