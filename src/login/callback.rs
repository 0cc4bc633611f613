//! The loopback redirect (RFC 8252 §7.3): a listener on 127.0.0.1 only, waiting for the one
//! callback that carries this login's `state`.
//!
//! A callback with a wrong or missing `state` is refused and the wait goes on (a local
//! process that guesses the port cannot end the login); `error=…` with the right state ends
//! it; with a known issuer, an `iss` that differs is refused (RFC 9207 mix-up defence). The
//! page the browser lands on loads nothing from elsewhere and shows no code or token.
//! Connections are served side by side, each with a short time and size limit, under the
//! login's own deadline: an idle local client can neither hold the login nor delay the browser.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::finding::clean;
use crate::secret::Secret;

/// Largest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

/// How long one connection has to send its request, and then to take its answer. A browser
/// sends the redirect at once; anything slower is a stray or hostile client.
const CONNECTION_LIMIT: Duration = Duration::from_secs(3);

/// Connections served at once; further ones wait in the listen queue until one ends (at most
/// [`CONNECTION_LIMIT`] later), so a flood cannot exhaust the process's descriptors.
const MAX_OPEN: usize = 64;

/// What a callback brought.
#[derive(Debug)]
pub enum Callback {
    /// The authorization code.
    Code(Secret),
    /// The provider refused (`access_denied`, …).
    Error {
        /// `error`.
        error: String,
        /// `error_description`, cleaned.
        description: Option<String>,
    },
}

/// How one request to the listener is judged.
#[derive(Debug)]
pub enum Judgement {
    /// Not the callback (another path, a favicon): 404, keep waiting.
    NotFound,
    /// A callback that is not this login's: refused, keep waiting.
    Refused(String),
    /// This login's answer.
    Accept(Callback),
}

/// Judge a request target such as `/callback?code=…&state=…`. With `issuer`, a callback
/// naming another issuer is refused; with `iss_required` (the provider advertises RFC 9207),
/// one naming none is refused too.
pub fn judge(target: &str, state: &str, issuer: Option<&str>, iss_required: bool) -> Judgement {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/callback" {
        return Judgement::NotFound;
    }
    let mut got_state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    let mut iss = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match k.as_ref() {
            "state" => &mut got_state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            "iss" => &mut iss,
            _ => continue,
        };
        if slot.is_some() {
            return Judgement::Refused("a parameter appears twice".into());
        }
        *slot = Some(v.into_owned());
    }
    match got_state {
        None => return Judgement::Refused("it carries no state".into()),
        Some(s) if !constant_time_eq(s.as_bytes(), state.as_bytes()) => {
            return Judgement::Refused("its state does not match this login".into());
        }
        Some(_) => {}
    }
    match (issuer, &iss) {
        (Some(expected), Some(got)) if got.trim_end_matches('/') != expected.trim_end_matches('/') => {
            return Judgement::Refused(format!("it comes from another issuer ({})", clean(got, 100)));
        }
        (Some(_), None) if iss_required => {
            return Judgement::Refused("it does not name its issuer, which this provider always does".into());
        }
        _ => {}
    }
    match (code, error) {
        (_, Some(e)) => Judgement::Accept(Callback::Error {
            error: clean(&e, 100),
            description: description.map(|d| clean(&d, 300)),
        }),
        (Some(c), None) if !c.is_empty() && c.len() <= 4096 => Judgement::Accept(Callback::Code(Secret::new(c))),
        _ => Judgement::Refused("it carries neither a code nor an error".into()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A bound loopback listener.
pub struct Listener {
    listener: TcpListener,
    /// The port it listens on.
    pub port: u16,
}

impl Listener {
    /// Bind 127.0.0.1 on `port` (any free port when `None`).
    pub async fn bind(port: Option<u16>) -> std::io::Result<Listener> {
        let listener = TcpListener::bind(("127.0.0.1", port.unwrap_or(0))).await?;
        let port = listener.local_addr()?.port();
        Ok(Listener { listener, port })
    }

    /// `http://127.0.0.1:{port}/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Wait for this login's callback until `deadline`, which always wins. `refused` hears of
    /// each refused one.
    ///
    /// Each connection is served on its own task with [`CONNECTION_LIMIT`] to send its request
    /// and [`MAX_HEAD`] bytes for it, so an idle or slow local client delays nobody; the first
    /// accepted callback ends the wait, and the connections still open are dropped with it.
    pub async fn wait(
        &self,
        state: &str,
        issuer: Option<&str>,
        iss_required: bool,
        deadline: Instant,
        refused: &(dyn Fn(&str) + Sync),
    ) -> Option<Callback> {
        let expected = Arc::new(Expected {
            state: state.to_string(),
            issuer: issuer.map(str::to_string),
            iss_required,
        });
        let deadline = tokio::time::Instant::from_std(deadline);
        let mut open = JoinSet::new();
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return None,
                accepted = self.listener.accept(), if open.len() < MAX_OPEN => match accepted {
                    Ok((stream, _)) => {
                        open.spawn(serve(stream, expected.clone()));
                    }
                    // Out of descriptors, or a connection reset before it was taken: try
                    // again shortly instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                Some(done) = open.join_next(), if !open.is_empty() => match done {
                    Ok(Some(Judgement::Accept(cb))) => return Some(cb),
                    Ok(Some(Judgement::Refused(why))) => refused(&why),
                    _ => {}
                },
            }
        }
    }
}

/// What this login's callback must carry.
struct Expected {
    state: String,
    issuer: Option<String>,
    iss_required: bool,
}

/// Serve one connection: read its request within [`CONNECTION_LIMIT`], judge it, answer the
/// browser. `None`: nothing usable arrived in time.
async fn serve(mut stream: TcpStream, e: Arc<Expected>) -> Option<Judgement> {
    let target = tokio::time::timeout(CONNECTION_LIMIT, read_target(&mut stream))
        .await
        .ok()??;
    let j = judge(&target, &e.state, e.issuer.as_deref(), e.iss_required);
    // A browser that does not read its answer does not keep the code from being used.
    let _ = tokio::time::timeout(CONNECTION_LIMIT, answer(&mut stream, &j)).await;
    Some(j)
}

/// The page for a judged request.
async fn answer(stream: &mut TcpStream, j: &Judgement) {
    match j {
        Judgement::NotFound => respond(stream, "404 Not Found", "Not found", "").await,
        Judgement::Refused(_) => {
            respond(
                stream,
                "400 Bad Request",
                "Not this sign-in",
                "This response does not belong to the sign-in conn is waiting for, so it was ignored.",
            )
            .await;
        }
        Judgement::Accept(Callback::Code(_)) => {
            respond(
                stream,
                "200 OK",
                "Signed in",
                "You are signed in. You can close this tab and go back to the terminal.",
            )
            .await;
        }
        Judgement::Accept(Callback::Error { error, description }) => {
            let text = format!(
                "The sign-in did not succeed: {error}{}",
                description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
            );
            respond(stream, "200 OK", "Sign-in failed", &text).await;
        }
    }
}

/// The request target of a `GET`, once its head has arrived; the caller bounds the time.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() + n > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_string)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn respond(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>conn: {t}</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>{t}</h1><p>{x}</p></body></html>",
        t = escape(title),
        x = escape(text)
    );
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judging_callbacks() {
        assert!(matches!(judge("/favicon.ico", "s", None, false), Judgement::NotFound));
        assert!(matches!(
            judge("/callback?code=c", "s", None, false),
            Judgement::Refused(_)
        ));
        assert!(matches!(
            judge("/callback?code=c&state=x", "s", None, false),
            Judgement::Refused(_)
        ));
        assert!(matches!(
            judge("/callback?code=c&state=s&state=s", "s", None, false),
            Judgement::Refused(_)
        ));
        assert!(matches!(
            judge("/callback?code=c&state=s", "s", None, false),
            Judgement::Accept(Callback::Code(_))
        ));
        assert!(matches!(
            judge(
                "/callback?code=c&state=s&iss=https%3A%2F%2Fevil",
                "s",
                Some("https://good"),
                false
            ),
            Judgement::Refused(_)
        ));
        assert!(matches!(
            judge(
                "/callback?code=c&state=s&iss=https%3A%2F%2Fgood%2F",
                "s",
                Some("https://good"),
                false
            ),
            Judgement::Accept(_)
        ));
        match judge(
            "/callback?error=access_denied&error_description=%1b%5b31mno&state=s",
            "s",
            None,
            false,
        ) {
            Judgement::Accept(Callback::Error { error, description }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("no"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            judge("/callback?state=s", "s", None, false),
            Judgement::Refused(_)
        ));
        assert!(matches!(
            judge("/callback?code=c&state=s", "s", Some("https://good"), true),
            Judgement::Refused(_)
        ));
        assert!(matches!(
            judge("/callback?code=c&state=s", "s", Some("https://good"), false),
            Judgement::Accept(_)
        ));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
    }
}

#[cfg(test)]
mod listener_tests {
    use super::*;

    #[tokio::test]
    async fn listens_on_loopback_only_and_ignores_strangers() {
        let l = Listener::bind(None).await.unwrap();
        assert!(l.listener.local_addr().unwrap().ip().is_loopback());
        assert_eq!(l.redirect_uri(), format!("http://127.0.0.1:{}/callback", l.port));
        let port = l.port;
        let client = tokio::spawn(async move {
            let send = |target: &'static str| async move {
                let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                    .await
                    .unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).await.unwrap();
                out
            };
            let favicon = send("/favicon.ico").await;
            let forged = send("/callback?code=evil&state=nope").await;
            let real = send("/callback?code=good&state=s").await;
            (favicon, forged, real)
        });
        let refused = std::sync::Mutex::new(Vec::new());
        let note = |w: &str| refused.lock().unwrap().push(w.to_string());
        let cb = l
            .wait("s", None, false, Instant::now() + Duration::from_secs(5), &note)
            .await;
        let (favicon, forged, real) = client.await.unwrap();
        assert!(matches!(cb, Some(Callback::Code(c)) if c.expose() == "good"));
        assert!(favicon.starts_with("HTTP/1.1 404"));
        assert!(forged.starts_with("HTTP/1.1 400") && !forged.contains("evil"));
        assert!(real.starts_with("HTTP/1.1 200") && !real.contains("good") && real.contains("default-src 'none'"));
        assert_eq!(refused.lock().unwrap().len(), 1);
    }
}

#[cfg(test)]
mod stall_tests {
    use super::*;

    async fn idle(port: u16, n: usize) -> Vec<TcpStream> {
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        v
    }

    #[tokio::test]
    async fn idle_connections_neither_outlast_the_deadline_nor_delay_the_callback() {
        let l = Listener::bind(None).await.unwrap();
        let port = l.port;
        let _held = idle(port, 5).await;
        let t = Instant::now();
        let none = l
            .wait("s", None, false, Instant::now() + Duration::from_millis(300), &|_| {})
            .await;
        assert!(none.is_none());
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());

        let _more = idle(port, 5).await;
        let client = tokio::spawn(async move {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            s.write_all(b"GET /callback?code=good&state=s HTTP/1.1\r\n\r\n")
                .await
                .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).await.unwrap();
            out
        });
        let t = Instant::now();
        let cb = l
            .wait("s", None, false, Instant::now() + Duration::from_secs(30), &|_| {})
            .await;
        assert!(matches!(cb, Some(Callback::Code(c)) if c.expose() == "good"));
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        assert!(client.await.unwrap().starts_with("HTTP/1.1 200"));
    }

    #[tokio::test]
    async fn an_oversized_or_endless_head_is_dropped() {
        let l = Listener::bind(None).await.unwrap();
        let port = l.port;
        let client = tokio::spawn(async move {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let junk = vec![b'a'; MAX_HEAD + 10];
            let _ = s.write_all(&junk).await;
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out).await;
            out
        });
        let cb = l
            .wait("s", None, false, Instant::now() + Duration::from_millis(500), &|_| {})
            .await;
        assert!(cb.is_none());
        assert!(client.await.unwrap().is_empty());
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any request target: no panic, and nothing is accepted without this login's state.
        #[test]
        fn never_accepts_without_the_state(target in "\\PC{0,200}", state in "[A-Za-z0-9_-]{43}") {
            if let Judgement::Accept(_) = judge(&target, &state, None, false) {
                let q = target.split_once('?').map(|x| x.1).unwrap_or("");
                let states: Vec<String> = url::form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).collect();
                prop_assert_eq!(states, vec![state.clone()]);
            }
        }

        /// Well-formed callbacks with a wrong state, or from another issuer, are refused.
        #[test]
        fn wrong_state_or_issuer_is_refused(code in "[A-Za-z0-9]{1,40}", state in "[A-Za-z0-9]{10,43}", other in "[A-Za-z0-9]{10,43}", iss in "https://[a-z]{1,10}\\.example") {
            prop_assume!(state != other);
            let target = format!("/callback?code={code}&state={other}");
            prop_assert!(matches!(judge(&target, &state, None, false), Judgement::Refused(_)));
            let target = format!("/callback?code={code}&state={state}&iss={}", url::form_urlencoded::byte_serialize(iss.as_bytes()).collect::<String>());
            let accepted = matches!(judge(&target, &state, Some("https://the-issuer.example"), true), Judgement::Accept(_));
            prop_assert_eq!(accepted, iss == "https://the-issuer.example");
        }
    }
}
