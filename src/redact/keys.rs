//! Which names hold credentials: a query parameter, a form field or a JSON key named like
//! `access_token`, `accessToken`, `client_secret`, `api_key`, `X-Amz-Signature`, `code`
//! (case, `_`, `-` and `.` ignored; a plural counts as its singular).

/// Names that are credentials as they are.
const EXACT: &[&str] = &[
    "code",
    "auth",
    "authorization",
    "pwd",
    "pass",
    "pin",
    "otp",
    "sig",
    "jwt",
    "bearer",
];

/// Endings of names that are credentials (`access_token`, `client_secret`, `api_key`, ...).
const ENDINGS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "key",
    "signature",
    "assertion",
    "credential",
    "verifier",
    "devicecode",
    "authcode",
    "authorizationcode",
    "sessionid",
];

fn normal(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a name holds a credential.
pub fn is_secret_key(name: &str) -> bool {
    let n = normal(name);
    let singular = n.strip_suffix('s').unwrap_or(&n);
    [n.as_str(), singular]
        .iter()
        .any(|k| !k.is_empty() && (EXACT.contains(k) || ENDINGS.iter().any(|e| k.ends_with(e))))
}

/// Whether a value found under a credential name is worth masking everywhere: long enough,
/// one word, and not a plain word such as `expired` or `Unauthorized` (which a server may
/// put under `code` or `token`, and which must stay readable elsewhere).
pub fn worth_registering(value: &str) -> bool {
    value.chars().count() >= super::MIN_CHARS
        && !value.chars().any(char::is_whitespace)
        && !(value.len() <= 16 && value.bytes().all(|b| b.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for k in [
            "access_token",
            "accessToken",
            "AccessToken",
            "refresh-token",
            "id_token",
            "token",
            "client_secret",
            "clientSecret",
            "password",
            "client_assertion",
            "code",
            "device_code",
            "code_verifier",
            "api_key",
            "apiKey",
            "subscription-key",
            "X-Amz-Signature",
            "X-Amz-Security-Token",
            "sig",
            "tokens",
            "Credentials",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "token_type",
            "expires_in",
            "scope",
            "error_code",
            "user_code",
            "state",
            "limit",
            "tenant",
            "keyid",
            "",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn words_are_not_worth_registering() {
        assert!(worth_registering("eyJhbGciOi.x"));
        assert!(worth_registering("a1b2"));
        assert!(!worth_registering("expired"));
        assert!(!worth_registering("Unauthorized"));
        assert!(!worth_registering("two words1"));
        assert!(!worth_registering("ab1"));
    }
}
