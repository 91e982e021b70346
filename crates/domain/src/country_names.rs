//! Countries written as free text (MT5 accounts, shop billing addresses,
//! gaming feeds) read as ISO 3166-1 alpha-2 codes: the alpha-2 and alpha-3
//! codes, the English short names of ISO 3166-1 and common alternates (other
//! English names, local spellings). Text that matches none of them is an
//! unknown country: RULES.md lets a customer's country be unknown, so a sync
//! never refuses a customer for it and lists the text instead.
//!
//! Matching ignores case, accents and punctuation; "St" reads as "Saint",
//! "&" as "and", and a leading "The" is dropped. Comma-inverted ISO names
//! ("Korea, Republic of") are listed with their everyday forms.

use crate::codes::CountryCode;
use std::collections::HashMap;
use std::sync::OnceLock;

/// alpha-2, alpha-3, then names separated by `|` (the ISO short name first).
const TABLE: [(&str, &str, &str); 249] = [
    ("AD", "AND", "Andorra"),
    ("AE", "ARE", "United Arab Emirates|UAE|Emirates|U.A.E."),
    ("AF", "AFG", "Afghanistan"),
    ("AG", "ATG", "Antigua and Barbuda|Antigua"),
    ("AI", "AIA", "Anguilla"),
    ("AL", "ALB", "Albania|Shqipëria"),
    ("AM", "ARM", "Armenia"),
    ("AO", "AGO", "Angola"),
    ("AQ", "ATA", "Antarctica"),
    ("AR", "ARG", "Argentina"),
    ("AS", "ASM", "American Samoa"),
    ("AT", "AUT", "Austria|Österreich|Oesterreich"),
    ("AU", "AUS", "Australia"),
    ("AW", "ABW", "Aruba"),
    ("AX", "ALA", "Åland Islands|Aland"),
    ("AZ", "AZE", "Azerbaijan"),
    ("BA", "BIH", "Bosnia and Herzegovina|Bosnia|Bosnia-Herzegovina"),
    ("BB", "BRB", "Barbados"),
    ("BD", "BGD", "Bangladesh"),
    ("BE", "BEL", "Belgium|België|Belgique|Belgien"),
    ("BF", "BFA", "Burkina Faso"),
    ("BG", "BGR", "Bulgaria|България"),
    ("BH", "BHR", "Bahrain"),
    ("BI", "BDI", "Burundi"),
    ("BJ", "BEN", "Benin"),
    ("BL", "BLM", "Saint Barthélemy|St Barts"),
    ("BM", "BMU", "Bermuda"),
    ("BN", "BRN", "Brunei Darussalam|Brunei"),
    ("BO", "BOL", "Bolivia (Plurinational State of)|Bolivia"),
    ("BQ", "BES", "Bonaire, Sint Eustatius and Saba|Caribbean Netherlands|Bonaire"),
    ("BR", "BRA", "Brazil|Brasil"),
    ("BS", "BHS", "Bahamas|The Bahamas"),
    ("BT", "BTN", "Bhutan"),
    ("BV", "BVT", "Bouvet Island"),
    ("BW", "BWA", "Botswana"),
    ("BY", "BLR", "Belarus|Беларусь"),
    ("BZ", "BLZ", "Belize"),
    ("CA", "CAN", "Canada"),
    ("CC", "CCK", "Cocos (Keeling) Islands|Cocos Islands"),
    ("CD", "COD", "Congo, Democratic Republic of the|Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa"),
    ("CF", "CAF", "Central African Republic"),
    ("CG", "COG", "Congo|Republic of the Congo|Congo-Brazzaville"),
    ("CH", "CHE", "Switzerland|Schweiz|Suisse|Svizzera"),
    ("CI", "CIV", "Côte d'Ivoire|Ivory Coast"),
    ("CK", "COK", "Cook Islands"),
    ("CL", "CHL", "Chile"),
    ("CM", "CMR", "Cameroon"),
    ("CN", "CHN", "China|People's Republic of China|PRC|中国"),
    ("CO", "COL", "Colombia"),
    ("CR", "CRI", "Costa Rica"),
    ("CU", "CUB", "Cuba"),
    ("CV", "CPV", "Cabo Verde|Cape Verde"),
    ("CW", "CUW", "Curaçao"),
    ("CX", "CXR", "Christmas Island"),
    ("CY", "CYP", "Cyprus"),
    ("CZ", "CZE", "Czechia|Czech Republic|Česko|Česká republika"),
    ("DE", "DEU", "Germany|Deutschland"),
    ("DJ", "DJI", "Djibouti"),
    ("DK", "DNK", "Denmark|Danmark"),
    ("DM", "DMA", "Dominica"),
    ("DO", "DOM", "Dominican Republic"),
    ("DZ", "DZA", "Algeria"),
    ("EC", "ECU", "Ecuador"),
    ("EE", "EST", "Estonia|Eesti"),
    ("EG", "EGY", "Egypt"),
    ("EH", "ESH", "Western Sahara"),
    ("ER", "ERI", "Eritrea"),
    ("ES", "ESP", "Spain|España"),
    ("ET", "ETH", "Ethiopia"),
    ("FI", "FIN", "Finland|Suomi"),
    ("FJ", "FJI", "Fiji"),
    ("FK", "FLK", "Falkland Islands (Malvinas)|Falkland Islands"),
    ("FM", "FSM", "Micronesia (Federated States of)|Micronesia"),
    ("FO", "FRO", "Faroe Islands|Faeroe Islands"),
    ("FR", "FRA", "France"),
    ("GA", "GAB", "Gabon"),
    ("GB", "GBR", "United Kingdom of Great Britain and Northern Ireland|United Kingdom|UK|Great Britain|Britain|England|Scotland|Wales|Northern Ireland"),
    ("GD", "GRD", "Grenada"),
    ("GE", "GEO", "Georgia"),
    ("GF", "GUF", "French Guiana"),
    ("GG", "GGY", "Guernsey"),
    ("GH", "GHA", "Ghana"),
    ("GI", "GIB", "Gibraltar"),
    ("GL", "GRL", "Greenland"),
    ("GM", "GMB", "Gambia|The Gambia"),
    ("GN", "GIN", "Guinea"),
    ("GP", "GLP", "Guadeloupe"),
    ("GQ", "GNQ", "Equatorial Guinea"),
    ("GR", "GRC", "Greece|Hellas|Ελλάδα"),
    ("GS", "SGS", "South Georgia and the South Sandwich Islands"),
    ("GT", "GTM", "Guatemala"),
    ("GU", "GUM", "Guam"),
    ("GW", "GNB", "Guinea-Bissau"),
    ("GY", "GUY", "Guyana"),
    ("HK", "HKG", "Hong Kong"),
    ("HM", "HMD", "Heard Island and McDonald Islands"),
    ("HN", "HND", "Honduras"),
    ("HR", "HRV", "Croatia|Hrvatska"),
    ("HT", "HTI", "Haiti"),
    ("HU", "HUN", "Hungary|Magyarország"),
    ("ID", "IDN", "Indonesia"),
    ("IE", "IRL", "Ireland|Éire|Republic of Ireland"),
    ("IL", "ISR", "Israel"),
    ("IM", "IMN", "Isle of Man"),
    ("IN", "IND", "India"),
    ("IO", "IOT", "British Indian Ocean Territory"),
    ("IQ", "IRQ", "Iraq"),
    ("IR", "IRN", "Iran (Islamic Republic of)|Iran"),
    ("IS", "ISL", "Iceland|Ísland"),
    ("IT", "ITA", "Italy|Italia"),
    ("JE", "JEY", "Jersey"),
    ("JM", "JAM", "Jamaica"),
    ("JO", "JOR", "Jordan"),
    ("JP", "JPN", "Japan|日本"),
    ("KE", "KEN", "Kenya"),
    ("KG", "KGZ", "Kyrgyzstan|Kyrgyz Republic"),
    ("KH", "KHM", "Cambodia"),
    ("KI", "KIR", "Kiribati"),
    ("KM", "COM", "Comoros"),
    ("KN", "KNA", "Saint Kitts and Nevis"),
    ("KP", "PRK", "Korea (Democratic People's Republic of)|North Korea|DPRK"),
    ("KR", "KOR", "Korea, Republic of|South Korea|Korea|Republic of Korea|대한민국|한국"),
    ("KW", "KWT", "Kuwait"),
    ("KY", "CYM", "Cayman Islands"),
    ("KZ", "KAZ", "Kazakhstan"),
    ("LA", "LAO", "Lao People's Democratic Republic|Laos"),
    ("LB", "LBN", "Lebanon"),
    ("LC", "LCA", "Saint Lucia"),
    ("LI", "LIE", "Liechtenstein"),
    ("LK", "LKA", "Sri Lanka"),
    ("LR", "LBR", "Liberia"),
    ("LS", "LSO", "Lesotho"),
    ("LT", "LTU", "Lithuania|Lietuva"),
    ("LU", "LUX", "Luxembourg"),
    ("LV", "LVA", "Latvia|Latvija"),
    ("LY", "LBY", "Libya"),
    ("MA", "MAR", "Morocco"),
    ("MC", "MCO", "Monaco"),
    ("MD", "MDA", "Moldova, Republic of|Moldova"),
    ("ME", "MNE", "Montenegro"),
    ("MF", "MAF", "Saint Martin (French part)|Saint Martin"),
    ("MG", "MDG", "Madagascar"),
    ("MH", "MHL", "Marshall Islands"),
    ("MK", "MKD", "North Macedonia|Macedonia"),
    ("ML", "MLI", "Mali"),
    ("MM", "MMR", "Myanmar|Burma"),
    ("MN", "MNG", "Mongolia"),
    ("MO", "MAC", "Macao|Macau"),
    ("MP", "MNP", "Northern Mariana Islands"),
    ("MQ", "MTQ", "Martinique"),
    ("MR", "MRT", "Mauritania"),
    ("MS", "MSR", "Montserrat"),
    ("MT", "MLT", "Malta"),
    ("MU", "MUS", "Mauritius"),
    ("MV", "MDV", "Maldives"),
    ("MW", "MWI", "Malawi"),
    ("MX", "MEX", "Mexico|México"),
    ("MY", "MYS", "Malaysia"),
    ("MZ", "MOZ", "Mozambique"),
    ("NA", "NAM", "Namibia"),
    ("NC", "NCL", "New Caledonia"),
    ("NE", "NER", "Niger"),
    ("NF", "NFK", "Norfolk Island"),
    ("NG", "NGA", "Nigeria"),
    ("NI", "NIC", "Nicaragua"),
    ("NL", "NLD", "Netherlands|Netherlands, Kingdom of the|The Netherlands|Holland|Nederland"),
    ("NO", "NOR", "Norway|Norge|Noreg"),
    ("NP", "NPL", "Nepal"),
    ("NR", "NRU", "Nauru"),
    ("NU", "NIU", "Niue"),
    ("NZ", "NZL", "New Zealand|Aotearoa"),
    ("OM", "OMN", "Oman"),
    ("PA", "PAN", "Panama"),
    ("PE", "PER", "Peru"),
    ("PF", "PYF", "French Polynesia"),
    ("PG", "PNG", "Papua New Guinea"),
    ("PH", "PHL", "Philippines|Pilipinas"),
    ("PK", "PAK", "Pakistan"),
    ("PL", "POL", "Poland|Polska"),
    ("PM", "SPM", "Saint Pierre and Miquelon"),
    ("PN", "PCN", "Pitcairn|Pitcairn Islands"),
    ("PR", "PRI", "Puerto Rico"),
    ("PS", "PSE", "Palestine, State of|Palestine|Palestinian Territories"),
    ("PT", "PRT", "Portugal"),
    ("PW", "PLW", "Palau"),
    ("PY", "PRY", "Paraguay"),
    ("QA", "QAT", "Qatar"),
    ("RE", "REU", "Réunion"),
    ("RO", "ROU", "Romania|România"),
    ("RS", "SRB", "Serbia|Srbija|Србија"),
    ("RU", "RUS", "Russian Federation|Russia|Россия"),
    ("RW", "RWA", "Rwanda"),
    ("SA", "SAU", "Saudi Arabia|KSA"),
    ("SB", "SLB", "Solomon Islands"),
    ("SC", "SYC", "Seychelles"),
    ("SD", "SDN", "Sudan"),
    ("SE", "SWE", "Sweden|Sverige"),
    ("SG", "SGP", "Singapore"),
    ("SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha|Saint Helena"),
    ("SI", "SVN", "Slovenia|Slovenija"),
    ("SJ", "SJM", "Svalbard and Jan Mayen"),
    ("SK", "SVK", "Slovakia|Slovak Republic|Slovensko"),
    ("SL", "SLE", "Sierra Leone"),
    ("SM", "SMR", "San Marino"),
    ("SN", "SEN", "Senegal"),
    ("SO", "SOM", "Somalia"),
    ("SR", "SUR", "Suriname"),
    ("SS", "SSD", "South Sudan"),
    ("ST", "STP", "Sao Tome and Principe"),
    ("SV", "SLV", "El Salvador"),
    ("SX", "SXM", "Sint Maarten (Dutch part)|Sint Maarten"),
    ("SY", "SYR", "Syrian Arab Republic|Syria"),
    ("SZ", "SWZ", "Eswatini|Swaziland"),
    ("TC", "TCA", "Turks and Caicos Islands"),
    ("TD", "TCD", "Chad"),
    ("TF", "ATF", "French Southern Territories"),
    ("TG", "TGO", "Togo"),
    ("TH", "THA", "Thailand"),
    ("TJ", "TJK", "Tajikistan"),
    ("TK", "TKL", "Tokelau"),
    ("TL", "TLS", "Timor-Leste|East Timor"),
    ("TM", "TKM", "Turkmenistan"),
    ("TN", "TUN", "Tunisia"),
    ("TO", "TON", "Tonga"),
    ("TR", "TUR", "Türkiye|Turkey"),
    ("TT", "TTO", "Trinidad and Tobago|Trinidad"),
    ("TV", "TUV", "Tuvalu"),
    ("TW", "TWN", "Taiwan, Province of China|Taiwan"),
    ("TZ", "TZA", "Tanzania, United Republic of|Tanzania"),
    ("UA", "UKR", "Ukraine|Україна"),
    ("UG", "UGA", "Uganda"),
    ("UM", "UMI", "United States Minor Outlying Islands"),
    ("US", "USA", "United States of America|United States|America|U.S.A.|U.S."),
    ("UY", "URY", "Uruguay"),
    ("UZ", "UZB", "Uzbekistan"),
    ("VA", "VAT", "Holy See|Vatican City|Vatican"),
    ("VC", "VCT", "Saint Vincent and the Grenadines"),
    ("VE", "VEN", "Venezuela (Bolivarian Republic of)|Venezuela"),
    ("VG", "VGB", "Virgin Islands (British)|British Virgin Islands"),
    ("VI", "VIR", "Virgin Islands (U.S.)|US Virgin Islands"),
    ("VN", "VNM", "Viet Nam|Vietnam"),
    ("VU", "VUT", "Vanuatu"),
    ("WF", "WLF", "Wallis and Futuna"),
    ("WS", "WSM", "Samoa"),
    ("YE", "YEM", "Yemen"),
    ("YT", "MYT", "Mayotte"),
    ("ZA", "ZAF", "South Africa"),
    ("ZM", "ZMB", "Zambia"),
    ("ZW", "ZWE", "Zimbabwe"),
];

/// The country that `raw` names, or None when it names none we know (empty
/// text included).
pub fn country_from_text(raw: &str) -> Option<CountryCode> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    if t.len() == 2 {
        if let Ok(c) = CountryCode::parse("country", &t.to_ascii_uppercase()) {
            return Some(c);
        }
    }
    index().get(&normalize(t)).copied()
}

/// Alpha-3 codes and normalized names → the country.
fn index() -> &'static HashMap<String, CountryCode> {
    static INDEX: OnceLock<HashMap<String, CountryCode>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m = HashMap::with_capacity(TABLE.len() * 3);
        for (a2, a3, names) in TABLE {
            // The table is checked against the ISO list by a test.
            let Ok(code) = CountryCode::parse("country", a2) else {
                continue;
            };
            m.insert(a3.to_ascii_lowercase(), code);
            for name in names.split('|') {
                m.insert(normalize(name), code);
            }
        }
        m
    })
}

/// Lower case without accents, each run of characters other than letters
/// and digits one space, "st" as "saint", "&" as "and", no leading "the".
pub fn normalize(raw: &str) -> String {
    let mut folded = String::with_capacity(raw.len());
    for ch in raw.chars() {
        if ch == '&' {
            folded.push_str(" and ");
        } else if ch == '\'' || ch == '\u{2019}' {
            // "Côte d'Ivoire" and "Cote dIvoire" are the same name.
        } else if ch.is_alphanumeric() {
            for l in ch.to_lowercase() {
                match fold(l) {
                    Some(plain) => folded.push_str(plain),
                    None => folded.push(l),
                }
            }
        } else {
            folded.push(' ');
        }
    }
    let words: Vec<&str> = folded
        .split_whitespace()
        .map(|w| if w == "st" { "saint" } else { w })
        .collect();
    let words = match words.split_first() {
        Some((&"the", rest)) if !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ")
}

/// A Latin letter with an accent as its plain letters.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> Option<String> {
        country_from_text(raw).map(|c| c.as_str().to_string())
    }

    #[test]
    fn the_table_covers_every_iso_code_once() {
        let mut a2: Vec<&str> = TABLE.iter().map(|r| r.0).collect();
        let mut a3: Vec<&str> = TABLE.iter().map(|r| r.1).collect();
        a2.sort_unstable();
        a2.dedup();
        a3.sort_unstable();
        a3.dedup();
        assert_eq!((a2.len(), a3.len()), (249, 249), "249 distinct codes each");
        for (c, _, _) in TABLE {
            assert!(
                CountryCode::parse("country", c).is_ok(),
                "{c} is an ISO code"
            );
        }
        // No name (after normalizing) points at two countries.
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (c, a3, names) in TABLE {
            for n in names
                .split('|')
                .map(normalize)
                .chain([a3.to_ascii_lowercase()])
            {
                if let Some(other) = seen.insert(n.clone(), c) {
                    assert_eq!(other, c, "'{n}' names both {other} and {c}");
                }
            }
        }
    }

    #[test]
    fn every_iso_short_name_and_code_reads_back() {
        for (a2, a3, names) in TABLE {
            let short = names.split('|').next().unwrap_or_default();
            assert_eq!(code(short).as_deref(), Some(a2), "{short}");
            assert_eq!(code(a3).as_deref(), Some(a2), "{a3}");
            assert_eq!(code(&a2.to_ascii_lowercase()).as_deref(), Some(a2), "{a2}");
        }
    }

    #[test]
    fn alternates_local_spellings_and_punctuation() {
        for (raw, want) in [
            ("Germany", "DE"),
            (" deutschland ", "DE"),
            ("United States", "US"),
            ("U.S.A.", "US"),
            ("usa", "US"),
            ("UK", "GB"),
            ("Great Britain", "GB"),
            ("Korea, Republic of", "KR"),
            ("South Korea", "KR"),
            ("Republic of Korea", "KR"),
            ("Cote d'Ivoire", "CI"),
            ("CÔTE D\u{2019}IVOIRE", "CI"),
            ("Ivory Coast", "CI"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("Turkiye", "TR"),
            ("Österreich", "AT"),
            ("Oesterreich", "AT"),
            ("España", "ES"),
            ("Espana", "ES"),
            ("St. Lucia", "LC"),
            ("St Kitts & Nevis", "KN"),
            ("The Netherlands", "NL"),
            ("Bosnia & Herzegovina", "BA"),
            ("Russia", "RU"),
            ("Россия", "RU"),
            ("Viet Nam", "VN"),
            ("Czech Republic", "CZ"),
            ("Česká republika", "CZ"),
            ("Macedonia", "MK"),
            ("UAE", "AE"),
            ("中国", "CN"),
            ("Hong Kong", "HK"),
        ] {
            assert_eq!(code(raw).as_deref(), Some(want), "'{raw}'");
        }
    }

    #[test]
    fn text_that_names_no_country_is_unknown() {
        for raw in [
            "", "   ", "Atlantis", "XX", "EU", "Europe", "Kosovo", "123", "-",
        ] {
            assert_eq!(code(raw), None, "'{raw}'");
        }
    }
}
