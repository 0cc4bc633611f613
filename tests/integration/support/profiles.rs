//! Test profiles in one place: a builder that renders one `[profiles.NAME]` table (and its
//! `auth` table) as TOML, so a test names what its profile is rather than spelling the file.
//!
//! ```ignore
//! Profile::rest("p", &api).probe("/ping").client_credentials(&token_url, "c").secret(SECRET)
//! ```

use std::fmt;

/// One profile table, rendered by `Display`; several are joined with `format!("{a}{b}")`.
#[derive(Clone, Debug)]
pub struct Profile {
    name: String,
    keys: Vec<(String, String)>,
    auth: Vec<(String, String)>,
}

/// `value` as a TOML basic string.
pub fn quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A secret taken from an environment variable: `{ env = "VAR" }`.
pub fn env(var: &str) -> String {
    format!("{{ env = {} }}", quoted(var))
}

/// Set `key` to `value` in `table`, in place when it is there already.
fn put(table: &mut Vec<(String, String)>, key: &str, value: String) {
    match table.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => table.push((key.to_string(), value)),
    }
}

impl Profile {
    /// A profile of this `type` (`rest`, `hypatos`, `hypergene`, …).
    pub fn new(name: &str, kind: &str) -> Profile {
        let mut p = Profile {
            name: name.to_string(),
            keys: Vec::new(),
            auth: Vec::new(),
        };
        put(&mut p.keys, "type", quoted(kind));
        p
    }

    /// A `rest` profile of this base URL.
    pub fn rest(name: &str, base_url: &str) -> Profile {
        Profile::new(name, "rest").str("base_url", base_url)
    }

    /// The same table under another name.
    pub fn named(mut self, name: &str) -> Profile {
        self.name = name.to_string();
        self
    }

    /// `key = "value"` in the profile table.
    pub fn str(self, key: &str, value: &str) -> Profile {
        self.raw(key, &quoted(value))
    }

    /// `key = toml` in the profile table, the value as written (`true`, `{ env = "X" }`, …).
    pub fn raw(mut self, key: &str, toml: &str) -> Profile {
        put(&mut self.keys, key, toml.to_string());
        self
    }

    /// The probe path.
    pub fn probe(self, path: &str) -> Profile {
        self.str("probe", path)
    }

    /// `probe = false`: the test stops after the token.
    pub fn no_probe(self) -> Profile {
        self.raw("probe", "false")
    }

    /// An `auth` table of this `type`.
    pub fn auth(mut self, kind: &str) -> Profile {
        put(&mut self.auth, "type", quoted(kind));
        self
    }

    /// `key = "value"` in the auth table.
    pub fn auth_str(self, key: &str, value: &str) -> Profile {
        self.auth_raw(key, &quoted(value))
    }

    /// `key = toml` in the auth table, the value as written.
    pub fn auth_raw(mut self, key: &str, toml: &str) -> Profile {
        put(&mut self.auth, key, toml.to_string());
        self
    }

    /// Client-credentials auth at this token URL (the secret is set apart).
    pub fn client_credentials(self, token_url: &str, client_id: &str) -> Profile {
        self.auth("oauth2-client-credentials")
            .auth_str("token_url", token_url)
            .auth_str("client_id", client_id)
    }

    /// A literal `client_secret`.
    pub fn secret(self, value: &str) -> Profile {
        self.auth_str("client_secret", value)
    }

    /// A `client_secret` read from an environment variable.
    pub fn secret_env(self, var: &str) -> Profile {
        self.auth_raw("client_secret", &env(var))
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "[profiles.{}]", self.name)?;
        for (k, v) in &self.keys {
            writeln!(f, "{k} = {v}")?;
        }
        if !self.auth.is_empty() {
            writeln!(f, "[profiles.{}.auth]", self.name)?;
            for (k, v) in &self.auth {
                writeln!(f, "{k} = {v}")?;
            }
        }
        Ok(())
    }
}

#[test]
fn a_profile_renders_as_the_tables_it_names() {
    let p = Profile::rest("p", "http://127.0.0.1:1")
        .probe("/ping")
        .client_credentials("http://127.0.0.1:1/token", "c")
        .secret("s\"1")
        .no_probe();
    assert_eq!(
        p.to_string(),
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"http://127.0.0.1:1\"\nprobe = false\n\
         [profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"http://127.0.0.1:1/token\"\n\
         client_id = \"c\"\nclient_secret = \"s\\\"1\"\n"
    );
    let q = p.named("q").secret_env("V").to_string();
    assert!(
        q.starts_with("[profiles.q]\n") && q.contains("client_secret = { env = \"V\" }\n"),
        "{q}"
    );
}
