//! A server that asserts it was called: it counts the requests it answers and keeps them, and
//! the test states how many calls it expects, at once (`assert_called`) or when the server is
//! dropped (`expect`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::servers::{Raw, Request, raw, read_request, respond};

/// What the server writes back for one request.
#[derive(Clone, Debug)]
pub struct Reply {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// `200 OK` with a JSON body.
    pub fn json(body: impl Into<String>) -> Reply {
        Reply::status("200 OK", body).header("Content-Type", "application/json")
    }

    /// This status line (`"429 Too Many Requests"`) and body, no headers yet.
    pub fn status(status: &str, body: impl Into<String>) -> Reply {
        Reply {
            status: status.to_string(),
            headers: Vec::new(),
            body: body.into().into_bytes(),
        }
    }

    /// Nothing at all: the connection is closed unanswered.
    pub fn silence() -> Reply {
        Reply::status("", "")
    }

    /// One more header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// A server on 127.0.0.1 that counts and keeps the requests it answers.
pub struct Counting {
    raw: Raw,
    calls: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Request>>>,
    expected: Option<usize>,
}

impl Counting {
    /// Counts every request; `answer(n, request)` answers the n-th (from 1).
    pub fn start(answer: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static) -> Counting {
        Counting::serving(|_| true, answer)
    }

    /// Answers every request with `200 OK` and this JSON body.
    pub fn json(body: impl Into<String>) -> Counting {
        let body = body.into();
        Counting::start(move |_, _| Reply::json(body.clone()))
    }

    /// Counts token requests (POSTs) only, `answer(n)` answering the n-th; any other request
    /// gets `200 OK` with `{}`, uncounted.
    pub fn posts(answer: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Counting {
        Counting::serving(|r| r.method == "POST", move |n, _| answer(n))
    }

    fn serving(
        counted: impl Fn(&Request) -> bool + Send + Sync + 'static,
        answer: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static,
    ) -> Counting {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
        let (c, log) = (calls.clone(), seen.clone());
        let raw = raw(move |mut s| {
            let Some(r) = read_request(&mut s) else { return };
            let reply = if counted(&r) {
                let n = c.fetch_add(1, Ordering::SeqCst) + 1;
                log.lock().unwrap().push(r.clone());
                answer(n, &r)
            } else {
                Reply::json("{}")
            };
            if !reply.status.is_empty() {
                let headers: Vec<(&str, &str)> = reply.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                respond(&mut s, &reply.status, &headers, &reply.body);
            }
        });
        Counting {
            raw,
            calls,
            seen,
            expected: None,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.raw.url()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.raw.addr
    }

    /// Counted requests so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The counted requests so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }

    /// The bodies of the counted requests, as text.
    pub fn bodies(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect()
    }

    /// Fail unless exactly `n` requests were counted.
    #[track_caller]
    pub fn assert_called(&self, n: usize) -> &Self {
        assert_eq!(self.calls(), n, "requests to {}", self.url());
        self
    }

    /// Fail the test, when this server is dropped, unless exactly `n` requests were counted.
    pub fn expect(mut self, n: usize) -> Counting {
        self.expected = Some(n);
        self
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        if let Some(n) = self.expected
            && !std::thread::panicking()
        {
            assert_eq!(self.calls(), n, "requests to {} by the end of the test", self.url());
        }
    }
}
