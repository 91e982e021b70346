//! The figures a daily roll-up row holds, and their compact stored text.
//!
//! A roll-up row sums exactly what REPORTS.md's activity measures need for
//! one (day, brand, tracking code, country, excluded) slice; derived
//! measures (GGR, net gaming, percentages) are computed from these sums.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Counts of a roll-up row.
pub const COUNTS: usize = 6;
/// Exact sums of a roll-up row.
pub const SUMS: usize = 12;

/// Which count is which.
#[derive(Debug, Clone, Copy)]
pub enum C {
    Registrations = 0,
    Ftds = 1,
    Trades = 2,
    Purchases = 3,
    FirstPurchases = 4,
    Refunds = 5,
}

/// Which sum is which (amounts in the brand's currency, and lots).
#[derive(Debug, Clone, Copy)]
pub enum S {
    FtdAmount = 0,
    Deposits = 1,
    Withdrawals = 2,
    Bets = 3,
    Wins = 4,
    Bonuses = 5,
    Chargebacks = 6,
    Taxes = 7,
    Lots = 8,
    TradingRevenue = 9,
    PurchaseAmount = 10,
    RefundAmount = 11,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub counts: [i64; COUNTS],
    pub sums: [Decimal; SUMS],
}

impl Figures {
    pub fn count(&mut self, c: C, n: i64) {
        self.counts[c as usize] += n;
    }

    pub fn add(&mut self, s: S, d: Decimal) {
        // Most figures of a row are zero: a test is cheaper than an add.
        if !d.is_zero() {
            self.sums[s as usize] += d;
        }
    }

    pub fn get_count(&self, c: C) -> i64 {
        self.counts[c as usize]
    }

    pub fn get(&self, s: S) -> Decimal {
        self.sums[s as usize]
    }

    pub fn merge(&mut self, other: &Figures) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(other.sums.iter()) {
            if !b.is_zero() {
                *a += *b;
            }
        }
    }

    pub fn is_zero(&self) -> bool {
        self.counts.iter().all(|c| *c == 0) && self.sums.iter().all(|s| s.is_zero())
    }

    /// The stored text: the counts then the sums, comma-separated, a zero
    /// written as nothing (most slices hold a few of the figures).
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(48);
        self.encode_into(&mut out);
        out
    }

    /// [`Figures::encode`] appended to `out` (a packed row of slices is
    /// written without a string per slice).
    pub fn encode_into(&self, out: &mut String) {
        use std::fmt::Write;
        for (i, c) in self.counts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if *c != 0 {
                let _ = write!(out, "{c}");
            }
        }
        for s in &self.sums {
            out.push(',');
            if !s.is_zero() {
                let _ = write!(out, "{}", s.normalize());
            }
        }
    }

    pub fn decode(text: &str) -> Result<Figures, String> {
        let mut f = Figures::default();
        let mut parts = text.split(',');
        for c in f.counts.iter_mut() {
            let p = parts
                .next()
                .ok_or_else(|| format!("roll-up figures '{text}' are short"))?;
            if !p.is_empty() {
                *c = p
                    .parse()
                    .map_err(|e| format!("roll-up figures '{text}': {e}"))?;
            }
        }
        for s in f.sums.iter_mut() {
            let p = parts
                .next()
                .ok_or_else(|| format!("roll-up figures '{text}' are short"))?;
            if !p.is_empty() {
                *s = Decimal::from_str(p).map_err(|e| format!("roll-up figures '{text}': {e}"))?;
            }
        }
        if parts.next().is_some() {
            return Err(format!("roll-up figures '{text}' are too long"));
        }
        Ok(f)
    }
}
