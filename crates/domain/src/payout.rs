//! Payout runs as pure rules: which balances a run pays, holds or carries
//! over, and the run's states (draft → submitted → approved → exported →
//! paid | failed; a draft or submitted run may be cancelled, a submitted one
//! sent back to draft). Every other move is refused with a reason.

use crate::codes::CurrencyCode;
use crate::partner::PartnerStatus;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::word_enum!(
/// A payout run's state.
RunState, "payout run state", {
    Draft => "draft", Submitted => "submitted", Approved => "approved", Exported => "exported",
    Paid => "paid", Failed => "failed", Cancelled => "cancelled",
});

crate::word_enum!(
/// A payment of a payout run: waiting for its outcome, then paid or failed.
ItemState, "payout item state", { Pending => "pending", Paid => "paid", Failed => "failed" });

impl RunState {
    /// Open runs hold their balances; the others are history.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            RunState::Draft | RunState::Submitted | RunState::Approved | RunState::Exported
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunAction {
    Submit,
    /// Send a submitted run back to draft (the approver disagrees).
    Reject,
    Approve,
    Export,
    /// Every item is settled and at least one was paid.
    MarkPaid,
    /// Every item is settled as failed.
    MarkFailed,
    Cancel,
}

impl RunAction {
    pub const ALL: [RunAction; 7] = [
        RunAction::Submit,
        RunAction::Reject,
        RunAction::Approve,
        RunAction::Export,
        RunAction::MarkPaid,
        RunAction::MarkFailed,
        RunAction::Cancel,
    ];

    pub fn verb(&self) -> &'static str {
        match self {
            RunAction::Submit => "submit",
            RunAction::Reject => "send back",
            RunAction::Approve => "approve",
            RunAction::Export => "export",
            RunAction::MarkPaid => "mark paid",
            RunAction::MarkFailed => "mark failed",
            RunAction::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a payout run that is {from}: {hint}")]
pub struct IllegalTransition {
    pub from: RunState,
    pub action: &'static str,
    pub hint: &'static str,
}

/// The state after `action`, or why it is refused.
pub fn transition(from: RunState, action: RunAction) -> Result<RunState, IllegalTransition> {
    use RunAction as A;
    use RunState as S;
    let to = match (from, action) {
        (S::Draft, A::Submit) => S::Submitted,
        (S::Submitted, A::Reject) => S::Draft,
        (S::Submitted, A::Approve) => S::Approved,
        (S::Approved, A::Export) => S::Exported,
        (S::Exported, A::MarkPaid) => S::Paid,
        (S::Exported, A::MarkFailed) => S::Failed,
        (S::Draft | S::Submitted, A::Cancel) => S::Cancelled,
        _ => {
            let hint = match (from, action) {
                (S::Paid | S::Failed | S::Cancelled, _) => "the run is finished; create a new run",
                (_, A::Approve) => "only a submitted run can be approved; submit it first",
                (_, A::Export) => "only an approved run can be exported; submit it and have another finance user approve it",
                (_, A::MarkPaid | A::MarkFailed) => "payments are settled only after the run was exported",
                (_, A::Submit) => "only a draft run can be submitted",
                (_, A::Reject) => "only a submitted run can be sent back",
                (_, A::Cancel) => "an approved or exported run can no longer be cancelled; settle its payments as paid or failed",
            };
            return Err(IllegalTransition {
                from,
                action: action.verb(),
                hint,
            });
        }
    };
    Ok(to)
}

/// Why a partner's balance is held back from a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HoldReason {
    Status(PartnerStatus),
    NoPaymentDetails,
    Compliance(String),
}

impl std::fmt::Display for HoldReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HoldReason::Status(s) => write!(f, "partner is {s}"),
            HoldReason::NoPaymentDetails => f.write_str("no payment details on file"),
            HoldReason::Compliance(r) => write!(f, "compliance hold: {r}"),
        }
    }
}

/// One partner's unpaid balance in one currency, with what decides whether it is paid.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub currency: CurrencyCode,
    /// The sum of the entries no run has taken yet.
    pub available: Decimal,
    pub status: PartnerStatus,
    pub has_payment_details: bool,
    pub compliance_hold: Option<String>,
    /// The partner's own threshold, replacing the currency's.
    pub threshold_override: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Pay(Decimal),
    Hold(HoldReason),
    /// Below the threshold (or not positive): stays on the balance for a later run.
    CarryOver {
        threshold: Decimal,
    },
}

/// Per currency minimum payout; a currency without one pays any positive balance.
pub fn decide(c: &Candidate, thresholds: &BTreeMap<CurrencyCode, Decimal>) -> Decision {
    let threshold = c
        .threshold_override
        .or_else(|| thresholds.get(&c.currency).copied())
        .unwrap_or(Decimal::ZERO);
    if c.available <= Decimal::ZERO || c.available < threshold {
        return Decision::CarryOver { threshold };
    }
    if c.status != PartnerStatus::Active {
        return Decision::Hold(HoldReason::Status(c.status));
    }
    if let Some(r) = &c.compliance_hold {
        return Decision::Hold(HoldReason::Compliance(r.clone()));
    }
    if !c.has_payment_details {
        return Decision::Hold(HoldReason::NoPaymentDetails);
    }
    Decision::Pay(c.available)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_happy_path() {
        let mut s = RunState::Draft;
        for a in [
            RunAction::Submit,
            RunAction::Approve,
            RunAction::Export,
            RunAction::MarkPaid,
        ] {
            s = transition(s, a).unwrap();
        }
        assert_eq!(s, RunState::Paid);
        assert_eq!(
            transition(RunState::Exported, RunAction::MarkFailed).unwrap(),
            RunState::Failed
        );
        assert_eq!(
            transition(RunState::Submitted, RunAction::Reject).unwrap(),
            RunState::Draft
        );
        assert_eq!(
            transition(RunState::Draft, RunAction::Cancel).unwrap(),
            RunState::Cancelled
        );
        assert_eq!(
            transition(RunState::Submitted, RunAction::Cancel).unwrap(),
            RunState::Cancelled
        );
    }

    /// Every (state, action) pair not on the list above is refused, with a message naming both.
    #[test]
    fn every_other_transition_is_refused() {
        let allowed = [
            (RunState::Draft, RunAction::Submit),
            (RunState::Submitted, RunAction::Reject),
            (RunState::Submitted, RunAction::Approve),
            (RunState::Approved, RunAction::Export),
            (RunState::Exported, RunAction::MarkPaid),
            (RunState::Exported, RunAction::MarkFailed),
            (RunState::Draft, RunAction::Cancel),
            (RunState::Submitted, RunAction::Cancel),
        ];
        let mut refused = 0;
        for &s in RunState::ALL {
            for a in RunAction::ALL {
                let r = transition(s, a);
                if allowed.contains(&(s, a)) {
                    assert!(r.is_ok(), "{s} {a:?} must be allowed");
                } else {
                    let e = r.expect_err("refused").to_string();
                    assert!(e.contains(s.as_str()) && e.contains(a.verb()), "{e}");
                    refused += 1;
                }
            }
        }
        assert_eq!(refused, 7 * 7 - allowed.len());
        let e = transition(RunState::Approved, RunAction::MarkPaid)
            .unwrap_err()
            .to_string();
        assert!(e.contains("after the run was exported"), "{e}");
    }

    fn cand(available: i64, status: PartnerStatus, details: bool) -> Candidate {
        Candidate {
            currency: CurrencyCode::parse("c", "EUR").unwrap(),
            available: Decimal::new(available, 2),
            status,
            has_payment_details: details,
            compliance_hold: None,
            threshold_override: None,
        }
    }

    #[test]
    fn thresholds_holds_and_carry_over() {
        let eur = CurrencyCode::parse("c", "EUR").unwrap();
        let t: BTreeMap<_, _> = [(eur, Decimal::new(5000, 2))].into();
        assert_eq!(
            decide(&cand(4999, PartnerStatus::Active, true), &t),
            Decision::CarryOver {
                threshold: Decimal::new(5000, 2)
            }
        );
        assert_eq!(
            decide(&cand(5000, PartnerStatus::Active, true), &t),
            Decision::Pay(Decimal::new(5000, 2))
        );
        assert_eq!(
            decide(&cand(9000, PartnerStatus::Suspended, true), &t),
            Decision::Hold(HoldReason::Status(PartnerStatus::Suspended))
        );
        assert_eq!(
            decide(&cand(9000, PartnerStatus::Terminated, true), &t),
            Decision::Hold(HoldReason::Status(PartnerStatus::Terminated))
        );
        assert_eq!(
            decide(&cand(9000, PartnerStatus::Active, false), &t),
            Decision::Hold(HoldReason::NoPaymentDetails)
        );
        let mut c = cand(9000, PartnerStatus::Active, true);
        c.compliance_hold = Some("KYC expired".into());
        assert_eq!(
            decide(&c, &t).clone(),
            Decision::Hold(HoldReason::Compliance("KYC expired".into()))
        );
        let mut c = cand(1000, PartnerStatus::Active, true);
        c.threshold_override = Some(Decimal::new(500, 2));
        assert_eq!(
            decide(&c, &t),
            Decision::Pay(Decimal::new(1000, 2)),
            "the partner's own threshold wins"
        );
        assert!(matches!(
            decide(&cand(-100, PartnerStatus::Active, true), &BTreeMap::new()),
            Decision::CarryOver { .. }
        ));
    }

    /// A model of the ledger with claims: each run takes the unclaimed entries of payable
    /// partners, then is paid or fails (a failure posts the amount back as a new entry).
    #[derive(Debug, Clone)]
    enum Step {
        Earn(usize, i64),
        Run { paid: bool, threshold: i64 },
    }

    proptest! {
        #[test]
        fn no_sequence_of_runs_pays_more_than_was_earned(steps in prop::collection::vec(prop_oneof![
            (0usize..3, -5_000i64..20_000).prop_map(|(p, c)| Step::Earn(p, c)),
            (any::<bool>(), 0i64..10_000).prop_map(|(paid, threshold)| Step::Run { paid, threshold }),
        ], 0..50)) {
            let eur = CurrencyCode::parse("c", "EUR").unwrap();
            // (partner, amount, claimed)
            let mut entries: Vec<(usize, Decimal, bool)> = Vec::new();
            let mut earned = [Decimal::ZERO; 3];
            let mut paid_out = [Decimal::ZERO; 3];
            for step in steps {
                match step {
                    Step::Earn(p, c) => { entries.push((p, Decimal::new(c, 2), false)); earned[p] += Decimal::new(c, 2); }
                    Step::Run { paid, threshold } => {
                        let t: BTreeMap<_, _> = [(eur, Decimal::new(threshold, 2))].into();
                        for p in 0..3 {
                            let available: Decimal = entries.iter().filter(|e| e.0 == p && !e.2).map(|e| e.1).sum();
                            let c = Candidate { available, ..cand(0, PartnerStatus::Active, true) };
                            if let Decision::Pay(amount) = decide(&c, &t) {
                                prop_assert!(paid_out[p] + amount <= earned[p],
                                    "partner {} would be paid {} + {} but earned {}", p, paid_out[p], amount, earned[p]);
                                for e in entries.iter_mut().filter(|e| e.0 == p) { e.2 = true; }
                                // the payout entry is claimed by the same item
                                entries.push((p, -amount, true));
                                if paid { paid_out[p] += amount; } else { entries.push((p, amount, false)); }
                            }
                        }
                    }
                }
            }
            for p in 0..3 {
                let balance: Decimal = entries.iter().filter(|e| e.0 == p).map(|e| e.1).sum();
                prop_assert_eq!(balance, earned[p] - paid_out[p], "balance = earned − paid");
            }
        }
    }
}
