//! The probe step: one read-only API call with the profile's credentials, or the reason
//! there is none.

use super::config::Setup;
use super::{Authed, Ctx};
use crate::check::probe::{self, Credential};
use crate::check::run::Stop;
use crate::config::Auth;
use crate::report::StepName;

/// Call the API; the pass summary of the whole test on success.
pub async fn run(cx: &mut Ctx<'_>, setup: &Setup, a: Authed) -> Result<String, Stop> {
    let p = cx.p;
    let oauth = p.auth.oauth();
    let granted = a.granted.as_deref().or(oauth.map(|c| c.scopes.as_slice()));
    let req = match probe::choose(p, granted, cx.opts.no_probe) {
        Err(reason) => {
            cx.rec.drop_steps(&[StepName::Probe]);
            return Ok(match oauth {
                Some(_) => format!("token obtained; {reason}"),
                None => format!("connection works; {reason}"),
            });
        }
        Ok(req) => req,
    };
    let creds = &setup.creds;
    let cred = match (&p.auth, a.bearer) {
        (_, Some(t)) => Credential::Bearer(t),
        (Auth::Basic { .. }, None) => match &creds.password {
            Some(pw) => Credential::Basic(creds.username.clone().unwrap_or_default(), pw.clone()),
            None => Credential::None,
        },
        (Auth::ApiKey { name, location, .. }, None) => match &creds.key {
            Some(key) => Credential::ApiKey {
                name: name.clone(),
                key: key.clone(),
                location: *location,
            },
            None => Credential::None,
        },
        (Auth::None | Auth::ClientCredentials(_) | Auth::Password { .. } | Auth::Interactive { .. }, None) => {
            Credential::None
        }
    };
    let ctx = probe::Context {
        profile: p,
        granted,
        claims: a.claims.as_ref(),
    };
    let o = probe::run(
        setup.client.for_url(&req.url),
        &req,
        &cred,
        cx.net.timeout,
        &ctx,
        &*cx.trace,
    )
    .await;
    let label = format!("{} {}", req.method, o.url);
    for w in o.warnings {
        cx.rec.warn(w);
    }
    match o.failure {
        Some(f) => {
            let s = cx.rec.fail(StepName::Probe, o.ms, f);
            s.http_status = o.status;
            s.url = Some(o.url);
            cx.rec.server_error = o.server_error;
            Err(Stop)
        }
        None => {
            let s = cx.rec.pass(StepName::Probe, o.ms, o.detail);
            s.http_status = o.status;
            s.url = Some(o.url);
            Ok(match oauth {
                Some(_) => format!("token obtained and {label} answered {}", o.status.unwrap_or(0)),
                None => format!("{label} answered {}", o.status.unwrap_or(0)),
            })
        }
    }
}
