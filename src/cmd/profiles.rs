//! `conn profiles`: one line per profile. Reads no secret and runs no secret command.

use crate::cli::Global;
use crate::error::Error;

/// List the profiles with type, auth kind, API base and environments.
pub fn run(g: &Global) -> Result<u8, Error> {
    let cfg = super::load(g)?;
    let mut rows = vec![[
        "PROFILE".to_string(),
        "TYPE".into(),
        "AUTH".into(),
        "API BASE".into(),
        "ENVIRONMENTS".into(),
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
            ]),
        }
    }
    if rows.len() == 1 {
        crate::term::warn(&format!("{} defines no profiles", cfg.path.display()));
        return Ok(0);
    }
    let widths: Vec<usize> = (0..5)
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
