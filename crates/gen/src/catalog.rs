//! Fixed reference data: brands, countries, plans, instruments, products and
//! the word lists partner names and coupons are made of.

/// The three business verticals of RULES.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vertical {
    Igaming,
    Forex,
    Prop,
}

impl Vertical {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Vertical::Igaming => "igaming",
            Vertical::Forex => "forex",
            Vertical::Prop => "prop",
        }
    }
}

pub(crate) struct BrandDef {
    pub id: &'static str,
    /// Lower-case prefix of the brand's btag codes.
    pub code_prefix: &'static str,
    pub name: &'static str,
    pub vertical: Vertical,
    pub currency: &'static str,
    /// Countries blocked for the brand (`brand_geo_blocks.csv`).
    pub blocked: &'static [&'static str],
    /// Customer countries with relative weights (blocked ones included, rarely).
    pub countries: &'static [(&'static str, u32)],
    /// Countries whose bets carry a 2 % betting tax (iGaming only).
    pub taxed: &'static [&'static str],
    /// Share of all customers, in per mille.
    pub customer_share: u32,
}

pub(crate) const BRANDS: [BrandDef; 4] = [
    BrandDef {
        id: "CAS",
        code_prefix: "cas",
        name: "Casino Aurora",
        vertical: Vertical::Igaming,
        currency: "EUR",
        blocked: &["FR", "US"],
        countries: &[
            ("DE", 240),
            ("AT", 90),
            ("FI", 100),
            ("SE", 80),
            ("NO", 70),
            ("NL", 60),
            ("IE", 40),
            ("GB", 50),
            ("CA", 80),
            ("BR", 80),
            ("JP", 40),
            ("NZ", 30),
            ("US", 12),
            ("FR", 18),
        ],
        taxed: &["AT", "DE", "SE"],
        customer_share: 450,
    },
    BrandDef {
        id: "SPT",
        code_prefix: "spt",
        name: "Sportsbook Vega",
        vertical: Vertical::Igaming,
        currency: "GBP",
        blocked: &["TR", "US"],
        countries: &[
            ("GB", 480),
            ("IE", 100),
            ("DE", 80),
            ("CA", 80),
            ("BR", 70),
            ("SE", 50),
            ("NO", 40),
            ("FI", 30),
            ("JP", 20),
            ("TR", 15),
            ("US", 15),
        ],
        taxed: &["DE", "GB"],
        customer_share: 250,
    },
    BrandDef {
        id: "FX",
        code_prefix: "fx",
        name: "Meridian Markets",
        vertical: Vertical::Forex,
        currency: "USD",
        blocked: &["IR", "US"],
        countries: &[
            ("DE", 90),
            ("GB", 90),
            ("JP", 110),
            ("BR", 100),
            ("CA", 60),
            ("ZA", 90),
            ("NG", 70),
            ("AE", 90),
            ("TH", 70),
            ("MY", 70),
            ("CY", 30),
            ("US", 15),
            ("IR", 10),
        ],
        taxed: &[],
        customer_share: 200,
    },
    BrandDef {
        id: "PROP",
        code_prefix: "prop",
        name: "Summit Funded Traders",
        vertical: Vertical::Prop,
        currency: "USD",
        blocked: &["IR", "KP"],
        countries: &[
            ("US", 200),
            ("GB", 120),
            ("DE", 90),
            ("CA", 80),
            ("BR", 80),
            ("IN", 100),
            ("NG", 60),
            ("ZA", 60),
            ("AE", 50),
            ("JP", 50),
            ("IR", 8),
            ("KP", 2),
        ],
        taxed: &[],
        customer_share: 100,
    },
];

/// Brand index of each partner group (a partner belongs to one group; iGaming
/// partners may additionally promote the other iGaming brand).
pub(crate) const GROUP_SHARE: [u32; 4] = [400, 220, 260, 120];

/// Partner kinds, in RULES.md spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Affiliate,
    Ib,
    Referral,
    MediaBuyer,
    Influencer,
    Strategic,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Affiliate => "affiliate",
            Kind::Ib => "ib",
            Kind::Referral => "referral",
            Kind::MediaBuyer => "media_buyer",
            Kind::Influencer => "influencer",
            Kind::Strategic => "strategic",
        }
    }
}

/// Partner kinds per vertical with relative weights.
pub(crate) fn kinds_for(v: Vertical) -> &'static [(Kind, u32)] {
    match v {
        Vertical::Igaming => &[
            (Kind::Affiliate, 50),
            (Kind::MediaBuyer, 15),
            (Kind::Influencer, 15),
            (Kind::Referral, 10),
            (Kind::Strategic, 10),
        ],
        Vertical::Forex => &[(Kind::Ib, 90), (Kind::Strategic, 6), (Kind::Affiliate, 4)],
        Vertical::Prop => &[
            (Kind::Influencer, 40),
            (Kind::Affiliate, 40),
            (Kind::Referral, 15),
            (Kind::Strategic, 5),
        ],
    }
}

pub(crate) const STATUSES: [(&str, u32); 5] = [
    ("active", 860),
    ("pending_review", 40),
    ("applied", 20),
    ("suspended", 50),
    ("terminated", 30),
];

/// Partner countries per vertical.
pub(crate) fn partner_countries(v: Vertical) -> &'static [&'static str] {
    match v {
        Vertical::Igaming => &[
            "DE", "AT", "GB", "FI", "SE", "NO", "NL", "MT", "CY", "CA", "BR", "IE",
        ],
        Vertical::Forex => &["CY", "AE", "GB", "ZA", "NG", "MY", "TH", "JP", "BR", "DE"],
        Vertical::Prop => &["US", "GB", "DE", "IN", "AE", "CA", "BR", "NL"],
    }
}

/// Home currency of a partner country.
pub(crate) fn home_currency(country: &str) -> &'static str {
    match country {
        "DE" | "AT" | "FI" | "NL" | "MT" | "CY" | "IE" | "FR" => "EUR",
        "GB" => "GBP",
        _ => "USD",
    }
}

pub(crate) const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];

pub(crate) const NAME_ADJ: [&str; 16] = [
    "Lucky", "Golden", "Nordic", "Royal", "Wild", "Silver", "Blue", "Red", "Prime", "Alpha",
    "Smart", "Bright", "Iron", "Rapid", "True", "Star",
];

pub(crate) fn name_nouns(v: Vertical) -> &'static [&'static str] {
    match v {
        Vertical::Igaming => &[
            "Spin", "Slots", "Odds", "Bets", "Jackpot", "Casino", "Reels", "Stakes", "Poker",
            "Bingo",
        ],
        Vertical::Forex => &[
            "Pips", "Capital", "Markets", "Trading", "FX", "Invest", "Wealth", "Charts",
        ],
        Vertical::Prop => &["Funded", "Traders", "Challenge", "Edge", "Prop", "Capital"],
    }
}

pub(crate) fn name_suffixes(k: Kind) -> &'static [&'static str] {
    match k {
        Kind::Affiliate => &["Media", "Reviews", "Guide", "Network"],
        Kind::MediaBuyer => &["Ads", "Traffic", "Performance"],
        Kind::Influencer => &["TV", "Live", "Stream", "Channel"],
        Kind::Referral => &["Club", "Friends"],
        Kind::Strategic => &["Group", "Holdings", "Partners"],
        Kind::Ib => &["Partners", "Introducers", "Advisors", "Ltd"],
    }
}

/// Words prop coupon codes start with (no digits, so `WORD` + number is unique).
pub(crate) const COUPON_WORDS: [&str; 8] = [
    "TRADE", "FUNDED", "PASS", "ALPHA", "EDGE", "PIPS", "SUMMIT", "BULL",
];

/// Brand-wide promotions that are not partner coupons (unknown coupon codes),
/// with their discount in percent.
pub(crate) const HOUSE_COUPONS: [(&str, u64); 4] = [
    ("WELCOME10", 10),
    ("SUMMER25", 25),
    ("FLASH15", 15),
    ("VIP20", 20),
];

/// Tracking codes that belong to nobody (unknown codes on customers).
pub(crate) const GARBAGE_CODES: [&str; 5] = [
    "organic",
    "google-ads",
    "unknown",
    "fb-campaign-7",
    "old-btag-0042",
];

/// Trading instruments: symbol, group, relative weight, spread revenue per lot in cents.
pub(crate) const SYMBOLS: [(&str, &str, u32, u64); 18] = [
    ("EURUSD", "fx_major", 260, 700),
    ("GBPUSD", "fx_major", 120, 800),
    ("USDJPY", "fx_major", 110, 700),
    ("USDCHF", "fx_major", 30, 800),
    ("AUDUSD", "fx_major", 40, 800),
    ("USDCAD", "fx_major", 35, 800),
    ("NZDUSD", "fx_major", 15, 900),
    ("EURGBP", "fx_minor", 30, 1100),
    ("EURJPY", "fx_minor", 30, 1200),
    ("GBPJPY", "fx_minor", 35, 1500),
    ("AUDNZD", "fx_minor", 10, 1400),
    ("EURCHF", "fx_minor", 10, 1200),
    ("XAUUSD", "metals", 120, 2000),
    ("XAUUSD.m", "metals", 40, 2500),
    ("XAGUSD", "metals", 20, 1800),
    ("US30", "indices", 50, 500),
    ("NAS100", "indices", 45, 500),
    ("GER40", "indices", 30, 600),
];

/// Prop products: name, list price in cents, relative weight.
pub(crate) const PRODUCTS: [(&str, u64, u32); 6] = [
    ("Challenge 10k", 9_900, 330),
    ("Challenge 25k", 19_900, 250),
    ("Challenge 50k", 29_900, 200),
    ("Challenge 100k", 49_900, 140),
    ("Challenge 200k", 99_900, 50),
    ("Instant Funding 25k", 54_900, 30),
];

/// Picks an index from relative weights with a uniform draw `r` in `0..sum`.
pub(crate) fn pick_weighted<T>(items: &[T], weight: impl Fn(&T) -> u32, mut r: u32) -> usize {
    for (i, it) in items.iter().enumerate() {
        let w = weight(it);
        if r < w {
            return i;
        }
        r -= w;
    }
    items.len() - 1
}

pub(crate) fn weight_sum<T>(items: &[T], weight: impl Fn(&T) -> u32) -> u32 {
    items.iter().map(weight).sum()
}

// ---------------------------------------------------------------------------
// Plans

/// A tiny JSON value with ordered object keys, so plans.json reads naturally
/// (`plan_id` first) and is byte-stable.
pub(crate) enum J {
    S(&'static str),
    N(u64),
    B(bool),
    A(Vec<J>),
    O(Vec<(&'static str, J)>),
}

fn s(v: &'static str) -> J {
    J::S(v)
}

fn strs(v: &[&'static str]) -> J {
    J::A(v.iter().map(|x| J::S(x)).collect())
}

fn map(v: &[(&'static str, &'static str)]) -> J {
    J::O(v.iter().map(|(k, x)| (*k, J::S(x))).collect())
}

fn tiers(v: &[(&'static str, &'static str)]) -> J {
    J::A(
        v.iter()
            .map(|(from, rate)| J::O(vec![("from", s(from)), ("rate", s(rate))]))
            .collect(),
    )
}

fn comp(ty: &'static str, mut fields: Vec<(&'static str, J)>) -> J {
    fields.insert(0, ("type", s(ty)));
    J::O(fields)
}

fn plan(id: &'static str, name: &'static str, components: Vec<J>) -> PlanDef {
    PlanDef {
        id,
        json: J::O(vec![
            ("plan_id", s(id)),
            ("name", s(name)),
            ("components", J::A(components)),
        ]),
    }
}

pub(crate) struct PlanDef {
    pub id: &'static str,
    pub json: J,
}

/// Ids of plans by use; indices into [`plans`].
pub(crate) mod plan_ids {
    pub const RS_FLAT: usize = 0;
    pub const RS_NOCARRY: usize = 1;
    pub const RS_TIER_FTDS: usize = 2;
    pub const RS_TIER_NGR: usize = 3;
    pub const RS_PROGRESSIVE: usize = 4;
    pub const RS_PROGRESSIVE_FLOOR: usize = 5;
    pub const CPA_GEO: usize = 6;
    pub const CPA_CAPPED: usize = 7;
    pub const CPA_NORDICS: usize = 8;
    pub const CPA_BASIC: usize = 9;
    pub const HYBRID: usize = 10;
    pub const HYBRID_MASTER: usize = 11;
    pub const RS_MASTER: usize = 12;
    pub const STRATEGIC: usize = 13;
    pub const IB_MASTER: usize = 14;
    pub const IB_STD: usize = 15;
    pub const IB_SUB: usize = 16;
    pub const IB_LEVELS: usize = 17;
    pub const IB_SPREAD: usize = 18;
    pub const PROP_STD: usize = 19;
    pub const PROP_INFLUENCER: usize = 20;
    pub const PROP_MASTER: usize = 21;
}

/// The plan catalog. Every component type and every optional field of RULES.md
/// appears in at least one plan. Amounts are in the currency of the brand the
/// plan is assigned for.
pub(crate) fn plans() -> Vec<PlanDef> {
    vec![
        plan(
            "rs-flat-25",
            "RevShare 25% (carryover)",
            vec![comp(
                "revshare",
                vec![
                    ("rate", s("0.25")),
                    ("admin_fee_rate", s("0.10")),
                    ("negative_carryover", J::B(true)),
                ],
            )],
        ),
        plan(
            "rs-flat-30-nocarry",
            "RevShare 30% (no carryover)",
            vec![comp(
                "revshare",
                vec![
                    ("rate", s("0.30")),
                    ("payment_fee_rate", s("0.02")),
                    ("negative_carryover", J::B(false)),
                ],
            )],
        ),
        plan(
            "rs-tier-ftds",
            "RevShare tiered by FTDs",
            vec![comp(
                "revshare",
                vec![
                    ("rate", s("0.25")),
                    ("admin_fee_rate", s("0.05")),
                    ("negative_carryover", J::B(true)),
                    ("tier_metric", s("ftds")),
                    ("tier_mode", s("flat")),
                    (
                        "tiers",
                        tiers(&[("0", "0.25"), ("5", "0.30"), ("15", "0.35"), ("40", "0.40")]),
                    ),
                ],
            )],
        ),
        plan(
            "rs-tier-ngr",
            "RevShare tiered by NGR",
            vec![comp(
                "revshare",
                vec![
                    ("rate", s("0.25")),
                    ("admin_fee_rate", s("0.10")),
                    ("payment_fee_rate", s("0.015")),
                    ("negative_carryover", J::B(true)),
                    ("tier_metric", s("ngr")),
                    ("tier_mode", s("flat")),
                    (
                        "tiers",
                        tiers(&[
                            ("0", "0.20"),
                            ("5000", "0.25"),
                            ("20000", "0.30"),
                            ("50000", "0.35"),
                        ]),
                    ),
                ],
            )],
        ),
        plan(
            "rs-progressive",
            "RevShare progressive",
            vec![comp(
                "revshare",
                vec![
                    ("rate", s("0.20")),
                    ("admin_fee_rate", s("0.10")),
                    ("payment_fee_rate", s("0.025")),
                    ("negative_carryover", J::B(true)),
                    ("tier_metric", s("ngr")),
                    ("tier_mode", s("progressive")),
                    (
                        "tiers",
                        tiers(&[("0", "0.20"), ("2500", "0.30"), ("10000", "0.40")]),
                    ),
                ],
            )],
        ),
        plan(
            "rs-progressive-floor",
            "RevShare progressive above 500",
            vec![comp(
                "revshare",
                vec![
                    ("rate", s("0.30")),
                    ("tier_mode", s("progressive")),
                    ("tiers", tiers(&[("500", "0.25"), ("5000", "0.35")])),
                ],
            )],
        ),
        plan(
            "cpa-geo",
            "CPA by country",
            vec![comp(
                "cpa",
                vec![
                    ("amount", s("75")),
                    (
                        "geo_amounts",
                        map(&[
                            ("AT", "120"),
                            ("CA", "110"),
                            ("DE", "150"),
                            ("FI", "140"),
                            ("GB", "130"),
                            ("NO", "140"),
                            ("SE", "130"),
                        ]),
                    ),
                    ("min_deposits", s("20")),
                    ("min_bets", s("50")),
                    ("window_days", J::N(30)),
                    ("cap_per_period", J::N(50)),
                ],
            )],
        ),
        plan(
            "cpa-capped",
            "CPA capped",
            vec![comp(
                "cpa",
                vec![
                    ("amount", s("40")),
                    ("min_deposits", s("10")),
                    ("window_days", J::N(14)),
                    ("cap_per_period", J::N(5)),
                ],
            )],
        ),
        plan(
            "cpa-nordics",
            "CPA Nordics",
            vec![comp(
                "cpa",
                vec![
                    ("amount", s("120")),
                    ("geo_amounts", map(&[("NO", "150.50")])),
                    ("min_deposits", s("50")),
                    ("min_bets", s("25.50")),
                    ("countries", strs(&["FI", "SE", "NO"])),
                ],
            )],
        ),
        plan(
            "cpa-basic",
            "CPA basic",
            vec![comp("cpa", vec![("amount", s("30"))])],
        ),
        plan(
            "hybrid",
            "Hybrid RevShare + CPA",
            vec![
                comp(
                    "revshare",
                    vec![("rate", s("0.15")), ("negative_carryover", J::B(true))],
                ),
                comp(
                    "cpa",
                    vec![
                        ("amount", s("50")),
                        ("min_deposits", s("25")),
                        ("min_bets", s("100")),
                        ("window_days", J::N(60)),
                        ("countries", strs(&["DE", "AT", "GB", "CA", "IE", "NL"])),
                    ],
                ),
            ],
        ),
        plan(
            "hybrid-master",
            "Hybrid master with sub-affiliate override",
            vec![
                comp(
                    "revshare",
                    vec![
                        ("rate", s("0.20")),
                        ("admin_fee_rate", s("0.10")),
                        ("negative_carryover", J::B(true)),
                    ],
                ),
                comp(
                    "cpa",
                    vec![
                        ("amount", s("60")),
                        ("min_deposits", s("20")),
                        ("window_days", J::N(30)),
                    ],
                ),
                comp(
                    "sub_override",
                    vec![("levels", strs(&["0.05", "0.02", "0.01"]))],
                ),
            ],
        ),
        plan(
            "rs-master",
            "RevShare master network",
            vec![
                comp(
                    "revshare",
                    vec![
                        ("rate", s("0.30")),
                        ("admin_fee_rate", s("0.10")),
                        ("payment_fee_rate", s("0.02")),
                        ("negative_carryover", J::B(true)),
                    ],
                ),
                comp(
                    "sub_override",
                    vec![("levels", strs(&["0.05", "0.03", "0.02", "0.01", "0.005"]))],
                ),
            ],
        ),
        plan(
            "strategic-tiered",
            "Strategic partner deal",
            vec![
                comp(
                    "revshare",
                    vec![
                        ("rate", s("0.35")),
                        ("admin_fee_rate", s("0.05")),
                        ("negative_carryover", J::B(true)),
                        ("tier_metric", s("ngr")),
                        ("tier_mode", s("flat")),
                        (
                            "tiers",
                            tiers(&[("0", "0.30"), ("25000", "0.35"), ("100000", "0.40")]),
                        ),
                    ],
                ),
                comp(
                    "cpa",
                    vec![
                        ("amount", s("100")),
                        ("geo_amounts", map(&[("DE", "175"), ("GB", "160")])),
                        ("min_deposits", s("30")),
                        ("min_bets", s("60")),
                        ("window_days", J::N(45)),
                        ("cap_per_period", J::N(200)),
                    ],
                ),
                comp("sub_override", vec![("levels", strs(&["0.10", "0.05"]))]),
            ],
        ),
        plan(
            "ib-master",
            "IB master",
            vec![
                comp(
                    "lot_rebate",
                    vec![
                        (
                            "rates",
                            map(&[
                                ("fx_major", "10"),
                                ("fx_minor", "12"),
                                ("metals", "15"),
                                ("indices", "4"),
                            ]),
                        ),
                        ("min_hold_seconds", J::N(60)),
                        ("split", s("difference")),
                    ],
                ),
                comp("spread_share", vec![("rate", s("0.10"))]),
            ],
        ),
        plan(
            "ib-std",
            "IB standard",
            vec![comp(
                "lot_rebate",
                vec![
                    (
                        "rates",
                        map(&[
                            ("fx_major", "7"),
                            ("fx_minor", "8"),
                            ("metals", "10"),
                            ("indices", "2.5"),
                        ]),
                    ),
                    ("min_hold_seconds", J::N(60)),
                ],
            )],
        ),
        plan(
            "ib-sub",
            "IB sub-agent",
            vec![
                comp(
                    "lot_rebate",
                    vec![
                        ("rates", map(&[("fx_major", "5"), ("metals", "8")])),
                        ("min_hold_seconds", J::N(120)),
                        ("split", s("difference")),
                        ("level_shares", J::A(Vec::new())),
                    ],
                ),
                comp("spread_share", vec![("rate", s("0.05"))]),
            ],
        ),
        plan(
            "ib-levels",
            "IB multi-level shares",
            vec![comp(
                "lot_rebate",
                vec![
                    (
                        "rates",
                        map(&[
                            ("fx_major", "8"),
                            ("fx_minor", "9"),
                            ("metals", "12"),
                            ("indices", "3"),
                        ]),
                    ),
                    ("min_hold_seconds", J::N(60)),
                    ("split", s("levels")),
                    ("level_shares", strs(&["0.60", "0.25", "0.10", "0.05"])),
                ],
            )],
        ),
        plan(
            "ib-spread",
            "Spread share only",
            vec![comp("spread_share", vec![("rate", s("0.25"))])],
        ),
        plan(
            "prop-std",
            "Prop standard",
            vec![comp(
                "purchase_share",
                vec![
                    ("first_rate", s("0.15")),
                    ("repeat_rate", s("0.10")),
                    ("first_purchase_cpa", s("5")),
                ],
            )],
        ),
        plan(
            "prop-influencer",
            "Prop influencer",
            vec![comp(
                "purchase_share",
                vec![("first_rate", s("0.20")), ("repeat_rate", s("0.20"))],
            )],
        ),
        plan(
            "prop-master",
            "Prop master with override",
            vec![
                comp(
                    "purchase_share",
                    vec![
                        ("first_rate", s("0.15")),
                        ("repeat_rate", s("0.10")),
                        ("first_purchase_cpa", s("7.50")),
                    ],
                ),
                comp("sub_override", vec![("levels", strs(&["0.05", "0.02"]))]),
            ],
        ),
    ]
}

/// Pretty-prints JSON with two-space indentation.
pub(crate) fn write_json(j: &J, indent: usize, out: &mut String) {
    match j {
        J::S(v) => {
            // serde_json escapes correctly; our strings are plain ASCII anyway.
            out.push_str(&serde_json::Value::String((*v).to_string()).to_string());
        }
        J::N(n) => out.push_str(&n.to_string()),
        J::B(b) => out.push_str(if *b { "true" } else { "false" }),
        J::A(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            let scalars = items.iter().all(|i| matches!(i, J::S(_) | J::N(_)));
            if scalars {
                out.push('[');
                for (k, it) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    write_json(it, indent, out);
                }
                out.push(']');
                return;
            }
            out.push_str("[\n");
            for (k, it) in items.iter().enumerate() {
                push_indent(out, indent + 1);
                write_json(it, indent + 1, out);
                if k + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(']');
        }
        J::O(fields) => {
            if fields.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (k, (key, v)) in fields.iter().enumerate() {
                push_indent(out, indent + 1);
                out.push('"');
                out.push_str(key);
                out.push_str("\": ");
                write_json(v, indent + 1, out);
                if k + 1 < fields.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
    }
}

fn push_indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("  ");
    }
}
