//! Four-eyes approvals: a change that matters waits in a queue until a second
//! user with the right role approves it; the maker can never approve their own
//! request; approving or rejecting needs a reason; above a configurable amount
//! two approvers are needed. Nothing takes effect until approved.
//!
//! Four eyes need two people: while the database has no users (the embedded
//! single-user mode) a change is applied at once and the audit entry says so.
//! User and role changes also apply at once while there is only one enabled
//! admin (no one else could approve them).

use crate::access::{self, Role};
use crate::context::Context;
use crate::error::{AppError, Result};
use partnerdesk_store::compliance::{
    finish_approval, insert_approval, insert_decision, ApprovalRecord, DecisionRecord,
};
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::str::FromStr;

/// A kind of change that needs approval, and who may approve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub name: &'static str,
    pub label: &'static str,
    pub approvers: &'static [Role],
}

use Role::{Admin, Compliance, Finance};

pub const PARTNER_ACTIVATE: Kind = Kind {
    name: "partner.activate",
    label: "Partner activation",
    approvers: &[Admin, Compliance],
};
pub const DOCUMENT_REVIEW: Kind = Kind {
    name: "document.review",
    label: "KYC review outcome",
    approvers: &[Admin, Compliance],
};
pub const TRAFFIC_SOURCE: Kind = Kind {
    name: "traffic_source.review",
    label: "Traffic source",
    approvers: &[Admin, Compliance],
};
pub const PLAN_ASSIGN: Kind = Kind {
    name: "plan.assign",
    label: "Deal assignment",
    approvers: &[Admin, Compliance],
};
pub const PERIOD_CLOSE: Kind = Kind {
    name: "period.close",
    label: "Closing a period",
    approvers: &[Admin, Finance],
};
pub const USER_CHANGE: Kind = Kind {
    name: "user.change",
    label: "User or role change",
    approvers: &[Admin],
};
pub const LEDGER_ADJUST: Kind = Kind {
    name: "ledger.adjust",
    label: "Manual ledger adjustment",
    approvers: &[Admin, Compliance, Finance],
};
pub const PAYOUT_RUN: Kind = Kind {
    name: "payout.run",
    label: "Payout run",
    approvers: &[Admin, Finance],
};

pub const KINDS: &[Kind] = &[
    PARTNER_ACTIVATE,
    DOCUMENT_REVIEW,
    TRAFFIC_SOURCE,
    PLAN_ASSIGN,
    PERIOD_CLOSE,
    USER_CHANGE,
    LEDGER_ADJUST,
    PAYOUT_RUN,
];

fn kind_of(name: &str) -> Result<Kind> {
    KINDS
        .iter()
        .copied()
        .find(|k| k.name == name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown approval kind '{name}'")).into())
}

/// The `meta` key of the amount above which two approvers are needed.
pub const THRESHOLD_KEY: &str = "approval_two_approvers_above";
/// Its default, in any currency.
pub const DEFAULT_THRESHOLD: &str = "10000";

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DecisionView {
    pub approver: String,
    /// `approve` or `reject`
    pub decision: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ApprovalView {
    pub approval_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub object_type: String,
    pub object_id: String,
    /// What will happen when approved, in plain words.
    pub summary: String,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub required_approvals: u32,
    pub approvals: u32,
    /// `pending`, `approved` or `rejected`
    pub status: String,
    pub maker: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decisions: Vec<DecisionView>,
    /// Whether the current user may approve or reject it now.
    pub can_decide: bool,
    /// Why not, when not.
    pub why_not: Option<String>,
}

/// The result of a change that may need approval.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ChangeOutcome {
    /// `done`: applied now; `awaiting_approval`: waits in the approvals queue.
    pub state: String,
    pub approval: Option<ApprovalView>,
    pub message: String,
}

impl ChangeOutcome {
    pub fn done(message: impl Into<String>) -> Self {
        ChangeOutcome {
            state: "done".into(),
            approval: None,
            message: message.into(),
        }
    }

    pub fn awaiting(approval: ApprovalView) -> Self {
        ChangeOutcome {
            state: "awaiting_approval".into(),
            message: format!(
                "request #{} waits for approval: {}",
                approval.approval_id, approval.summary
            ),
            approval: Some(approval),
        }
    }
}

/// Whether four-eyes rules are in force for `kind`. Moving money (a manual
/// ledger adjustment, a payout run) always needs a second person, also in
/// single-user mode.
pub async fn in_force(tx: &mut Tx<'_>, kind: &Kind) -> Result<bool> {
    if kind.name == LEDGER_ADJUST.name || kind.name == PAYOUT_RUN.name {
        return Ok(true);
    }
    if kind.name != USER_CHANGE.name {
        return Ok(tx.user_count().await? > 0);
    }
    // User changes: only when another enabled admin could approve them.
    let admins = tx
        .users()
        .await?
        .iter()
        .filter(|u| !u.disabled && crate::users::roles_of(&u.roles).contains(&Admin))
        .count();
    Ok(admins >= 2)
}

async fn threshold(tx: &mut Tx<'_>) -> Result<Decimal> {
    let text = tx
        .meta_get(THRESHOLD_KEY)
        .await?
        .unwrap_or_else(|| DEFAULT_THRESHOLD.to_string());
    Decimal::from_str(&text).map_err(|_| {
        StoreError::Corrupt(format!("approval threshold '{text}' is not a decimal")).into()
    })
}

/// What a change needs to describe itself to the queue.
pub struct Request<'a> {
    pub kind: Kind,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub summary: String,
    pub payload: serde_json::Value,
    /// The amount at stake, for the two-approver threshold.
    pub amount: Option<(Decimal, String)>,
}

/// A request's payload as the append-only audit log may keep it: a value
/// under a key naming a password, a secret or a hash of one (a new user's
/// password hash) is replaced by a note that it was set. The request itself
/// keeps the value until it is decided.
fn for_the_log(payload: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match payload {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = k.to_ascii_lowercase();
                    let secret = ["password", "secret", "token", "api_key"]
                        .iter()
                        .any(|s| key.contains(s));
                    let shown = match (secret, v) {
                        (true, Value::Null) => Value::Null,
                        (true, _) => Value::String("(set; kept out of the log)".into()),
                        (false, v) => for_the_log(v),
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(for_the_log).collect()),
        other => other.clone(),
    }
}

/// Queues `req` in a transaction of its own, for a change that reads nothing
/// first; returns the request, or `None` when the caller should apply the
/// change at once. A change that checks something before it is queued
/// reads and queues in one transaction instead (see [`queue`]).
/// Queues `req` when four-eyes rules are in force and returns the request;
/// returns `None` when the caller should apply the change at once.
#[tracing::instrument(name = "approvals::submit", skip_all, fields(user = %ctx.actor.user))]
pub async fn submit(ctx: &Context, req: Request<'_>) -> Result<Option<ApprovalView>> {
    let mut tx = ctx.store.begin().await?;
    let Some(id) = queue(ctx, &mut tx, req).await? else {
        return Ok(None);
    };
    tx.commit().await?;
    view_of(ctx, id).await
}

/// Queues `req` when four-eyes rules are in force, in the caller's
/// transaction (the one its checks were read in), so that the change and its
/// request are written together: returns the new request's id (see
/// [`queued`] for its view once committed), or `None` when the caller
/// applies the change at once.
pub(crate) async fn queue(ctx: &Context, tx: &mut Tx<'_>, req: Request<'_>) -> Result<Option<i64>> {
    if !in_force(tx, &req.kind).await? {
        return Ok(None);
    }
    if let Some(id) = tx.pending_approval(req.kind.name, req.object_id).await? {
        return Err(already_waiting(&req.kind, req.object_id, id));
    }
    let required = match &req.amount {
        Some((amount, _)) if amount.abs() > threshold(tx).await? => 2,
        _ => 1,
    };
    let now = ctx.now();
    let record = ApprovalRecord {
        approval_id: 0,
        kind: req.kind.name.into(),
        object_type: req.object_type.into(),
        object_id: req.object_id.into(),
        summary: req.summary,
        payload: req.payload.to_string(),
        amount: req.amount.as_ref().map(|(a, _)| a.to_string()),
        currency: req.amount.as_ref().map(|(_, c)| c.clone()),
        required_approvals: required,
        status: "pending".into(),
        maker: ctx.actor.user.clone(),
        created_at: now.clone(),
        decided_at: None,
    };
    // A request for the same object queued at the same moment (after the
    // check above, on PostgreSQL) is caught by the store's unique index.
    let Some(id) = insert_approval(tx, &record).await? else {
        let id = tx.pending_approval(req.kind.name, req.object_id).await?;
        return Err(already_waiting(
            &req.kind,
            req.object_id,
            id.unwrap_or_default(),
        ));
    };
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "approval.request",
        "approval",
        &id.to_string(),
        None,
        Some(&serde_json::json!({"kind": record.kind, "object_type": record.object_type, "object_id": record.object_id, "summary": record.summary, "payload": for_the_log(&req.payload), "required_approvals": required}).to_string()),
    )
    .await?;
    Ok(Some(id))
}

/// The maker takes back their own pending request (the object it was about
/// is being withdrawn, e.g. a submitted payout run is cancelled): it ends as
/// rejected, and the audit log says by whom and why.
pub(crate) async fn withdraw(
    ctx: &Context,
    tx: &mut Tx<'_>,
    kind: &Kind,
    object_id: &str,
    why: &str,
) -> Result<Option<i64>> {
    let Some(id) = tx.pending_approval(kind.name, object_id).await? else {
        return Ok(None);
    };
    let now = ctx.now();
    finish_approval(tx, id, "rejected", &now).await?;
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "approval.withdraw",
        "approval",
        &id.to_string(),
        Some("pending"),
        Some(&serde_json::json!({"state": "rejected", "kind": kind.name, "object_id": object_id, "reason": why}).to_string()),
    )
    .await?;
    Ok(Some(id))
}

/// Lists requests, newest first (`status`: pending, approved, rejected or all).
#[tracing::instrument(name = "approvals::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context, status: Option<String>) -> Result<Vec<ApprovalView>> {
    ctx.authorize(&access::APPROVALS_LIST).await?;
    let status = status.filter(|s| !s.trim().is_empty() && s != "all");
    if let Some(s) = &status {
        if !["pending", "approved", "rejected"].contains(&s.as_str()) {
            return Err(AppError::invalid(
                "status",
                format!("'{s}' is not a request state: pending, approved, rejected or all"),
            ));
        }
    }
    let mut tx = ctx.store.read().await?;
    let records = tx.approvals(status.as_deref(), 500).await?;
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

/// Refuses a second pending request for the same object.
fn already_waiting(kind: &Kind, object_id: &str, id: i64) -> AppError {
    AppError::Refused(format!(
        "a {} for {object_id} already waits for approval (request #{id}); approve or reject it first",
        kind.label.to_lowercase(),
    ))
}

/// A request just queued (see [`queue`]), after its transaction committed.
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
    let kind = kind_of(&a.kind)?;
    let approvals = decisions.iter().filter(|d| d.decision == "approve").count() as u32;
    let why_not = why_not(ctx, &kind, &a, &decisions);
    Ok(ApprovalView {
        approval_id: a.approval_id,
        kind: a.kind,
        kind_label: kind.label.into(),
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

fn why_not(
    ctx: &Context,
    kind: &Kind,
    a: &ApprovalRecord,
    decisions: &[DecisionRecord],
) -> Option<String> {
    if a.status != "pending" {
        return Some(format!(
            "request #{} has already been {}",
            a.approval_id, a.status
        ));
    }
    if a.maker == ctx.actor.user {
        return Some(format!(
            "you made request #{}; another user must decide it (four eyes)",
            a.approval_id
        ));
    }
    if !kind.approvers.iter().any(|r| ctx.actor.has(*r)) {
        let roles: Vec<&str> = kind.approvers.iter().map(|r| r.as_str()).collect();
        return Some(format!(
            "a {} is decided by a user with the role {}",
            kind.label.to_lowercase(),
            roles.join(" or ")
        ));
    }
    if decisions.iter().any(|d| d.approver == ctx.actor.user) {
        return Some(format!(
            "you already approved request #{}; it needs another approver",
            a.approval_id
        ));
    }
    None
}

/// Approves (`approve = true`) or rejects a request, with a reason. The last
/// needed approval applies the change in the same transaction.
#[tracing::instrument(name = "approvals::decide", skip_all, fields(user = %ctx.actor.user))]
pub async fn decide(ctx: &Context, id: i64, approve: bool, reason: &str) -> Result<ApprovalView> {
    ctx.authorize(&access::APPROVALS_DECIDE).await?;
    // Whether this kind is the decider's to decide: by the roles held now,
    // not those the session began with (a demoted approver stops at once).
    let mut now_as = ctx.clone();
    now_as.actor.roles = ctx.current_roles().await?;
    let ctx = &now_as;
    let reason = reason.trim();
    let mut tx = ctx.store.begin().await?;
    let a = tx.approval_to_decide(id).await?.ok_or(AppError::NotFound {
        what: "approval request",
        id: id.to_string(),
    })?;
    let kind = kind_of(&a.kind)?;
    let decisions = tx.decisions(id).await?;
    let refusal = if reason.is_empty() {
        Some(AppError::invalid(
            "reason",
            "give a reason for the decision (it is kept in the audit log)",
        ))
    } else {
        why_not(ctx, &kind, &a, &decisions).map(|w| {
            if a.status != "pending" {
                AppError::Refused(w)
            } else {
                AppError::Denied(w)
            }
        })
    };
    if let Some(err) = refusal {
        let detail =
            serde_json::json!({"approve": approve, "reason": reason, "error": err.to_string()})
                .to_string();
        // The refusal is recorded on its own (the decision's transaction
        // is given up first: it holds the write lock).
        tx.rollback().await?;
        ctx.store
            .audit_alone(
                &ctx.now(),
                &ctx.actor.user,
                "approval.refused",
                "approval",
                &id.to_string(),
                Some(&detail),
            )
            .await?;
        return Err(err);
    }
    let now = ctx.now();
    let approvals_after =
        decisions.iter().filter(|d| d.decision == "approve").count() as i64 + i64::from(approve);
    let final_state = if !approve {
        Some("rejected")
    } else if approvals_after >= a.required_approvals {
        Some("approved")
    } else {
        None
    };
    insert_decision(
        &mut tx,
        &DecisionRecord {
            approval_id: id,
            approver: ctx.actor.user.clone(),
            decision: if approve { "approve" } else { "reject" }.into(),
            reason: reason.into(),
            at: now.clone(),
        },
    )
    .await?;
    if let Some(state) = final_state {
        finish_approval(&mut tx, id, state, &now).await?;
        let payload: serde_json::Value = serde_json::from_str(&a.payload)
            .map_err(|e| StoreError::Corrupt(format!("request #{id} payload: {e}")))?;
        let applied = Applied {
            approval_id: id,
            maker: &a.maker,
        };
        if approve {
            apply(ctx, &mut tx, &kind, &payload, &applied).await?;
        } else {
            on_reject(ctx, &mut tx, &kind, &payload).await?;
        }
    }
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        if approve {
            "approval.approve"
        } else {
            "approval.reject"
        },
        "approval",
        &id.to_string(),
        None,
        Some(&serde_json::json!({"reason": reason, "state": final_state.unwrap_or("pending"), "kind": a.kind, "object_id": a.object_id}).to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    view_of(ctx, id).await?.ok_or(AppError::NotFound {
        what: "approval request",
        id: id.to_string(),
    })
}

/// Which request a change applied on approval came from.
pub struct Applied<'a> {
    pub approval_id: i64,
    pub maker: &'a str,
}

async fn apply(
    ctx: &Context,
    tx: &mut Tx<'_>,
    kind: &Kind,
    payload: &serde_json::Value,
    applied: &Applied<'_>,
) -> Result<()> {
    match kind.name {
        "partner.activate" => {
            crate::partners::apply_activation(ctx, tx, payload, Some(applied)).await
        }
        "document.review" => {
            crate::compliance::apply_document_review(ctx, tx, payload, Some(applied)).await
        }
        "traffic_source.review" => {
            crate::compliance::apply_traffic_decision(ctx, tx, payload, true).await
        }
        "plan.assign" => crate::plans::apply_assignment(ctx, tx, payload, Some(applied)).await,
        "period.close" => crate::commissions::apply_close(ctx, tx, payload, Some(applied)).await,
        "user.change" => crate::users::apply_change(ctx, tx, payload, Some(applied)).await,
        "ledger.adjust" => crate::ledger::apply_adjustment_decision(ctx, tx, payload, true).await,
        "payout.run" => crate::payouts::apply_run_decision(ctx, tx, payload, true).await,
        other => Err(AppError::Refused(format!(
            "requests of kind '{other}' cannot be applied by this version of Partnerdesk"
        ))),
    }
}

async fn on_reject(
    ctx: &Context,
    tx: &mut Tx<'_>,
    kind: &Kind,
    payload: &serde_json::Value,
) -> Result<()> {
    if kind.name == TRAFFIC_SOURCE.name {
        crate::compliance::apply_traffic_decision(ctx, tx, payload, false).await?;
    }
    if kind.name == LEDGER_ADJUST.name {
        crate::ledger::apply_adjustment_decision(ctx, tx, payload, false).await?;
    }
    if kind.name == PAYOUT_RUN.name {
        crate::payouts::apply_run_decision(ctx, tx, payload, false).await?;
    }
    Ok(())
}

/// The amount above which two approvers are needed.
#[tracing::instrument(name = "approvals::get_threshold", skip_all, fields(user = %ctx.actor.user))]
pub async fn get_threshold(ctx: &Context) -> Result<String> {
    ctx.authorize(&access::READ).await?;
    Ok(threshold(&mut ctx.store.read().await?).await?.to_string())
}

/// Sets the amount above which two approvers are needed.
#[tracing::instrument(name = "approvals::set_threshold", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_threshold(ctx: &Context, amount: &str) -> Result<String> {
    ctx.authorize(&access::APPROVALS_SETTINGS).await?;
    let value = Decimal::from_str(amount.trim())
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| {
            AppError::invalid(
                "amount",
                format!(
                    "'{}' is not an amount (a decimal such as 10000)",
                    amount.trim()
                ),
            )
        })?;
    let mut tx = ctx.store.begin().await?;
    let before = threshold(&mut tx).await?;
    partnerdesk_store::meta_set(&mut tx, THRESHOLD_KEY, &value.to_string()).await?;
    partnerdesk_store::audit(
        &mut tx,
        &ctx.now(),
        &ctx.actor.user,
        "settings.approval_threshold",
        "setting",
        THRESHOLD_KEY,
        Some(&before.to_string()),
        Some(&value.to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(value.to_string())
}

/// The audit note for a change applied with or without approval.
pub fn applied_note(applied: Option<&Applied<'_>>) -> serde_json::Value {
    match applied {
        Some(a) => serde_json::json!({"approval_id": a.approval_id, "requested_by": a.maker}),
        None => serde_json::json!({"approval": "not required (single-user mode)"}),
    }
}
