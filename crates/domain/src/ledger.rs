//! The partner ledger: append-only entries per partner and currency. A
//! balance is the sum of its entries, never a stored figure; a mistake is
//! corrected by a reversing entry, never by an edit.

use crate::codes::CurrencyCode;
use crate::error::FieldError;
use crate::ids::Id;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

crate::word_enum!(
/// What posted an entry.
EntryKind, "ledger entry kind", {
    /// A closed period's commission line.
    Commission => "commission",
    /// A closed period's adjustment line (late data for an earlier closed period).
    Adjustment => "adjustment",
    /// A manual correction with a reason, approved by a second user.
    ManualAdjustment => "manual_adjustment",
    /// Money sent in a payout run (negative).
    Payout => "payout",
    /// A payout that failed: the amount returns to the balance (positive).
    PayoutFailed => "payout_failed",
    /// Cancels an earlier entry exactly.
    Reversal => "reversal",
});

crate::word_enum!(
/// A manual adjustment's request: waiting for a second user, then approved
/// (posted) or rejected.
AdjustmentState, "manual adjustment state", {
    Pending => "pending", Approved => "approved", Rejected => "rejected",
});

impl EntryKind {
    /// Whether an operator may reverse an entry of this kind. Payouts are
    /// settled by marking them failed, and a reversal is not reversed again
    /// (post a new manual adjustment instead).
    pub fn reversible(&self) -> bool {
        matches!(
            self,
            EntryKind::Commission | EntryKind::Adjustment | EntryKind::ManualAdjustment
        )
    }
}

/// One ledger entry. `amount` is signed: positive owes the partner more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub partner_id: Id,
    pub currency: CurrencyCode,
    pub kind: EntryKind,
    pub amount: Decimal,
    /// `YYYY-MM-DD`: when the entry counts for balances "at a date".
    pub effective_date: String,
}

impl Entry {
    /// The entry that cancels this one exactly.
    pub fn reversal(&self, effective_date: &str) -> Entry {
        Entry {
            partner_id: self.partner_id.clone(),
            currency: self.currency,
            kind: EntryKind::Reversal,
            amount: -self.amount,
            effective_date: effective_date.to_string(),
        }
    }
}

/// Balances per (partner, currency): the sum of the entries, optionally up to a date (inclusive).
pub fn balances<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    at: Option<&str>,
) -> BTreeMap<(Id, CurrencyCode), Decimal> {
    let mut out: BTreeMap<(Id, CurrencyCode), Decimal> = BTreeMap::new();
    for e in entries {
        if at.is_some_and(|d| e.effective_date.as_str() > d) {
            continue;
        }
        *out.entry((e.partner_id.clone(), e.currency)).or_default() += e.amount;
    }
    out
}

/// Amounts posted as a ledger entry must be whole cents and not zero.
pub fn check_amount(field: &str, amount: Decimal) -> Result<Decimal, FieldError> {
    if amount.is_zero() {
        return Err(FieldError::new(field, "must not be zero"));
    }
    if amount.round_dp(2) != amount {
        return Err(FieldError::new(
            field,
            format!("{amount} has more than 2 decimal places; amounts are in cents"),
        ));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(p: &str, cur: &str, kind: EntryKind, cents: i64, day: u32) -> Entry {
        Entry {
            partner_id: Id::parse("p", p).unwrap(),
            currency: CurrencyCode::parse("c", cur).unwrap(),
            kind,
            amount: Decimal::new(cents, 2),
            effective_date: format!("2026-01-{day:02}"),
        }
    }

    fn arb_entry() -> impl Strategy<Value = Entry> {
        (
            prop::sample::select(vec!["P1", "P2", "P3"]),
            prop::sample::select(vec!["EUR", "USD"]),
            prop::sample::select(EntryKind::ALL.to_vec()),
            -1_000_000i64..1_000_000,
            1u32..28,
        )
            .prop_map(|(p, c, k, cents, d)| entry(p, c, k, cents, d))
    }

    proptest! {
        /// Balances are exactly the sum of the entries, per partner and currency, at every date.
        #[test]
        fn balances_are_the_sum_of_entries(entries in prop::collection::vec(arb_entry(), 0..60), day in 1u32..28) {
            let at = format!("2026-01-{day:02}");
            let b = balances(&entries, Some(&at));
            for ((p, c), total) in &b {
                let expected: Decimal = entries.iter()
                    .filter(|e| &e.partner_id == p && &e.currency == c && e.effective_date <= at)
                    .map(|e| e.amount).sum();
                prop_assert_eq!(*total, expected);
            }
            let grand: Decimal = b.values().copied().sum();
            let all: Decimal = entries.iter().filter(|e| e.effective_date <= at).map(|e| e.amount).sum();
            prop_assert_eq!(grand, all, "no cent unaccounted for");
        }

        /// Appending the reversal of any entry restores every balance exactly.
        #[test]
        fn a_reversal_restores_the_balance(mut entries in prop::collection::vec(arb_entry(), 1..40), pick in any::<prop::sample::Index>(), extra in arb_entry()) {
            let before = balances(&entries, None);
            entries.push(extra.clone());
            let r = extra.reversal("2026-01-27");
            entries.push(r);
            let after = balances(&entries, None);
            for (k, v) in &before {
                prop_assert_eq!(after.get(k).copied().unwrap_or_default(), *v);
            }
            let victim = entries[pick.index(entries.len())].clone();
            let mid = balances(&entries, None);
            entries.push(victim.reversal("2026-01-27"));
            let k = (victim.partner_id.clone(), victim.currency);
            prop_assert_eq!(balances(&entries, None)[&k], mid[&k] - victim.amount);
        }
    }

    #[test]
    fn kinds_round_trip_and_amounts_are_cents() {
        for &k in EntryKind::ALL {
            assert_eq!(EntryKind::parse("kind", k.as_str()).unwrap(), k);
        }
        assert!(EntryKind::parse("kind", "bonus")
            .unwrap_err()
            .message
            .contains("allowed"));
        assert!(check_amount("amount", Decimal::new(1234, 3)).is_err());
        assert!(check_amount("amount", Decimal::ZERO).is_err());
        assert!(check_amount("amount", Decimal::new(-1234, 2)).is_ok());
    }
}
