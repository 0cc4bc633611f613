//! The discovery step: the Entra tenant pre-flight (its OpenID configuration; no secret is
//! sent).

use std::time::{Duration, Instant};

use url::Url;

use super::config::Setup;
use super::{Ctx, ms};
use crate::check::run::Stop;
use crate::config::{Auth, Vendor, shown};
use crate::exit::Category;
use crate::failure::Failure;
use crate::finding::clean;
use crate::oauth::diagnose;
use crate::oauth::server_error::ServerError;
use crate::report::StepName;

/// Check that the tenant exists, when the plan has a tenant pre-flight.
pub async fn run(cx: &mut Ctx<'_>, setup: &Setup) -> Result<(), Stop> {
    let Some((e, url)) = cx.plan.discovery.clone() else {
        return Ok(());
    };
    let t = Instant::now();
    let r = discovery(setup.client.for_url(&url), &url, cx.net.timeout, &*cx.trace).await;
    let ms = ms(t);
    match r {
        Ok(issuer) => {
            let s = cx.rec.pass(
                StepName::Discovery,
                ms,
                format!("tenant {} exists (issuer {issuer})", e.tenant),
            );
            s.url = Some(shown(&url));
            s.http_status = Some(200);
            Ok(())
        }
        Err((status, f, se)) => {
            let s = cx.rec.fail(StepName::Discovery, ms, f);
            s.url = Some(shown(&url));
            s.http_status = status;
            cx.rec.server_error = se;
            Err(Stop)
        }
    }
}

async fn discovery(
    http: &reqwest::Client,
    url: &Url,
    timeout: Duration,
    trace: &(dyn Fn(String) + Sync),
) -> Result<String, (Option<u16>, Failure, Option<ServerError>)> {
    trace(format!("> GET {}", shown(url)));
    let what = url.host_str().unwrap_or("the login host").to_string();
    let req = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    let crate::net::Answer { status, body, .. } = crate::net::fetch(req, timeout, crate::net::body::MAX_BODY, &what)
        .await
        .map_err(|f| (None, f, None))?;
    trace(format!("< {status} ({} bytes)", body.bytes.len()));
    if status == 200 {
        let v: serde_json::Value = serde_json::from_slice(&body.bytes).unwrap_or_default();
        let issuer = v
            .get("issuer")
            .and_then(|i| i.as_str())
            .map(|s| clean(s, 200))
            .unwrap_or_else(|| "not stated".into());
        return Ok(issuer);
    }
    let se = crate::oauth::server_error::parse(status, &body.bytes, &[]);
    let ctx = diagnose::Context {
        vendor: &Vendor::Rest,
        auth: &Auth::None,
        scopes: &[],
        secret_is_guid: false,
        token_url: &shown(url),
    };
    let f = if se.is_empty() {
        Failure::plain(
            "tenant_discovery_failed",
            Category::Endpoint,
            format!("the tenant's OpenID configuration answered {status}"),
        )
        .hint("check authority and tenant_id")
    } else {
        diagnose::explain(&se, &ctx)
    };
    Err((Some(status), f, (!se.is_empty()).then_some(se)))
}
