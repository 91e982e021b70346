//! Running periods and reading lines back: amounts (rounded, or in brand
//! currency at full precision) and explanation fields.

use super::period;
use crate::commission::{Kind, Line};
use crate::data::{ActivityDay, Trade};
use crate::engine::{Engine, EngineError};
use rust_decimal::Decimal;

/// Computes `p` on `engine` with these rows, or the engine's error.
pub fn try_run(
    engine: &mut Engine,
    p: &str,
    activity: &[ActivityDay],
    trades: &[Trade],
) -> Result<Vec<Line>, EngineError> {
    let mut run = engine.period(period(p))?;
    for row in activity {
        run.add_activity(row)?;
    }
    for t in trades {
        run.add_trade(t)?;
    }
    run.finish()
}

pub fn run(engine: &mut Engine, p: &str, activity: &[ActivityDay], trades: &[Trade]) -> Vec<Line> {
    try_run(engine, p, activity, trades).unwrap_or_else(|e| panic!("period {p}: {e}"))
}

/// The one line of `partner` and `kind` (any brand), if any.
pub fn line<'a>(lines: &'a [Line], partner: &str, kind: Kind) -> Option<&'a Line> {
    let mut found = lines
        .iter()
        .filter(|l| l.partner_id.as_str() == partner && l.kind == kind);
    let first = found.next();
    assert!(
        found.next().is_none(),
        "{partner} has {kind:?} lines for several brands; use line_for"
    );
    first
}

pub fn line_for<'a>(lines: &'a [Line], partner: &str, brand: &str, kind: Kind) -> Option<&'a Line> {
    lines.iter().find(|l| {
        l.partner_id.as_str() == partner && l.brand_id.as_str() == brand && l.kind == kind
    })
}

/// The rounded amount in the partner's currency; 0 when there is no line.
pub fn amount(lines: &[Line], partner: &str, kind: Kind) -> Decimal {
    line(lines, partner, kind).map_or(Decimal::ZERO, |l| l.amount)
}

/// The full-precision amount in the brand's currency; 0 when there is no line.
pub fn amount_brand(lines: &[Line], partner: &str, kind: Kind) -> Decimal {
    line(lines, partner, kind).map_or(Decimal::ZERO, |l| l.amount_brand)
}

/// A string field of a line's explanation, by JSON pointer (e.g. `/basis/ngr`).
pub fn explained(lines: &[Line], partner: &str, kind: Kind, pointer: &str) -> serde_json::Value {
    line(lines, partner, kind)
        .and_then(|l| l.explanation.value().pointer(pointer).cloned())
        .unwrap_or(serde_json::Value::Null)
}
