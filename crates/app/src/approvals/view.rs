//! The approvals queue as users see it: requests with their decisions, and
//! whether the acting user may decide each one now (and why not).

use super::{policy::policy, refusal};
use crate::access;
use crate::change::Kind;
use crate::context::Context;
use crate::error::{AppError, Result};
use partnerdesk_domain::approval::{ApprovalDecision, ApprovalStatus};
use partnerdesk_domain::Word;
use partnerdesk_store::compliance::{ApprovalRecord, DecisionRecord};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DecisionView {
    pub approver: String,
    pub decision: ApprovalDecision,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ApprovalView {
    pub approval_id: i64,
    pub kind: Kind,
    pub kind_label: String,
    pub object_type: String,
    pub object_id: String,
    /// What will happen when approved, in plain words.
    pub summary: String,
    pub amount: Option<String>,
    pub currency: Option<partnerdesk_domain::CurrencyCode>,
    pub required_approvals: u32,
    pub approvals: u32,
    pub status: ApprovalStatus,
    pub maker: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decisions: Vec<DecisionView>,
    /// Whether the current user may approve or reject it now.
    pub can_decide: bool,
    /// Why not, when not.
    pub why_not: Option<String>,
}

/// Whether a change that may need approval happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeState {
    /// Applied now.
    Done,
    /// Waits in the approvals queue.
    AwaitingApproval,
}

impl OutcomeState {
    pub fn as_str(&self) -> &'static str {
        match self {
            OutcomeState::Done => "done",
            OutcomeState::AwaitingApproval => "awaiting_approval",
        }
    }
}

impl std::fmt::Display for OutcomeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The result of a change that may need approval.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ChangeOutcome {
    pub state: OutcomeState,
    pub approval: Option<ApprovalView>,
    pub message: String,
}

impl ChangeOutcome {
    pub fn done(message: impl Into<String>) -> Self {
        ChangeOutcome {
            state: OutcomeState::Done,
            approval: None,
            message: message.into(),
        }
    }

    pub fn awaiting(approval: ApprovalView) -> Self {
        ChangeOutcome {
            state: OutcomeState::AwaitingApproval,
            message: format!(
                "request #{} waits for approval: {}",
                approval.approval_id, approval.summary
            ),
            approval: Some(approval),
        }
    }
}

/// Lists requests, newest first (`status`: pending, approved, rejected or all).
#[tracing::instrument(name = "approvals::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context, status: Option<String>) -> Result<Vec<ApprovalView>> {
    ctx.authorize(&access::APPROVALS_LIST).await?;
    let status = status.filter(|s| !s.trim().is_empty() && s != "all");
    let status = status
        .map(|s| {
            ApprovalStatus::from_word(&s).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    format!("'{s}' is not a request state: pending, approved, rejected or all"),
                )
            })
        })
        .transpose()?;
    let mut tx = ctx.store.read().await?;
    let records = tx.approvals(status, 500).await?;
    let (Some(first), Some(last)) = (
        records.iter().map(|a| a.approval_id).min(),
        records.iter().map(|a| a.approval_id).max(),
    ) else {
        return Ok(Vec::new());
    };
    let mut by_request: std::collections::HashMap<i64, Vec<DecisionRecord>> =
        std::collections::HashMap::new();
    for d in tx.decisions_between(first, last).await? {
        by_request.entry(d.approval_id).or_default().push(d);
    }
    records
        .into_iter()
        .map(|a| {
            let decisions = by_request.remove(&a.approval_id).unwrap_or_default();
            view_with(ctx, a, decisions)
        })
        .collect()
}

/// A request just queued (see [`super::queue`]), after its transaction committed.
pub(crate) async fn queued(ctx: &Context, id: i64) -> Result<ApprovalView> {
    view_of(ctx, id).await?.ok_or(AppError::NotFound {
        what: "approval request",
        id: id.to_string(),
    })
}

/// Request `id` as the acting user sees it (after the transaction that
/// queued or decided it committed).
pub(crate) async fn view_of(ctx: &Context, id: i64) -> Result<Option<ApprovalView>> {
    let mut tx = ctx.store.read().await?;
    match tx.approval(id).await? {
        Some(a) => {
            let decisions = tx.decisions(a.approval_id).await?;
            Ok(Some(view_with(ctx, a, decisions)?))
        }
        None => Ok(None),
    }
}

fn view_with(
    ctx: &Context,
    a: ApprovalRecord,
    decisions: Vec<DecisionRecord>,
) -> Result<ApprovalView> {
    let policy = policy(a.kind);
    let approvals = decisions
        .iter()
        .filter(|d| d.decision == ApprovalDecision::Approve)
        .count() as u32;
    let why_not = refusal(ctx, &policy, &a, &decisions).map(|e| e.to_string());
    Ok(ApprovalView {
        approval_id: a.approval_id,
        kind: a.kind,
        kind_label: policy.label.into(),
        object_type: a.object_type,
        object_id: a.object_id,
        summary: a.summary,
        amount: a.amount,
        currency: a.currency,
        required_approvals: a.required_approvals as u32,
        approvals,
        status: a.status,
        maker: a.maker,
        created_at: a.created_at,
        decided_at: a.decided_at,
        decisions: decisions
            .into_iter()
            .map(|d| DecisionView {
                approver: d.approver,
                decision: d.decision,
                reason: d.reason,
                at: d.at,
            })
            .collect(),
        can_decide: why_not.is_none(),
        why_not,
    })
}
