//! Use cases on plans (deals) and their assignment to partners.

use crate::change::{Applied, Apply, Change, PlanAssignment};
use crate::wire::{AssignmentView, PlanDetail, PlanPreview, PlanVersionView, PlanView};
use crate::{AppError, Context, Result};
use partnerdesk_domain::data::{parse_valid_from, parse_valid_to, Assignment};
use partnerdesk_domain::plan::Plan;
use partnerdesk_domain::Id;
use partnerdesk_store::StoreError;
use std::collections::HashMap;

fn parse(content: &str) -> Result<Plan> {
    let v: serde_json::Value = serde_json::from_str(content)
        .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
    Plan::from_json(&v).map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))
}

fn components(p: &Plan) -> Vec<String> {
    let c = &p.components;
    [
        (c.revshare.is_some(), "revshare"),
        (c.cpa.is_some(), "cpa"),
        (c.lot_rebate.is_some(), "lot_rebate"),
        (c.spread_share.is_some(), "spread_share"),
        (c.purchase_share.is_some(), "purchase_share"),
        (c.sub_override.is_some(), "sub_override"),
    ]
    .into_iter()
    .filter(|(has, _)| *has)
    .map(|(_, n)| n.to_string())
    .collect()
}

fn pretty(p: &Plan) -> String {
    serde_json::to_string_pretty(&p.to_json()).unwrap_or_default()
}

fn view(p: &Plan, version: i64, usage: i64) -> PlanView {
    PlanView {
        plan_id: p.plan_id.to_string(),
        version: u32::try_from(version).unwrap_or(0),
        name: p.name.clone(),
        json: pretty(p),
        description: p.describe(),
        components: components(p),
        assignments: u32::try_from(usage).unwrap_or(0),
    }
}

#[tracing::instrument(name = "plans::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context) -> Result<Vec<PlanView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let usage: HashMap<String, i64> = tx.plan_usage().await?.into_iter().collect();
    let mut latest: std::collections::BTreeMap<String, (i64, String)> = Default::default();
    for v in tx.plan_versions().await? {
        latest.insert(v.plan_id, (v.version, v.content));
    }
    latest
        .iter()
        .map(|(id, (version, content))| {
            Ok(view(
                &parse(content)?,
                *version,
                usage.get(id).copied().unwrap_or(0),
            ))
        })
        .collect()
}

#[tracing::instrument(name = "plans::get", skip_all, fields(user = %ctx.actor.user))]
pub async fn get(ctx: &Context, plan_id: &str) -> Result<PlanDetail> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let versions: Vec<_> = tx
        .plan_versions()
        .await?
        .into_iter()
        .filter(|v| v.plan_id == plan_id)
        .collect();
    let Some(last) = versions.last() else {
        return Err(AppError::NotFound {
            what: "plan",
            id: plan_id.to_string(),
        });
    };
    let usage = tx
        .plan_usage()
        .await?
        .into_iter()
        .find(|(id, _)| id == plan_id)
        .map(|(_, n)| n)
        .unwrap_or(0);
    let plan = view(&parse(&last.content)?, last.version, usage);
    let versions = versions
        .iter()
        .map(|v| {
            let p = parse(&v.content)?;
            Ok(PlanVersionView {
                version: u32::try_from(v.version).unwrap_or(0),
                created_at: v.created_at.clone(),
                description: p.describe(),
                json: pretty(&p),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PlanDetail { plan, versions })
}

/// Checks a plan as typed (one plan object of plans.json) and describes it.
pub fn preview(json: &str) -> PlanPreview {
    let parsed = serde_json::from_str::<serde_json::Value>(json)
        .map_err(|e| partnerdesk_domain::FieldError::new("", format!("is not valid JSON: {e}")))
        .and_then(|v| Plan::from_json(&v));
    match parsed {
        Ok(p) => PlanPreview {
            ok: true,
            description: p.describe(),
            field: None,
            error: None,
        },
        Err(e) => PlanPreview {
            ok: false,
            description: String::new(),
            field: Some(e.field.clone()).filter(|f| !f.is_empty()),
            error: Some(e.to_string()),
        },
    }
}

/// Saves a plan: a new plan, or a new version when the content changed
/// (periods already closed keep the version they were computed with).
#[tracing::instrument(name = "plans::save", skip_all, fields(user = %ctx.actor.user))]
pub async fn save(ctx: &Context, json: &str) -> Result<PlanView> {
    ctx.authorize(&crate::access::PLAN_SAVE).await?;
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| AppError::invalid("plan", format!("is not valid JSON: {e}")))?;
    let plan = Plan::from_json(&v)?;
    let content = plan.to_json().to_string();
    let mut tx = ctx.store.begin().await?;
    let versions: Vec<_> = tx
        .plan_versions()
        .await?
        .into_iter()
        .filter(|v| v.plan_id == plan.plan_id.as_str())
        .collect();
    let usage = tx
        .plan_usage()
        .await?
        .into_iter()
        .find(|(id, _)| id == plan.plan_id.as_str())
        .map(|(_, n)| n)
        .unwrap_or(0);
    if let Some(last) = versions.last() {
        if last.content == content {
            return Ok(view(&plan, last.version, usage));
        }
    }
    let version = versions.last().map(|v| v.version + 1).unwrap_or(1);
    let now = ctx.now();
    partnerdesk_store::data::insert_plan_version(
        &mut tx,
        plan.plan_id.as_str(),
        version,
        &plan.name,
        &content,
        &now,
    )
    .await?;
    crate::commissions::mark_dirty(&mut tx, "0000-00").await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "plan.save",
        "plan",
        plan.plan_id.as_str(),
        versions.last().map(|v| v.content.as_str()),
        Some(&content),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view(&plan, version, usage))
}

fn assignment_view(a: &Assignment) -> AssignmentView {
    AssignmentView {
        partner_id: a.partner_id.to_string(),
        brand_id: a.brand_id.to_string(),
        plan_id: a.plan_id.to_string(),
        valid_from: a.valid_from.first_day().to_string(),
        valid_to: a.valid_to.map(|p| p.last_day().to_string()),
    }
}

#[tracing::instrument(name = "plans::assignments_of", skip_all, fields(user = %ctx.actor.user))]
pub async fn assignments_of(ctx: &Context, partner_id: &str) -> Result<Vec<AssignmentView>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .assignments()
        .await?
        .iter()
        .filter(|a| a.partner_id.as_str() == partner_id)
        .map(assignment_view)
        .collect())
}

/// Assigns a plan to a partner for a brand from the first day of a month.
#[tracing::instrument(name = "plans::assign", skip_all, fields(user = %ctx.actor.user))]
pub async fn assign(ctx: &Context, input: AssignmentView) -> Result<AssignOutcome> {
    ctx.authorize(&crate::access::PLAN_ASSIGN).await?;
    let a = parse_assignment(&input)?;
    if a.valid_to.is_some_and(|to| to < a.valid_from) {
        return Err(AppError::invalid("valid_to", "ends before valid_from"));
    }
    let mut tx = ctx.store.begin().await?;
    if tx.partner(a.partner_id.as_str()).await?.is_none() {
        return Err(AppError::invalid(
            "partner_id",
            format!("partner '{}' does not exist", a.partner_id),
        ));
    }
    if tx.brand(a.brand_id.as_str()).await?.is_none() {
        return Err(AppError::invalid(
            "brand_id",
            format!("brand '{}' does not exist", a.brand_id),
        ));
    }
    if !tx
        .plan_versions()
        .await?
        .iter()
        .any(|v| v.plan_id == a.plan_id.as_str())
    {
        return Err(AppError::invalid(
            "plan_id",
            format!("plan '{}' does not exist", a.plan_id),
        ));
    }
    let existing = tx.assignments().await?;
    if let Some(o) = existing.iter().find(|o| a.overlaps(o)) {
        return Err(AppError::invalid(
            "valid_from",
            format!("overlaps the assignment of plan '{}' from {}; end that one first (a partner has one plan per brand at a time)", o.plan_id, o.valid_from.first_day()),
        ));
    }
    let view = assignment_view(&a);
    let summary = format!(
        "assign plan {} to partner {} for brand {} from {}{}",
        view.plan_id,
        view.partner_id,
        view.brand_id,
        view.valid_from,
        view.valid_to
            .as_deref()
            .map(|t| format!(" to {t}"))
            .unwrap_or_default()
    );
    let object = format!("{}/{}", view.partner_id, view.brand_id);
    if let Some(id) = crate::approvals::queue(
        ctx,
        &mut tx,
        crate::approvals::Request {
            change: Change::PlanAssign(PlanAssignment(view.clone())),
            object_type: "assignment",
            object_id: &object,
            summary,
            amount: None,
            object_maker: None,
        },
    )
    .await?
    {
        tx.commit().await?;
        return Ok(AssignOutcome {
            assignment: view,
            applied: false,
            approval: Some(crate::approvals::queued(ctx, id).await?),
        });
    }
    write_assignment(ctx, &mut tx, &a, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(AssignOutcome {
        assignment: view,
        applied: true,
        approval: None,
    })
}

/// The outcome of an assignment: applied now, or waiting for approval.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type)]
pub struct AssignOutcome {
    pub assignment: AssignmentView,
    pub applied: bool,
    pub approval: Option<crate::approvals::ApprovalView>,
}

fn parse_assignment(input: &AssignmentView) -> Result<Assignment> {
    Ok(Assignment {
        partner_id: Id::parse("partner_id", &input.partner_id)?,
        brand_id: Id::parse("brand_id", &input.brand_id)?,
        plan_id: Id::parse("plan_id", &input.plan_id)?,
        valid_from: parse_valid_from("valid_from", input.valid_from.trim())?,
        valid_to: input
            .valid_to
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_valid_to("valid_to", s))
            .transpose()?,
    })
}

/// Applies an approved assignment (checked again: the data may have moved on).
impl Apply for PlanAssignment {
    async fn apply(
        &self,
        ctx: &Context,
        tx: &mut partnerdesk_store::Tx<'_>,
        on: &Applied<'_>,
    ) -> Result<()> {
        let a = parse_assignment(&self.0)?;
        if let Some(o) = tx.assignments().await?.iter().find(|o| a.overlaps(o)) {
            return Err(AppError::Refused(format!(
                "the assignment now overlaps plan '{}' from {}; reject this request and make a new one",
                o.plan_id,
                o.valid_from.first_day()
            )));
        }
        write_assignment(ctx, tx, &a, Some(on)).await
    }
}

async fn write_assignment(
    ctx: &Context,
    tx: &mut partnerdesk_store::Tx<'_>,
    a: &Assignment,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let now = ctx.now();
    let view = assignment_view(a);
    partnerdesk_store::views::insert_assignment(
        tx,
        &view.partner_id,
        &view.brand_id,
        &a.valid_from.to_string(),
        &view.plan_id,
        a.valid_to.map(|p| p.to_string()).as_deref(),
    )
    .await?;
    crate::commissions::mark_dirty(tx, &a.valid_from.to_string()).await?;
    let mut after = serde_json::to_value(&view).unwrap_or_default();
    after["approval"] = crate::approvals::applied_note(applied);
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "assignment.add",
        "partner",
        &view.partner_id,
        None,
        Some(&after.to_string()),
    )
    .await?;
    Ok(())
}
