//! A period's activity and trades as the engine reads them, a chunk of
//! rows at a time: parsed from the JSON rows the store aggregates, texts
//! kept in one buffer per chunk.

use super::*;

/// The texts of a chunk's rows (customer and trade ids) in one buffer, so a
/// chunk of 20,000 rows is a few allocations, not 20,000 (a chunk is reused
/// for the next ones, see [`crate::PeriodChunks::recycle`]).
struct Texts(String);

/// Where a text is in [`Texts`].
#[derive(Clone, Copy)]
struct Span(u32, u32);

impl Texts {
    fn add(&mut self, text: &str) -> Result<Span> {
        let start = self.0.len();
        self.0.push_str(text);
        match (u32::try_from(start), u32::try_from(self.0.len())) {
            (Ok(a), Ok(b)) => Ok(Span(a, b)),
            _ => Err(corrupt("a chunk of rows larger than 4 GB")),
        }
    }

    fn get(&self, span: Span) -> &str {
        self.0.get(span.0 as usize..span.1 as usize).unwrap_or("")
    }
}

/// Activity rows as the engine reads them: (customer id, day).
pub struct ActivityChunk {
    texts: Texts,
    rows: Vec<(Span, DayAmounts)>,
}

impl ActivityChunk {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &DayAmounts)> {
        self.rows.iter().map(|(c, d)| (self.texts.get(*c), d))
    }
}

impl crate::native::Chunk for ActivityChunk {
    fn with_capacity(rows: usize) -> Self {
        Self {
            texts: Texts(String::with_capacity(rows * 12)),
            rows: Vec::with_capacity(rows),
        }
    }

    fn clear(&mut self) {
        self.texts.0.clear();
        self.rows.clear();
    }

    /// customer_id, date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes
    fn push(&mut self, c: &[&str]) -> Result<()> {
        let [customer, date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes] = c
        else {
            return Err(corrupt(format!(
                "an activity row of {} columns, not 9",
                c.len()
            )));
        };
        let day = DayAmounts {
            date: partnerdesk_domain::data::parse_date("date", date).map_err(corrupt)?,
            deposits: dec(deposits)?,
            withdrawals: dec(withdrawals)?,
            bets: dec(bets)?,
            wins: dec(wins)?,
            bonuses: dec(bonuses)?,
            chargebacks: dec(chargebacks)?,
            taxes: dec(taxes)?,
        };
        let customer = self.texts.add(customer)?;
        self.rows.push((customer, day));
        Ok(())
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A chunk of activity rows as JSON (PostgreSQL) → (customer id, day).
pub(super) fn activity_chunk(json: &str) -> Result<ActivityChunk> {
    use crate::native::Chunk;
    /// customer_id, date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes
    #[derive(serde::Deserialize)]
    struct Row<'a>(
        #[serde(borrow)] Cow<'a, str>,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
    );
    let rows: Vec<Row> = serde_json::from_str(json)
        .map_err(|e| corrupt(format!("activity rows read as JSON: {e}")))?;
    let mut out = ActivityChunk::with_capacity(rows.len());
    for r in &rows {
        out.push(&[&r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8])?;
    }
    Ok(out)
}

struct TradeRow {
    trade_id: Span,
    customer_id: Span,
    /// Index into the chunk's instrument groups.
    group: usize,
    lots: Decimal,
    held: chrono::TimeDelta,
    commission: Decimal,
    spread_revenue: Decimal,
}

/// Trades as the engine reads them: (customer id, figures).
pub struct TradeChunk {
    texts: Texts,
    groups: Vec<String>,
    rows: Vec<TradeRow>,
}

impl TradeChunk {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, TradeFigures<'_>)> {
        self.rows.iter().map(|t| {
            let figures = TradeFigures {
                trade_id: self.texts.get(t.trade_id),
                instrument_group: self.groups.get(t.group).map_or("", String::as_str),
                lots: t.lots,
                held: t.held,
                commission: t.commission,
                spread_revenue: t.spread_revenue,
            };
            (self.texts.get(t.customer_id), figures)
        })
    }
}

impl crate::native::Chunk for TradeChunk {
    fn with_capacity(rows: usize) -> Self {
        Self {
            texts: Texts(String::with_capacity(rows * 24)),
            groups: Vec::new(),
            rows: Vec::with_capacity(rows),
        }
    }

    fn clear(&mut self) {
        self.texts.0.clear();
        self.groups.clear();
        self.rows.clear();
    }

    /// trade_id, customer_id, instrument_group, lots, open_time, close_time,
    /// commission, spread_revenue (each instrument group's name kept once).
    fn push(&mut self, c: &[&str]) -> Result<()> {
        let [trade, customer, group, lots, open, close, commission, spread] = c else {
            return Err(corrupt(format!(
                "a trade row of {} columns, not 8",
                c.len()
            )));
        };
        let group = match self.groups.iter().position(|g| g == group) {
            Some(i) => i,
            None => {
                self.groups.push(group.to_string());
                self.groups.len() - 1
            }
        };
        self.rows.push(TradeRow {
            trade_id: self.texts.add(trade)?,
            customer_id: self.texts.add(customer)?,
            group,
            lots: dec(lots)?,
            held: time(close)? - time(open)?,
            commission: dec(commission)?,
            spread_revenue: dec(spread)?,
        });
        Ok(())
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A chunk of trades as JSON (PostgreSQL) → figures.
pub(super) fn trade_chunk(json: &str) -> Result<TradeChunk> {
    use crate::native::Chunk;
    /// trade_id, customer_id, instrument_group, lots, open_time, close_time, commission, spread_revenue
    #[derive(serde::Deserialize)]
    struct Row<'a>(
        #[serde(borrow)] Cow<'a, str>,
        #[serde(borrow)] Cow<'a, str>,
        #[serde(borrow)] Cow<'a, str>,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
    );
    let rows: Vec<Row> =
        serde_json::from_str(json).map_err(|e| corrupt(format!("trades read as JSON: {e}")))?;
    let mut out = TradeChunk::with_capacity(rows.len());
    for r in &rows {
        out.push(&[&r.0, &r.1, &r.2, r.3, r.4, r.5, r.6, r.7])?;
    }
    Ok(out)
}
