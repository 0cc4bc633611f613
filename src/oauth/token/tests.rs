//! Tests of the token request and of reading its answer.

use serde_json::Value;

use super::*;

#[test]
fn rfc6749_basic_vector() {
    // From panva/openid-client#236, quoted in protocols.md §4.3.
    let h = basic_header(
        "1PpG/Q 1",
        "z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+wfFTt1rFw=",
        ClientAuth::Basic,
    );
    assert_eq!(
        h,
        "Basic MVBwRyUyRlErMTp6JTJGdFo5VndGWnFBcG1JUSUyQlpIMUk1cExrJTJGdUI0dWQlM0FYMiUyRjhiTCUyQndmRlR0MXJGdyUzRA=="
    );
    assert!(encodings_differ("a", "b~c"));
    assert!(!encodings_differ("client-1", "Abc.def_9"));
}

#[test]
fn expires_in_forms() {
    assert_eq!(expires(&Value::from(3599)), Some(3599));
    assert_eq!(expires(&Value::from("3599")), Some(3599));
    assert_eq!(expires(&Value::from(-5)), None);
    assert_eq!(expires(&Value::from(1e300)), Some(315_360_000));
    assert_eq!(expires(&Value::from("soon")), None);
}

#[test]
fn success_parsing() {
    let ok = parse_success(
        200,
        "application/json",
        br#"{"access_token":"abc","token_type":"bearer","expires_in":"60","scope":"a b"}"#,
        vec![],
    );
    let Answer::Token(t) = ok else { panic!() };
    assert_eq!(t.expires_in, Some(60));
    assert_eq!(t.scope.unwrap(), vec!["a", "b"]);
    for bad in [
        &br#"{"token_type":"Bearer"}"#[..],
        b"<html><title>Login</title></html>",
        b"\xff\xfe",
        br#"{"access_token":"a\r\nb","token_type":"Bearer"}"#,
        br#"{"access_token":"x","token_type":"mac"}"#,
    ] {
        assert!(matches!(
            parse_success(200, "", bad, vec![]),
            Answer::Refused { finding: Some(_), .. }
        ));
    }
}

mod proptests {
    //! Property tests of the token answer parser: it never panics, and never accepts a token
    //! that could not be sent in a header or that is larger than the cap.
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::oauth::token::trace::traced_body;

    fn token_chars() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9._~+/=-]{1,64}",
            ".{0,64}",
            "[a-z]{0,8}[\r\n\t \u{0}\u{1b}\u{7f}][a-z]{0,8}",
            (1usize..3).prop_map(|k| "x".repeat(MAX_TOKEN + k - 1)),
        ]
    }

    fn expires_in() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            any::<i64>().prop_map(|n| Some(Value::from(n))),
            any::<f64>().prop_map(|f| Some(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))),
            ".{0,12}".prop_map(|s| Some(Value::from(s))),
            Just(Some(Value::Bool(true))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), ct in ".{0,20}") {
            let _ = parse_success(200, &ct, &body, vec![]);
            let _ = traced_body(&body);
        }

        #[test]
        fn accepted_tokens_are_sendable(
            token in token_chars(),
            token_type in prop_oneof![Just(None), Just(Some("Bearer".to_string())), Just(Some("bEaReR".to_string())), ".{0,10}".prop_map(Some)],
            exp in expires_in(),
        ) {
            let mut m = serde_json::Map::new();
            m.insert("access_token".into(), Value::from(token.clone()));
            if let Some(t) = &token_type {
                m.insert("token_type".into(), Value::from(t.clone()));
            }
            if let Some(e) = &exp {
                m.insert("expires_in".into(), e.clone());
            }
            let body = Value::Object(m).to_string();
            let sendable = !token.is_empty()
                && token.len() <= MAX_TOKEN
                && !token.bytes().any(|b| b.is_ascii_control() || b == b' ');
            let bearer = token_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("bearer"));
            match parse_success(200, "application/json", body.as_bytes(), vec![]) {
                Answer::Token(t) => {
                    prop_assert!(sendable && bearer, "accepted {token:?} / {token_type:?}");
                    prop_assert_eq!(t.access_token.expose(), token.as_str());
                    let header = format!("Bearer {}", t.access_token.expose());
                    prop_assert!(reqwest::header::HeaderValue::from_str(&header).is_ok(), "not a header value");
                    prop_assert_eq!(t.token_type.as_str(), "Bearer");
                    prop_assert!(t.expires_in.is_none_or(|s| s <= 10 * 365 * 86400));
                    // The trace never shows it.
                    prop_assert!(!traced_body(body.as_bytes()).contains(&token) || token.len() < 4 || token == "********");
                }
                Answer::Refused { finding, .. } => {
                    prop_assert!(finding.is_some());
                    prop_assert!(!(sendable && bearer), "refused {token:?} / {token_type:?}");
                }
                Answer::Transport(_) => prop_assert!(false, "no transport here"),
            }
        }
    }
}
