//! The scopes step: what was requested against what the server granted, and the token's
//! roles and `scp`.

use super::{Authed, Ctx};
use crate::check::run::Stop;
use crate::config::Vendor;
use crate::exit::Category;
use crate::failure::Failure;
use crate::oauth::jwt;
use crate::report::StepName;

/// Compare requested and granted scopes of an OAuth profile.
pub fn run(cx: &mut Ctx<'_>, a: &Authed) -> Result<(), Stop> {
    let Some(c) = cx.p.auth.oauth() else {
        return Ok(());
    };
    let p = cx.p;
    let requested = &c.scopes;
    let mut detail = Vec::new();
    let roles = a.claims.as_ref().map(|m| jwt::strings(m, "roles")).unwrap_or_default();
    let scp = a.claims.as_ref().map(|m| jwt::strings(m, "scp")).unwrap_or_default();
    match &a.granted {
        Some(g) => {
            let missing: Vec<String> = requested.iter().filter(|r| !g.contains(r)).cloned().collect();
            if !missing.is_empty() && !requested.iter().all(|r| r.ends_with("/.default")) {
                cx.rec.fail(
                    StepName::Scopes,
                    0,
                    not_granted(&missing, g, matches!(p.vendor, Vendor::Hypatos)),
                );
                return Err(Stop);
            }
            detail.push(format!(
                "granted: {}",
                if g.is_empty() { "none".to_string() } else { g.join(" ") }
            ));
        }
        None if requested.is_empty() => detail.push("none requested; the server did not list any".into()),
        None => detail.push(format!(
            "requested: {}; the server did not list what it granted",
            requested.join(" ")
        )),
    }
    if !roles.is_empty() {
        detail.push(format!("roles: {}", roles.join(" ")));
    }
    if !scp.is_empty() {
        detail.push(format!("scp: {}", scp.join(" ")));
    }
    if matches!(p.vendor, Vendor::Hypergene { .. }) && a.claims.is_some() && roles.is_empty() {
        detail.push("the token carries no roles".into());
        cx.rec.notes.push("the Entra token carries no roles claim: if the Portfolios API refuses it, the app lacks an app role on the API or admin consent".into());
    }
    cx.rec.pass(StepName::Scopes, 0, detail.join("; "));
    Ok(())
}

fn not_granted(names: &[String], granted: &[String], hypatos: bool) -> Failure {
    Failure::plain(
        "scope_not_granted",
        Category::Permission,
        format!(
            "requested scope{} not granted: {} (granted: {})",
            if names.len() == 1 { "" } else { "s" },
            names.join(" "),
            if granted.is_empty() {
                "none".into()
            } else {
                granted.join(" ")
            }
        ),
    )
    .hint(if hypatos {
        format!(
            "assign {} to the API service account in Hypatos Studio, or remove it from scope",
            names.join(" ")
        )
    } else {
        format!(
            "assign {} to this client at the authorization server, or stop requesting it",
            names.join(" ")
        )
    })
}
