//! Brands, partners and tracking codes: the who of Partnerdesk.

use crate::codes::{CountryCode, CurrencyCode};
use crate::error::FieldError;
use crate::ids::Id;
use serde::{Deserialize, Serialize};

crate::word_enum!(
    /// The business a brand is in.
    Vertical, "vertical", { Igaming => "igaming", Forex => "forex", Prop => "prop" });

crate::word_enum!(
/// What kind of partner this is (influencers and streamers share `influencer`).
PartnerKind, "partner kind", {
    Affiliate => "affiliate", Ib => "ib", Referral => "referral",
    MediaBuyer => "media_buyer", Influencer => "influencer", Strategic => "strategic",
});

crate::word_enum!(
/// Where a partner stands; it decides whether it is paid, not what it earns.
PartnerStatus, "partner status", {
    Applied => "applied", PendingReview => "pending_review", Active => "active",
    Suspended => "suspended", Terminated => "terminated",
});

crate::word_enum!(
    /// How a tracking code attributes customers.
    TrackingKind, "tracking code kind", { Btag => "btag", Agent => "agent", Referral => "referral", Coupon => "coupon" });

/// Checks an e-mail address: one `@`, a non-empty local part, a dotted domain,
/// no spaces. Deliverability is the SMTP server's business.
pub fn parse_email(field: &str, raw: &str) -> Result<String, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            format!(
                "{} is not an e-mail address (expected name@example.com)",
                crate::limits::shown(raw)
            ),
        )
    };
    let (local, domain) = raw.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty()
        || local.len() > 64
        || !domain_ok
        || raw.len() > 254
        || raw.chars().any(char::is_whitespace)
        || raw.chars().any(crate::limits::is_forbidden_char)
        || domain.contains('@')
    {
        return Err(bad());
    }
    Ok(raw.to_string())
}

/// A display name: trimmed, 1–200 characters.
pub fn parse_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if name.chars().count() > 200 {
        return Err(FieldError::new(field, "must be at most 200 characters"));
    }
    if name.chars().any(crate::limits::is_forbidden_char) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name.to_string())
}

/// A phone number as typed: trimmed, at most 50 characters, no control characters.
pub fn parse_phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let phone = raw.trim();
    crate::limits::check_text(field, phone, 50)?;
    Ok(phone.to_string())
}

/// Free notes: at most 10,000 characters over any number of lines; no
/// other control character than line breaks and tabs.
pub fn parse_notes(field: &str, raw: &str) -> Result<String, FieldError> {
    if raw.chars().nth(10_000).is_some() {
        return Err(FieldError::new(field, "is longer than 10000 characters"));
    }
    let allowed = |c: char| matches!(c, '\n' | '\r' | '\t');
    if let Some(c) = raw
        .chars()
        .find(|c| !allowed(*c) && crate::limits::is_forbidden_char(*c))
    {
        return Err(FieldError::new(
            field,
            format!(
                "contains the control character {}; notes may hold line breaks and tabs only",
                c.escape_unicode()
            ),
        ));
    }
    Ok(raw.to_string())
}

/// A tag: trimmed, 1–50 characters, no commas.
pub fn parse_tag(field: &str, raw: &str) -> Result<String, FieldError> {
    let tag = raw.trim();
    if tag.is_empty()
        || tag.chars().count() > 50
        || tag.contains(',')
        || tag.chars().any(crate::limits::is_forbidden_char)
    {
        return Err(FieldError::new(
            field,
            format!(
                "{} is not a tag (1–50 characters, no commas)",
                crate::limits::shown(raw)
            ),
        ));
    }
    Ok(tag.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    pub id: Id,
    pub name: String,
    pub vertical: Vertical,
    pub currency: CurrencyCode,
}

/// A partner's editable fields, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerFields {
    pub name: String,
    pub kind: PartnerKind,
    pub parent_id: Option<Id>,
    pub email: Option<String>,
    pub country: Option<CountryCode>,
    pub currency: CurrencyCode,
    pub status: PartnerStatus,
    pub tags: Vec<String>,
    pub notes: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingCode {
    pub brand_id: Id,
    pub code: String,
    pub partner_id: Id,
    pub kind: TrackingKind,
}

/// A tracking code as typed: 1–100 characters, no spaces, commas or quotes.
pub fn parse_code(field: &str, raw: &str) -> Result<String, FieldError> {
    Id::parse(field, raw).map(Id::into_string)
}

/// Would making `new_parent` the parent of `partner` create a cycle?
/// `parent_of` walks the current tree upwards.
pub fn would_cycle(
    partner: &Id,
    new_parent: &Id,
    mut parent_of: impl FnMut(&Id) -> Option<Id>,
) -> bool {
    let mut cursor = Some(new_parent.clone());
    let mut steps = 0usize;
    while let Some(p) = cursor {
        if &p == partner {
            return true;
        }
        steps += 1;
        if steps > 1_000_000 {
            return true; // an existing cycle: refuse rather than loop
        }
        cursor = parent_of(&p);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn enums_parse_their_words_only() {
        assert_eq!(
            PartnerKind::parse("kind", "media_buyer").unwrap(),
            PartnerKind::MediaBuyer
        );
        let e = PartnerKind::parse("kind", "streamer").unwrap_err();
        assert_eq!(e.field, "kind");
        assert!(e.message.contains("affiliate, ib, referral"), "{e}");
        assert_eq!(
            PartnerStatus::parse("status", "pending_review")
                .unwrap()
                .as_str(),
            "pending_review"
        );
        assert!(Vertical::parse("vertical", "casino").is_err());
    }

    #[test]
    fn emails() {
        assert!(parse_email("email", "anna@example.com").is_ok());
        for bad in [
            "anna",
            "anna@",
            "@example.com",
            "anna@example",
            "an na@example.com",
            "a@b@c.com",
            "anna@.com",
        ] {
            assert!(parse_email("email", bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn names_and_tags() {
        assert_eq!(parse_name("name", "  Zoë Šťastná ").unwrap(), "Zoë Šťastná");
        assert!(parse_name("name", "   ").is_err());
        assert!(parse_tag("tags", "vip,gold").is_err());
        assert!(parse_name("name", "Evil\u{1b}[2J").is_err());
        assert!(parse_name("name", &"n".repeat(201)).is_err());
        assert!(parse_email("email", "a\u{1b}b@example.com").is_err());
        assert_eq!(
            parse_phone("phone", " +49 30 1234 ").unwrap(),
            "+49 30 1234"
        );
        assert!(parse_phone("phone", "+49\u{0}").is_err());
        assert!(parse_notes("notes", "line one\nline two\twith a tab").is_ok());
        assert!(parse_notes("notes", "bell\u{7}").is_err());
        assert!(parse_notes("notes", &"x".repeat(10_001)).is_err());
    }

    #[test]
    fn cycles_are_detected() {
        // a ← b ← c (c's parent is b, b's parent is a)
        let parents: HashMap<&str, &str> = [("b", "a"), ("c", "b")].into();
        let id = |s: &str| Id::parse("id", s).unwrap();
        let parent_of = |p: &Id| parents.get(p.as_str()).map(|s| id(s));
        assert!(
            would_cycle(&id("a"), &id("c"), parent_of),
            "a under its own grandchild"
        );
        assert!(would_cycle(&id("a"), &id("a"), parent_of), "a under itself");
        assert!(
            !would_cycle(&id("c"), &id("a"), parent_of),
            "c directly under a is fine"
        );
    }
}
