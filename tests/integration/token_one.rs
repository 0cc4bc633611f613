//! `conn token NAME` reads only the profile it prints (the other profiles' bodies are not
//! built), and says exactly what reading the whole file would: the same warnings, the same
//! refusals at the same positions.

use crate::support::Sandbox;
use crate::support::profiles::{Profile, env};

/// A basic-auth profile whose header `conn token --format header` prints without a request.
fn basic(name: &str) -> Profile {
    Profile::rest(name, "https://api.example.com")
        .auth("basic")
        .auth_str("username", "svc")
        .auth_raw("password", &env("PW"))
}

fn sandbox(text: &str) -> Sandbox {
    Sandbox::with(text).var("PW", "one-profile-pw")
}

fn chmod(s: &Sandbox, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let p = s.path().join("profiles.toml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn token_of_one_profile_among_many() {
    let mut text: String = (0..50).map(|i| format!("{}\n", basic(&format!("p{i:02}")))).collect();
    text.push_str(&basic("last").to_string());
    let s = sandbox(&text);
    let out = s.conn(&["token", "last", "--format", "header"]);
    out.code(0);
    assert!(out.stdout.starts_with("Authorization: Basic "), "{}", out.stdout);
    // An unknown name still gets the closest one from the whole list.
    s.conn(&["token", "p4", "--format", "header"])
        .code(2)
        .stderr_has("no profile `p4`")
        .stderr_has("did you mean `p49`?");
}

#[test]
fn a_secret_written_in_another_profile_still_warns() {
    let text = format!(
        "{}\n{}",
        Profile::rest("leaky", "https://api.example.com")
            .client_credentials("https://login.example.com/token", "c")
            .secret("written-in-the-file"),
        basic("b")
    );
    let s = sandbox(&text);
    chmod(&s, 0o644);
    let out = s.conn(&["token", "b", "--format", "header"]);
    out.code(0).stderr_has("holds a secret written in the file");
    chmod(&s, 0o600);
    let out = s.conn(&["token", "b", "--format", "header"]);
    out.code(0);
    assert!(!out.stderr.contains("secret written"), "{}", out.stderr);
}

#[test]
fn invalid_toml_in_another_profile_still_fails_at_its_position() {
    let text = format!("{}\n[profiles.broken]\ntype = \"rest\"\nbase_url = \n", basic("b"));
    let s = sandbox(&text);
    let line = text.lines().count();
    let token = s.conn(&["token", "b", "--format", "header"]);
    token.code(2).stderr_has("invalid TOML");
    let validate = s.conn(&["validate"]);
    let at = format!("profiles.toml:{line}:");
    token.stderr_has(&at);
    validate.stderr_has(&at);
}

#[test]
fn a_problem_in_the_profile_is_placed_as_validate_places_it() {
    let text = format!("{}\n{}", basic("a"), basic("b").str("timeout", "soon"));
    let s = sandbox(&text);
    let token = s.conn(&["token", "b", "--format", "header"]);
    token.code(2);
    let validate = s.conn(&["validate"]);
    let line = |out: &str| {
        out.lines()
            .find(|l| l.contains("timeout"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(!line(&token.stderr).is_empty(), "{}", token.stderr);
    assert_eq!(line(&token.stderr), line(&validate.stderr));
}
