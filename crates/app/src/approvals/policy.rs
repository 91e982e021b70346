//! The one table of approval policy: per kind of request its label, who
//! decides it, whether it waits in single-user mode and whether the amount
//! threshold applies. Who decides is not a list of its own: it is the role
//! list `access.rs` gives the use case that makes the change directly
//! (`ledger approve` for a manual adjustment, `payouts approve` for a run,
//! ...), so the queue and the direct door can never disagree.

use crate::access::{self, Role, UseCase};
use crate::change::Kind;
use crate::error::Result;
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;
use std::str::FromStr;

/// When four-eyes rules hold for a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InForce {
    /// Once the database has users (single-user mode applies at once).
    WithUsers,
    /// Always, also in single-user mode: moving money needs a second person.
    Always,
    /// While another enabled admin could approve (user and role changes).
    WithTwoAdmins,
}

/// How a kind of request is decided.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub kind: Kind,
    pub label: &'static str,
    /// Approvers hold a role of this use case.
    pub decided_by: &'static UseCase,
    pub in_force: InForce,
    /// Whether an amount at stake above the threshold needs two approvers.
    pub threshold: bool,
}

impl Policy {
    /// The roles that may decide requests of this kind.
    pub fn approvers(&self) -> &'static [Role] {
        self.decided_by.roles
    }

    /// The approvers in words, for "another … must approve": the roles
    /// besides admin ("finance user"), or "admin" when only admins decide.
    pub fn checker_words(&self) -> String {
        let roles: Vec<&str> = self
            .approvers()
            .iter()
            .filter(|r| **r != Role::Admin)
            .map(|r| r.as_str())
            .collect();
        if roles.is_empty() {
            "admin".into()
        } else {
            format!("{} user", roles.join(" or "))
        }
    }
}

/// The table.
pub const fn policy(kind: Kind) -> Policy {
    use InForce::{Always, WithTwoAdmins, WithUsers};
    #[rustfmt::skip]
    let (label, decided_by, in_force, threshold): (&str, &UseCase, InForce, bool) = match kind {
        Kind::PartnerActivate => ("Partner activation",       &access::PARTNER_ACTIVATION_APPROVE, WithUsers,     false),
        Kind::DocumentReview  => ("KYC review outcome",       &access::DOCUMENT_REVIEW,            WithUsers,     false),
        Kind::TrafficSource   => ("Traffic source",           &access::TRAFFIC_SOURCE_REVIEW,      WithUsers,     false),
        Kind::PlanAssign      => ("Deal assignment",          &access::PLAN_ASSIGN_APPROVE,        WithUsers,     false),
        Kind::PeriodClose     => ("Closing a period",         &access::COMMISSIONS_CLOSE,          WithUsers,     false),
        Kind::UserChange      => ("User or role change",      &access::USERS_MANAGE,               WithTwoAdmins, false),
        Kind::LedgerAdjust    => ("Manual ledger adjustment", &access::LEDGER_ADJUST_APPROVE,      Always,        true),
        Kind::PayoutRun       => ("Payout run",               &access::PAYOUT_APPROVE,             Always,        true),
        Kind::PaymentDetails  => ("Payment details change",   &access::PAYMENT_DETAILS_APPROVE,    WithUsers,     false),
    };
    Policy {
        kind,
        label,
        decided_by,
        in_force,
        threshold,
    }
}

/// Whether four-eyes rules are in force for `kind` now.
pub async fn in_force(tx: &mut Tx<'_>, kind: Kind) -> Result<bool> {
    Ok(match policy(kind).in_force {
        InForce::Always => true,
        InForce::WithUsers => tx.user_count().await? > 0,
        InForce::WithTwoAdmins => {
            let admins = tx
                .users()
                .await?
                .iter()
                .filter(|u| !u.disabled && u.roles.contains(&Role::Admin))
                .count();
            admins >= 2
        }
    })
}

/// The `meta` key of the amount above which two approvers are needed.
pub const THRESHOLD_KEY: &str = "approval_two_approvers_above";
/// Its default, in any currency.
pub const DEFAULT_THRESHOLD: &str = "10000";

/// The amount above which two approvers are needed.
pub(crate) async fn threshold(tx: &mut Tx<'_>) -> Result<Decimal> {
    let text = tx
        .meta_get(THRESHOLD_KEY)
        .await?
        .unwrap_or_else(|| DEFAULT_THRESHOLD.to_string());
    Decimal::from_str(&text).map_err(|_| {
        StoreError::Corrupt(format!("approval threshold '{text}' is not a decimal")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_row() {
        for &k in Kind::ALL {
            assert_eq!(policy(k).kind, k);
            assert!(!policy(k).approvers().is_empty(), "{k} has approvers");
        }
    }

    /// `approvals.decide` lets in exactly the roles that decide some kind:
    /// a role that decides nothing is refused at the door.
    #[test]
    fn the_queue_door_is_the_union_of_the_kinds_approvers() {
        let mut union: Vec<Role> = Kind::ALL
            .iter()
            .flat_map(|k| policy(*k).approvers().iter().copied())
            .collect();
        union.sort();
        union.dedup();
        let mut door = access::APPROVALS_DECIDE.roles.to_vec();
        door.sort();
        assert_eq!(union, door);
    }

    /// Moving money waits also in single-user mode and counts its amount.
    #[test]
    fn money_always_waits() {
        for k in [Kind::LedgerAdjust, Kind::PayoutRun] {
            assert_eq!(policy(k).in_force, InForce::Always);
            assert!(policy(k).threshold);
        }
        assert_eq!(
            policy(Kind::LedgerAdjust).checker_words(),
            "finance user",
            "a compliance user does not decide money (ledger approve refuses them)"
        );
        assert_eq!(policy(Kind::UserChange).checker_words(), "admin");
    }

    /// Where money goes is decided by who decides payouts, with users (in
    /// single-user mode nobody else could approve, as for the other kinds
    /// that move no money themselves).
    #[test]
    fn payment_details_are_decided_by_finance() {
        let p = policy(Kind::PaymentDetails);
        assert_eq!(p.approvers(), access::PAYOUT_APPROVE.roles);
        assert_eq!(p.in_force, InForce::WithUsers);
        assert!(!p.threshold, "a change of details moves no amount");
        assert_eq!(p.checker_words(), "finance user");
    }
}
