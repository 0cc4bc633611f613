//! Who answered a request: the API itself, or something in front of it (a forward proxy, a
//! CDN or WAF, an API gateway, a reverse proxy), read from the headers it adds and the pages
//! it serves.
//!
//! The marks are the ones real answers carry: Squid's `X-Squid-Error` and `Server: squid`,
//! Cloudflare's `cf-ray`, `Server: cloudflare` and `error code: 1020` bodies, AWS's
//! `x-amzn-errortype` / `x-amzn-requestid` / `x-amz-apigw-id` / `apigw-requestid`, Kong's
//! `Server: kong/…` and `X-Kong-*`, Azure API Management's `{statusCode, message}`, nginx's and
//! IIS's `Server` values and nginx's default error page footer.

use reqwest::header::HeaderMap;

use crate::finding::clean;

/// What answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responder {
    /// A Squid forward proxy, with its `X-Squid-Error` code.
    Squid {
        /// `ERR_ACCESS_DENIED`, `ERR_CACHE_ACCESS_DENIED`.
        error: Option<String>,
    },
    /// Cloudflare's edge, with its Ray ID and error code.
    Cloudflare {
        /// `cf-ray`.
        ray: Option<String>,
        /// `1020`, `1010`, `1015`.
        code: Option<String>,
    },
    /// AWS API Gateway, with the request id to quote to AWS.
    AwsApiGateway {
        /// `x-amzn-requestid` or `apigw-requestid`.
        request_id: Option<String>,
    },
    /// An AWS service itself (its JSON or XML error protocol).
    Aws {
        /// `x-amzn-requestid`.
        request_id: Option<String>,
    },
    /// Kong Gateway.
    Kong,
    /// Azure API Management.
    Apim,
    /// nginx (a reverse proxy in front of the API, when it serves its own page).
    Nginx,
    /// Microsoft IIS.
    Iis,
}

impl Responder {
    /// How a person calls it.
    pub fn name(&self) -> &'static str {
        match self {
            Responder::Squid { .. } => "the Squid proxy",
            Responder::Cloudflare { .. } => "Cloudflare",
            Responder::AwsApiGateway { .. } => "AWS API Gateway",
            Responder::Aws { .. } => "AWS",
            Responder::Kong => "the Kong gateway",
            Responder::Apim => "Azure API Management",
            Responder::Nginx => "nginx",
            Responder::Iis => "IIS",
        }
    }

    /// Whether it stands in front of the API rather than being it.
    pub fn in_front(&self) -> bool {
        !matches!(self, Responder::Aws { .. } | Responder::Iis)
    }

    /// The identifiers to quote when asking its owner: Ray ID, request id, proxy error.
    pub fn reference(&self) -> Option<String> {
        match self {
            Responder::Squid { error: Some(e) } => Some(format!("X-Squid-Error: {e}")),
            Responder::Cloudflare { ray: Some(r), .. } => Some(format!("Ray ID {r}")),
            Responder::AwsApiGateway { request_id: Some(r) } | Responder::Aws { request_id: Some(r) } => {
                Some(format!("request id {r}"))
            }
            _ => None,
        }
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| clean(v.trim(), 120))
        .filter(|v| !v.is_empty())
}

/// Who answered, when the answer says; `None` when nothing marks it (usually the API).
pub fn of(headers: &HeaderMap, body: &[u8]) -> Option<Responder> {
    let server = header(headers, "server").unwrap_or_default().to_ascii_lowercase();
    let via = header(headers, "via").unwrap_or_default().to_ascii_lowercase();
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let lower = text.to_ascii_lowercase();
    if let Some(error) = header(headers, "x-squid-error") {
        let code = error.split_whitespace().next().map(str::to_string);
        return Some(Responder::Squid { error: code });
    }
    if server.starts_with("squid") || via.contains("(squid") {
        return Some(Responder::Squid { error: None });
    }
    let cf_code = cloudflare_code(&text);
    let ray = header(headers, "cf-ray");
    if ray.is_some() || server == "cloudflare" || cf_code.is_some() || lower.contains("used cloudflare to restrict") {
        return Some(Responder::Cloudflare { ray, code: cf_code });
    }
    let request_id = header(headers, "x-amzn-requestid").or_else(|| header(headers, "apigw-requestid"));
    if headers.contains_key("x-amz-apigw-id") || headers.contains_key("apigw-requestid") {
        return Some(Responder::AwsApiGateway { request_id });
    }
    if headers.contains_key("x-amzn-errortype") && via.contains("cloudfront") {
        return Some(Responder::AwsApiGateway { request_id });
    }
    if request_id.is_some() || headers.contains_key("x-amzn-errortype") {
        return Some(Responder::Aws { request_id });
    }
    if server.starts_with("kong") || headers.keys().any(|k| k.as_str().starts_with("x-kong-")) {
        return Some(Responder::Kong);
    }
    if apim_body(&text) {
        return Some(Responder::Apim);
    }
    if server.starts_with("nginx") || lower.contains("<center>nginx") {
        return Some(Responder::Nginx);
    }
    if server.contains("microsoft-iis") {
        return Some(Responder::Iis);
    }
    None
}

/// Cloudflare's numbered errors: `error code: 1020` (the text body non-browsers get) or
/// `Error 1015 Ray ID: …` (the page as text).
fn cloudflare_code(text: &str) -> Option<String> {
    let t = text.trim_start();
    let rest = t
        .strip_prefix("error code: ")
        .or_else(|| t.strip_prefix("Error ").filter(|r| r.contains("Ray ID")))?;
    let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (code.len() == 4 && code.starts_with('1')).then_some(code)
}

/// Azure API Management's own answers: exactly `{"statusCode": N, "message": "…"}`.
fn apim_body(text: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => {
            m.len() == 2
                && m.get("statusCode").is_some_and(|v| v.is_u64())
                && m.get("message").is_some_and(|v| v.is_string())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::net::test_headers as h;

    #[test]
    fn who_answered() {
        let squid = of(&h(&[("x-squid-error", "ERR_ACCESS_DENIED 0")]), b"");
        assert_eq!(
            squid,
            Some(Responder::Squid {
                error: Some("ERR_ACCESS_DENIED".into())
            })
        );
        let cf = of(&h(&[("cf-ray", "74385ccaab1ab3d3-MIA")]), b"error code: 1020");
        assert_eq!(
            cf.as_ref().and_then(Responder::reference).as_deref(),
            Some("Ray ID 74385ccaab1ab3d3-MIA")
        );
        assert!(
            matches!(of(&h(&[]), b"error code: 1010"), Some(Responder::Cloudflare { code: Some(c), .. }) if c == "1010")
        );
        let gw = of(&h(&[("x-amz-apigw-id", "x"), ("x-amzn-requestid", "r")]), b"{}");
        assert_eq!(
            gw,
            Some(Responder::AwsApiGateway {
                request_id: Some("r".into())
            })
        );
        assert_eq!(
            of(&h(&[("x-amzn-requestid", "r")]), b"{}"),
            Some(Responder::Aws {
                request_id: Some("r".into())
            })
        );
        assert_eq!(of(&h(&[("server", "kong/3.6.1")]), b"{}"), Some(Responder::Kong));
        assert_eq!(
            of(&h(&[]), br#"{"statusCode": 401, "message": "Access denied"}"#),
            Some(Responder::Apim)
        );
        assert_eq!(of(&h(&[]), b"<hr><center>nginx</center>"), Some(Responder::Nginx));
        assert_eq!(of(&h(&[]), br#"{"message":"Unauthorized"}"#), None);
    }
}
