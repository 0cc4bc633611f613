//! The refresh step of an interactive profile: its stored login refreshed by
//! [`crate::session`] under the store's lock, told as the step's detail.

use std::time::Duration;

use crate::config::Profile;
use crate::exit::Category;
use crate::finding::Finding;
use crate::session::{Channel, Failed, How, Session, Want};

/// Refresh a stored login under its lock, so that a rotated refresh token is never used
/// twice; the result is stored before it is used.
pub async fn refresh_login(
    store: &std::sync::Arc<crate::store::Store>,
    p: &Profile,
    creds: &crate::creds::Resolved,
    http: &reqwest::Client,
    timeout: Duration,
    trace: &(dyn Fn(String) + Sync),
) -> Result<(crate::store::Entry, String), Finding> {
    let session = Session::new(Some(store.clone()), p, creds);
    let via = Channel {
        http,
        timeout,
        retry_for: None,
        trace,
    };
    let r = match session
        .renew(Want::Refreshed, timeout + Duration::from_secs(10), &via)
        .await
    {
        Ok(r) => r,
        Err(Failed::Lock(e)) => return Err(Finding::plain("store_lock_failed", Category::Config, e.0)),
        Err(Failed::NoLogin) => {
            return Err(
                Finding::plain("no_stored_login", Category::Interactive, "the stored login is gone")
                    .hint(format!("run: conn login {}", p.display_name())),
            );
        }
        Err(Failed::Token(f)) => return Err(f),
        Err(Failed::Write(e)) => return Err(unsaved(&e)),
    };
    if let Some(e) = &r.unsaved {
        return Err(unsaved(e));
    }
    let detail = match r.how {
        How::Refreshed { rotated: true } => "refreshed the stored login (refresh token rotated and stored)".into(),
        How::Refreshed { rotated: false } => "refreshed the stored login (the provider kept the refresh token)".into(),
        How::Unrefreshable | How::Reused | How::Obtained => {
            let left = r.entry.ttl(crate::clock::now_secs()).unwrap_or(0);
            format!("no refresh token stored; using the stored access token ({left}s left)")
        }
    };
    Ok((r.entry, detail))
}

fn unsaved(e: &crate::store::StoreError) -> Finding {
    Finding::plain(
        "store_write_failed",
        Category::Config,
        format!("the refreshed login could not be stored: {e}"),
    )
}
