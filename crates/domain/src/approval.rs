//! The four-eyes queue's vocabulary: where a request stands and what each
//! approver decided. The queue's rules live in crates/app (approvals/).

crate::word_enum!(
/// Where an approval request stands: waiting, or decided one way.
ApprovalStatus, "approval status", {
    Pending => "pending", Approved => "approved", Rejected => "rejected",
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
