//! Countries as MT5 keeps them: the free text typed when the account was
//! opened (MetaQuotes, `IMTUser::Country`: "the country of a client", a
//! string) — English names, local spellings, other cases. The simulator's
//! own list, written apart from Partnerdesk's table on purpose, so a sync
//! test does not agree with itself; codes it does not list are served as
//! they are.

const NAMES: &[(&str, &[&str])] = &[
    ("AE", &["United Arab Emirates", "UAE", "U.A.E."]),
    ("AT", &["Austria", "Österreich"]),
    ("BR", &["Brazil", "Brasil"]),
    ("CA", &["Canada"]),
    ("CY", &["Cyprus"]),
    ("DE", &["Germany", "Deutschland", "GERMANY"]),
    ("FI", &["Finland", "Suomi"]),
    ("FR", &["France"]),
    ("GB", &["United Kingdom", "UK", "Great Britain", "England"]),
    ("IE", &["Ireland"]),
    ("IN", &["India"]),
    ("IR", &["Iran, Islamic Republic of", "Iran"]),
    ("JP", &["Japan"]),
    ("MY", &["Malaysia"]),
    ("NG", &["Nigeria"]),
    ("NL", &["Netherlands", "The Netherlands", "Holland"]),
    ("NO", &["Norway", "Norge"]),
    ("NZ", &["New Zealand"]),
    ("SE", &["Sweden", "Sverige"]),
    ("TH", &["Thailand"]),
    ("TR", &["Turkey", "Türkiye"]),
    ("US", &["United States", "USA", "United States of America"]),
    ("ZA", &["South Africa"]),
];

/// The text an account of `login` shows for the country `code`.
pub fn free_text(code: &str, login: u64) -> String {
    match NAMES.iter().find(|(c, _)| *c == code) {
        Some((_, names)) => names[(login as usize) % names.len()].to_string(),
        None => code.to_string(),
    }
}
