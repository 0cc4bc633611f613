//! `conn show PROFILE[@ENV]`: the profile as it will be used. Secrets appear only as their
//! source; no secret command is run.

use crate::check::plain_http_refusal;
use crate::cli::{Global, ShowArgs};
use crate::config::{Auth, Interactive, KeyIn, Net, OAuthClient, Probe, Profile, Vendor, shown};
use crate::error::Error;
use crate::secret::Source;

fn value(s: &Source) -> String {
    // client_id and username are not secrets: a literal one is shown as written.
    s.describe()
}

fn id(s: &Source) -> String {
    match s {
        Source::Literal(v) => v.expose().to_string(),
        other => other.describe(),
    }
}

/// The rows of `conn show`, in order.
#[derive(Default)]
struct Rows(Vec<(String, String)>);

impl Rows {
    fn add(&mut self, k: &str, val: String) {
        self.0.push((k.to_string(), val));
    }
}

/// The lines of `conn show`.
pub fn lines(p: &Profile) -> Vec<(String, String)> {
    let mut r = Rows::default();
    about(p, &mut r);
    vendor(&p.vendor, &mut r);
    r.add("API base", shown(&p.api_base));
    auth(&p.auth, &mut r);
    r.add("probe", probe(p));
    net(&p.net, &mut r);
    problems(p, &mut r);
    r.0
}

/// Its type, auth kind, description, tags and environments.
fn about(p: &Profile, r: &mut Rows) {
    r.add("type", p.ty.as_str().into());
    r.add("auth", p.auth.kind().into());
    if let Some(d) = &p.description {
        r.add("description", d.clone());
    }
    if !p.tags.is_empty() {
        r.add("tags", p.tags.join(", "));
    }
    if !p.environments.is_empty() {
        r.add("environments", p.environments.join(", "));
    }
}

/// A vendor's own settings.
fn vendor(v: &Vendor, r: &mut Rows) {
    if let Vendor::Hypergene { portfolio_id, entra } = v {
        r.add("portfolio_id", portfolio_id.clone());
        if let Some(e) = entra {
            r.add("tenant", e.tenant.clone());
            if let Some(u) = e.discovery_url() {
                r.add("tenant check", shown(&u));
            }
        }
    }
}

/// The credentials, one section per auth kind.
fn auth(a: &Auth, r: &mut Rows) {
    match a {
        Auth::None => {}
        Auth::Basic { username, password } => person(username, password, r),
        Auth::ApiKey { key, name, location } => {
            r.add("key", value(key));
            r.add(
                "sent as",
                format!(
                    "{} {name}",
                    if *location == KeyIn::Header {
                        "header"
                    } else {
                        "query parameter"
                    }
                ),
            );
        }
        Auth::ClientCredentials(c) => client(c, false, r),
        Auth::Password {
            client: c,
            username,
            password,
        } => {
            client(c, false, r);
            person(username, password, r);
        }
        Auth::Interactive { client: c, flow } => {
            if let Some(i) = &flow.issuer {
                r.add("issuer", shown(i));
            }
            match &flow.authorization_url {
                Some(a) => r.add("authorization URL", shown(a)),
                None => r.add("authorization URL", "from discovery".into()),
            }
            client(c, flow.issuer.as_ref() == Some(&c.token_url), r);
            sign_in(flow, r);
        }
    }
}

/// A user name and password (Basic, or the password grant's resource owner).
fn person(username: &Source, password: &Source, r: &mut Rows) {
    r.add("username", id(username));
    r.add("password", value(password));
}

/// An OAuth client: its token URL (`discovered`: it comes from discovery), id, secret,
/// client authentication, scopes and extra token parameters.
fn client(c: &OAuthClient, discovered: bool, r: &mut Rows) {
    r.add(
        "token URL",
        if discovered {
            "from discovery".into()
        } else {
            shown(&c.token_url)
        },
    );
    r.add("client_id", id(&c.client_id));
    r.add(
        "client_secret",
        match (&c.client_secret, c.client_auth.is_assertion()) {
            (_, true) => "none (the client proves itself with an assertion)".into(),
            (Some(s), false) => value(s),
            (None, false) => "none (public client)".into(),
        },
    );
    r.add("client_auth", c.client_auth.as_str().into());
    if let Some(a) = &c.assertion {
        r.0.extend(super::show_assertion::rows(a));
    }
    r.add(
        "scopes",
        if c.scopes.is_empty() {
            "none sent".into()
        } else {
            c.scopes.join(" ")
        },
    );
    for (k, val) in &c.token_params {
        r.add(&format!("token_params.{k}"), val.clone());
    }
}

/// The browser sign-in's settings.
fn sign_in(flow: &Interactive, r: &mut Rows) {
    let port = flow
        .redirect_port
        .map_or("{any free port}".to_string(), |x| x.to_string());
    r.add(
        "redirect URI",
        format!("http://127.0.0.1:{port}/callback  (register this at the provider)"),
    );
    r.add("PKCE", if flow.pkce { "S256".into() } else { "off".into() });
    if let Some(h) = &flow.login_hint {
        r.add("login_hint", h.clone());
    }
    for (k, val) in &flow.extra_params {
        r.add(&format!("extra_params.{k}"), val.clone());
    }
    if flow.private_session {
        r.add(
            "private_session",
            "yes: every sign-in asks for the account again (login added to prompt); its tokens are stored and used like any login's".into(),
        );
    }
}

/// What the probe call will be.
fn probe(p: &Profile) -> String {
    match &p.probe {
        Probe::Off => "none (probe = false): token only".to_string(),
        Probe::Request(r) => {
            let expect = if r.expect.is_empty() {
                "any 2xx".to_string()
            } else {
                r.expect.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
            };
            format!("{} {} (expects {expect})", r.method, shown(&r.url))
        }
        Probe::Auto => match (&p.vendor, &p.auth) {
            (Vendor::Hypatos, _) => {
                "chosen from the granted scopes: documents?limit=1, projects?limit=1 or companies".into()
            }
            (Vendor::Hypergene { .. }, Auth::Basic { .. }) => format!("GET {}", shown(&p.api_base)),
            (Vendor::Hypergene { .. }, _) => {
                "none: token only (Portfolios has no documented read-only endpoint)".into()
            }
            _ => "none configured".into(),
        },
    }
}

/// Timeouts, TLS and proxy settings.
fn net(n: &Net, r: &mut Rows) {
    r.add(
        "timeouts",
        format!(
            "{} total, {} to connect",
            humantime::format_duration(n.timeout),
            humantime::format_duration(n.connect_timeout)
        ),
    );
    if let Some(c) = &n.ca_file {
        r.add("ca_file", c.display().to_string());
    }
    if let Some(c) = &n.client_cert {
        r.add("client_cert", c.display().to_string());
    }
    if let Some(x) = &n.proxy {
        r.add("proxy", shown(x));
    }
    if n.insecure_tls {
        r.add("insecure_tls", "true: certificates are NOT checked".into());
    }
    if n.allow_insecure_http {
        r.add("allow_insecure_http", "true".into());
    }
}

/// What `conn test` would refuse, and hints about the scopes.
fn problems(p: &Profile, r: &mut Rows) {
    if let Some(f) = plain_http_refusal(p) {
        r.add("problem", f.summary());
    }
    if let Some(h) = crate::oauth::diagnose::guid_hint(p.auth.oauth().map(|c| c.scopes.as_slice()).unwrap_or(&[])) {
        r.add("note", h);
    }
}

/// Print the resolved profile.
pub fn run(g: &Global, a: &ShowArgs) -> Result<u8, Error> {
    let cfg = super::load(g)?;
    let p = cfg.select(&a.profile, g.env.as_deref())?;
    if a.curl {
        super::print(&crate::curl::script(&p))?;
        return Ok(0);
    }
    // Descriptions, tags, names and values come from the file: no escape reaches the terminal.
    let rows: Vec<(String, String)> = lines(&p)
        .into_iter()
        .map(|(k, v)| (crate::finding::safe(&k), crate::finding::safe(&v)))
        .collect();
    let w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    let mut out = format!("{}\n", crate::finding::safe(&p.display_name()));
    for (k, v) in rows {
        out.push_str(&format!("  {k:<w$}  {v}\n"));
    }
    super::print(&out)?;
    Ok(0)
}
