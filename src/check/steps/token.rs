//! The token step (or, for an interactive profile, the refresh of its stored login): a
//! token obtained, described, and the warnings its answer earns.

use std::time::{Duration, Instant};

use super::config::Setup;
use super::{Authed, Ctx, ms};
use crate::check::run::{Record, Stop};
use crate::check::{MAX_SKEW_SECS, Obtained, refresh};
use crate::config::{OAuthClient, shown};
use crate::creds::ClientAssertion;
use crate::exit::Category;
use crate::failure::{Failure, Warning};
use crate::oauth::obtain;
use crate::oauth::token::Token;
use crate::report::{StepName, TokenInfo};

/// Obtain (or refresh) the token of an OAuth profile; nothing for the others.
pub async fn run(cx: &mut Ctx<'_>, setup: &Setup) -> Result<Authed, Stop> {
    let Some(c) = cx.p.auth.oauth() else {
        return Ok(Authed::default());
    };
    if cx.plan.interactive {
        refreshed(cx, setup, c).await
    } else {
        obtained(cx, setup, c).await
    }
}

async fn refreshed(cx: &mut Ctx<'_>, setup: &Setup, c: &OAuthClient) -> Result<Authed, Stop> {
    let t = Instant::now();
    let r = match &cx.opts.store {
        Some(store) => {
            refresh::refresh_login(
                store,
                cx.p,
                &setup.creds,
                &setup.client.http,
                cx.net.timeout,
                &*cx.trace,
            )
            .await
        }
        None => Err(Failure::plain(
            "no_stored_login",
            Category::Interactive,
            "the stored login is gone",
        )),
    };
    match r {
        Ok((e, detail)) => {
            let s = cx.rec.pass(StepName::Refresh, ms(t), detail);
            s.url = e.token_url.clone();
            let token = crate::session::entry::token(&e, crate::clock::now_secs());
            let info = token_info(&token, c);
            let authed = Authed {
                claims: info.claims.clone(),
                granted: token.scope.clone(),
                bearer: Some(token.access_token),
            };
            cx.rec.token = Some(info);
            Ok(authed)
        }
        Err(f) => {
            cx.rec.fail(StepName::Refresh, ms(t), f);
            Err(Stop)
        }
    }
}

async fn obtained(cx: &mut Ctx<'_>, setup: &Setup, c: &OAuthClient) -> Result<Authed, Stop> {
    let got = obtain::obtain(
        setup.client.for_url(&c.token_url),
        cx.p,
        c,
        &setup.creds,
        cx.net.timeout,
        None,
        &*cx.trace,
    )
    .await;
    let g = match got {
        Ok(g) => g,
        Err(f) => {
            let s = cx.rec.fail(StepName::Token, f.ms, f.finding);
            s.http_status = f.status;
            s.url = Some(shown(&c.token_url));
            // What the server was shown, to compare with what is registered on the app.
            s.detail = setup.creds.assertion.as_ref().map(ClientAssertion::describe);
            cx.rec.server_error = f.server_error;
            return Err(Stop);
        }
    };
    if let Some(d) = g.server_date {
        skew(
            &mut cx.rec,
            d.saturating_sub(g.received_at),
            "the token endpoint's clock",
        );
    }
    let info = token_info(&g.token, c);
    if let Some(iat) = info.claims.as_ref().and_then(|m| m.get("iat")).and_then(|v| v.as_i64()) {
        skew(
            &mut cx.rec,
            iat.saturating_sub(g.received_at),
            "the token's issue time (iat)",
        );
    }
    for r in &g.token.remarks {
        cx.rec.warn(Warning::new("token_answer", Category::Endpoint, r.clone()));
    }
    let life = g
        .token
        .expires_in
        .map(|s| format!(", expires in {}", humantime::format_duration(Duration::from_secs(s))))
        .unwrap_or_default();
    let s = cx.rec.pass(
        StepName::Token,
        g.ms,
        format!(
            "{} token{life} ({}, {} characters){}",
            info.token_type,
            info.fingerprint,
            info.length,
            setup
                .creds
                .assertion
                .as_ref()
                .map(|a| format!("; {}", a.describe()))
                .unwrap_or_default()
        ),
    );
    s.http_status = g.status;
    s.url = Some(shown(&c.token_url));
    let authed = Authed {
        claims: info.claims.clone(),
        granted: g.token.scope.clone(),
        bearer: Some(g.token.access_token.clone()),
    };
    cx.rec.token = Some(info);
    cx.obtained = Some(Obtained {
        token: g.token,
        received_at: g.received_at,
        credentials: setup.creds.fingerprint(),
    });
    Ok(authed)
}

/// Warn when this machine's clock differs from `against` by more than [`MAX_SKEW_SECS`].
pub fn skew(rec: &mut Record, diff: i64, against: &str) {
    // A difference of more than ten years is an implausible date or claim, not a clock.
    let n = diff.unsigned_abs();
    if n > MAX_SKEW_SECS.unsigned_abs() && n <= crate::expiry::MAX_AHEAD.unsigned_abs() {
        let dir = if diff > 0 { "behind" } else { "ahead of" };
        rec.warn(Warning::new(
            "clock_skew",
            Category::Authentication,
            format!(
                "this machine's clock is {} {dir} {against}: tokens may be refused as expired or not yet valid; synchronise the clock (NTP)",
                humantime::format_duration(Duration::from_secs(n))
            ),
        ));
    }
}

fn token_info(t: &Token, c: &OAuthClient) -> TokenInfo {
    TokenInfo {
        token_type: t.token_type.clone(),
        fingerprint: t.access_token.fingerprint(),
        length: t.access_token.expose().chars().count(),
        expires_in: t.expires_in,
        scopes_requested: c.scopes.clone(),
        scopes_granted: t.scope.clone(),
        claims: crate::oauth::jwt::claims(t.access_token.expose()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_warns_past_two_minutes() {
        let mut r = Record::new();
        skew(&mut r, 119, "x");
        assert!(r.warnings.is_empty());
        skew(&mut r, -600, "x");
        assert!(r.warnings[0].message.contains("10m ahead of x"), "{:?}", r.warnings);
    }
}
