//! URLs as they may be shown: a password in the user part and the values of credential
//! query parameters (`code`, `api_key`, `sig`, `access_token`, ... see [`super::keys`]) are
//! replaced by `********`; everything else stays as written, so the URL still says where
//! it points. [`parts`] splits a URL for `show --curl`, which puts the secret values in
//! shell variables.

use url::Url;

use super::MASK;
use super::keys::is_secret_key;

/// A piece of a URL: text shown as it is, or the value of a credential query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Shown as it is.
    Text(String),
    /// A secret value; the name of its parameter, decoded.
    Secret(String),
}

fn decoded(s: &str) -> String {
    url::form_urlencoded::parse(format!("{s}=").as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

/// `a=1&code=x` split into text and secret values.
fn query_parts(q: &str, out: &mut Vec<Part>) {
    let mut text = String::new();
    for (n, pair) in q.split('&').enumerate() {
        if n > 0 {
            text.push('&');
        }
        match pair.split_once('=') {
            Some((k, v)) if is_secret_key(&decoded(k)) && !v.is_empty() => {
                text.push_str(k);
                text.push('=');
                out.push(Part::Text(std::mem::take(&mut text)));
                out.push(Part::Secret(decoded(k)));
            }
            _ => text.push_str(pair),
        }
    }
    if !text.is_empty() {
        out.push(Part::Text(text));
    }
}

/// The URL in pieces; joined with each secret in its place, the pieces are the URL
/// (a password in the user part is already masked: conn never sends one from a URL).
pub fn parts(url: &Url) -> Vec<Part> {
    let mut u = url.clone();
    if u.password().is_some() {
        let _ = u.set_password(Some(MASK));
    }
    let (query, fragment) = (u.query().map(str::to_string), u.fragment().map(str::to_string));
    u.set_query(None);
    u.set_fragment(None);
    let mut out = vec![Part::Text(u.to_string())];
    if let Some(q) = query {
        out.push(Part::Text("?".into()));
        query_parts(&q, &mut out);
    }
    if let Some(f) = fragment {
        // `#access_token=…` (an implicit-flow answer) is a query in all but name.
        out.push(Part::Text("#".into()));
        query_parts(&f, &mut out);
    }
    out
}

fn join(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.as_str(),
            Part::Secret(_) => MASK,
        })
        .collect()
}

/// A URL as it may be shown.
pub fn shown(url: &Url) -> String {
    join(&parts(url))
}

/// Text that was meant to be a URL, as it may be shown: parsed if it parses, else masked
/// by its shape (`scheme://user:PASSWORD@host/…?key=VALUE`).
pub fn shown_text(s: &str) -> String {
    if let Ok(u) = Url::parse(s) {
        return shown(&u);
    }
    let (head, rest) = match s.find("://") {
        Some(i) => s.split_at(i + 3),
        None => ("", s),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match (head.is_empty(), authority.rsplit_once('@')) {
        (false, Some((user, host))) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:{MASK}@{host}"),
            None => authority.to_string(),
        },
        _ => authority.to_string(),
    };
    let mut out = vec![Part::Text(format!("{head}{authority}"))];
    match tail.split_once('?') {
        Some((path, q)) => {
            out.push(Part::Text(format!("{path}?")));
            query_parts(q, &mut out);
        }
        None => out.push(Part::Text(tail.to_string())),
    }
    join(&out)
}

/// Register a URL's password and its credential query values with the redactor, so that
/// an echo of them is masked too.
pub fn register(url: &Url) {
    if let Some(p) = url.password() {
        let p = decoded(p);
        super::register(&p);
    }
    for (k, v) in url.query_pairs() {
        if is_secret_key(&k) && super::keys::worth_registering(&v) {
            super::register(&v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_secret_queries_are_masked() {
        let table = [
            ("https://svc:PW@h/x", "https://svc:********@h/x"),
            ("https://svc@h/x", "https://svc@h/x"),
            ("https://h/t?code=abc&tenant=t1", "https://h/t?code=********&tenant=t1"),
            (
                "https://h/p?api_key=k1&sig=s&X-Amz-Signature=z&limit=1",
                "https://h/p?api_key=********&sig=********&X-Amz-Signature=********&limit=1",
            ),
            ("https://h/p?access%5Ftoken=t", "https://h/p?access%5Ftoken=********"),
            ("https://h/p?token=&a", "https://h/p?token=&a"),
            (
                "https://h/cb#access_token=t&state=s",
                "https://h/cb#access_token=********&state=s",
            ),
            ("https://h/p?q=code%3Dx", "https://h/p?q=code%3Dx"),
        ];
        for (raw, want) in table {
            assert_eq!(shown(&Url::parse(raw).unwrap()), want, "{raw}");
        }
    }

    #[test]
    fn unparsable_text_is_masked_by_shape() {
        assert_eq!(
            shown_text("http://svc:PW@127.0.0.1:99999/t?code=c1&x=1"),
            "http://svc:********@127.0.0.1:99999/t?code=********&x=1"
        );
        assert_eq!(shown_text("svc:PW@host/x"), "svc:PW@host/x");
        assert_eq!(shown_text("host/x?password=p"), "host/x?password=********");
        assert_eq!(shown_text("https://h/ok?key=v"), "https://h/ok?key=********");
    }

    #[test]
    fn parts_rebuild_the_url() {
        let u = Url::parse("https://h/t?code=c%2B1&x=1").unwrap();
        let p = parts(&u);
        assert_eq!(
            p,
            vec![
                Part::Text("https://h/t".into()),
                Part::Text("?".into()),
                Part::Text("code=".into()),
                Part::Secret("code".into()),
                Part::Text("&x=1".into()),
            ]
        );
    }
}
