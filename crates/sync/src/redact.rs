//! Keeping credentials out of every error that is stored (sync runs, the
//! retry list, the audit log), printed or shown: a URL's query string can
//! hold the MT5 handshake (`srv_rand_answer`, `cli_rand`), WooCommerce keys
//! or OAuth signatures, and a platform may echo a secret back in an error
//! page. URLs in messages lose their query strings; known secret values are
//! replaced wherever they appear.

/// `text` with the query string of every URL in it replaced by `?…`.
pub fn urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_url(rest) {
        out.push_str(&rest[..at]);
        let url = &rest[at..];
        let end = url
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ','))
            .unwrap_or(url.len());
        let (whole, after) = url.split_at(end);
        match whole.find('?') {
            Some(q) => {
                out.push_str(&whole[..q]);
                out.push_str("?…");
            }
            None => out.push_str(whole),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn find_url(s: &str) -> Option<usize> {
    match (s.find("http://"), s.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// [`urls`], then every occurrence of a secret (of 4 characters or more)
/// replaced by `***`.
pub fn text<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = urls(text);
    for s in secrets {
        if s.chars().count() >= 4 && out.contains(s) {
            out = out.replace(s, "***");
        }
    }
    out
}

/// A URL as errors show it: without its query string.
pub fn url(u: &url::Url) -> String {
    let mut shown = u.clone();
    if shown.query().is_some() {
        shown.set_query(None);
        format!("{shown}?…")
    } else {
        shown.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_and_secrets_are_removed() {
        let e = "error sending request for url (http://127.0.0.1:9/api/auth/answer?srv_rand_answer=abc123&cli_rand=ff00): connection refused";
        assert_eq!(
            urls(e),
            "error sending request for url (http://127.0.0.1:9/api/auth/answer?…): connection refused"
        );
        let e = "the platform answered 500 for https://shop.example/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret=cs_2: boom cs_2";
        let shown = text(e, ["ck_1", "cs_2"]);
        assert!(
            !shown.contains("ck_1") && !shown.contains("cs_2"),
            "{shown}"
        );
        assert!(
            shown.contains("https://shop.example/wp-json/wc/v3/orders?…"),
            "{shown}"
        );
        // Short values are not secrets worth hiding (they would mangle text).
        assert_eq!(text("a b c", ["a"]), "a b c");
        let u = url::Url::parse("http://h/api/x?login=1&pass=2").unwrap();
        assert_eq!(url(&u), "http://h/api/x?…");
        assert_eq!(url(&url::Url::parse("http://h/p").unwrap()), "http://h/p");
    }
}
