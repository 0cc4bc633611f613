//! A server on 127.0.0.1 that replays one answer of the corpus (`tests/corpus`): its status,
//! headers and body exactly as captured, to every request for its endpoint. A token
//! answer is replayed at `/token`; an API answer at every other path, with a good token at
//! `/token`. Only the framing headers (`Content-Length`, `Connection`, `Transfer-Encoding`)
//! are the server's own, so that the replayed body is read whole.

use super::hostile::token_body;
use super::servers::{self, Raw, raw, read_request, respond};

/// Headers that frame the message on this connection, never replayed.
const FRAMING: &[&str] = &["content-length", "connection", "transfer-encoding"];

/// Serve `entry` (an `[[answer]]` table) on a fresh port.
pub fn serve(entry: &toml::Table) -> Raw {
    let status = entry["status"].as_integer().expect("status") as u16;
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Answer");
    let line = format!("{status} {reason}");
    let headers: Vec<(String, String)> = entry["headers"]
        .as_table()
        .expect("headers")
        .iter()
        .filter(|(k, _)| !FRAMING.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| (k.clone(), v.as_str().expect("header value").to_string()))
        .collect();
    let body = entry["body"].as_str().expect("body").as_bytes().to_vec();
    let token = entry["endpoint"].as_str() == Some("token");
    raw(move |mut s| {
        let Some(r) = read_request(&mut s) else { return };
        if r.path.split('?').next().unwrap_or("").ends_with("/token") != token {
            // The other endpoint: a good token for an API answer, nothing else is asked.
            return servers::json(&mut s, "200 OK", &token_body());
        }
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        respond(&mut s, &line, &h, &body);
    })
}
