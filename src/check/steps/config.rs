//! The config step: secrets resolved, the HTTP client built, a stored login present for an
//! interactive profile, and the warnings the settings alone earn.

use std::time::Instant;

use super::{Ctx, ms};
use crate::check::plain_http_refusal;
use crate::check::run::Stop;
use crate::config::{Auth, KeyIn};
use crate::creds::cert::WARN_DAYS;
use crate::creds::{Resolved, resolve};
use crate::exit::Category;
use crate::failure::{Failure, Warning};
use crate::net::Client;
use crate::report::StepName;

/// What the later steps need from the config step.
pub struct Setup {
    /// The resolved credentials.
    pub creds: Resolved,
    /// The HTTP client for this profile.
    pub client: Client,
}

/// Resolve and build; then check for a stored login and warn about the settings.
pub async fn run(cx: &mut Ctx<'_>) -> Result<Setup, Stop> {
    let t = Instant::now();
    let setup = match resolved(cx).await {
        Ok(s) => s,
        Err(f) => {
            cx.rec.fail(StepName::Config, ms(t), f);
            return Err(Stop);
        }
    };
    let p = cx.p;
    cx.plan.read_stored(p, cx.opts, &setup.creds.fingerprint());
    if cx.plan.interactive && cx.plan.stored.is_none() {
        // Nothing to test without a stored login; no request is made, no browser opened.
        cx.rec
            .drop_steps(&[StepName::Dns, StepName::Connect, StepName::Tls, StepName::Discovery]);
        cx.rec.fail(
            StepName::Refresh,
            0,
            Failure::plain(
                "no_stored_login",
                Category::Interactive,
                format!(
                    "{} has no stored login to test: a person must sign in first",
                    p.display_name()
                ),
            )
            .hint(format!("run: conn login {}", p.display_name())),
        );
        return Err(Stop);
    }
    warn_settings(cx);
    warn_certificate(cx, &setup);
    Ok(setup)
}

/// A certificate that signs assertions and expires within [`WARN_DAYS`] days.
fn warn_certificate(cx: &mut Ctx<'_>, setup: &Setup) {
    let Some(c) = setup.creds.assertion.as_ref().and_then(|a| a.cert()) else {
        return;
    };
    let left = c.days_left(crate::clock::now_secs());
    if left < WARN_DAYS {
        cx.rec.warn(Warning::new(
            "certificate_expiring",
            Category::Authentication,
            format!(
                "the certificate that signs the client assertion ({}, SHA-1 thumbprint {}) expires on {}, in {left} days: create a new one and upload it to the app before then",
                c.subject,
                c.sha1_hex(),
                c.expiry()
            ),
        ));
    }
}

async fn resolved(cx: &Ctx<'_>) -> Result<Setup, Failure> {
    if let Some(f) = plain_http_refusal(cx.p) {
        return Err(f);
    }
    let pc = cx.p.clone();
    let creds = tokio::task::spawn_blocking(move || resolve(&pc))
        .await
        .unwrap_or_else(|_| Err(Failure::internal("resolving secrets failed")))?;
    let client = cx
        .http
        .client(&cx.net)
        .map_err(|e| Failure::plain("http_client", Category::Config, e))?;
    Ok(Setup { creds, client })
}

fn warn_settings(cx: &mut Ctx<'_>) {
    if cx.net.insecure_tls {
        cx.rec.warn(Warning::new("insecure_tls", Category::Tls, "certificate checks are off for this profile (insecure_tls = true): anyone on the network path could read the credentials"));
    }
    if matches!(cx.p.auth, Auth::Password { .. }) {
        cx.rec.warn(Warning::new(
            "password_grant",
            Category::Authentication,
            "the password grant is deprecated (RFC 9700 §2.4: it MUST NOT be used) and fails under MFA; move to client credentials or an authorization-code profile when the server allows",
        ));
    }
    if let Auth::ApiKey {
        location: KeyIn::Query, ..
    } = &cx.p.auth
    {
        cx.rec.warn(Warning::new("api_key_in_query", Category::Config, "the API key travels in the URL's query, where servers and proxies log it; prefer a header if the API accepts one"));
    }
}
