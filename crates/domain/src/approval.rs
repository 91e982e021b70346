//! The four-eyes queue's vocabulary: where a request stands and what each
//! approver decided. The queue's rules live in crates/app (approvals/).

crate::word_enum!(
/// Where an approval request stands: waiting, or decided one way.
ApprovalStatus, "approval status", {
    Pending => "pending", Approved => "approved", Rejected => "rejected",
});

crate::word_enum!(
/// A kind of request in the queue, as stored in `approvals.kind` (what each
/// changes is the app's `change::Change`; who decides it, its policy).
ApprovalKind, "kind of approval request", {
    #[serde(rename = "partner.activate")] PartnerActivate => "partner.activate",
    #[serde(rename = "document.review")] DocumentReview => "document.review",
    #[serde(rename = "traffic_source.review")] TrafficSource => "traffic_source.review",
    #[serde(rename = "plan.assign")] PlanAssign => "plan.assign",
    #[serde(rename = "period.close")] PeriodClose => "period.close",
    #[serde(rename = "user.change")] UserChange => "user.change",
    #[serde(rename = "ledger.adjust")] LedgerAdjust => "ledger.adjust",
    #[serde(rename = "payout.run")] PayoutRun => "payout.run",
    #[serde(rename = "payment_details.change")] PaymentDetails => "payment_details.change",
});

crate::word_enum!(
/// One approver's decision on a request.
ApprovalDecision, "approval decision", { Approve => "approve", Reject => "reject" });

impl ApprovalDecision {
    /// `approve` for true, `reject` for false.
    pub fn of(approve: bool) -> Self {
        if approve {
            ApprovalDecision::Approve
        } else {
            ApprovalDecision::Reject
        }
    }
}

impl ApprovalStatus {
    /// The status a decided request ends in.
    pub fn decided(approve: bool) -> Self {
        if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        }
    }
}
