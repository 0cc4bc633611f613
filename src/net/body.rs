//! Reading response bodies with a byte cap, so a hostile server cannot exhaust memory.

/// Largest token, discovery or error body accepted.
pub const MAX_BODY: usize = 1024 * 1024;

/// A body read up to a cap.
pub struct Body {
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// Whether more was sent than the cap.
    pub truncated: bool,
}

/// Read at most `cap` bytes of the body; stop (and say so) past it.
pub async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Body, reqwest::Error> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Ok(Body {
            bytes: Vec::new(),
            truncated: true,
        });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if bytes.len() + chunk.len() > cap {
            let room = cap - bytes.len();
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Body { bytes, truncated: true });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        truncated: false,
    })
}
