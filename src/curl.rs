//! `conn show PROFILE --curl`: the token request and the probe of a profile as a shell script
//! of curl commands, to reproduce a failure by hand.
//!
//! No secret is ever written out: a secret read from `{ env = "X" }` appears as `$X`; one
//! from a file, a command or the profiles file appears as a named placeholder
//! (`$CONN_CLIENT_SECRET`) with a comment saying where to get it. Non-secret values written
//! in the file (a client id, a user name) appear as they are. The requests match what
//! `conn test` sends, including the RFC 6749 §2.3.1 form-encoding of `client_auth = "basic"`.
//!
//! ```text
//! # 1. The token request (client_credentials); client authentication: HTTP Basic of the …
//! ANSWER=$(curl -sS -i -X POST 'https://api.cloud.hypatos.ai/v2/auth/token' \
//!   -A 'conn/0.1.0' --max-time 30 --connect-timeout 5 -H 'Accept: application/json' \
//!   --data-urlencode 'grant_type=client_credentials' \
//!   -u "$(form "my-client"):$(form "${HYPATOS_CLIENT_SECRET}")")
//! TOKEN=$(printf '%s\n' "$ANSWER" | sed -n '…access_token…')
//! # 2. The probe call.
//! curl -sS -i -X GET 'https://api.cloud.hypatos.ai/v2/documents?limit=1' … \
//!   -H "Authorization: Bearer $TOKEN"
//! ```

use crate::check::probe;
use crate::config::{Auth, ClientAuth, KeyIn, Net, OAuthClient, Profile};
use crate::secret::Source;

/// A shell function that form-encodes its argument exactly as conn does for HTTP Basic
/// client authentication (`application/x-www-form-urlencoded`: letters, digits and `*-._`
/// kept, space as `+`, every other byte as `%XX`).
pub const FORM_FN: &str = r#"form() ( LC_ALL=C; s=$1; o=; while [ -n "$s" ]; do r=${s#?}; c=${s%"$r"}; s=$r; case $c in [A-Za-z0-9*._-]) o=$o$c;; ' ') o=$o+;; *) o=$o$(printf '%%%02X' "'$c");; esac; done; printf '%s' "$o" )"#;

/// `sed` that takes the access token out of a token response.
const TOKEN_SED: &str = r#"sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'"#;

/// A string in single quotes for sh: every value written into the script goes through this
/// or [`dq`]. A `'` becomes `'\''`; a control character other than a newline (an escape
/// sequence, a carriage return) is written as `printf` octal, so the script reproduces the
/// value exactly while no raw control character reaches the terminal that shows it.
pub fn sq(s: &str) -> String {
    let mut o = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => o.push_str(r"'\''"),
            c if c != '\n' && c.is_control() => {
                o.push('\'');
                o.push('"');
                o.push_str(&printf_char(c));
                o.push('"');
                o.push('\'');
            }
            c => o.push(c),
        }
    }
    o.push('\'');
    o
}

/// Text that goes inside double quotes for sh, taken literally (control characters as in
/// [`sq`]).
fn dq(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '\\' | '"' | '$' | '`' => {
                o.push('\\');
                o.push(c);
            }
            c if c != '\n' && c.is_control() => o.push_str(&printf_char(c)),
            c => o.push(c),
        }
    }
    o
}

/// `text` as a shell variable name: letters and digits in upper case, `_` for the rest.
pub fn var_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `$(printf '\NNN…')`: a character as its UTF-8 bytes in octal.
fn printf_char(c: char) -> String {
    let mut b = [0u8; 4];
    let octal: String = c.encode_utf8(&mut b).bytes().map(|x| format!("\\{x:03o}")).collect();
    format!("$(printf '{octal}')")
}

/// Config text for a `#` comment: one line whatever it holds. Line breaks and other control
/// characters are written as escapes (`\n`, `\u{1b}`), so nothing after them can become a
/// command, and nothing reaches the terminal raw.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn is_var_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The variables a script needs, with what each one is.
#[derive(Default)]
struct Vars {
    notes: Vec<String>,
}

impl Vars {
    /// A value as a fragment for inside double quotes: `$X` for variables, the text for a
    /// non-secret literal.
    fn value(&mut self, key: &str, src: &Source, secret: bool) -> String {
        let placeholder = format!("CONN_{}", key.to_ascii_uppercase().replace('.', "_"));
        let (name, from) = match src {
            Source::Env(v) if is_var_name(v) => (v.clone(), format!("{key} = {{ env = \"{v}\" }}")),
            Source::Env(v) => (placeholder, format!("the variable {}", comment(v))),
            Source::Literal(s) if !secret => return dq(s.expose()),
            Source::Literal(_) => (placeholder, "the value written in the profiles file".into()),
            Source::File(p) => (placeholder, format!("the file {}", comment(&p.display().to_string()))),
            Source::Command { argv, .. } => (placeholder, format!("the output of: {}", comment(&argv.join(" ")))),
        };
        let note = match src {
            Source::Env(v) if is_var_name(v) => format!("#   {name}: {key} (the variable conn reads too)"),
            _ => format!("#   {name}: {key}; conn reads it from {from}"),
        };
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
        format!("${{{name}}}")
    }
}

/// A URL as one sh word. The value of a credential query parameter (`?code=…`,
/// `?api_key=…`) comes from a variable named after `what` and the parameter, with a note
/// saying what to set it to; a URL without one is quoted as it is.
fn url_word(vars: &mut Vars, url: &url::Url, what: &str) -> String {
    use crate::redact::url::Part;
    let parts = crate::redact::url::parts(url);
    if parts.iter().all(|p| matches!(p, Part::Text(_))) {
        return sq(url.as_str());
    }
    let mut word = String::from("\"");
    for p in parts {
        match p {
            Part::Text(t) => word.push_str(&dq(&t)),
            Part::Secret(key) => {
                let name = var_name(&format!("CONN_{what}_{key}"));
                let note = format!(
                    "#   {name}: a secret query value of {what} in the profiles file, as written there (percent-encoded)"
                );
                if !vars.notes.contains(&note) {
                    vars.notes.push(note);
                }
                word.push_str(&format!("${{{name}}}"));
            }
        }
    }
    word.push('"');
    word
}

/// curl options for the profile's connection settings; the proxy's password, when it has
/// one, from a variable like every other secret.
fn net_opts(n: &Net, vars: &mut Vars) -> Vec<String> {
    // The same user agent as conn: some gateways treat clients differently by it.
    let mut v = vec![format!("-A {}", sq(concat!("conn/", env!("CARGO_PKG_VERSION"))))];
    v.push(format!("--max-time {}", n.timeout.as_secs().max(1)));
    v.push(format!("--connect-timeout {}", n.connect_timeout.as_secs().max(1)));
    if let Some(c) = &n.ca_file {
        v.push(format!("--cacert {}", sq(&c.display().to_string())));
    }
    if let (Some(c), Some(k)) = (&n.client_cert, &n.client_key) {
        v.push(format!("--cert {}", sq(&c.display().to_string())));
        v.push(format!("--key {}", sq(&k.display().to_string())));
    }
    if let Some(p) = &n.proxy {
        v.push(format!("--proxy {}", sq(p.as_str())));
        if let Some(a) = &n.proxy_auth {
            let password = vars.value("proxy.password", &a.password, true);
            v.push(format!("--proxy-user \"{}:{password}\"", dq(&a.username)));
        }
    }
    if n.insecure_tls {
        v.push("--insecure".into());
    }
    v
}

fn command(lines: &[String]) -> String {
    lines.join(" \\\n  ")
}

/// A script being written: its variables, its numbered steps and the connection options
/// every curl command takes.
struct Script {
    vars: Vars,
    body: Vec<String>,
    net: Vec<String>,
    /// Whether a command calls the `form` shell function.
    uses_form: bool,
}

/// What the probe call needs from the credentials step.
#[derive(Default)]
struct Credentials {
    /// curl options that authenticate the probe call.
    probe_auth: Vec<String>,
    /// The scopes asked for (Hypatos picks its probe from them).
    granted: Vec<String>,
}

/// The script for a profile.
pub fn script(p: &Profile) -> String {
    let mut vars = Vars::default();
    let net = net_opts(&p.net, &mut vars);
    let mut s = Script {
        vars,
        body: Vec::new(),
        net,
        uses_form: false,
    };
    let creds = credentials(p, &mut s);
    probe_call(p, creds, &mut s);
    assemble(p, s)
}

/// The credentials step, one section per auth kind.
fn credentials(p: &Profile, s: &mut Script) -> Credentials {
    let mut creds = Credentials::default();
    match &p.auth {
        Auth::None => {}
        Auth::Basic { username, password } => {
            let u = s.vars.value("username", username, false);
            let pw = s.vars.value("password", password, true);
            creds.probe_auth.push(format!("-u \"{u}:{pw}\""));
        }
        Auth::ApiKey { key, name, location } => {
            let k = s.vars.value("key", key, true);
            creds.probe_auth.push(match location {
                KeyIn::Header => format!("-H \"{}: {k}\"", dq(name)),
                KeyIn::Query => format!("--get --data-urlencode \"{}={k}\"", dq(name)),
            });
        }
        Auth::ClientCredentials(c) => {
            creds.granted = c.scopes.clone();
            token_request(p, c, None, s);
            creds.probe_auth.push(BEARER.into());
        }
        Auth::Password {
            client: c,
            username,
            password,
        } => {
            creds.granted = c.scopes.clone();
            token_request(p, c, Some((username, password)), s);
            creds.probe_auth.push(BEARER.into());
        }
        Auth::Interactive { .. } => {
            s.body.push(format!(
                "# 1. This profile signs in in a browser: no curl command can do that. Sign in with\n#    `conn login {0}`, then take the stored token:",
                comment(&p.display_name())
            ));
            s.body.push(format!("TOKEN=$(conn token {})", sq(&p.display_name())));
            creds.probe_auth.push(BEARER.into());
        }
    }
    creds
}

/// The probe call's header once a token is taken.
const BEARER: &str = "-H \"Authorization: Bearer $TOKEN\"";

/// Step 1 of a client credentials or password grant (`owner`: the resource owner's user
/// name and password): the token request, and taking the token out of its answer.
fn token_request(p: &Profile, c: &OAuthClient, owner: Option<(&Source, &Source)>, s: &mut Script) {
    let grant = p.auth.auth_kind().grant().grant_type().unwrap_or_default();
    let id = s.vars.value("client_id", &c.client_id, false);
    let secret = c.client_secret.as_ref().map(|x| s.vars.value("client_secret", x, true));
    let url = url_word(&mut s.vars, &c.token_url, "token_url");
    let mut cmd = vec![format!("ANSWER=$(curl -sS -i -X POST {url}")];
    cmd.extend(s.net.iter().cloned());
    cmd.push("-H 'Accept: application/json'".into());
    cmd.push(format!("--data-urlencode {}", sq(&format!("grant_type={grant}"))));
    if let Some((username, password)) = owner {
        let u = s.vars.value("username", username, false);
        let pw = s.vars.value("password", password, true);
        cmd.push(format!("--data-urlencode \"username={u}\""));
        cmd.push(format!("--data-urlencode \"password={pw}\""));
    }
    if !c.scopes.is_empty() {
        cmd.push(format!(
            "--data-urlencode {}",
            sq(&format!("scope={}", c.scopes.join(" ")))
        ));
    }
    for (k, v) in &c.token_params {
        cmd.push(format!("--data-urlencode {}", sq(&format!("{k}={v}"))));
    }
    let how = client_auth(c.client_auth, &id, secret.as_deref(), &mut cmd, &mut s.uses_form);
    if c.client_auth.is_assertion() {
        s.vars.notes.push(format!(
            "#   CLIENT_ASSERTION: the client assertion; {}",
            if c.client_auth == ClientAuth::PrivateKeyJwt {
                "conn signs a new one with the profile's key for each request (RFC 7523: iss and sub = the client id, aud = the token URL, five minutes valid); nothing is signed or printed here"
            } else {
                "conn reads it from the profile's client_assertion for each request; nothing is read or printed here"
            }
        ));
    }
    let last = cmd.pop().unwrap_or_default();
    cmd.push(format!("{last})"));
    s.body.push(format!(
        "# 1. The token request ({grant}); client authentication: {how}."
    ));
    s.body.push(command(&cmd));
    s.body.push("printf '%s\\n' \"$ANSWER\"".into());
    s.body
        .push(format!("TOKEN=$(printf '%s\\n' \"$ANSWER\" | {TOKEN_SED})"));
}

/// `client_assertion_type` of a JWT assertion (RFC 7523 §2.2).
const JWT_BEARER: &str = crate::oauth::token::JWT_BEARER;

/// The token request's client authentication options; returns what they are, for the
/// step's comment. `uses_form` is set when they call the `form` shell function.
fn client_auth(
    how: ClientAuth,
    id: &str,
    secret: Option<&str>,
    cmd: &mut Vec<String>,
    uses_form: &mut bool,
) -> &'static str {
    match (how, secret) {
        (ClientAuth::PrivateKeyJwt | ClientAuth::ClientAssertion, _) => {
            cmd.push(format!("--data-urlencode \"client_id={id}\""));
            cmd.push(format!(
                "--data-urlencode {}",
                sq(&format!("client_assertion_type={JWT_BEARER}"))
            ));
            cmd.push("--data-urlencode \"client_assertion=$CLIENT_ASSERTION\"".into());
            if how == ClientAuth::PrivateKeyJwt {
                "an assertion in $CLIENT_ASSERTION (client_auth = \"private_key_jwt\")"
            } else {
                "an assertion in $CLIENT_ASSERTION (client_auth = \"client_assertion\")"
            }
        }
        (_, None) | (ClientAuth::Post, _) => {
            cmd.push(format!("--data-urlencode \"client_id={id}\""));
            if let Some(s) = secret {
                cmd.push(format!("--data-urlencode \"client_secret={s}\""));
            }
            "client id and secret in the form body (client_auth = \"post\")"
        }
        (ClientAuth::BasicRaw, Some(s)) => {
            cmd.push(format!("-u \"{id}:{s}\""));
            "HTTP Basic without form-encoding (client_auth = \"basic-raw\")"
        }
        (ClientAuth::Basic, Some(s)) => {
            *uses_form = true;
            cmd.push(format!("-u \"$(form \"{id}\"):$(form \"{s}\")\""));
            "HTTP Basic of the form-encoded id and secret (client_auth = \"basic\", RFC 6749 §2.3.1)"
        }
    }
}

/// The probe step: its curl command, or why there is none.
fn probe_call(p: &Profile, creds: Credentials, s: &mut Script) {
    let n = if s.body.is_empty() { 1 } else { 2 };
    match probe::choose(p, Some(&creds.granted), false) {
        Ok(r) => {
            s.body.push(format!("# {n}. The probe call."));
            let url = url_word(&mut s.vars, &r.url, "probe");
            let mut cmd = vec![format!("curl -sS -i -X {} {url}", r.method)];
            cmd.extend(s.net.iter().cloned());
            cmd.push("-H 'Accept: application/json, */*;q=0.5'".into());
            cmd.extend(creds.probe_auth);
            s.body.push(command(&cmd));
        }
        Err(why) => {
            s.body
                .push(format!("# {n}. No probe call: {}", comment(&why.to_string())));
            // Hypatos picks its probe from the scopes the token grants: show the first one.
            if matches!(p.vendor, crate::config::Vendor::Hypatos)
                && matches!(p.probe, crate::config::Probe::Auto)
                && let Some(url) = crate::config::join(&p.api_base, probe::HYPATOS_PROBES[0].1)
            {
                s.body.push(format!(
                    "#    With {} granted, conn would call:\n#    curl -sS -i {} -H \"Authorization: Bearer $TOKEN\"",
                    probe::HYPATOS_PROBES[0].0,
                    sq(&crate::config::shown(&url))
                ));
            }
        }
    }
}

/// The whole script: its header, the variables to export, the `form` function when used,
/// then the steps.
fn assemble(p: &Profile, s: Script) -> String {
    let mut out = String::from("#!/bin/sh\n");
    out.push_str(&format!(
        "# {0}: the requests of `conn test {0}` as curl commands.\n",
        comment(&p.display_name())
    ));
    if !s.vars.notes.is_empty() {
        out.push_str("# Secrets are shell variables; export them before running this:\n");
        for n in &s.vars.notes {
            out.push_str(n);
            out.push('\n');
        }
    }
    if s.uses_form {
        out.push_str("# form: form-encodes a value the way conn does before HTTP Basic.\n");
        out.push_str(FORM_FN);
        out.push('\n');
    }
    for b in s.body {
        out.push_str(&b);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sq("a'b"), r"'a'\''b'");
        assert_eq!(dq("a\"$b`"), r#"a\"\$b\`"#);
        assert_eq!(sq("a\u{1b}[1m\nb"), "'a'\"$(printf '\\033')\"'[1m\nb'");
        assert_eq!(dq("\r"), "$(printf '\\015')");
        assert_eq!(comment("a\ntouch x\u{1b}"), "a\\ntouch x\\u{1b}");
        assert!(is_var_name("HYPATOS_SECRET"));
        assert!(!is_var_name("1X"));
        assert!(!is_var_name("A-B"));
    }
}
