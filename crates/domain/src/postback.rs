//! Server-to-server postbacks from an operator's platform (issue 29): the
//! event a platform sends, parsed once into checked values, and how a
//! brand authenticates them. The signature itself and what an event does
//! to the data are the app's (`partnerdesk_app::tracking::postbacks_in`).

use crate::codes::{CountryCode, CurrencyCode};
use crate::error::FieldError;
use crate::ids::Id;
use crate::limits::{self, check_amount, check_text, check_time, TEXT_MAX_CHARS};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

/// How a brand's postbacks prove they come from its platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostbackAuth {
    /// `X-Partnerdesk-Signature`: hex HMAC-SHA256 of the raw body with the brand's secret.
    Hmac,
    /// `Authorization: Bearer <the brand's secret>`.
    Token,
}

impl PostbackAuth {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "hmac" => Ok(PostbackAuth::Hmac),
            "token" => Ok(PostbackAuth::Token),
            other => Err(FieldError::new(
                field,
                format!(
                    "{} is not a postback authentication; use 'hmac' (a signature of the body) or 'token' (a bearer token)",
                    limits::shown(other)
                ),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PostbackAuth::Hmac => "hmac",
            PostbackAuth::Token => "token",
        }
    }
}

/// The replay window when a brand sets none: 5 minutes either side of now.
pub const WINDOW_SECS_DEFAULT: i64 = 300;
/// The widest replay window a brand may set (a day).
pub const WINDOW_SECS_MAX: i64 = 86_400;

/// Checks a replay window in seconds.
pub fn check_window(field: &str, secs: i64) -> Result<i64, FieldError> {
    if !(1..=WINDOW_SECS_MAX).contains(&secs) {
        return Err(FieldError::new(
            field,
            format!("a replay window is 1 to {WINDOW_SECS_MAX} seconds, not {secs}"),
        ));
    }
    Ok(secs)
}

/// What a postback reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostbackKind {
    Registration,
    Deposit,
}

impl PostbackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostbackKind::Registration => "registration",
            PostbackKind::Deposit => "deposit",
        }
    }
}

/// One event, checked: ids and text within the limits of §15, the time
/// within the dates the system computes, a deposit's amount positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostbackEvent {
    /// The platform's id of the event: a second event with it is a duplicate.
    pub event_id: String,
    pub kind: PostbackKind,
    /// When the event happened (also the replay check's time).
    pub time: DateTime<Utc>,
    /// The tracking server's click id the visitor came with.
    pub click_id: Option<String>,
    /// A tracking code, when the platform knows no click id.
    pub code: Option<String>,
    /// The platform's customer id.
    pub customer_id: Id,
    pub country: Option<CountryCode>,
    /// A deposit's amount, in `currency`.
    pub amount: Option<Decimal>,
    pub currency: Option<CurrencyCode>,
    /// The customer's e-mail, when the platform sends it (self-referral checks).
    pub email: Option<String>,
    /// The customer's payment details (an IBAN, a wallet), when sent.
    pub payment_details: Option<String>,
}

/// The body as sent; every field is text, so that a number is never read
/// through a float.
#[derive(Deserialize)]
struct Raw {
    event_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    time: Option<String>,
    click_id: Option<String>,
    code: Option<String>,
    customer_id: Option<String>,
    country: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
    email: Option<String>,
    payment_details: Option<String>,
}

fn present(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn required(field: &str, v: Option<String>) -> Result<String, FieldError> {
    present(v).ok_or_else(|| FieldError::new(field, "is missing"))
}

fn text(field: &str, v: Option<String>) -> Result<Option<String>, FieldError> {
    let v = present(v);
    if let Some(s) = &v {
        check_text(field, s, TEXT_MAX_CHARS)?;
    }
    Ok(v)
}

impl PostbackEvent {
    /// Parses a postback's JSON body: `event_id`, `type` (`registration` or
    /// `deposit`), `time` (RFC 3339), `customer_id`, `click_id` or `code`
    /// (a registration needs one), `country`, `amount` and `currency` (a
    /// deposit's, amount as a decimal string), `email`, `payment_details`.
    /// Other fields are ignored.
    pub fn parse(body: &[u8]) -> Result<Self, FieldError> {
        let raw: Raw = serde_json::from_slice(body).map_err(|e| {
            FieldError::new(
                "body",
                format!("is not a postback's JSON object ({e}); every field is a string"),
            )
        })?;
        let event_id = required("event_id", raw.event_id)?;
        check_text("event_id", &event_id, TEXT_MAX_CHARS)?;
        let kind = match required("type", raw.kind)?.as_str() {
            "registration" => PostbackKind::Registration,
            "deposit" => PostbackKind::Deposit,
            other => {
                return Err(FieldError::new(
                    "type",
                    format!(
                        "{} is not an event type; use 'registration' or 'deposit'",
                        limits::shown(other)
                    ),
                ))
            }
        };
        let time = crate::data::parse_time("time", &required("time", raw.time)?)?;
        check_time("time", time)?;
        let customer_id = Id::parse("customer_id", &required("customer_id", raw.customer_id)?)?;
        let click_id = text("click_id", raw.click_id)?;
        let code = text("code", raw.code)?;
        // A name or a code, read as a sync reads it; text naming no country
        // is an unknown country (RULES.md), never a refusal.
        let country = present(raw.country).and_then(|c| crate::country_from_text(&c));
        let amount = match present(raw.amount) {
            Some(a) => {
                let d = Decimal::from_str(&a).map_err(|_| {
                    FieldError::new(
                        "amount",
                        format!("{} is not a decimal number", limits::shown(&a)),
                    )
                })?;
                Some(check_amount("amount", d)?)
            }
            None => None,
        };
        let currency = match present(raw.currency) {
            Some(c) => Some(CurrencyCode::parse("currency", &c)?),
            None => None,
        };
        let email = text("email", raw.email)?;
        let payment_details = text("payment_details", raw.payment_details)?;
        match kind {
            PostbackKind::Registration if click_id.is_none() && code.is_none() => {
                return Err(FieldError::new(
                    "click_id",
                    "a registration needs the visitor's click_id (or a tracking code)",
                ))
            }
            PostbackKind::Deposit => match (amount, &currency) {
                (Some(a), Some(_)) if a > Decimal::ZERO => {}
                (Some(_), Some(_)) => {
                    return Err(FieldError::new("amount", "a deposit's amount is above 0"))
                }
                _ => {
                    return Err(FieldError::new(
                        "amount",
                        "a deposit needs its amount and currency",
                    ))
                }
            },
            _ => {}
        }
        Ok(PostbackEvent {
            event_id,
            kind,
            time,
            click_id,
            code,
            customer_id,
            country,
            amount,
            currency,
            email,
            payment_details,
        })
    }
}

/// The events a partner's own tracker may be told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutEvent {
    Registration,
    Ftd,
    QualifiedCpa,
    Purchase,
}

impl OutEvent {
    pub const ALL: [OutEvent; 4] = [
        OutEvent::Registration,
        OutEvent::Ftd,
        OutEvent::QualifiedCpa,
        OutEvent::Purchase,
    ];

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "{} is not a postback event; use registration, ftd, qualified_cpa or purchase",
                        limits::shown(raw)
                    ),
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OutEvent::Registration => "registration",
            OutEvent::Ftd => "ftd",
            OutEvent::QualifiedCpa => "qualified_cpa",
            OutEvent::Purchase => "purchase",
        }
    }
}

/// Macros a partner's postback URL may use.
pub const OUT_MACROS: [&str; 11] = [
    "click_id",
    "sub1",
    "sub2",
    "sub3",
    "sub4",
    "sub5",
    "customer_id",
    "event",
    "amount",
    "currency",
    "code",
];

/// Checks a partner's postback URL: http(s), only [`OUT_MACROS`].
pub fn check_out_url(field: &str, raw: &str) -> Result<(), FieldError> {
    crate::tracking::check_template_with(field, raw, &OUT_MACROS)
}

/// What a partner's postback URL is filled with. `amount` and `currency`
/// are None unless the operator lets the partner see amounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutFill<'a> {
    pub click_id: Option<&'a str>,
    pub subs: [Option<&'a str>; 5],
    pub customer_id: &'a str,
    pub event: &'a str,
    pub code: Option<&'a str>,
    pub amount: Option<&'a str>,
    pub currency: Option<&'a str>,
}

/// The URL to call: each macro replaced by its value, percent-encoded
/// (absent values empty).
pub fn fill_out(template: &str, v: &OutFill<'_>) -> String {
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
            "click_id" => v.click_id,
            "sub1" => v.subs[0],
            "sub2" => v.subs[1],
            "sub3" => v.subs[2],
            "sub4" => v.subs[3],
            "sub5" => v.subs[4],
            "customer_id" => Some(v.customer_id),
            "event" => Some(v.event),
            "code" => v.code,
            "amount" => v.amount,
            "currency" => v.currency,
            _ => {
                out.push_str(&rest[open..open + close + 2]);
                rest = &after[close + 1..];
                continue;
            }
        };
        crate::tracking::percent_encode(value.unwrap_or(""), &mut out);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deposit_is_read_with_its_exact_amount() {
        let e = PostbackEvent::parse(
            br#"{"event_id":"e1","type":"deposit","time":"2026-12-07T10:00:00Z","customer_id":"C1","amount":"10.10","currency":"EUR","extra":1}"#,
        )
        .expect("a valid deposit");
        assert_eq!(e.kind, PostbackKind::Deposit);
        assert_eq!(e.amount, Some(Decimal::new(1010, 2)), "10.10 exactly");
        assert_eq!(e.currency.as_ref().map(|c| c.as_str()), Some("EUR"));
    }

    #[test]
    fn what_an_event_lacks_is_named() {
        let cases: [(&[u8], &str); 5] = [
            (br#"{"type":"deposit"}"#, "event_id"),
            (
                br#"{"event_id":"e","type":"login","time":"2026-12-07T10:00:00Z","customer_id":"C"}"#,
                "type",
            ),
            (
                br#"{"event_id":"e","type":"registration","time":"2026-12-07T10:00:00Z","customer_id":"C"}"#,
                "click_id",
            ),
            (
                br#"{"event_id":"e","type":"deposit","time":"2026-12-07T10:00:00Z","customer_id":"C","amount":"0","currency":"EUR"}"#,
                "amount",
            ),
            (b"[1,2]", "body"),
        ];
        for (body, field) in cases {
            let e = PostbackEvent::parse(body).expect_err("refused");
            assert_eq!(e.field, field, "{e}");
        }
    }

    #[test]
    fn an_out_url_is_filled_encoded_and_amounts_only_when_given() {
        let t =
            "https://tracker.example/pb?cid={click_id}&s2={sub2}&e={event}&a={amount}&c={currency}";
        check_out_url("url", t).expect("valid");
        assert!(check_out_url("url", "https://t.example/?x={landing}").is_err());
        let v = OutFill {
            click_id: Some("abc"),
            subs: [None, Some("a b"), None, None, None],
            customer_id: "C1",
            event: "ftd",
            ..Default::default()
        };
        assert_eq!(
            fill_out(t, &v),
            "https://tracker.example/pb?cid=abc&s2=a%20b&e=ftd&a=&c="
        );
        let v = OutFill {
            amount: Some("10.50"),
            currency: Some("EUR"),
            ..v
        };
        assert!(fill_out(t, &v).ends_with("&a=10.50&c=EUR"));
        for e in OutEvent::ALL {
            assert_eq!(OutEvent::parse("event", e.as_str()), Ok(e));
        }
    }

    #[test]
    fn auth_words_round_trip() {
        for a in [PostbackAuth::Hmac, PostbackAuth::Token] {
            assert_eq!(PostbackAuth::parse("auth", a.as_str()), Ok(a));
        }
        assert!(PostbackAuth::parse("auth", "basic").is_err());
        assert!(check_window("w", 0).is_err());
        assert_eq!(check_window("w", 300), Ok(300));
    }
}
