//! ISO codes: countries (ISO 3166-1 alpha-2) and currencies (ISO 4217).

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 249 officially assigned ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Active ISO 4217 currency codes (plus the precious-metal and fund codes
/// brokers meet), so that a typo such as `EUE` is refused.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD \
HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD \
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR \
RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS \
UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL";

fn is_listed(list: &str, code: &str) -> bool {
    // Entries are `width` letters apart by one space, in order: a binary
    // search (this runs for every customer a commission run loads).
    let width = code.len();
    let entries = list.len().div_ceil(width + 1);
    if width < 2 || code.contains(' ') {
        return false;
    }
    let entry = |i: usize| {
        list.get(i * (width + 1)..i * (width + 1) + width)
            .unwrap_or("")
    };
    let (mut lo, mut hi) = (0, entries);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match entry(mid).cmp(code) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
        }
    }
    false
}

/// A country, ISO 3166-1 alpha-2, upper case (`DE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
// On the bridge, a named string type (`export type X = string`): the code's
// text, checked by the core (docs/decisions.md §18).
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let b = raw.as_bytes();
        if b.len() == 2 && is_listed(COUNTRIES, raw) {
            Ok(Self([b[0], b[1]]))
        } else {
            Err(FieldError::new(
                field,
                format!("{} is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. DE, GB, US)", crate::limits::shown(raw)),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters from the list above are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl TryFrom<String> for CountryCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse("country", &s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: a column width (`{:<4}`) applies.
        f.pad(self.as_str())
    }
}

/// A currency, ISO 4217, upper case (`EUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
// On the bridge, a named string type (`export type X = string`): the code's
// text, checked by the core (docs/decisions.md §18).
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let b = raw.as_bytes();
        if b.len() == 3 && is_listed(CURRENCIES, raw) {
            Ok(Self([b[0], b[1], b[2]]))
        } else {
            Err(FieldError::new(
                field,
                format!("{} is not an ISO 4217 currency code (three upper-case letters, e.g. EUR, USD, GBP)", crate::limits::shown(raw)),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse("currency", &s)
    }
}

impl From<CurrencyCode> for String {
    fn from(c: CurrencyCode) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: a column width (`{:<4}`) applies.
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_the_expected_sizes() {
        assert_eq!(
            COUNTRIES.split_ascii_whitespace().count(),
            249,
            "ISO 3166-1 assigns 249 alpha-2 codes"
        );
    }

    #[test]
    fn lists_are_sorted_fixed_width_and_found_by_the_search() {
        for (list, width) in [(COUNTRIES, 2), (CURRENCIES, 3)] {
            let entries: Vec<&str> = list.split(' ').collect();
            assert!(entries
                .iter()
                .all(|e| e.len() == width && e.bytes().all(|b| b.is_ascii_uppercase())));
            assert!(
                entries.windows(2).all(|w| w[0] < w[1]),
                "sorted, no repeats"
            );
            for e in &entries {
                assert!(is_listed(list, e), "{e}");
            }
            // Every other code of that width is refused.
            let letters = b'A'..=b'Z';
            let mut others = 0;
            for a in letters.clone() {
                for b in letters.clone() {
                    let mut code = vec![a, b];
                    if width == 3 {
                        code.push(b'Q');
                    }
                    let code = String::from_utf8(code).unwrap();
                    assert_eq!(
                        is_listed(list, &code),
                        entries.contains(&code.as_str()),
                        "{code}"
                    );
                    others += 1;
                }
            }
            assert!(others > 600);
            assert!(!is_listed(list, ""));
            assert!(!is_listed(list, "D"));
            assert!(!is_listed(list, "D "));
        }
    }

    #[test]
    fn countries() {
        assert_eq!(CountryCode::parse("country", "DE").unwrap().as_str(), "DE");
        assert!(
            CountryCode::parse("country", "de").is_err(),
            "lower case is refused"
        );
        assert!(CountryCode::parse("country", "XX").is_err());
        assert!(CountryCode::parse("country", "DEU").is_err());
        let e = CountryCode::parse("country", "ZZ").unwrap_err();
        assert!(e.message.contains("ISO 3166-1"), "{e}");
    }

    #[test]
    fn currencies() {
        assert_eq!(
            CurrencyCode::parse("currency", "EUR").unwrap().as_str(),
            "EUR"
        );
        assert!(CurrencyCode::parse("currency", "EUE").is_err());
        assert!(CurrencyCode::parse("currency", "eur").is_err());
        assert!(CurrencyCode::parse("currency", "").is_err());
    }
}
