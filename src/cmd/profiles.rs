//! `conn profiles`: one line per profile. Reads no secret and runs no secret command.

use crate::cli::Global;
use crate::error::Error;

/// List the profiles with type, auth kind, API base and environments.
pub fn run(g: &Global) -> Result<u8, Error> {
    let cfg = super::load(g)?;
    let store = crate::store::Store::open().ok();
    let mut rows = vec![[
        "PROFILE".to_string(),
        "TYPE".into(),
        "AUTH".into(),
        "API BASE".into(),
        "ENVIRONMENTS".into(),
        "TOKEN".into(),
    ]];
    for name in cfg.names() {
        let envs = cfg.environments(name).join(",");
        let envs = if envs.is_empty() { "-".to_string() } else { envs };
        match cfg.profile_lenient(name, None) {
            (Some(p), _) => rows.push([
                name.to_string(),
                p.ty.as_str().into(),
                p.auth.kind().into(),
                crate::config::shown(&p.api_base),
                envs,
                token_state(&p, store.as_ref()),
            ]),
            (None, problems) => rows.push([
                name.to_string(),
                "?".into(),
                "?".into(),
                format!(
                    "invalid: {} problem{} (conn validate)",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                ),
                envs,
                "-".into(),
            ]),
        }
    }
    if rows.len() == 1 {
        crate::term::warn(&format!("{} defines no profiles", cfg.path.display()));
        return Ok(0);
    }
    // Every cell may hold text from the file: no escape reaches the terminal.
    for r in rows.iter_mut() {
        for c in r.iter_mut() {
            *c = crate::finding::safe(c);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    super::print(&out)?;
    Ok(0)
}

/// `none`, `valid 42m`, `expired`; for interactive profiles also `refreshable` and
/// `login required`. Read from the store without resolving any secret.
pub fn token_state(p: &crate::config::Profile, store: Option<&crate::store::Store>) -> String {
    use crate::config::Auth;
    let interactive = matches!(p.auth, Auth::Interactive { .. });
    if p.auth.oauth().is_none() {
        return "-".into();
    }
    let entry = store.and_then(|s| s.read_for(&crate::store::key(p), p, None));
    let now = crate::clock::now_secs();
    match entry {
        None if interactive => "login required".into(),
        None => "none".into(),
        Some(e) => match e.ttl(now) {
            Some(t) if t > 0 => {
                let mins = t / 60;
                let left = if mins >= 120 {
                    format!("{}h", mins / 60)
                } else if mins >= 1 {
                    format!("{mins}m")
                } else {
                    format!("{t}s")
                };
                format!("valid {left}")
            }
            _ if e.refresh_token.is_some() => "expired, refreshable".into(),
            _ if interactive => "login required".into(),
            _ => "expired".into(),
        },
    }
}
