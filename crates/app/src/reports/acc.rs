//! Gathering a report's contributions: per group (its dimensions' values),
//! source currency and period, then converted to the report's currency
//! when asked and printed as the measures' formulas over each row's sums.

use super::query::{Origin, World, UNATTRIBUTED};
use super::sums::{is_amount, print, Sums, B, NB};
use super::{Col, ReportTable};
use crate::{AppError, Result};
use partnerdesk_domain::engine::fx::FxTable;
use partnerdesk_domain::report::format;
use partnerdesk_domain::report::{Dim, ReportSpec};
use partnerdesk_domain::{CurrencyCode, Period};
use rust_decimal::Decimal;

/// Contributions per (group, source currency, period).
pub(super) struct Acc<'a> {
    spec: &'a ReportSpec,
    world: &'a World,
    /// A group's key (see [`Acc::add_row`]) → its index in `groups`.
    index: super::query::Map<String, usize>,
    /// Per group: its dimensions' values, source currency, period and sums.
    groups: Vec<(Vec<String>, String, Period, Sums)>,
    /// The key being looked up, reused: a slice that lands in an existing
    /// group allocates nothing.
    key: String,
    /// The last group added to and its key: slices come grouped by
    /// tracking code, so most land where the one before did.
    last: Option<(String, usize)>,
}

impl<'a> Acc<'a> {
    pub(super) fn new(spec: &'a ReportSpec, world: &'a World) -> Self {
        Acc {
            spec,
            world,
            index: Default::default(),
            groups: Vec::new(),
            key: String::new(),
            last: None,
        }
    }

    /// Whether figures counting for `partner` pass `--partner` and `--tree`.
    fn partner_passes(&self, partner: Option<&str>) -> bool {
        if self.spec.partner.is_none() && self.spec.tree.is_none() {
            return true;
        }
        let Some(p) = partner else { return false };
        self.spec.partner.as_deref().is_none_or(|x| x == p)
            && self
                .spec
                .tree
                .as_deref()
                .is_none_or(|t| self.world.in_tree(p, t))
    }

    pub(super) fn add(&mut self, o: &Origin<'_>, values: &[(B, Decimal)]) {
        if values.iter().all(|(_, v)| v.is_zero()) {
            return;
        }
        if !self.partner_passes(o.partner) {
            return;
        }
        if !self.spec.by.contains(&Dim::Tree) {
            self.add_row(o, "", values);
            return;
        }
        let world = self.world;
        match o.partner {
            None => self.add_row(o, UNATTRIBUTED, values),
            Some(p) => {
                for x in world.chain(p) {
                    if self.partner_passes(Some(x)) {
                        self.add_row(o, x, values);
                    }
                }
            }
        }
    }

    /// Adds `values` to the group of `o` (and `tree`, the row of a tree
    /// report). The key is built in a reused string: a slice landing in an
    /// existing group allocates nothing.
    fn add_row(&mut self, o: &Origin<'_>, tree: &str, values: &[(B, Decimal)]) {
        let world = self.world;
        let vertical = || {
            o.brand
                .and_then(|b| world.brands.get(b))
                .map(|(v, _)| v.as_str())
                .unwrap_or("")
        };
        let kind = || match o.partner {
            None => UNATTRIBUTED,
            Some(p) => world.partners.get(p).map(|r| r.kind.as_str()).unwrap_or(""),
        };
        let value = |d: &Dim| -> std::borrow::Cow<'_, str> {
            match d {
                Dim::Day => o.day.unwrap_or("").into(),
                Dim::Period => o.period.to_string().into(),
                Dim::Brand => o.brand.unwrap_or("").into(),
                Dim::Vertical => vertical().into(),
                Dim::Partner => o.partner.unwrap_or(UNATTRIBUTED).into(),
                Dim::Tree => tree.into(),
                Dim::PartnerKind => kind().into(),
                Dim::Country => o.country.into(),
                Dim::TrackingCode => o.code.into(),
            }
        };
        // Each part prefixed by its length: no two groups share a key
        // whatever their text holds.
        let mut digits = itoa::Buffer::new();
        self.key.clear();
        for d in &self.spec.by {
            let v = value(d);
            self.key.push_str(digits.format(v.len()));
            self.key.push(':');
            self.key.push_str(&v);
        }
        self.key.push_str(o.currency);
        self.key.push(':');
        self.key
            .push_str(digits.format(o.period.year() * 12 + o.period.month() as i32));
        let known = match &self.last {
            Some((k, at)) if *k == self.key => Some(*at),
            _ => self.index.get(self.key.as_str()).copied(),
        };
        let at = match known {
            Some(at) => at,
            None => {
                let parts = self.spec.by.iter().map(|d| value(d).into_owned()).collect();
                self.groups
                    .push((parts, o.currency.to_string(), o.period, [Decimal::ZERO; NB]));
                self.index.insert(self.key.clone(), self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        match &mut self.last {
            Some((k, last)) => {
                if *last != at {
                    k.clear();
                    k.push_str(&self.key);
                    *last = at;
                }
            }
            None => self.last = Some((self.key.clone(), at)),
        }
        let sums = &mut self.groups[at].3;
        for (b, v) in values {
            if !v.is_zero() {
                sums[*b as usize] += *v;
            }
        }
    }

    pub(super) fn finish(self) -> Result<ReportTable> {
        let spec = self.spec;
        let column = spec.has_currency_column();
        let fx = spec.currency.map(|_| FxTable::new(&self.world.fx));
        let mut order: Vec<(Vec<SortKey>, String, usize)> = Vec::with_capacity(self.groups.len());
        let mut sums_of: Vec<(Vec<String>, Sums)> = Vec::with_capacity(self.groups.len());
        // One rate per (currency, period): thousands of groups share a few.
        let mut rates: Vec<(String, Period, Decimal)> = Vec::new();
        for (key, currency, period, mut sums) in self.groups {
            let shown = match (&spec.currency, &fx) {
                (Some(to), Some(fx)) => {
                    if sums
                        .iter()
                        .enumerate()
                        .any(|(i, v)| is_amount(i) && !v.is_zero())
                    {
                        let known = rates
                            .iter()
                            .find(|(c, p, _)| *c == currency && *p == period)
                            .map(|(_, _, r)| *r);
                        let rate = match known {
                            Some(r) => r,
                            None => {
                                let r = rate_of(fx, &currency, *to, period)?;
                                rates.push((currency.clone(), period, r));
                                r
                            }
                        };
                        for (i, v) in sums.iter_mut().enumerate() {
                            if is_amount(i) && !v.is_zero() {
                                *v *= rate;
                            }
                        }
                    }
                    if column {
                        to.to_string()
                    } else {
                        String::new()
                    }
                }
                _ if column => currency,
                _ => String::new(),
            };
            let sort: Vec<SortKey> = key.iter().map(|k| SortKey::of(k)).collect();
            order.push((sort, shown, sums_of.len()));
            sums_of.push((key, sums));
        }
        // Sorted by (dimensions, currency shown); groups that print as one
        // row (periods, or currencies converted to one) are added up. The
        // sums stay where they are: only the small keys move.
        order.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let mut rows: Vec<(String, Vec<String>, Sums)> = Vec::with_capacity(order.len());
        let mut previous: Option<(Vec<SortKey>, String)> = None;
        for (sort, shown, i) in order {
            let (key, sums) = std::mem::take(&mut sums_of[i]);
            match (&previous, rows.last_mut()) {
                (Some((ps, pc)), Some(last)) if *ps == sort && *pc == shown => {
                    for (a, b) in last.2.iter_mut().zip(sums) {
                        *a += b;
                    }
                }
                _ => {
                    rows.push((shown.clone(), key, sums));
                    previous = Some((sort, shown));
                }
            }
        }
        let mut columns: Vec<Col> = spec
            .by
            .iter()
            .map(|d| Col {
                name: d.as_str().to_string(),
                unit: None,
            })
            .collect();
        if column {
            columns.push(Col {
                name: "currency".to_string(),
                unit: None,
            });
        }
        for m in &spec.measures {
            columns.push(Col {
                name: m.name(),
                unit: Some(m.unit()),
            });
        }
        let mut out = Vec::new();
        for (currency, key, sums) in rows {
            let figures: Vec<String> = spec.measures.iter().map(|m| print(*m, &sums)).collect();
            if !figures.iter().any(|f| format::shows_something(f)) {
                continue;
            }
            let mut row = key;
            if column {
                row.push(currency);
            }
            row.extend(figures);
            out.push(row);
        }
        Ok(ReportTable { columns, rows: out })
    }
}

/// The rate converting `currency` to `to` for `period`'s amounts (RULES.md:
/// in force on the period's last day; an inverse taken as 1 / rate).
fn rate_of(fx: &FxTable, currency: &str, to: CurrencyCode, period: Period) -> Result<Decimal> {
    let from = CurrencyCode::parse("currency", currency)?;
    let on = period.last_day();
    let c = fx.conversion(from, to, on).ok_or_else(|| {
        AppError::Refused(format!(
            "no FX rate {from}/{to} (or {to}/{from}) on or before {on}; add it to fx_rates.csv and import it"
        ))
    })?;
    Ok(if c.inverse {
        Decimal::ONE.checked_div(c.rate).unwrap_or(Decimal::ZERO)
    } else {
        c.rate
    })
}

/// Sorting a dimension's values: empty first, then `(unattributed)`, then
/// plain byte order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Empty,
    Unattributed,
    Value(Vec<u8>),
}

impl SortKey {
    fn of(s: &str) -> SortKey {
        match s {
            "" => SortKey::Empty,
            UNATTRIBUTED => SortKey::Unattributed,
            s => SortKey::Value(s.as_bytes().to_vec()),
        }
    }
}
