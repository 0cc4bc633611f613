//! The dns, connect and tls steps, over every origin the test will talk to (each checked
//! once per run, see [`crate::net::preflight`]).

use super::Ctx;
use super::config::Setup;
use crate::check::CERT_WARN_DAYS;
use crate::check::run::Stop;
use crate::exit::Category;
use crate::failure::Warning;
use crate::net::preflight::{Origin, OriginCheck};
use crate::report::StepName;

/// Pre-flight every planned origin, then record dns, connect and tls.
pub async fn run(cx: &mut Ctx<'_>, setup: &Setup) -> Result<(), Stop> {
    let mut seen: Vec<Origin> = Vec::new();
    let mut checks = Vec::new();
    for u in &cx.plan.origins {
        let Some(o) = Origin::of(u) else { continue };
        if seen.contains(&o) {
            continue;
        }
        seen.push(o.clone());
        let route = cx.http.route(u, &cx.net);
        checks.push(cx.http.preflights.check(&o, &cx.net, &setup.client.tls, &route).await);
    }
    let checks: Vec<&OriginCheck> = checks.iter().map(|c| c.as_ref()).collect();
    for c in &checks {
        if let Some(Ok(facts)) = c.tls.as_ref().map(|t| &t.value)
            && facts.http2
        {
            setup.client.speaks_h2(&c.origin);
        }
    }
    dns(cx, &checks)?;
    connect(cx, &checks)?;
    tls(cx, &checks)?;
    cx.rec.drop_steps(&[StepName::Dns, StepName::Connect, StepName::Tls]);
    Ok(())
}

fn dns(cx: &mut Ctx<'_>, checks: &[&OriginCheck]) -> Result<(), Stop> {
    let ms = checks.iter().map(|c| c.dns.ms).sum();
    if let Some(f) = checks.iter().find_map(|c| c.dns.value.as_ref().err()) {
        cx.rec.fail(StepName::Dns, ms, f.clone());
        return Err(Stop);
    }
    let details: Vec<String> = checks
        .iter()
        .filter_map(|c| c.dns.value.as_ref().ok().cloned())
        .collect();
    cx.rec.pass(StepName::Dns, ms, details.join("; "));
    Ok(())
}

fn connect(cx: &mut Ctx<'_>, checks: &[&OriginCheck]) -> Result<(), Stop> {
    let ms = checks.iter().filter_map(|c| c.connect.as_ref().map(|x| x.ms)).sum();
    if let Some(f) = checks
        .iter()
        .find_map(|c| c.connect.as_ref().and_then(|x| x.value.as_ref().err()))
    {
        cx.rec.fail(StepName::Connect, ms, f.clone());
        return Err(Stop);
    }
    // Plain http is HTTP/1.1 (no HTTP/2 without TLS); over TLS the tls step says which.
    let details: Vec<String> = checks
        .iter()
        .filter_map(|c| {
            let d = c.connect.as_ref()?.value.as_ref().ok()?;
            Some(if c.origin.https {
                d.clone()
            } else {
                format!("{d}, HTTP/1.1")
            })
        })
        .collect();
    cx.rec.pass(StepName::Connect, ms, details.join("; "));
    Ok(())
}

/// Recorded only when some origin speaks TLS.
fn tls(cx: &mut Ctx<'_>, checks: &[&OriginCheck]) -> Result<(), Stop> {
    let tls_checks: Vec<_> = checks.iter().filter_map(|c| c.tls.as_ref().map(|t| (c, t))).collect();
    let proxied_https = checks.iter().any(|c| c.origin.https && c.proxy.is_some());
    if tls_checks.is_empty() && !proxied_https {
        return Ok(());
    }
    let ms = tls_checks.iter().map(|(_, t)| t.ms).sum();
    if let Some(f) = tls_checks.iter().find_map(|(_, t)| t.value.as_ref().err()) {
        cx.rec.fail(StepName::Tls, ms, f.clone());
        return Err(Stop);
    }
    let mut details = Vec::new();
    for (c, t) in &tls_checks {
        let Ok(facts) = &t.value else { continue };
        let mut d = facts.version.clone();
        if let Some(days) = facts.days_left() {
            d.push_str(&format!(", certificate valid {days} more days"));
            if days < CERT_WARN_DAYS {
                cx.rec.warn(Warning::new(
                    "certificate_expires_soon",
                    Category::Tls,
                    format!("the certificate of {} expires in {days} days", c.origin.host),
                ));
            }
        }
        d.push_str(", ");
        d.push_str(facts.protocol());
        if tls_checks.len() > 1 {
            d = format!("{}: {d}", c.origin.host);
        }
        details.push(d);
    }
    if proxied_https {
        details.push(if tls_checks.is_empty() {
            "through the proxy: checked by the requests themselves".into()
        } else {
            "through the proxy's tunnel".into()
        });
    }
    cx.rec.pass(StepName::Tls, ms, details.join("; "));
    Ok(())
}
