//! Tracking links and clicks as pure rules: the path scheme, landing URL
//! templates and their placeholders, and how a visitor's request is read
//! (sub-ids, referrer host, country, bots and prefetches). Everything a
//! visitor sends is cut to the limits of docs/decisions.md §15 and never
//! refused: a visitor always gets a redirect.

use crate::error::FieldError;
use crate::limits;

/// The longest landing template, link path or fallback URL accepted.
pub const URL_MAX: usize = 2000;
/// The longest sub-id or campaign kept from a query string (free text, §15).
pub const SUB_MAX: usize = 200;
/// The longest user agent kept in memory for the visitor hash.
pub const USER_AGENT_MAX: usize = 512;

/// Placeholders a landing template may use.
pub const PLACEHOLDERS: [&str; 8] = [
    "click_id", "code", "sub1", "sub2", "sub3", "sub4", "sub5", "campaign",
];

/// Paths the server answers itself, never a link's.
pub const RESERVED_PATHS: [&str; 4] = ["healthz", "readyz", "favicon.ico", "postback"];

/// How the operator's links look: `/{code}` or `/{brand}/{code}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathScheme {
    Code,
    BrandCode,
}

impl PathScheme {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "code" | "/{code}" => Ok(PathScheme::Code),
            "brand/code" | "/{brand}/{code}" => Ok(PathScheme::BrandCode),
            other => Err(FieldError::new(
                field,
                format!(
                    "{} is not a path scheme; use 'code' (/{{code}}) or 'brand/code' (/{{brand}}/{{code}})",
                    limits::shown(other)
                ),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PathScheme::Code => "code",
            PathScheme::BrandCode => "brand/code",
        }
    }

    /// The path (without the leading `/`) of the link of `code` in `brand`.
    pub fn path(self, brand_id: &str, code: &str) -> String {
        match self {
            PathScheme::Code => code.to_string(),
            PathScheme::BrandCode => format!("{brand_id}/{code}"),
        }
    }
}

/// Checks a link's path: one or two segments of letters, digits and
/// `- . _ ~` (what a URL carries unencoded), not a path the server keeps.
pub fn check_link_path(field: &str, path: &str) -> Result<(), FieldError> {
    let segments: Vec<&str> = path.split('/').collect();
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    if path.is_empty() || path.len() > URL_MAX || segments.len() > 2 {
        return Err(FieldError::new(
            field,
            format!(
                "{} cannot be a link path: one or two segments, at most {URL_MAX} characters",
                limits::shown(path)
            ),
        ));
    }
    for s in &segments {
        if s.is_empty() || *s == "." || *s == ".." || !s.chars().all(ok_char) {
            return Err(FieldError::new(
                field,
                format!(
                    "{} cannot be a link path: a tracking code or brand in a link may hold only letters, digits and - . _ ~",
                    limits::shown(path)
                ),
            ));
        }
    }
    if RESERVED_PATHS.contains(&segments[0]) {
        return Err(FieldError::new(
            field,
            format!("{} is kept by the server itself", limits::shown(path)),
        ));
    }
    Ok(())
}

/// Checks an absolute http(s) URL (fallback, or a template before its
/// placeholders are looked at): no spaces or control characters.
pub fn check_url(field: &str, raw: &str) -> Result<(), FieldError> {
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    let host_start = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return Err(FieldError::new(
            field,
            format!(
                "{} must be an absolute URL starting with https:// or http://",
                limits::shown(raw)
            ),
        ));
    };
    if raw.chars().count() > URL_MAX {
        return Err(FieldError::new(
            field,
            format!("must be at most {URL_MAX} characters"),
        ));
    }
    if raw
        .chars()
        .any(|c| c.is_whitespace() || limits::is_forbidden_char(c))
    {
        return Err(FieldError::new(
            field,
            format!(
                "{} contains spaces or control characters; encode them (%20)",
                limits::shown(raw)
            ),
        ));
    }
    let host = raw[host_start..]
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    if host.is_empty() {
        return Err(FieldError::new(
            field,
            format!("{} names no host", limits::shown(raw)),
        ));
    }
    Ok(())
}

/// Checks a landing template: an http(s) URL whose `{…}` are all known
/// placeholders ([`PLACEHOLDERS`]).
pub fn check_template(field: &str, raw: &str) -> Result<(), FieldError> {
    check_template_with(field, raw, &PLACEHOLDERS)
}

/// Checks an http(s) URL template whose `{…}` are all among `allowed`
/// (landing templates; partners' postback URLs).
pub fn check_template_with(field: &str, raw: &str, allowed: &[&str]) -> Result<(), FieldError> {
    check_url(field, raw)?;
    let mut rest = raw;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(FieldError::new(
                field,
                "has a '}' without its '{': placeholders are written {click_id}",
            ));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(FieldError::new(
                field,
                "has a '{' without its '}': placeholders are written {click_id}",
            ));
        };
        let name = &after[..close];
        if !allowed.contains(&name) {
            return Err(FieldError::new(
                field,
                format!(
                    "{{{}}} is not a placeholder; use {}",
                    limits::cut(name, 40),
                    allowed
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// The values a landing template is filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fill<'a> {
    pub click_id: &'a str,
    pub code: &'a str,
    pub subs: [Option<&'a str>; 5],
    pub campaign: Option<&'a str>,
}

/// The landing URL: each placeholder of a template checked by
/// [`check_template`] replaced by its value, percent-encoded (absent
/// values become empty).
pub fn fill(template: &str, v: &Fill<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let value = match &after[..close] {
            "click_id" => Some(v.click_id),
            "code" => Some(v.code),
            "sub1" => v.subs[0],
            "sub2" => v.subs[1],
            "sub3" => v.subs[2],
            "sub4" => v.subs[3],
            "sub5" => v.subs[4],
            "campaign" => v.campaign,
            // Not a placeholder (a template stored before a check): kept.
            _ => {
                out.push_str(&rest[open..open + close + 2]);
                rest = &after[close + 1..];
                continue;
            }
        };
        percent_encode(value.unwrap_or(""), &mut out);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Appends `s` percent-encoded: every byte but RFC 3986's unreserved ones.
pub fn percent_encode(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// A sub-id or campaign from a visitor's query string, as kept: control
/// and reordering characters dropped, cut to [`SUB_MAX`] characters; empty
/// is none.
pub fn clean_sub(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| !limits::is_forbidden_char(*c))
        .take(SUB_MAX)
        .collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_string())
}

/// The host of a `Referer` header, lower-case, without port, user or path;
/// none when it is not an absolute URL with a plausible host name.
pub fn referrer_host(raw: &str) -> Option<String> {
    let (_, rest) = raw.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'));
    ok.then(|| host.to_ascii_lowercase())
}

/// A country code from a trusted proxy's header (two ASCII letters,
/// upper-cased); none otherwise (`XX`, `T1` and the like included).
pub fn country_of(raw: &str) -> Option<String> {
    let t = raw.trim();
    let ok = t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic());
    let up = t.to_ascii_uppercase();
    (ok && up != "XX").then_some(up)
}

/// What kind of request a click came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClickKind {
    Human,
    /// A user agent with one of [`BOT_MARKERS`].
    Bot,
    /// A browser fetching ahead of the visitor (`Purpose: prefetch` …).
    Prefetch,
}

impl ClickKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClickKind::Human => "human",
            ClickKind::Bot => "bot",
            ClickKind::Prefetch => "prefetch",
        }
    }
}

/// Markers (compared in lower case) of user agents that are not people:
/// crawlers, link unfurlers of chat apps, monitors and HTTP libraries. An
/// empty user agent is a bot too.
pub const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "preview",
    "whatsapp",
    "telegram",
    "skypeuripreview",
    "bitlybot",
    "headlesschrome",
    "phantomjs",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "httpclient",
    "scrapy",
];

/// Whether a user agent is a bot's (see [`BOT_MARKERS`]).
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.is_empty() || BOT_MARKERS.iter().any(|m| ua.contains(m))
}

/// Whether a header value asks for a prefetch (`Purpose: prefetch`,
/// `Sec-Purpose: prefetch;prerender`, `X-Moz: prefetch`).
pub fn is_prefetch_value(value: &str) -> bool {
    value
        .split([';', ','])
        .any(|p| p.trim().eq_ignore_ascii_case("prefetch"))
}

/// Classifies a request: a prefetch first (a browser's own fetch), then a
/// bot by its user agent, else a person.
pub fn classify(user_agent: &str, prefetch: bool) -> ClickKind {
    if prefetch {
        ClickKind::Prefetch
    } else if is_bot(user_agent) {
        ClickKind::Bot
    } else {
        ClickKind::Human
    }
}

/// A user agent cut to [`USER_AGENT_MAX`] bytes (on a character boundary).
pub fn cut_user_agent(ua: &str) -> &str {
    if ua.len() <= USER_AGENT_MAX {
        return ua;
    }
    let mut end = USER_AGENT_MAX;
    while !ua.is_char_boundary(end) {
        end -= 1;
    }
    &ua[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_encodes() {
        let t =
            "https://casino.example/?cid={click_id}&c={code}&s={sub1}&s2={sub2}&camp={campaign}";
        check_template("t", t).unwrap();
        let url = fill(
            t,
            &Fill {
                click_id: "abc",
                code: "AF-1",
                subs: [Some("a b&c=d"), None, None, None, None],
                campaign: Some("été"),
            },
        );
        assert_eq!(
            url,
            "https://casino.example/?cid=abc&c=AF-1&s=a%20b%26c%3Dd&s2=&camp=%C3%A9t%C3%A9"
        );
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_template("t", "https://x.example/{nope}").is_err());
        assert!(check_template("t", "https://x.example/{click_id").is_err());
        assert!(check_template("t", "https://x.example/}").is_err());
        assert!(check_template("t", "ftp://x.example/").is_err());
        assert!(check_template("t", "https:///path").is_err());
        assert!(check_template("t", "https://x.example/a b").is_err());
        assert!(check_template("t", "https://x.example/{sub5}/{campaign}").is_ok());
    }

    #[test]
    fn paths() {
        assert_eq!(PathScheme::BrandCode.path("casino", "AF1"), "casino/AF1");
        assert!(check_link_path("p", "AF1").is_ok());
        assert!(check_link_path("p", "casino/AF1").is_ok());
        assert!(check_link_path("p", "a/b/c").is_err());
        assert!(check_link_path("p", "healthz").is_err());
        assert!(check_link_path("p", "a b").is_err());
        assert!(check_link_path("p", "..").is_err());
    }

    #[test]
    fn visitors_input() {
        assert_eq!(
            referrer_host("https://User@News.Example.com:8443/a?b").as_deref(),
            Some("news.example.com")
        );
        assert_eq!(referrer_host("not a url"), None);
        assert_eq!(country_of(" de "), Some("DE".into()));
        assert_eq!(country_of("XX"), None);
        assert_eq!(country_of("DEU"), None);
        assert_eq!(clean_sub("  "), None);
        assert_eq!(clean_sub(&"x".repeat(500)).map(|s| s.len()), Some(SUB_MAX));
        assert_eq!(clean_sub("a\u{202e}b\n").as_deref(), Some("ab"));
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("curl/8.5.0"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
        ));
        assert!(is_prefetch_value("prefetch;prerender"));
        assert!(!is_prefetch_value("prerender"));
        assert_eq!(classify("curl/8", true), ClickKind::Prefetch);
        assert_eq!(cut_user_agent(&"é".repeat(400)).len(), 512);
    }
}
