//! How a partner is paid: a bank transfer (IBAN checked by country length and
//! ISO 13616 mod-97, BIC by ISO 9362 shape), an e-wallet or a crypto address
//! (free-form, with the wallet type or network named).

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// IBAN length per country (ISO 13616 registry, SWIFT release of 2024).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// A checked IBAN in electronic form (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Iban(String);

impl Iban {
    /// Accepts the printed form (`DE89 3704 0044 0532 0130 00`) too.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let bad = |why: String| {
            FieldError::new(
                field,
                format!("{} is not a valid IBAN: {why}", crate::limits::shown(raw)),
            )
        };
        if s.len() < 5 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("an IBAN is a country code, two check digits and the account number, letters and digits only".into()));
        }
        let country = &s[..2];
        let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(c, _)| *c == country) else {
            return Err(bad(format!(
                "{} is not a country that uses IBANs",
                crate::limits::shown(country)
            )));
        };
        if s.len() != len {
            return Err(bad(format!(
                "an IBAN from {country} has {len} characters, this one has {}",
                s.len()
            )));
        }
        if !s[2..4].chars().all(|c| c.is_ascii_digit()) {
            return Err(bad("the 3rd and 4th characters must be check digits".into()));
        }
        if mod97(&s) != 1 {
            return Err(bad("the check digits do not match (a typo?)".into()));
        }
        Ok(Iban(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

/// ISO 7064 MOD 97-10 over the IBAN rearranged (first four characters moved to the end, letters as 10..35).
fn mod97(iban: &str) -> u32 {
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    let mut rem: u32 = 0;
    for c in rearranged {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem
}

/// A checked BIC (ISO 9362): 4 letters (institution), 2 letters (country), 2 alphanumerics (location), optionally 3 alphanumerics (branch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bic(String);

impl Bic {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = (s.len() == 8 || s.len() == 11)
            && s[..6].chars().all(|c| c.is_ascii_uppercase())
            && s[6..].chars().all(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(FieldError::new(
                field,
                format!("{} is not a valid BIC (8 or 11 characters: 4 letters for the bank, 2 for the country, 2 for the location, optionally 3 for the branch, e.g. COBADEFFXXX)", crate::limits::shown(raw)),
            ));
        }
        Ok(Bic(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::word_enum!(
/// How a partner is paid, in one word (the `method` of [`PaymentDetails`]).
PaymentMethod, "payment method", {
    BankTransfer => "bank_transfer", EWallet => "e_wallet", Crypto => "crypto",
});

/// How a partner is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PaymentDetails {
    BankTransfer {
        account_holder: String,
        iban: Iban,
        bic: Option<Bic>,
    },
    /// e.g. wallet_type `skrill`, `neteller`, `paypal`; account as the provider writes it.
    EWallet {
        wallet_type: String,
        account: String,
    },
    /// e.g. network `USDT-TRC20`, `BTC`; the address as given.
    Crypto { network: String, address: String },
}

impl PaymentDetails {
    pub fn method(&self) -> PaymentMethod {
        match self {
            PaymentDetails::BankTransfer { .. } => PaymentMethod::BankTransfer,
            PaymentDetails::EWallet { .. } => PaymentMethod::EWallet,
            PaymentDetails::Crypto { .. } => PaymentMethod::Crypto,
        }
    }

    /// Builds and checks details from the flat fields a form or CLI gives:
    /// `method` and, per method, holder+iban(+bic), type+account, or network+address.
    pub fn parse(
        method: &str,
        holder_or_type: &str,
        account: &str,
        bic: Option<&str>,
    ) -> Result<Self, FieldError> {
        let need = |field: &str, v: &str| -> Result<String, FieldError> {
            let v = v.trim();
            if v.is_empty() {
                Err(FieldError::new(field, "must not be empty"))
            } else if v.chars().count() > 200 || v.chars().any(crate::limits::is_forbidden_char) {
                Err(FieldError::new(
                    field,
                    "must be at most 200 characters, without control characters",
                ))
            } else {
                Ok(v.to_string())
            }
        };
        match method {
            "bank_transfer" => Ok(PaymentDetails::BankTransfer {
                account_holder: need("account_holder", holder_or_type)?,
                iban: Iban::parse("iban", account)?,
                bic: bic
                    .filter(|b| !b.trim().is_empty())
                    .map(|b| Bic::parse("bic", b))
                    .transpose()?,
            }),
            "e_wallet" => Ok(PaymentDetails::EWallet {
                wallet_type: need("wallet_type", holder_or_type)?,
                account: need("account", account)?,
            }),
            "crypto" => Ok(PaymentDetails::Crypto {
                network: need("network", holder_or_type)?,
                address: need("address", account)?,
            }),
            other => Err(FieldError::new(
                "method",
                format!(
                    "{} is not a payment method; allowed: bank_transfer, e_wallet, crypto",
                    crate::limits::shown(other)
                ),
            )),
        }
    }

    /// The (holder or type, account, bic) triple as stored.
    pub fn fields(&self) -> (String, String, Option<String>) {
        match self {
            PaymentDetails::BankTransfer {
                account_holder,
                iban,
                bic,
            } => (
                account_holder.clone(),
                iban.as_str().to_string(),
                bic.as_ref().map(|b| b.as_str().to_string()),
            ),
            PaymentDetails::EWallet {
                wallet_type,
                account,
            } => (wallet_type.clone(), account.clone(), None),
            PaymentDetails::Crypto { network, address } => (network.clone(), address.clone(), None),
        }
    }
}

/// An account (IBAN, wallet account, crypto address) as logs and summaries
/// show it: its last four characters only (an IBAN is personal data; the
/// end is enough to tell two accounts apart when checking a change).
/// Four characters or fewer are hidden whole.
pub fn masked(account: &str) -> String {
    let chars: Vec<char> = account.trim().chars().collect();
    if chars.len() <= 4 {
        return "••••".into();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("••••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_accounts_keep_the_last_four_characters() {
        assert_eq!(masked("DE89370400440532013000"), "••••3000");
        assert_eq!(masked("payee@example.com"), "••••.com");
        assert_eq!(masked("1234"), "••••", "a short account is hidden whole");
        assert_eq!(masked("Zoë Müller"), "••••ller", "characters, not bytes");
    }

    #[test]
    fn real_ibans_pass_in_printed_and_electronic_form() {
        for ok in [
            "DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432",
            "fr1420041010050500013m02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
        ] {
            assert!(
                Iban::parse("iban", ok).is_ok(),
                "{ok} is a published example IBAN"
            );
        }
        assert_eq!(
            Iban::parse("iban", "de89 3704 0044 0532 0130 00")
                .unwrap()
                .as_str(),
            "DE89370400440532013000"
        );
    }

    #[test]
    fn bad_ibans_say_why() {
        let e = Iban::parse("iban", "DE89370400440532013001").unwrap_err();
        assert!(e.message.contains("check digits do not match"), "{e}");
        let e = Iban::parse("iban", "DE8937040044053201300").unwrap_err();
        assert!(e.message.contains("22 characters"), "{e}");
        let e = Iban::parse("iban", "ZZ8937040044053201300").unwrap_err();
        assert!(e.message.contains("not a country"), "{e}");
        let e = Iban::parse("iban", "DE89-3704").unwrap_err();
        assert!(e.message.contains("letters and digits"), "{e}");
    }

    #[test]
    fn bics_have_the_iso_9362_shape() {
        assert!(Bic::parse("bic", "COBADEFFXXX").is_ok());
        assert!(Bic::parse("bic", "deutdeff").is_ok());
        for bad in ["COBADEF", "COBA1EFF", "COBADEFFXX", "COBADE-FXXX"] {
            assert!(Bic::parse("bic", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn details_parse_per_method() {
        let d = PaymentDetails::parse(
            "bank_transfer",
            "Zoë Šťastná",
            "DE89370400440532013000",
            Some("COBADEFFXXX"),
        )
        .unwrap();
        assert_eq!(d.method(), PaymentMethod::BankTransfer);
        let e = PaymentDetails::parse("bank_transfer", "X", "DE00", None).unwrap_err();
        assert_eq!(e.field, "iban");
        assert!(PaymentDetails::parse("crypto", "USDT-TRC20", "TQ9...", None).is_ok());
        assert!(PaymentDetails::parse("e_wallet", "", "a@b.c", None).is_err());
        assert!(PaymentDetails::parse("cheque", "a", "b", None)
            .unwrap_err()
            .message
            .contains("allowed"));
    }
}
