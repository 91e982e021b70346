//! Use cases on partners: create, edit, move, archive, list/search, tree,
//! and tracking codes.

use crate::approvals::{self, Kind};
use crate::change::{Applied, Apply, Change, PartnerActivation};
use crate::wire::{
    PartnerDetail, PartnerInput, PartnerPage, PartnerQuery, PartnerRow, PartnerSortKey, SubtreeRow,
    TrackingCodeView,
};
use crate::{AppError, Context, Result};
use partnerdesk_domain::kyc::DocumentStatus;
use partnerdesk_domain::partner::{
    parse_code, parse_email, parse_name, parse_notes, parse_phone, parse_tag, PartnerKind,
    PartnerStatus, TrackingKind,
};
use partnerdesk_domain::{CountryCode, CurrencyCode, Id};
use partnerdesk_store::partners::{
    insert_partner, insert_tracking_code, update_partner, PartnerFilter, PartnerRecord,
    PartnerSort, TrackingCodeRecord,
};
use partnerdesk_store::{StoreError, Tx};

pub fn row(p: &PartnerRecord) -> PartnerRow {
    PartnerRow {
        partner_id: p.partner_id.clone(),
        name: p.name.clone(),
        kind: p.kind,
        status: p.status,
        parent_id: p.parent_id.clone(),
        email: p.email.clone(),
        country: p.country,
        currency: p.currency,
        tags: p.tags.clone(),
        children: u32::try_from(p.children).unwrap_or(u32::MAX),
        archived: p.archived,
    }
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a partner as typed; the result is ready to store (timestamps aside).
pub fn validate(input: &PartnerInput) -> Result<PartnerRecord> {
    let mut tags: Vec<String> = Vec::new();
    for t in &input.tags {
        let t = parse_tag("tags", t)?;
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    Ok(PartnerRecord {
        partner_id: Id::parse("partner_id", input.partner_id.trim())?.into_string(),
        name: parse_name("name", &input.name)?,
        kind: PartnerKind::parse("kind", &input.kind)?,
        parent_id: opt(&input.parent_id)
            .map(|p| Id::parse("parent_id", p))
            .transpose()?
            .map(Id::into_string),
        email: opt(&input.email)
            .map(|e| parse_email("email", e))
            .transpose()?,
        country: opt(&input.country)
            .map(|c| CountryCode::parse("country", c))
            .transpose()?,
        currency: CurrencyCode::parse("currency", input.currency.trim())?,
        status: PartnerStatus::parse("status", &input.status)?,
        tags,
        notes: parse_notes("notes", &input.notes)?,
        contact_name: opt(&input.contact_name)
            .map(|n| parse_name("contact_name", n))
            .transpose()?,
        phone: opt(&input.phone)
            .map(|p| parse_phone("phone", p))
            .transpose()?,
        archived: false,
        created_at: String::new(),
        updated_at: String::new(),
        row_version: input.row_version.unwrap_or_default(),
        updated_by: String::new(),
        children: 0,
    })
}

/// The partner as stored (see [`to_change`] for one about to be written).
async fn existing(tx: &mut Tx<'_>, partner_id: &str) -> Result<PartnerRecord> {
    tx.partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        })
}

/// The partner about to be changed, locked for the transaction where the
/// backend needs it (see `Tx::partner_to_change`).
async fn to_change(tx: &mut Tx<'_>, partner_id: &str) -> Result<PartnerRecord> {
    tx.partner_to_change(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        })
}

/// Refuses a parent that does not exist or that would put `partner_id` under itself.
async fn check_parent(tx: &mut Tx<'_>, partner_id: &str, parent_id: Option<&str>) -> Result<()> {
    let Some(parent) = parent_id else {
        return Ok(());
    };
    if parent == partner_id {
        return Err(AppError::invalid(
            "parent_id",
            "a partner cannot be its own parent",
        ));
    }
    if tx.partner(parent).await?.is_none() {
        return Err(AppError::invalid(
            "parent_id",
            format!("partner '{parent}' does not exist; choose an existing partner or none"),
        ));
    }
    let chain = tx.ancestors(parent).await?;
    if chain.iter().any(|a| a.partner_id == partner_id) {
        return Err(AppError::invalid(
            "parent_id",
            format!("'{parent}' is below '{partner_id}' in the tree; moving '{partner_id}' under it would make a cycle"),
        ));
    }
    Ok(())
}

/// Writes a new partner (`before` None) or `after` over `before`, which the
/// caller read in `tx`: the update goes through only while the stored
/// partner is still at `after.row_version` (see `update_partner`). `after`
/// then carries its new version.
async fn write_audited(
    ctx: &Context,
    tx: &mut Tx<'_>,
    action: &str,
    before: Option<&PartnerRecord>,
    after: &mut PartnerRecord,
) -> Result<()> {
    after.updated_by = ctx.actor.user.clone();
    match before {
        None => {
            insert_partner(tx, after).await?;
            after.row_version = 1;
        }
        Some(_) => {
            update_partner(tx, after).await?;
            after.row_version += 1;
        }
    }
    // The tree, statuses and currencies feed the engine: the next run recomputes.
    crate::commissions::mark_dirty(tx, "0000-00").await?;
    let b = before.map(|b| serde_json::to_string(&row(b)).unwrap_or_default());
    let a = serde_json::to_string(&row(after)).unwrap_or_default();
    partnerdesk_store::audit(
        tx,
        &after.updated_at,
        &ctx.actor.user,
        action,
        "partner",
        &after.partner_id,
        b.as_deref(),
        Some(&a),
    )
    .await?;
    crate::mail::on_partner_saved(ctx, tx, before, after).await?;
    Ok(())
}

#[tracing::instrument(name = "partners::create", skip_all, fields(user = %ctx.actor.user))]
pub async fn create(ctx: &Context, input: PartnerInput) -> Result<PartnerRow> {
    ctx.authorize(&crate::access::PARTNER_CREATE).await?;
    let mut p = validate(&input)?;
    let mut tx = ctx.store.begin().await?;
    if tx.partner(&p.partner_id).await?.is_some() {
        return Err(AppError::invalid(
            "partner_id",
            format!(
                "partner '{}' already exists; choose another id",
                p.partner_id
            ),
        ));
    }
    check_parent(&mut tx, &p.partner_id, p.parent_id.as_deref()).await?;
    let now = ctx.now();
    p.created_at = now.clone();
    p.updated_at = now;
    let activate = hold_activation(&mut tx, &mut p, PartnerStatus::PendingReview).await?;
    write_audited(ctx, &mut tx, "partner.create", None, &mut p).await?;
    if activate {
        request_activation(ctx, &mut tx, &p).await?;
    }
    tx.commit().await?;
    Ok(row(&p))
}

/// With four eyes in force, a partner becomes active only once approved: the
/// change is saved with `held_status` and an activation request is raised.
async fn hold_activation(
    tx: &mut Tx<'_>,
    p: &mut PartnerRecord,
    held_status: PartnerStatus,
) -> Result<bool> {
    if p.status != PartnerStatus::Active || !approvals::in_force(tx, Kind::PartnerActivate).await? {
        return Ok(false);
    }
    p.status = held_status;
    Ok(true)
}

/// Queues the activation of `p` in the transaction that saved it (nothing
/// when one waits already).
async fn request_activation(ctx: &Context, tx: &mut Tx<'_>, p: &PartnerRecord) -> Result<()> {
    if tx
        .pending_approval(Kind::PartnerActivate, &p.partner_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let docs = tx.documents_of(&p.partner_id).await?;
    let approved = docs
        .iter()
        .filter(|d| d.status == DocumentStatus::Approved)
        .count();
    approvals::queue(
        ctx,
        tx,
        approvals::Request {
            change: Change::PartnerActivate(PartnerActivation {
                partner_id: p.partner_id.clone(),
            }),
            object_type: "partner",
            object_id: &p.partner_id,
            summary: format!(
                "activate partner {} ({}, now {}); KYC documents approved: {approved} of {}",
                p.partner_id,
                p.name,
                p.status,
                docs.len()
            ),
            amount: None,
            object_maker: None,
        },
    )
    .await?;
    Ok(())
}

/// Activates a partner on approval.
impl Apply for PartnerActivation {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        activate(ctx, tx, &self.partner_id, on).await
    }
}

async fn activate(ctx: &Context, tx: &mut Tx<'_>, id: &str, applied: &Applied<'_>) -> Result<()> {
    let before = to_change(tx, id).await?;
    let mut p = before.clone();
    p.status = PartnerStatus::Active;
    p.updated_at = ctx.now();
    p.updated_by = ctx.actor.user.clone();
    update_partner(tx, &p).await?;
    p.row_version += 1;
    crate::commissions::mark_dirty(tx, "0000-00").await?;
    let mut after = serde_json::to_value(row(&p)).unwrap_or_default();
    after["approval"] = approvals::applied_note(Some(applied));
    partnerdesk_store::audit(
        tx,
        &p.updated_at,
        &ctx.actor.user,
        "partner.activate",
        "partner",
        id,
        serde_json::to_string(&row(&before)).ok().as_deref(),
        Some(&after.to_string()),
    )
    .await?;
    crate::mail::on_partner_saved(ctx, tx, Some(&before), &p).await?;
    Ok(())
}

/// Saves a partner's form. `input.row_version` is the version the form was
/// opened at: a partner changed since is refused with the stale error
/// (who changed it, when) and nothing is written.
#[tracing::instrument(name = "partners::edit", skip_all, fields(user = %ctx.actor.user))]
pub async fn edit(ctx: &Context, partner_id: &str, input: PartnerInput) -> Result<PartnerRow> {
    edit_from(ctx, partner_id, |_| input).await
}

/// [`edit`] with the partner's fields made by `change` from the partner as
/// stored now, read in the transaction that writes them: a script that
/// changes a few fields undoes nothing changed meanwhile.
pub async fn edit_from(
    ctx: &Context,
    partner_id: &str,
    change: impl FnOnce(PartnerInput) -> PartnerInput,
) -> Result<PartnerRow> {
    ctx.authorize(&crate::access::PARTNER_EDIT).await?;
    let mut tx = ctx.store.begin().await?;
    let before = to_change(&mut tx, partner_id).await?;
    let input = change(input_of(&before));
    if input.row_version.is_some_and(|v| v != before.row_version) {
        return Err(AppError::from(StoreError::Stale {
            what: "partner",
            id: partner_id.to_string(),
            by: before.updated_by.clone(),
            at: before.updated_at.clone(),
        }));
    }
    let mut p = validate(&PartnerInput {
        partner_id: partner_id.to_string(),
        ..input
    })?;
    if p.parent_id != before.parent_id {
        check_parent(&mut tx, partner_id, p.parent_id.as_deref()).await?;
    }
    p.archived = before.archived;
    p.created_at = before.created_at.clone();
    p.updated_at = ctx.now();
    p.children = before.children;
    p.row_version = before.row_version;
    let activate = before.status != PartnerStatus::Active
        && hold_activation(&mut tx, &mut p, before.status).await?;
    write_audited(ctx, &mut tx, "partner.edit", Some(&before), &mut p).await?;
    if activate {
        request_activation(ctx, &mut tx, &p).await?;
    }
    tx.commit().await?;
    Ok(row(&p))
}

/// A stored partner as its form shows it, at its current version.
fn input_of(p: &PartnerRecord) -> PartnerInput {
    PartnerInput {
        partner_id: p.partner_id.clone(),
        name: p.name.clone(),
        kind: p.kind.as_str().to_string(),
        parent_id: p.parent_id.clone(),
        email: p.email.clone(),
        country: p.country.map(|c| c.to_string()),
        currency: p.currency.to_string(),
        status: p.status.as_str().to_string(),
        tags: p.tags.clone(),
        notes: p.notes.clone(),
        contact_name: p.contact_name.clone(),
        phone: p.phone.clone(),
        row_version: Some(p.row_version),
    }
}

/// Moves a partner with its whole subtree under `new_parent` (None: to the top).
#[tracing::instrument(name = "partners::move_partner", skip_all, fields(user = %ctx.actor.user))]
pub async fn move_partner(
    ctx: &Context,
    partner_id: &str,
    new_parent: Option<&str>,
) -> Result<PartnerRow> {
    ctx.authorize(&crate::access::PARTNER_MOVE).await?;
    let mut tx = ctx.store.begin().await?;
    let before = to_change(&mut tx, partner_id).await?;
    let new_parent = new_parent.map(str::trim).filter(|s| !s.is_empty());
    check_parent(&mut tx, partner_id, new_parent).await?;
    let mut p = before.clone();
    p.parent_id = new_parent.map(str::to_string);
    p.updated_at = ctx.now();
    write_audited(ctx, &mut tx, "partner.move", Some(&before), &mut p).await?;
    tx.commit().await?;
    Ok(row(&p))
}

/// Archives (hides from lists) or restores a partner; nothing is deleted.
#[tracing::instrument(name = "partners::archive", skip_all, fields(user = %ctx.actor.user))]
pub async fn archive(ctx: &Context, partner_id: &str, archived: bool) -> Result<PartnerRow> {
    ctx.authorize(&crate::access::PARTNER_ARCHIVE).await?;
    let mut tx = ctx.store.begin().await?;
    let before = to_change(&mut tx, partner_id).await?;
    let mut p = before.clone();
    p.archived = archived;
    p.updated_at = ctx.now();
    let action = if archived {
        "partner.archive"
    } else {
        "partner.restore"
    };
    write_audited(ctx, &mut tx, action, Some(&before), &mut p).await?;
    tx.commit().await?;
    Ok(row(&p))
}

#[tracing::instrument(name = "partners::search", skip_all, fields(user = %ctx.actor.user))]
pub async fn search(ctx: &Context, q: &PartnerQuery) -> Result<PartnerPage> {
    ctx.authorize(&crate::access::READ).await?;
    let filter = PartnerFilter {
        text: opt(&q.text).map(str::to_string),
        kind: opt(&q.kind)
            .map(|s| PartnerKind::parse("kind", s))
            .transpose()?,
        status: opt(&q.status)
            .map(|s| PartnerStatus::parse("status", s))
            .transpose()?,
        parent_id: opt(&q.parent_id).map(str::to_string),
        tag: opt(&q.tag).map(str::to_string),
        include_archived: q.include_archived,
        sort: match q.sort {
            PartnerSortKey::PartnerId => PartnerSort::PartnerId,
            PartnerSortKey::Name => PartnerSort::Name,
            PartnerSortKey::Kind => PartnerSort::Kind,
            PartnerSortKey::Status => PartnerSort::Status,
            PartnerSortKey::Country => PartnerSort::Country,
            PartnerSortKey::CreatedAt => PartnerSort::CreatedAt,
        },
        desc: q.desc,
        offset: i64::from(q.offset),
        limit: i64::from(q.limit.clamp(1, 1000)),
    };
    let (total, rows) = ctx.store.read().await?.search_partners(&filter).await?;
    Ok(PartnerPage {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        rows: rows.iter().map(row).collect(),
    })
}

#[tracing::instrument(name = "partners::get", skip_all, fields(user = %ctx.actor.user))]
pub async fn get(ctx: &Context, partner_id: &str) -> Result<PartnerDetail> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let p = existing(&mut tx, partner_id).await?;
    let ancestors = tx.ancestors(partner_id).await?;
    let codes = tx.tracking_codes_of(partner_id).await?;
    Ok(PartnerDetail {
        partner: row(&p),
        notes: p.notes.clone(),
        contact_name: p.contact_name.clone(),
        phone: p.phone.clone(),
        created_at: p.created_at.clone(),
        updated_at: p.updated_at.clone(),
        row_version: p.row_version,
        ancestors: ancestors.iter().map(row).collect(),
        tracking_codes: codes.into_iter().map(code_view).collect(),
    })
}

/// The partner and its descendants down to `max_depth` levels (at most 50).
#[tracing::instrument(name = "partners::tree", skip_all, fields(user = %ctx.actor.user))]
pub async fn tree(ctx: &Context, partner_id: &str, max_depth: u32) -> Result<Vec<SubtreeRow>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    existing(&mut tx, partner_id).await?;
    let rows = tx.subtree(partner_id, i64::from(max_depth.min(50))).await?;
    Ok(rows
        .into_iter()
        .map(|(d, p)| SubtreeRow {
            depth: u32::try_from(d).unwrap_or(0),
            partner: row(&p),
        })
        .collect())
}

fn code_view(t: TrackingCodeRecord) -> TrackingCodeView {
    TrackingCodeView {
        brand_id: t.brand_id,
        code: t.code,
        partner_id: t.partner_id,
        kind: t.kind.as_str().to_string(),
    }
}

/// Adds a tracking code to a partner; codes are unique per brand.
#[tracing::instrument(name = "partners::add_tracking_code", skip_all, fields(user = %ctx.actor.user))]
pub async fn add_tracking_code(ctx: &Context, input: TrackingCodeView) -> Result<TrackingCodeView> {
    ctx.authorize(&crate::access::TRACKING_CODE_ADD).await?;
    let t = TrackingCodeRecord {
        brand_id: Id::parse("brand_id", &input.brand_id)?.into_string(),
        code: parse_code("code", input.code.trim())?,
        partner_id: Id::parse("partner_id", &input.partner_id)?.into_string(),
        kind: TrackingKind::parse("kind", &input.kind)?,
    };
    let mut tx = ctx.store.begin().await?;
    if tx.brand(&t.brand_id).await?.is_none() {
        return Err(AppError::invalid(
            "brand_id",
            format!("brand '{}' does not exist; create it first", t.brand_id),
        ));
    }
    existing(&mut tx, &t.partner_id).await?;
    if let Some(other) = tx.tracking_code(&t.brand_id, &t.code).await? {
        return Err(AppError::invalid(
            "code",
            format!("tracking code '{}' is already used in brand '{}' (by partner '{}'); codes are unique per brand", t.code, t.brand_id, other.partner_id),
        ));
    }
    let now = ctx.now();
    insert_tracking_code(&mut tx, &t).await?;
    // A new code attributes customers: the next run recomputes.
    crate::commissions::mark_dirty(&mut tx, "0000-00").await?;
    // A code may be a coupon: purchases' attribution changes.
    crate::reports::mark_stale(&mut tx, crate::reports::rollup::PURCHASES_ONLY).await?;
    let after = serde_json::to_string(&code_view(t.clone())).ok();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "tracking_code.add",
        "partner",
        &t.partner_id,
        None,
        after.as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(code_view(t))
}

/// Creates many partners at once (bulk onboarding, benchmarks): every input is
/// checked first, parents may come earlier in the same list or be stored
/// already, and the partners are written in batches in one transaction with
/// one audit entry.
#[tracing::instrument(name = "partners::create_many", skip_all, fields(user = %ctx.actor.user))]
pub async fn create_many(ctx: &Context, inputs: &[PartnerInput]) -> Result<usize> {
    ctx.authorize(&crate::access::PARTNER_CREATE).await?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut records = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let mut p = validate(input).map_err(|e| match e {
            AppError::Invalid(f) => AppError::Invalid(f.within(&format!("partners[{i}]"))),
            other => other,
        })?;
        if let Some(parent) = &p.parent_id {
            if !seen.contains(parent) && tx.partner(parent).await?.is_none() {
                return Err(AppError::invalid(
                    &format!("partners[{i}].parent_id"),
                    format!("partner '{parent}' does not exist (nor earlier in the list)"),
                ));
            }
        }
        if !seen.insert(p.partner_id.clone()) {
            return Err(AppError::invalid(
                &format!("partners[{i}].partner_id"),
                format!("'{}' appears twice", p.partner_id),
            ));
        }
        p.created_at = now.clone();
        p.updated_at = now.clone();
        p.updated_by = ctx.actor.user.clone();
        records.push(p);
    }
    crate::commissions::mark_dirty(&mut tx, "0000-00").await?;
    let mut batch = partnerdesk_store::Batch::new(
        "partners",
        &partnerdesk_store::partners::PARTNER_COLUMNS,
        "",
    );
    for p in &records {
        batch
            .push(&mut tx, partnerdesk_store::partners::partner_values(p))
            .await
            .map_err(|e| match e {
                StoreError::Db(e) => {
                    StoreError::translate(e, "partner_id", "one of the partners").into()
                }
                other => AppError::from(other),
            })?;
    }
    batch.flush(&mut tx).await.map_err(|e| match e {
        StoreError::Db(e) => AppError::from(StoreError::translate(
            e,
            "partner_id",
            "one of the partners",
        )),
        other => AppError::from(other),
    })?;
    let summary = serde_json::json!({"created": records.len()}).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "partner.create_many",
        "partner",
        "*",
        None,
        Some(&summary),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(records.len())
}
