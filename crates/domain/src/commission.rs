//! Commission lines: one amount per (partner, brand, period, kind), with the
//! explanation of how it came about.

use crate::codes::CurrencyCode;
use crate::ids::Id;
use crate::period::Period;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::word_enum!(
/// A period's commissions: computed (may be run again) or closed (booked
/// to the ledger, never recomputed).
PeriodState, "period state", { Computed => "computed", Closed => "closed" });

crate::word_enum!(
/// What a commission line pays for (also a ledger entry's `line_kind`).
Kind, "commission kind", {
    Cpa => "cpa",
    Revshare => "revshare",
    LotRebate => "lot_rebate",
    SpreadShare => "spread_share",
    PurchaseShare => "purchase_share",
    SubOverride => "sub_override",
    /// Late data for a closed period, booked in the first open one. Never in
    /// the canonical export.
    Adjustment => "adjustment",
});

impl Kind {
    pub const EXPORTED: [Kind; 6] = [
        Kind::Cpa,
        Kind::Revshare,
        Kind::LotRebate,
        Kind::SpreadShare,
        Kind::PurchaseShare,
        Kind::SubOverride,
    ];
}

/// One computed commission line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub partner_id: Id,
    pub brand_id: Id,
    pub period: Period,
    pub kind: Kind,
    /// Rounded once, in the partner's currency.
    pub amount: Decimal,
    pub currency: CurrencyCode,
    /// At full precision, in the brand's currency.
    pub amount_brand: Decimal,
    pub brand_currency: CurrencyCode,
    /// Brand currency → partner currency (1 when they are the same).
    pub fx_rate: Decimal,
    /// How the amount came about: basis, rate or tier, carry, counts, sources.
    pub explanation: Explanation,
}

/// How a line's amount came about (basis, rate or tier, carry, counts,
/// sources: the customers, trades or purchases behind it), kept as the
/// compact JSON text it is stored and shown as.
///
/// A month's lines at scale L explain themselves in tens of MB of JSON. As
/// trees of values they took several times that in memory, millions of
/// allocations to make and free, and a turn into text on the one thread a
/// run waits for at its end; reading a period back (the export) parsed it
/// all again. As text, each is written once, right where its line is made,
/// and read back as it is stored. [`Explanation::value`] gives the tree.
#[derive(Clone)]
pub struct Explanation(Box<serde_json::value::RawValue>);

impl Explanation {
    /// The compact JSON text of `value`: object keys in byte order (the
    /// order serde_json's maps keep), no spaces.
    pub fn of(value: &serde_json::Value) -> Self {
        // Writing a JSON value into text cannot fail.
        Self(
            serde_json::value::to_raw_value(value)
                .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned()),
        )
    }

    /// An explanation as stored: JSON text, checked to be one value.
    pub fn from_text(text: String) -> Result<Self, serde_json::Error> {
        serde_json::value::RawValue::from_string(text).map(Self)
    }

    /// Its JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// Its JSON value (parsed from the text: a tree of its own).
    pub fn value(&self) -> serde_json::Value {
        // The text was written from a value or checked when read.
        serde_json::from_str(self.as_str()).unwrap_or(serde_json::Value::Null)
    }
}

impl PartialEq for Explanation {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as the JSON value it is (not as a string holding it).
impl Serialize for Explanation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Read from any JSON value, kept as its compact text.
impl<'de> Deserialize<'de> for Explanation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(|v| Self::of(&v))
    }
}

/// A customer a CPA line paid (after the cap), as the run saw it: what
/// `qualified_cpas` counts (REPORTS.md), kept as rows beside the lines so
/// that reports never parse explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualifier {
    pub customer_id: String,
    /// The customer's country when the run paid it ('' when unknown).
    pub country: String,
}

impl Line {
    /// The customers this line paid: a CPA line's `customers` (the capped
    /// ones are not paid and not counted); none for any other kind.
    pub fn qualifiers(&self) -> Vec<Qualifier> {
        #[derive(Deserialize)]
        struct Paid {
            #[serde(default)]
            customer_id: Option<serde_json::Value>,
            #[serde(default)]
            country: Option<serde_json::Value>,
        }
        #[derive(Deserialize)]
        struct Cpa {
            #[serde(default)]
            customers: Option<serde_json::Value>,
        }
        if self.kind != Kind::Cpa {
            return Vec::new();
        }
        // Only the `customers` key is kept; a line written by the engine
        // always parses, and one that does not pays nobody here either.
        let Ok(Cpa {
            customers: Some(serde_json::Value::Array(customers)),
        }) = serde_json::from_str::<Cpa>(self.explanation.as_str())
        else {
            return Vec::new();
        };
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s,
            _ => String::new(),
        };
        customers
            .into_iter()
            .map(|c| {
                let paid = serde_json::from_value::<Paid>(c).unwrap_or(Paid {
                    customer_id: None,
                    country: None,
                });
                Qualifier {
                    customer_id: text(paid.customer_id),
                    country: text(paid.country),
                }
            })
            .collect()
    }
}

/// The canonical export of RULES.md for one period's lines: sorted by
/// partner_id, brand_id, kind name (byte order), zero amounts and adjustments
/// left out, LF line ends, no quoting.
pub fn canonical_csv<'a>(lines: impl IntoIterator<Item = &'a Line>) -> String {
    let mut rows: Vec<(&str, &str, &str, String, &str, String)> = lines
        .into_iter()
        .filter(|l| l.kind != Kind::Adjustment && !l.amount.is_zero())
        .map(|l| {
            let mut a = l.amount;
            a.rescale(2);
            (
                l.partner_id.as_str(),
                l.brand_id.as_str(),
                l.kind.as_str(),
                l.period.to_string(),
                l.currency.as_str(),
                a.to_string(),
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes(), a.2.as_bytes()).cmp(&(
            b.0.as_bytes(),
            b.1.as_bytes(),
            b.2.as_bytes(),
        ))
    });
    let mut out = String::from("partner_id,brand_id,period,kind,amount,currency\n");
    for (partner, brand, kind, period, currency, amount) in rows {
        out.push_str(&format!(
            "{partner},{brand},{period},{kind},{amount},{currency}\n"
        ));
    }
    out
}

#[cfg(test)]
mod explanation_tests {
    use super::Explanation;
    use serde_json::json;

    /// The text of an explanation is the compact JSON `Display` gives (texts
    /// stored by earlier versions compare equal to new ones): keys in byte
    /// order, quotes, escapes and non-ASCII text as serde_json writes them.
    #[test]
    fn an_explanation_is_its_compact_json() {
        let v = json!({
            "basis": {"ngr": "-12.5", "rows": 3},
            "customers": [{"customer_id": "C\"1", "note": "Zürich\n\t€"}],
            "rate": null,
            "first": true
        });
        let e = Explanation::of(&v);
        assert_eq!(e.as_str(), v.to_string());
        assert_eq!(
            e.as_str(),
            r#"{"basis":{"ngr":"-12.5","rows":3},"customers":[{"customer_id":"C\"1","note":"Zürich\n\t€"}],"first":true,"rate":null}"#
        );
        assert_eq!(e.value(), v);
        assert_eq!(format!("{e:?}"), e.as_str());
        // Read back as stored: the same explanation.
        assert_eq!(Explanation::from_text(e.as_str().to_string()).unwrap(), e);
        assert_ne!(Explanation::of(&json!({"rate": "0.25"})), e);
    }

    /// Stored text that is not one JSON value is refused.
    #[test]
    fn stored_text_must_be_one_json_value() {
        for bad in ["", "{", "{\"a\":1} x", "{'a':1}", "[1,]", "nope"] {
            assert!(Explanation::from_text(bad.to_string()).is_err(), "{bad:?}");
        }
        let padded = Explanation::from_text(" {\"a\":1} ".to_string()).unwrap();
        assert_eq!(padded.as_str(), "{\"a\":1}");
    }

    /// In a line serialized as JSON the explanation is the value itself, and
    /// any JSON value read back becomes its compact text.
    #[test]
    fn an_explanation_serializes_as_the_value_it_is() {
        let e = Explanation::of(&json!({"b": [1, "2"], "a": {"c": null}}));
        let text = serde_json::to_string(&vec![&e]).unwrap();
        assert_eq!(text, r#"[{"a":{"c":null},"b":[1,"2"]}]"#);
        let back: Vec<Explanation> =
            serde_json::from_str(r#"[ { "b" : [1, "2"], "a": {"c": null} } ]"#).unwrap();
        assert_eq!(back, vec![e]);
    }

    /// A CPA line's qualifiers are the customers it paid, with the country
    /// the run saw; capped customers and other kinds' customers are none.
    #[test]
    fn a_cpa_line_qualifies_the_customers_it_paid() {
        use super::{Kind, Line, Qualifier};
        use crate::{CurrencyCode, Id, Period};
        let eur = CurrencyCode::parse("currency", "EUR").unwrap();
        let line = |kind: Kind, e: serde_json::Value| Line {
            partner_id: Id::parse("partner_id", "P1").unwrap(),
            brand_id: Id::parse("brand_id", "CAS").unwrap(),
            period: Period::new(2026, 7).unwrap(),
            kind,
            amount: rust_decimal::Decimal::ONE,
            currency: eur,
            amount_brand: rust_decimal::Decimal::ONE,
            brand_currency: eur,
            fx_rate: rust_decimal::Decimal::ONE,
            explanation: Explanation::of(&e),
        };
        let cpa = json!({
            "qualifiers": 2,
            "customers": [
                {"customer_id": "C1", "qualified_on": "2026-07-02", "country": "DE", "amount": "50"},
                {"customer_id": "C2", "qualified_on": "2026-07-03", "country": "", "amount": "40"}
            ],
            "cap_per_period": 2,
            "capped_customers": [{"customer_id": "C3", "qualified_on": "2026-07-04"}]
        });
        let q = |id: &str, country: &str| Qualifier {
            customer_id: id.into(),
            country: country.into(),
        };
        assert_eq!(
            line(Kind::Cpa, cpa.clone()).qualifiers(),
            vec![q("C1", "DE"), q("C2", "")]
        );
        assert!(line(Kind::Revshare, cpa).qualifiers().is_empty());
        assert!(line(Kind::Cpa, json!({"qualifiers": 0}))
            .qualifiers()
            .is_empty());
    }
}
