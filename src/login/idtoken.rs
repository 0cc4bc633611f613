//! ID token checks (OIDC Core §3.1.3.7): signature against the provider's JWKS, `iss`,
//! `aud`/`azp`, `exp`, `iat`, `nonce`. Unsigned (`alg: none`) and shared-secret (HMAC)
//! tokens are refused. The verified claims are kept for display.

use base64::Engine;
use ring::signature;
use serde_json::{Map, Value};

/// Clock leeway for `exp` and `iat`.
pub const LEEWAY: i64 = 120;

fn b64(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| "the ID token is not base64url".to_string())
}

/// Verify an ID token and return its claims.
pub fn verify(
    token: &str,
    jwks: &Value,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
    now: i64,
) -> Result<Map<String, Value>, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err("the ID token is not a signed JWT".into());
    }
    let header: Value = serde_json::from_slice(&b64(parts[0])?).map_err(|_| "the ID token header is not JSON")?;
    let Value::Object(claims) =
        serde_json::from_slice::<Value>(&b64(parts[1])?).map_err(|_| "the ID token claims are not JSON")?
    else {
        return Err("the ID token claims are not an object".into());
    };
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("none");
    let kid = header.get("kid").and_then(Value::as_str);
    let sig = b64(parts[2])?;
    let message = format!("{}.{}", parts[0], parts[1]);
    check_signature(alg, kid, jwks, message.as_bytes(), &sig)?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    if s("iss").map(|x| x.trim_end_matches('/')) != Some(issuer.trim_end_matches('/')) {
        return Err(format!(
            "the ID token's issuer is \"{}\", not {issuer}",
            crate::finding::clean(s("iss").unwrap_or("missing"), 200)
        ));
    }
    let aud: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !aud.contains(&client_id) {
        return Err("the ID token was not issued to this client (aud)".into());
    }
    if aud.len() > 1 && s("azp") != Some(client_id) {
        return Err("the ID token names several audiences but not this client as azp".into());
    }
    let num = |k: &str| claims.get(k).and_then(Value::as_i64);
    match num("exp") {
        Some(exp) if exp + LEEWAY >= now => {}
        Some(_) => return Err("the ID token has expired (check this machine's clock)".into()),
        None => return Err("the ID token has no exp".into()),
    }
    if num("iat").is_some_and(|iat| iat > now + LEEWAY) {
        return Err("the ID token was issued in the future (check this machine's clock)".into());
    }
    if let Some(n) = nonce
        && s("nonce") != Some(n)
    {
        return Err("the ID token's nonce does not match this login".into());
    }
    Ok(claims)
}

fn check_signature(alg: &str, kid: Option<&str>, jwks: &Value, message: &[u8], sig: &[u8]) -> Result<(), String> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("the provider's JWKS has no keys")?;
    let candidates: Vec<&Value> = keys
        .iter()
        .filter(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)
        .filter(|k| k.get("use").and_then(Value::as_str).is_none_or(|u| u == "sig"))
        .collect();
    if candidates.is_empty() {
        return Err(format!("no key {} in the provider's JWKS", kid.unwrap_or("(no kid)")));
    }
    for k in candidates {
        let field = |f: &str| k.get(f).and_then(Value::as_str).map(b64).transpose();
        let ok = match alg {
            "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => {
                let (Some(n), Some(e)) = (field("n")?, field("e")?) else {
                    continue;
                };
                let params: &signature::RsaParameters = match alg {
                    "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                    "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                    "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                    "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
                    "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
                    _ => &signature::RSA_PSS_2048_8192_SHA512,
                };
                signature::RsaPublicKeyComponents { n: &n, e: &e }
                    .verify(params, message, sig)
                    .is_ok()
            }
            "ES256" | "ES384" => {
                let (Some(x), Some(y)) = (field("x")?, field("y")?) else {
                    continue;
                };
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let a: &signature::EcdsaVerificationAlgorithm = if alg == "ES256" {
                    &signature::ECDSA_P256_SHA256_FIXED
                } else {
                    &signature::ECDSA_P384_SHA384_FIXED
                };
                signature::UnparsedPublicKey::new(a, &point)
                    .verify(message, sig)
                    .is_ok()
            }
            "EdDSA" => {
                let Some(x) = field("x")? else { continue };
                signature::UnparsedPublicKey::new(&signature::ED25519, &x)
                    .verify(message, sig)
                    .is_ok()
            }
            "none" => return Err("the ID token is unsigned (alg none); refused".into()),
            other => return Err(format!("the ID token uses {other}, which conn does not accept")),
        };
        if ok {
            return Ok(());
        }
    }
    Err("the ID token's signature does not verify against the provider's keys".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    #[test]
    fn unsigned_and_hmac_are_refused() {
        let claims = serde_json::json!({"iss":"https://i","aud":"c","exp":9999999999i64,"nonce":"n"});
        let none = format!("{}.{}.", enc(&serde_json::json!({"alg":"none"})), enc(&claims));
        let jwks = serde_json::json!({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]});
        assert!(
            verify(&none, &jwks, "https://i", "c", Some("n"), 0)
                .unwrap_err()
                .contains("alg none")
        );
        let hs = format!(
            "{}.{}.{}",
            enc(&serde_json::json!({"alg":"HS256"})),
            enc(&claims),
            "c2ln"
        );
        assert!(
            verify(&hs, &jwks, "https://i", "c", Some("n"), 0)
                .unwrap_err()
                .contains("HS256")
        );
        assert!(verify("a.b", &jwks, "https://i", "c", None, 0).is_err());
    }

    #[test]
    fn es256_signature_and_claims() {
        use ring::rand::SystemRandom;
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let kp = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let pubk = kp.public_key().as_ref();
        let e = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let jwks =
            serde_json::json!({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":e(&pubk[1..33]),"y":e(&pubk[33..])}]});
        let sign = |claims: Value| {
            let m = format!(
                "{}.{}",
                enc(&serde_json::json!({"alg":"ES256","kid":"k1"})),
                enc(&claims)
            );
            let s = kp.sign(&rng, m.as_bytes()).unwrap();
            format!("{m}.{}", e(s.as_ref()))
        };
        let good = sign(serde_json::json!({"iss":"https://i","aud":"c","exp":2000,"iat":1000,"nonce":"n"}));
        assert!(verify(&good, &jwks, "https://i", "c", Some("n"), 1000).is_ok());
        assert!(
            verify(&good, &jwks, "https://i", "c", Some("other"), 1000)
                .unwrap_err()
                .contains("nonce")
        );
        assert!(
            verify(&good, &jwks, "https://i", "d", Some("n"), 1000)
                .unwrap_err()
                .contains("aud")
        );
        assert_eq!(
            verify(&good, &jwks, "https://j", "c", Some("n"), 1000).unwrap_err(),
            "the ID token's issuer is \"https://i\", not https://j"
        );
        let odd = sign(serde_json::json!({"iss":"https://i\u{1b}[2J\"x","aud":"c","exp":2000,"iat":1000,"nonce":"n"}));
        let e = verify(&odd, &jwks, "https://i", "c", Some("n"), 1000).unwrap_err();
        assert!(!e.contains('\u{1b}') && !e.contains("\\\""), "{e}");
        assert!(
            verify(&good, &jwks, "https://i", "c", Some("n"), 3000)
                .unwrap_err()
                .contains("expired")
        );
        let mut tampered = good.clone();
        tampered.insert(good.find('.').unwrap() + 2, 'x');
        assert!(verify(&tampered, &jwks, "https://i", "c", Some("n"), 1000).is_err());
    }
}
