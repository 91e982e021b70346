//! What a request says about its visitor: the client address (from a
//! trusted proxy's `X-Forwarded-For` only), the country (from the
//! configured header of a trusted proxy only), the referrer's host, the
//! user agent, whether it is a prefetch, and the sub-ids and campaign of
//! the query string. Nothing here refuses a request.

use axum::http::HeaderMap;
use partnerdesk_domain::tracking as rules;
use std::net::{IpAddr, SocketAddr};

/// The parts of a click read from one request.
pub struct Seen {
    pub ip: IpAddr,
    pub country: Option<String>,
    pub referrer_host: Option<String>,
    pub user_agent: String,
    pub prefetch: bool,
    pub subs: [Option<String>; 5],
    pub campaign: Option<String>,
}

/// The most query pairs looked at (the rest are ignored).
const MAX_PAIRS: usize = 64;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The visitor's address: the peer, or, when the peer is a trusted proxy,
/// the right-most `X-Forwarded-For` address that is not itself a trusted
/// proxy (what a client wrote further left could be made up).
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer_ip = peer.ip().to_canonical();
    if !trusted.contains(&peer_ip) {
        return peer_ip;
    }
    let mut chain: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        let Ok(v) = v.to_str() else { continue };
        for part in v.split(',') {
            if let Ok(ip) = part.trim().parse::<IpAddr>() {
                chain.push(ip.to_canonical());
            } else if let Ok(sa) = part.trim().parse::<SocketAddr>() {
                chain.push(sa.ip().to_canonical());
            }
        }
    }
    chain
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer_ip)
}

pub fn read(
    peer: SocketAddr,
    headers: &HeaderMap,
    query: Option<&str>,
    trusted: &[IpAddr],
    country_header: Option<&str>,
) -> Seen {
    let ip = client_ip(peer, headers, trusted);
    let from_proxy = trusted.contains(&peer.ip().to_canonical());
    let country = match (from_proxy, country_header) {
        (true, Some(h)) => header(headers, h).and_then(rules::country_of),
        _ => None,
    };
    let prefetch = ["purpose", "sec-purpose", "x-moz"]
        .iter()
        .any(|h| header(headers, h).is_some_and(rules::is_prefetch_value));
    let user_agent = rules::cut_user_agent(header(headers, "user-agent").unwrap_or("")).to_string();
    let referrer_host = header(headers, "referer").and_then(rules::referrer_host);
    let mut subs: [Option<String>; 5] = Default::default();
    let mut campaign = None;
    if let Some(q) = query {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()).take(MAX_PAIRS) {
            let slot = match k.as_ref() {
                "sub1" => &mut subs[0],
                "sub2" => &mut subs[1],
                "sub3" => &mut subs[2],
                "sub4" => &mut subs[3],
                "sub5" => &mut subs[4],
                "campaign" => &mut campaign,
                _ => continue,
            };
            if slot.is_none() {
                *slot = rules::clean_sub(&v);
            }
        }
    }
    Seen {
        ip,
        country,
        referrer_host,
        user_agent,
        prefetch,
        subs,
        campaign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_only_from_trusted_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9, 10.0.0.2"),
        );
        h.insert("cf-ipcountry", HeaderValue::from_static("de"));
        let proxy: SocketAddr = "10.0.0.1:443".parse().unwrap();
        let trusted: [IpAddr; 2] = ["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()];
        let s = read(
            proxy,
            &h,
            Some("sub1=a&sub1=b&campaign=x%20y"),
            &trusted,
            Some("cf-ipcountry"),
        );
        assert_eq!(s.ip.to_string(), "203.0.113.9");
        assert_eq!(s.country.as_deref(), Some("DE"));
        assert_eq!(s.subs[0].as_deref(), Some("a"));
        assert_eq!(s.campaign.as_deref(), Some("x y"));
        let stranger: SocketAddr = "198.51.100.7:5000".parse().unwrap();
        let s = read(stranger, &h, None, &trusted, Some("cf-ipcountry"));
        assert_eq!(s.ip.to_string(), "198.51.100.7");
        assert_eq!(s.country, None);
    }
}
