//! `conn add NAME`: a new profile, written into the profiles file with its comments and
//! layout kept. Fields come from flags (`--type`, `--auth`, `--set`, `--secret-env`) or, on
//! a terminal, from questions. A secret is stored as a reference (`{ env = "VAR" }`), never
//! as a literal unless `--literal-secret` is given. The result is validated before it is
//! written; an invalid profile is refused (exit 2) and the file is left untouched.

use toml_edit::{InlineTable, Item, Table, Value, value};

use super::file;
use crate::cli::{AddArgs, Global};
use crate::config;
use crate::error::Error;

use crate::config::AuthKind;
use crate::config::parse::{REST_AUTH_TYPES as REST_AUTH, TYPES};

/// The keys a profile of this type and auth kind needs (as dotted paths in the profile).
pub fn required(ty: &str, auth: &str) -> Vec<&'static str> {
    match (ty, auth) {
        ("hypatos", _) => vec!["client_id", "client_secret"],
        ("hypergene", "basic") => vec!["portfolio_id", "username", "password"],
        ("hypergene", _) => vec!["portfolio_id", "tenant_id", "client_id", "client_secret"],
        (_, auth) => AuthKind::from_name(auth)
            .map_or(&["base_url"][..], AuthKind::questions)
            .to_vec(),
    }
}

fn is_secret(key: &str) -> bool {
    let key = key.rsplit('.').next().unwrap_or(key);
    AuthKind::ALL.iter().any(|k| k.secret_keys().contains(&key))
}

/// A `--set` value: `true`/`false` as booleans, `[…]`/`{…}` as TOML, whole numbers for
/// `redirect_port`, anything else as a string.
fn parse_value(key: &str, raw: &str) -> Result<Value, Error> {
    let last = key.rsplit('.').next().unwrap_or(key);
    if raw == "true" || raw == "false" {
        return Ok(Value::from(raw == "true"));
    }
    if last == "redirect_port"
        && let Ok(n) = raw.parse::<i64>()
    {
        return Ok(Value::from(n));
    }
    if raw.starts_with('[') || raw.starts_with('{') {
        return raw
            .parse::<Value>()
            .map_err(|e| Error::Usage(format!("--set {key}={raw}: not a TOML value ({})", e.message().trim())));
    }
    Ok(Value::from(raw))
}

fn split_pair<'a>(flag: &str, s: &'a str) -> Result<(&'a str, &'a str), Error> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim(), v)),
        _ => Err(Error::Usage(format!("{flag} takes KEY=VALUE, got `{s}`"))),
    }
}

/// The fields of the new profile, in order, as dotted keys and values.
struct Fields(Vec<(String, Value)>);

impl Fields {
    fn has(&self, k: &str) -> bool {
        self.0.iter().any(|(x, _)| x == k)
    }
    fn put(&mut self, k: &str, v: Value) {
        match self.0.iter_mut().find(|(x, _)| x == k) {
            Some(slot) => slot.1 = v,
            None => self.0.push((k.to_string(), v)),
        }
    }
}

fn env_ref(var: &str) -> Value {
    let mut t = InlineTable::new();
    t.insert("env", Value::from(var));
    Value::InlineTable(t)
}

fn file_ref(path: &str) -> Value {
    let mut t = InlineTable::new();
    t.insert("file", Value::from(path));
    Value::InlineTable(t)
}

/// With `client_auth = "private_key_jwt"` the client needs a certificate and its key instead
/// of a secret; with `"client_assertion"`, where its assertion comes from.
fn secretless(need: Vec<&'static str>, f: &Fields) -> Vec<&'static str> {
    let how =
        f.0.iter()
            .find(|(k, _)| k.rsplit('.').next() == Some("client_auth"))
            .and_then(|(_, v)| v.as_str());
    let instead: &[&str] = match how {
        Some("private_key_jwt") => &["client_certificate", "private_key"],
        Some("client_assertion") => &["client_assertion"],
        _ => return need,
    };
    let mut out = Vec::new();
    for k in need {
        match k {
            "client_secret" => out.extend_from_slice(instead),
            "auth.client_secret" => out.extend(instead.iter().map(|x| match *x {
                "client_certificate" => "auth.client_certificate",
                "private_key" => "auth.private_key",
                _ => "auth.client_assertion",
            })),
            other => out.push(other),
        }
    }
    out
}

/// A suggested variable name: `BILLING_CLIENT_SECRET` for `billing` and `auth.client_secret`.
fn suggested_var(name: &str, key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    crate::curl::var_name(&format!("{name}_{last}"))
}

fn choose(question: &str, options: &[&str], default: &str) -> Result<String, Error> {
    loop {
        let a = file::ask(&format!("{question} ({}) [{default}]: ", options.join(", ")))
            .ok_or_else(|| Error::Usage("no answer given".into()))?;
        let a = if a.is_empty() { default.to_string() } else { a };
        if options.contains(&a.as_str()) {
            return Ok(a);
        }
        eprintln!("  choose one of: {}", options.join(", "));
    }
}

/// Add a profile.
pub fn run(g: &Global, a: &AddArgs) -> Result<u8, Error> {
    if !config::valid_name(&a.name) {
        return Err(Error::Usage(format!(
            "`{}` is not a valid profile name: use letters, digits, '-', '_' and '.'",
            a.name
        )));
    }
    let path = file::target(g, true)?;
    let text = file::read(&path, true)?;
    let mut doc = file::document(&path, &text)?;
    if doc.get("profiles").and_then(|p| p.get(&a.name)).is_some() {
        return Err(Error::Usage(format!(
            "{} already has a profile `{}`: change it with `conn edit {}` or remove it with `conn remove {}`",
            path.display(),
            a.name,
            a.name,
            a.name
        )));
    }
    let asking = file::interactive();
    let ty = profile_type(a, asking)?;
    let auth = auth_kind(a, &ty, asking)?;
    let mut f = given(a, &ty, &auth)?;
    ask_missing(a, &ty, &auth, asking, &mut f)?;
    insert(&mut doc, &a.name, f);
    let new_text = doc.to_string();
    file::check(&path, &new_text)?;
    file::save(&path, &new_text)?;
    eprintln!(
        "added profile `{}` to {}; try it with: conn test {}",
        a.name,
        path.display(),
        a.name
    );
    Ok(0)
}

/// The profile type: `--type`, or asked in a terminal.
fn profile_type(a: &AddArgs, asking: bool) -> Result<String, Error> {
    let ty = match &a.ty {
        Some(t) => t.clone(),
        None if asking => choose("type", TYPES, "rest")?,
        None => {
            return Err(Error::Usage(
                "conn add needs --type (hypatos, hypergene or rest) when not run in a terminal".into(),
            ));
        }
    };
    if !TYPES.contains(&ty.as_str()) {
        return Err(Error::Usage(format!(
            "--type {ty}: valid types are hypatos, hypergene, rest"
        )));
    }
    Ok(ty)
}

/// The auth kind: `--auth`, asked in a terminal, or the type's default; checked against
/// what the type `ty` accepts.
fn auth_kind(a: &AddArgs, ty: &str, asking: bool) -> Result<String, Error> {
    let auth = match (&a.auth, ty) {
        (Some(x), _) => x.clone(),
        (None, "rest") if asking => choose("auth", REST_AUTH, "oauth2-client-credentials")?,
        (None, "hypergene") if asking => choose("auth", &["oauth2", "basic"], "oauth2")?,
        (None, "hypergene") => "oauth2".into(),
        (None, "hypatos") => "oauth2-client-credentials".into(),
        (None, _) => "none".into(),
    };
    match ty {
        "rest" if !REST_AUTH.contains(&auth.as_str()) => Err(Error::Usage(format!(
            "--auth {auth}: valid for rest: {}",
            REST_AUTH.join(", ")
        ))),
        "hypergene" if auth != "oauth2" && auth != "basic" => Err(Error::Usage(format!(
            "--auth {auth}: valid for hypergene: oauth2, basic"
        ))),
        "hypatos" if auth != "oauth2-client-credentials" => Err(Error::Usage(
            "hypatos profiles use oauth2-client-credentials; leave out --auth".into(),
        )),
        _ => Ok(auth),
    }
}

/// The fields given on the command line: type, auth, `--set` and `--secret-env`.
fn given(a: &AddArgs, ty: &str, auth: &str) -> Result<Fields, Error> {
    let mut f = Fields(vec![("type".into(), Value::from(ty))]);
    match ty {
        "rest" if auth != "none" => f.put("auth.type", Value::from(auth)),
        "hypergene" if auth == "basic" => f.put("auth", Value::from("basic")),
        _ => {}
    }
    for s in &a.set {
        let (k, v) = split_pair("--set", s)?;
        // A reference ({ file = "…" }, { env = "…" }) is not a literal secret.
        if is_secret(k) && !a.literal_secret && !v.trim_start().starts_with('{') {
            return Err(Error::Usage(format!(
                "--set {k}=…: a secret is stored as a reference; use --secret-env {k}=VARIABLE, or --literal-secret to write it into the file"
            )));
        }
        f.put(k, parse_value(k, v)?);
    }
    for s in &a.secret_env {
        let (k, var) = split_pair("--secret-env", s)?;
        f.put(k, env_ref(var.trim()));
    }
    Ok(f)
}

/// The required fields not given: asked in a terminal, otherwise named with the flags
/// that give them.
fn ask_missing(a: &AddArgs, ty: &str, auth: &str, asking: bool, f: &mut Fields) -> Result<(), Error> {
    let need = secretless(required(ty, auth), f);
    let missing: Vec<&str> = need.iter().copied().filter(|k| !f.has(k)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !asking {
        let flags: Vec<String> = missing
            .iter()
            .map(|k| {
                if k.ends_with("private_key") {
                    format!("--set '{k}={{ file = \"PATH\" }}'")
                } else if is_secret(k) {
                    format!("--secret-env {k}=VARIABLE")
                } else {
                    format!("--set {k}=…")
                }
            })
            .collect();
        return Err(Error::Usage(format!(
            "a {ty} profile with auth {auth} needs: {} (not run in a terminal, so nothing is asked)",
            flags.join(" ")
        )));
    }
    for k in missing {
        let v = if k.ends_with("private_key") {
            file::ask(&format!("{k}: path of the PEM key file (PKCS#8, PKCS#1 or SEC1): ")).map(|x| file_ref(&x))
        } else if k.ends_with("client_certificate") {
            file::ask(&format!("{k}: path of the PEM certificate uploaded to the app: "))
                .map(|x| Value::from(x.as_str()))
        } else if is_secret(k) && a.literal_secret {
            file::ask_hidden(&format!("{k} (not shown): ")).map(Value::from)
        } else if is_secret(k) {
            let def = suggested_var(&a.name, k);
            file::ask(&format!("{k}: environment variable that holds it [{def}]: "))
                .map(|x| env_ref(if x.is_empty() { &def } else { &x }))
        } else {
            file::ask(&format!("{k}: ")).map(|x| Value::from(x.as_str()))
        };
        f.put(k, v.ok_or_else(|| Error::Usage("no answer given".into()))?);
    }
    Ok(())
}

/// Put the profile into `[profiles.NAME]` (and `[profiles.NAME.auth]` for nested keys).
fn insert(doc: &mut toml_edit::DocumentMut, name: &str, f: Fields) {
    let root = doc.as_table_mut();
    if !root.contains_key("profiles") {
        let mut t = Table::new();
        t.set_implicit(true);
        root.insert("profiles", Item::Table(t));
    }
    let mut prof = Table::new();
    // A blank line before the new table when the file already has content.
    if !doc.to_string().trim().is_empty() {
        prof.decor_mut().set_prefix("\n");
    }
    for (k, v) in f.0 {
        let parts: Vec<&str> = k.split('.').collect();
        let mut t = &mut prof;
        for p in &parts[..parts.len() - 1] {
            let entry = t.entry(p).or_insert_with(|| Item::Table(Table::new()));
            if !entry.is_table() {
                *entry = Item::Table(Table::new());
            }
            t = entry.as_table_mut().expect("a table");
        }
        t.insert(parts[parts.len() - 1], value(v));
    }
    if let Some(Item::Table(profiles)) = doc.get_mut("profiles") {
        profiles.insert(name, Item::Table(prof));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_names() {
        assert!(parse_value("auth.redirect_port", "8080").unwrap().is_integer());
        assert!(parse_value("client_id", "8080").unwrap().is_str());
        assert!(parse_value("probe", "false").unwrap().is_bool());
        assert!(parse_value("tags", "[\"a\"]").unwrap().is_array());
        assert_eq!(
            suggested_var("billing-eu", "auth.client_secret"),
            "BILLING_EU_CLIENT_SECRET"
        );
        assert!(is_secret("auth.client_secret") && !is_secret("auth.client_id"));
    }
}
