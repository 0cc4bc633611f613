//! The refresh of an interactive profile's stored login, under the store's lock.

use std::time::Duration;

use crate::config::Profile;
use crate::exit::Category;
use crate::finding::Finding;

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
    let key = crate::store::key(p);
    let (st, k) = (store.clone(), key.clone());
    let wait = timeout + Duration::from_secs(10);
    let _lock = tokio::task::spawn_blocking(move || st.lock(&k, wait))
        .await
        .map_err(|_| Finding::internal("locking the token store failed"))?
        .map_err(|e| Finding::plain("store_lock_failed", Category::Config, e.0))?;
    let old = store.read_for(&key, p, Some(&creds.fingerprint())).ok_or_else(|| {
        Finding::plain("no_stored_login", Category::Interactive, "the stored login is gone")
            .hint(format!("run: conn login {}", p.display_name()))
    })?;
    if old.refresh_token.is_none() {
        let left = old.ttl(crate::clock::now_secs()).unwrap_or(0);
        return Ok((
            old,
            format!("no refresh token stored; using the stored access token ({left}s left)"),
        ));
    }
    match crate::login::refresh(http, p, creds, &old, timeout, trace).await {
        Ok((e, rotated)) => {
            store.write(&key, &e).map_err(|err| {
                Finding::plain(
                    "store_write_failed",
                    Category::Config,
                    format!("the refreshed login could not be stored: {err}"),
                )
            })?;
            let how = if rotated {
                "refresh token rotated and stored"
            } else {
                "the provider kept the refresh token"
            };
            Ok((e, format!("refreshed the stored login ({how})")))
        }
        Err(f) => {
            if f.category() == Category::Interactive {
                store.remove(&key);
            }
            Err(f)
        }
    }
}
