//! Four-eyes approvals: a change that matters waits in a queue until a second
//! user with the right role approves it; the maker can never approve their own
//! request; approving or rejecting needs a reason; above a configurable amount
//! two approvers are needed. Nothing takes effect until approved.
//!
//! Four eyes need two people: while the database has no users (the embedded
//! single-user mode) a change is applied at once and the audit entry says so.
//! User and role changes also apply at once while there is only one enabled
//! admin (no one else could approve them). Moving money always waits.
//!
//! The queue knows no feature: a request carries a typed [`Change`]
//! (`crate::change`), whose feature applies it in the decision's
//! transaction; who decides which kind is [`policy`]'s one table. Every door
//! that decides a request (`approvals approve`, `ledger approve`, `payouts
//! approve`, ...) comes through [`decide`], so the maker ≠ checker rule and
//! the roles are checked in one place.

mod policy;
mod threshold;
mod view;

pub use crate::change::{applied_note, Applied, Change, Kind};
pub use policy::{in_force, policy, InForce, Policy, DEFAULT_THRESHOLD, THRESHOLD_KEY};
pub use threshold::{get_threshold, set_threshold};
pub use view::{list, ApprovalView, ChangeOutcome, DecisionView, OutcomeState};
pub(crate) use view::{queued, view_of};

use crate::access;
use crate::context::Context;
use crate::error::{AppError, Result};
use partnerdesk_domain::approval::{ApprovalDecision, ApprovalStatus};
use partnerdesk_store::compliance::{
    finish_approval, insert_approval, insert_decision, ApprovalRecord, DecisionRecord,
};
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;

/// What a change needs to describe itself to the queue.
pub struct Request<'a> {
    /// The change, applied on approval by its feature.
    pub change: Change,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub summary: String,
    /// The amount at stake, shown with the request; above the threshold two
    /// approvers are needed where the kind's policy counts it.
    pub amount: Option<(Decimal, partnerdesk_domain::CurrencyCode)>,
    /// Who made the object, when someone other than the user asking may
    /// have (a payout run's creator): they may not decide it either.
    pub object_maker: Option<String>,
}

/// Queues `req` in a transaction of its own, for a change that reads nothing
/// first; returns the request, or `None` when the caller should apply the
/// change at once. A change that checks something before it is queued
/// reads and queues in one transaction instead (see [`queue`]).
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
    let kind = req.change.kind();
    let policy = policy(kind);
    if !in_force(tx, kind).await? {
        return Ok(None);
    }
    if let Some(id) = tx.pending_approval(kind, req.object_id).await? {
        return Err(already_waiting(&policy, req.object_id, id));
    }
    let required = match &req.amount {
        Some((amount, _)) if policy.threshold && amount.abs() > policy::threshold(tx).await? => 2,
        _ => 1,
    };
    let payload = req.change.payload()?;
    let now = ctx.now();
    let record = ApprovalRecord {
        approval_id: 0,
        kind,
        object_type: req.object_type.into(),
        object_id: req.object_id.into(),
        summary: req.summary,
        payload: payload.to_string(),
        amount: req.amount.as_ref().map(|(a, _)| a.to_string()),
        currency: req.amount.map(|(_, c)| c),
        required_approvals: required,
        status: ApprovalStatus::Pending,
        maker: ctx.actor.user.clone(),
        created_at: now.clone(),
        decided_at: None,
        object_maker: req.object_maker.filter(|m| *m != ctx.actor.user),
    };
    // A request for the same object queued at the same moment (after the
    // check above, on PostgreSQL) is caught by the store's unique index.
    let Some(id) = insert_approval(tx, &record).await? else {
        let id = tx.pending_approval(kind, req.object_id).await?;
        return Err(already_waiting(
            &policy,
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
        Some(&serde_json::json!({"kind": record.kind, "object_type": record.object_type, "object_id": record.object_id, "summary": record.summary, "payload": for_the_log(&payload), "required_approvals": required}).to_string()),
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
    kind: Kind,
    object_id: &str,
    why: &str,
) -> Result<Option<i64>> {
    let Some(id) = tx.pending_approval(kind, object_id).await? else {
        return Ok(None);
    };
    let now = ctx.now();
    finish_approval(tx, id, ApprovalStatus::Rejected, &now).await?;
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "approval.withdraw",
        "approval",
        &id.to_string(),
        Some("pending"),
        Some(&serde_json::json!({"state": "rejected", "kind": kind, "object_id": object_id, "reason": why}).to_string()),
    )
    .await?;
    Ok(Some(id))
}

/// Refuses a second pending request for the same object.
fn already_waiting(policy: &Policy, object_id: &str, id: i64) -> AppError {
    AppError::Refused(format!(
        "a {} for {object_id} already waits for approval (request #{id}); approve or reject it first",
        policy.label.to_lowercase(),
    ))
}

/// Why the acting user may not decide request `a` now, or `None`: the one
/// place of the rules every door obeys. In order: the role (the kind's
/// approvers, as `access.rs` gives the direct use case), the request still
/// pending, maker ≠ checker, and one approval per approver.
pub(crate) fn refusal(
    ctx: &Context,
    policy: &Policy,
    a: &ApprovalRecord,
    decisions: &[DecisionRecord],
) -> Option<AppError> {
    if !access::allows(policy.decided_by, &ctx.actor.roles) {
        let roles: Vec<&str> = policy.approvers().iter().map(|r| r.as_str()).collect();
        return Some(AppError::Denied(format!(
            "a {} is decided by a user with the role {}",
            policy.label.to_lowercase(),
            roles.join(" or ")
        )));
    }
    if a.status != ApprovalStatus::Pending {
        return Some(AppError::Refused(format!(
            "request #{} has already been {}",
            a.approval_id, a.status
        )));
    }
    if let Some(e) = maker_is_not_checker(policy, a, &ctx.actor.user) {
        return Some(e);
    }
    if decisions.iter().any(|d| d.approver == ctx.actor.user) {
        return Some(AppError::Denied(format!(
            "you already approved request #{}; it needs another approver",
            a.approval_id
        )));
    }
    None
}

/// Four eyes: the user who asked for a change never decides it, nor does
/// the user who made what it is about (a payout run's creator, when someone
/// else submitted the run).
fn maker_is_not_checker(policy: &Policy, a: &ApprovalRecord, user: &str) -> Option<AppError> {
    let what = format!("{} {}", policy.label.to_lowercase(), a.object_id);
    let why = if a.maker == user {
        format!("you asked for request #{} ({what})", a.approval_id)
    } else if a.object_maker.as_deref() == Some(user) {
        format!("you made what request #{} is about ({what})", a.approval_id)
    } else {
        return None;
    };
    Some(AppError::Denied(format!(
        "{why}: another {} must approve or reject it (four eyes)",
        policy.checker_words()
    )))
}

/// A request's payload as the append-only audit log may keep it: a value
/// under a key naming a password, a secret or a hash of one (a new user's
/// password hash) is replaced by a note that it was set; an `account` (an
/// IBAN, wallet account or address: personal data) keeps its last four
/// characters. The request itself keeps the value until it is decided.
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
                        (false, Value::String(account)) if key == "account" => {
                            Value::String(partnerdesk_domain::payment::masked(account))
                        }
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

/// Approves (`approve = true`) or rejects a request, with a reason. The last
/// needed approval applies the change in the same transaction; a rejection
/// lets the change's feature settle what waited with it.
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
    let policy = policy(a.kind);
    let decisions = tx.decisions(id).await?;
    let refused = if reason.is_empty() {
        Some(AppError::invalid(
            "reason",
            "give a reason for the decision (it is kept in the audit log)",
        ))
    } else {
        refusal(ctx, &policy, &a, &decisions)
    };
    if let Some(err) = refused {
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
    let approvals_after = decisions
        .iter()
        .filter(|d| d.decision == ApprovalDecision::Approve)
        .count() as i64
        + i64::from(approve);
    let final_state = if !approve {
        Some(ApprovalStatus::Rejected)
    } else if approvals_after >= a.required_approvals {
        Some(ApprovalStatus::Approved)
    } else {
        None
    };
    insert_decision(
        &mut tx,
        &DecisionRecord {
            approval_id: id,
            approver: ctx.actor.user.clone(),
            decision: ApprovalDecision::of(approve),
            reason: reason.into(),
            at: now.clone(),
        },
    )
    .await?;
    if let Some(state) = final_state {
        finish_approval(&mut tx, id, state, &now).await?;
        let change = Change::parse(a.kind, &a.payload).map_err(|e| match e {
            StoreError::Corrupt(what) => StoreError::Corrupt(format!("request #{id}: {what}")),
            other => other,
        })?;
        let applied = Applied {
            approval_id: id,
            maker: &a.maker,
        };
        if approve {
            change.apply(ctx, &mut tx, &applied).await?;
        } else {
            change.on_reject(ctx, &mut tx, &applied).await?;
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
        Some(&serde_json::json!({"reason": reason, "state": final_state.unwrap_or(ApprovalStatus::Pending), "kind": a.kind, "object_id": a.object_id}).to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    view_of(ctx, id).await?.ok_or(AppError::NotFound {
        what: "approval request",
        id: id.to_string(),
    })
}
