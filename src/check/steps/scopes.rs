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
            let (missing, unechoed) = not_granted_split(requested, g);
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
            if !unechoed.is_empty() {
                detail.push(format!(
                    "not listed, as providers do for OpenID Connect scopes: {}",
                    unechoed.join(" ")
                ));
            }
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

/// OpenID Connect scopes (OpenID Connect Core 1.0 §5.4 and §11): they ask for an ID token,
/// claims or a refresh token, not for access, and providers leave them out of `scope` (Entra
/// never lists `offline_access`; many drop them all on a refresh). Not listing them is no
/// permission failure.
const OIDC_SCOPES: [&str; 6] = ["openid", "offline_access", "profile", "email", "address", "phone"];

/// The requested scopes not granted: (those that are missing, the OpenID Connect ones only
/// left unlisted).
fn not_granted_split(requested: &[String], granted: &[String]) -> (Vec<String>, Vec<String>) {
    requested
        .iter()
        .filter(|r| !granted.contains(r))
        .cloned()
        .partition(|r| !OIDC_SCOPES.contains(&r.as_str()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn openid_connect_scopes_left_unlisted_are_not_missing() {
        let cases = [
            (
                "openid offline_access api.read",
                "api.read",
                "",
                "openid offline_access",
            ),
            (
                "openid profile email address phone",
                "",
                "",
                "openid profile email address phone",
            ),
            ("openid api.read api.write", "openid api.read", "api.write", ""),
            ("api.read", "api.read", "", ""),
            ("OpenID api.read", "api.read", "OpenID", ""),
        ];
        for (requested, granted, missing, unechoed) in cases {
            assert_eq!(
                not_granted_split(&v(requested), &v(granted)),
                (v(missing), v(unechoed)),
                "{requested} / {granted}"
            );
        }
    }
}
