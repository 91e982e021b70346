//! OAuth 1.0a request signing (RFC 5849) with HMAC-SHA1, as WooCommerce
//! requires over plain HTTP: "one-legged" (a consumer key and secret, no
//! token), the `oauth_*` parameters sent in the query string
//! (woocommerce.github.io/woocommerce-rest-api-docs, "Authentication over
//! HTTP"; WooCommerce's `WC_REST_Authentication::check_oauth_signature`
//! signs `METHOD&url&params` with the key `consumer_secret&`).
//!
//! Why not a crate: oauth1-request (0.6) was checked; it signs requests
//! described by derived types or pre-sorted lists and writes the
//! Authorization header first. Our queries are built at run time and go in
//! the query string, and the signing is RFC 5849 §3.4 in a few lines over
//! RustCrypto's `hmac` and `sha1`, checked against the RFC's own example.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 3986 unreserved characters stay; everything else is `%XX` (RFC 5849 §3.6).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The signature base string (RFC 5849 §3.4.1): method, base URI (scheme,
/// host, port only when not the default, path) and the sorted, encoded
/// parameters (the URL's own query and `params`).
pub fn base_string(method: &str, url: &url::Url, params: &[(String, String)]) -> String {
    let mut base = format!(
        "{}://{}",
        url.scheme().to_ascii_lowercase(),
        url.host_str().unwrap_or_default().to_ascii_lowercase()
    );
    if let Some(port) = url.port() {
        base.push_str(&format!(":{port}"));
    }
    base.push_str(url.path());
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (encode(&k), encode(&v)))
        .chain(params.iter().map(|(k, v)| (encode(k), encode(v))))
        .collect();
    pairs.sort();
    let normalized = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(&base),
        encode(&normalized)
    )
}

/// HMAC-SHA1 of the base string with `consumer_secret&token_secret`, base64.
pub fn signature(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    // HMAC takes a key of any length: new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Adds the `oauth_*` parameters and the signature of a one-legged request
/// to `url`'s query.
pub fn sign_query(
    method: &str,
    url: &mut url::Url,
    consumer_key: &str,
    consumer_secret: &str,
    timestamp: i64,
    nonce: &str,
) {
    let params: Vec<(String, String)> = vec![
        ("oauth_consumer_key".into(), consumer_key.into()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), "HMAC-SHA1".into()),
        ("oauth_timestamp".into(), timestamp.to_string()),
        ("oauth_version".into(), "1.0".into()),
    ];
    let sig = signature(&base_string(method, url, &params), consumer_secret, "");
    let mut q = url.query_pairs_mut();
    for (k, v) in &params {
        q.append_pair(k, v);
    }
    q.append_pair("oauth_signature", &sig);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5849 §1.2: the photos example (with a token), signature
    /// `tR3+Ty81lMeYAr/Fid0kMTYa/WM=`.
    #[test]
    fn rfc_5849_example() {
        let url =
            url::Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original")
                .unwrap();
        let params: Vec<(String, String)> = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1191242096"),
            ("oauth_nonce", "kllo9940pd9333jh"),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let base = base_string("GET", &url, &params);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        assert_eq!(
            signature(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
    }

    /// RFC 5849 §3.6: unreserved characters stay, the rest is upper-case %XX
    /// of the UTF-8 bytes (a space is %20, never +).
    #[test]
    fn percent_encoding() {
        assert_eq!(encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
        assert_eq!(encode("An encoded string!"), "An%20encoded%20string%21");
        assert_eq!(encode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
        assert_eq!(encode("☃"), "%E2%98%83");
        assert_eq!(encode("a-b.c_d~e"), "a-b.c_d~e");
    }

    #[test]
    fn a_signed_query_carries_every_oauth_parameter() {
        let mut url = url::Url::parse("http://127.0.0.1:8080/wp-json/wc/v3/orders?page=1").unwrap();
        sign_query("GET", &mut url, "ck_x", "cs_y", 1_700_000_000, "n0nce");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "page",
                "oauth_consumer_key",
                "oauth_nonce",
                "oauth_signature_method",
                "oauth_timestamp",
                "oauth_version",
                "oauth_signature"
            ]
        );
        // The port is part of the signed base URI.
        let unsigned: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k != "oauth_signature")
            .cloned()
            .collect();
        let mut bare = url.clone();
        bare.set_query(None);
        let base = base_string("GET", &bare, &unsigned);
        assert!(
            base.starts_with("GET&http%3A%2F%2F127.0.0.1%3A8080%2Fwp-json"),
            "{base}"
        );
        assert_eq!(
            q.last().map(|p| p.1.clone()),
            Some(signature(&base, "cs_y", ""))
        );
    }
}
