//! `conn show PROFILE[@ENV]`: the profile as it will be used. Secrets appear only as their
//! source; no secret command is run.

use crate::check::plain_http_refusal;
use crate::cli::{Global, ShowArgs};
use crate::config::{Auth, KeyIn, Probe, Profile, Vendor, shown};
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

/// The lines of `conn show`.
pub fn lines(p: &Profile) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, val: String| v.push((k.to_string(), val));
    add("type", p.ty.as_str().into());
    add("auth", p.auth.kind().into());
    if let Some(d) = &p.description {
        add("description", d.clone());
    }
    if !p.tags.is_empty() {
        add("tags", p.tags.join(", "));
    }
    if !p.environments.is_empty() {
        add("environments", p.environments.join(", "));
    }
    if let Vendor::Hypergene { portfolio_id, entra } = &p.vendor {
        add("portfolio_id", portfolio_id.clone());
        if let Some(e) = entra {
            add("tenant", e.tenant.clone());
            if let Some(u) = e.discovery_url() {
                add("tenant check", shown(&u));
            }
        }
    }
    add("API base", shown(&p.api_base));
    match &p.auth {
        Auth::None => {}
        Auth::Basic { username, password } => {
            add("username", id(username));
            add("password", value(password));
        }
        Auth::ApiKey { key, name, location } => {
            add("key", value(key));
            add(
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
        Auth::ClientCredentials(c) | Auth::Password { client: c, .. } | Auth::Interactive { client: c, .. } => {
            let discovered =
                matches!(&p.auth, Auth::Interactive { flow, .. } if flow.issuer.as_ref() == Some(&c.token_url));
            if let Auth::Interactive { flow, .. } = &p.auth {
                if let Some(i) = &flow.issuer {
                    add("issuer", shown(i));
                }
                match &flow.authorization_url {
                    Some(a) => add("authorization URL", shown(a)),
                    None => add("authorization URL", "from discovery".into()),
                }
            }
            add(
                "token URL",
                if discovered {
                    "from discovery".into()
                } else {
                    shown(&c.token_url)
                },
            );
            add("client_id", id(&c.client_id));
            add(
                "client_secret",
                c.client_secret
                    .as_ref()
                    .map_or_else(|| "none (public client)".into(), value),
            );
            add("client_auth", c.client_auth.as_str().into());
            add(
                "scopes",
                if c.scopes.is_empty() {
                    "none sent".into()
                } else {
                    c.scopes.join(" ")
                },
            );
            for (k, val) in &c.token_params {
                add(&format!("token_params.{k}"), val.clone());
            }
            if let Auth::Password { username, password, .. } = &p.auth {
                add("username", id(username));
                add("password", value(password));
            }
            if let Auth::Interactive { flow, .. } = &p.auth {
                let port = flow
                    .redirect_port
                    .map_or("{any free port}".to_string(), |x| x.to_string());
                add(
                    "redirect URI",
                    format!("http://127.0.0.1:{port}/callback  (register this at the provider)"),
                );
                add("PKCE", if flow.pkce { "S256".into() } else { "off".into() });
                if let Some(h) = &flow.login_hint {
                    add("login_hint", h.clone());
                }
                for (k, val) in &flow.extra_params {
                    add(&format!("extra_params.{k}"), val.clone());
                }
                if flow.private_session {
                    add(
                        "private_session",
                        "yes: every sign-in asks for the account again (login added to prompt); its tokens are stored and used like any login's".into(),
                    );
                }
            }
        }
    }
    let probe = match &p.probe {
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
    };
    add("probe", probe);
    let n = &p.net;
    add(
        "timeouts",
        format!(
            "{} total, {} to connect",
            humantime::format_duration(n.timeout),
            humantime::format_duration(n.connect_timeout)
        ),
    );
    if let Some(c) = &n.ca_file {
        add("ca_file", c.display().to_string());
    }
    if let Some(c) = &n.client_cert {
        add("client_cert", c.display().to_string());
    }
    if let Some(x) = &n.proxy {
        add("proxy", shown(x));
    }
    if n.insecure_tls {
        add("insecure_tls", "true: certificates are NOT checked".into());
    }
    if n.allow_insecure_http {
        add("allow_insecure_http", "true".into());
    }
    if let Some(f) = plain_http_refusal(p) {
        add("problem", f.summary());
    }
    if let Some(h) = crate::oauth::diagnose::guid_hint(p.auth.oauth().map(|c| c.scopes.as_slice()).unwrap_or(&[])) {
        add("note", h);
    }
    v
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
