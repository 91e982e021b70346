//! Partner onboarding and KYC, traffic sources, geo rules, customer exclusion.
//!
//! Onboarding: a partner applies (status `applied`), documents are uploaded
//! (ID, company registration, proof of address; kept in the app-data folder
//! under their SHA-256, type checked by content, at most 10 MB), compliance
//! proposes a review outcome per document (a second user approves it), and
//! activation itself is approved too. Every step is dated and attributed in
//! the audit log and shows on the partner's timeline.

use crate::access;
use crate::approvals::{self, ChangeOutcome, Request};
use crate::change::{Applied, Apply, Change, DocumentReview, TrafficSourceReview};
use crate::context::Context;
use crate::error::{AppError, Result};
use base64::Engine as _;
use partnerdesk_domain::codes::CountryCode;
use partnerdesk_domain::kyc::{
    self, DocumentStatus, DocumentType, TrafficSourceKind, TrafficSourceStatus,
};
use partnerdesk_domain::partner::PartnerStatus;
use partnerdesk_store::compliance::{
    decide_traffic_source, insert_document, insert_traffic_source, review_document,
    set_allowed_countries, set_customer_status, DocumentRecord, TrafficSourceRecord,
};
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use specta::Type;
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DocumentView {
    pub document_id: String,
    pub partner_id: String,
    pub doc_type: DocumentType,
    pub file_name: String,
    pub sha256: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub status: DocumentStatus,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TrafficSourceView {
    pub source_id: String,
    pub partner_id: String,
    pub kind: TrafficSourceKind,
    pub value: String,
    pub status: TrafficSourceStatus,
    pub declared_by: String,
    pub declared_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// A partner's compliance picture: documents, traffic sources, allowed countries.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerCompliance {
    pub partner_id: String,
    pub status: PartnerStatus,
    pub documents: Vec<DocumentView>,
    pub traffic_sources: Vec<TrafficSourceView>,
    /// Empty: customers from any country are expected.
    pub allowed_countries: Vec<CountryCode>,
    /// Document types not yet approved.
    pub missing_documents: Vec<DocumentType>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct GeoReportRow {
    pub partner_id: String,
    pub partner_name: String,
    pub brand_id: String,
    /// null: customers whose country is unknown (counted as unexpected
    /// when the partner has allowed countries).
    pub country: Option<CountryCode>,
    /// Customers from a country blocked for the brand (they earn nothing).
    pub blocked: i64,
    /// Customers from outside the partner's allowed countries (flagged).
    pub unexpected: i64,
}

fn doc_view(d: DocumentRecord) -> DocumentView {
    DocumentView {
        document_id: d.document_id,
        partner_id: d.partner_id,
        doc_type: d.doc_type,
        file_name: d.file_name,
        sha256: d.sha256,
        media_type: d.media_type,
        size_bytes: d.size_bytes,
        status: d.status,
        uploaded_by: d.uploaded_by,
        uploaded_at: d.uploaded_at,
        reviewed_by: d.reviewed_by,
        reviewed_at: d.reviewed_at,
        review_note: d.review_note,
    }
}

fn source_view(s: TrafficSourceRecord) -> TrafficSourceView {
    TrafficSourceView {
        source_id: s.source_id,
        partner_id: s.partner_id,
        kind: s.kind,
        value: s.value,
        status: s.status,
        declared_by: s.declared_by,
        declared_at: s.declared_at,
        decided_by: s.decided_by,
        decided_at: s.decided_at,
    }
}

async fn partner_status(tx: &mut Tx<'_>, partner_id: &str) -> Result<PartnerStatus> {
    tx.partner(partner_id)
        .await?
        .map(|p| p.status)
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        })
}

#[tracing::instrument(name = "compliance::partner_compliance", skip_all, fields(user = %ctx.actor.user))]
pub async fn partner_compliance(ctx: &Context, partner_id: &str) -> Result<PartnerCompliance> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let status = partner_status(&mut tx, partner_id).await?;
    let documents: Vec<DocumentView> = tx
        .documents_of(partner_id)
        .await?
        .into_iter()
        .map(doc_view)
        .collect();
    let missing_documents = DocumentType::ALL
        .iter()
        .copied()
        .filter(|t| {
            !documents
                .iter()
                .any(|d| d.doc_type == *t && d.status == DocumentStatus::Approved)
        })
        .collect();
    Ok(PartnerCompliance {
        partner_id: partner_id.to_string(),
        status,
        documents,
        traffic_sources: tx
            .traffic_sources_of(partner_id)
            .await?
            .into_iter()
            .map(source_view)
            .collect(),
        allowed_countries: tx.allowed_countries(partner_id).await?,
        missing_documents,
    })
}

/// Where documents are kept: `<app data>/documents/`.
pub fn documents_dir(ctx: &Context) -> Result<PathBuf> {
    let base = match &ctx.data_dir {
        Some(d) => d.clone(),
        None => crate::database::data_dir()?,
    };
    Ok(base.join("documents"))
}

/// Stores a KYC document for a partner. The file is kept under its SHA-256
/// (the same file twice is stored once); its type is checked by content.
#[tracing::instrument(name = "compliance::upload_document", skip_all, fields(user = %ctx.actor.user))]
pub async fn upload_document(
    ctx: &Context,
    partner_id: &str,
    doc_type: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<DocumentView> {
    ctx.authorize(&access::DOCUMENT_UPLOAD).await?;
    // Checked before the file is stored (the write transaction below
    // begins after it, not to hold the write lock over file work).
    partner_status(&mut ctx.store.read().await?, partner_id).await?;
    let doc_type = kyc::parse_doc_type(doc_type)?;
    let file_name = std::path::Path::new(file_name.trim())
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    if file_name.is_empty() {
        return Err(AppError::invalid("file", "give the document's file name"));
    }
    let media_type = match kyc::check_document(&file_name, bytes) {
        Ok(m) => m,
        Err(e) => {
            let detail = serde_json::json!({"file_name": file_name, "doc_type": doc_type, "size_bytes": bytes.len(), "reason": e.message}).to_string();
            ctx.store
                .audit_alone(
                    &ctx.now(),
                    &ctx.actor.user,
                    "kyc.document.refused",
                    "partner",
                    partner_id,
                    Some(&detail),
                )
                .await?;
            return Err(e.into());
        }
    };
    let sha = hex::encode(Sha256::digest(bytes));
    let dir = documents_dir(ctx)?;
    let path = dir.join(&sha);
    if !path.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| AppError::Io {
            context: format!("cannot create the documents folder {}", dir.display()),
            source: e,
        })?;
        // Written beside and renamed: a crash never leaves half a document under its hash.
        let tmp = dir.join(format!("{sha}.part"));
        std::fs::write(&tmp, bytes)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| AppError::Io {
                context: format!("cannot store the document in {}", dir.display()),
                source: e,
            })?;
    }
    let now = ctx.now();
    let record = DocumentRecord {
        document_id: format!("DOC-{}", &sha[..12]),
        partner_id: partner_id.to_string(),
        doc_type,
        file_name,
        sha256: sha.clone(),
        media_type: media_type.to_string(),
        size_bytes: bytes.len() as i64,
        status: DocumentStatus::Submitted,
        uploaded_by: ctx.actor.user.clone(),
        uploaded_at: now.clone(),
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
    };
    let mut tx = ctx.store.begin().await?;
    if let Some(d) = tx.document(&record.document_id).await? {
        return Err(AppError::invalid(
            "file",
            format!(
                "this file is already on record as {} for partner {}",
                d.document_id, d.partner_id
            ),
        ));
    }
    let view = doc_view(record.clone());
    insert_document(&mut tx, &record).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "kyc.document.upload",
        "partner",
        partner_id,
        None,
        serde_json::to_string(&view).ok().as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

/// A document as sent by the desktop UI (base64 content).
#[tracing::instrument(name = "compliance::upload_document_base64", skip_all, fields(user = %ctx.actor.user))]
pub async fn upload_document_base64(
    ctx: &Context,
    partner_id: &str,
    doc_type: &str,
    file_name: &str,
    content_base64: &str,
) -> Result<DocumentView> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content_base64.trim())
        .map_err(|_| {
            AppError::invalid(
                "file",
                "the file could not be read (bad encoding); try again",
            )
        })?;
    upload_document(ctx, partner_id, doc_type, file_name, &bytes).await
}

/// Compliance proposes a review outcome for a document; a second user
/// approves it in the queue (or it applies at once in single-user mode).
#[tracing::instrument(name = "compliance::review", skip_all, fields(user = %ctx.actor.user))]
pub async fn review(
    ctx: &Context,
    document_id: &str,
    approve: bool,
    note: &str,
) -> Result<ChangeOutcome> {
    ctx.authorize(&access::DOCUMENT_REVIEW).await?;
    let mut tx = ctx.store.begin().await?;
    let d = tx.document(document_id).await?.ok_or(AppError::NotFound {
        what: "document",
        id: document_id.to_string(),
    })?;
    if d.status != DocumentStatus::Submitted {
        return Err(AppError::Refused(format!(
            "document {document_id} has already been {}",
            d.status
        )));
    }
    if note.trim().is_empty() {
        return Err(AppError::invalid(
            "note",
            "say why (it is kept with the review)",
        ));
    }
    let outcome = if approve {
        DocumentStatus::Approved
    } else {
        DocumentStatus::Rejected
    };
    let review = DocumentReview {
        document_id: document_id.to_string(),
        outcome,
        note: note.trim().to_string(),
        reviewer: ctx.actor.user.clone(),
    };
    let summary = format!(
        "{} {} document {} ({}) of partner {}",
        if approve { "approve" } else { "reject" },
        d.doc_type,
        d.document_id,
        d.file_name,
        d.partner_id
    );
    if let Some(id) = approvals::queue(
        ctx,
        &mut tx,
        Request {
            change: Change::DocumentReview(review.clone()),
            object_type: "document",
            object_id: document_id,
            summary: summary.clone(),
            amount: None,
            object_maker: None,
        },
    )
    .await?
    {
        tx.commit().await?;
        return Ok(ChangeOutcome::awaiting(approvals::queued(ctx, id).await?));
    }
    write_review(ctx, &mut tx, &review, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ChangeOutcome::done(summary))
}

/// A second compliance user approved the review: it is written as the
/// reviewer made it.
impl Apply for DocumentReview {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        write_review(ctx, tx, self, Some(on)).await
    }
}

async fn write_review(
    ctx: &Context,
    tx: &mut Tx<'_>,
    review: &DocumentReview,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let DocumentReview {
        document_id: id,
        outcome,
        note,
        reviewer,
    } = review;
    let d = tx.document(id).await?.ok_or(AppError::NotFound {
        what: "document",
        id: id.to_string(),
    })?;
    let now = ctx.now();
    review_document(tx, id, *outcome, reviewer, &now, note).await?;
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "kyc.document.review",
        "partner",
        &d.partner_id,
        Some(&serde_json::json!({"document_id": id, "status": d.status}).to_string()),
        Some(&serde_json::json!({"document_id": id, "status": outcome, "note": note, "reviewer": reviewer, "approval": approvals::applied_note(applied)}).to_string()),
    )
    .await?;
    Ok(())
}

/// Declares a traffic source for a partner; it needs approval.
#[tracing::instrument(name = "compliance::declare_traffic_source", skip_all, fields(user = %ctx.actor.user))]
pub async fn declare_traffic_source(
    ctx: &Context,
    partner_id: &str,
    kind: &str,
    value: &str,
) -> Result<ChangeOutcome> {
    ctx.authorize(&access::TRAFFIC_DECLARE).await?;
    let mut tx = ctx.store.begin().await?;
    partner_status(&mut tx, partner_id).await?;
    let kind = kyc::parse_traffic_source_kind(kind)?;
    let value = value.trim();
    if value.is_empty() || value.len() > 500 {
        return Err(AppError::invalid(
            "value",
            "give the site, account or channel (at most 500 characters)",
        ));
    }
    let now = ctx.now();
    let sha = hex::encode(Sha256::digest(
        format!("{partner_id}\n{kind}\n{value}").as_bytes(),
    ));
    let record = TrafficSourceRecord {
        source_id: format!("TS-{}", &sha[..12]),
        partner_id: partner_id.to_string(),
        kind,
        value: value.to_string(),
        status: TrafficSourceStatus::Pending,
        declared_by: ctx.actor.user.clone(),
        declared_at: now.clone(),
        decided_by: None,
        decided_at: None,
    };
    insert_traffic_source(&mut tx, &record).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "traffic_source.declare",
        "partner",
        partner_id,
        None,
        serde_json::to_string(&source_view(record.clone()))
            .ok()
            .as_deref(),
    )
    .await?;
    // The source and its request are written together.
    let source = TrafficSourceReview {
        source_id: record.source_id.clone(),
    };
    let summary = format!("allow {kind} traffic from '{value}' for partner {partner_id}");
    if let Some(id) = approvals::queue(
        ctx,
        &mut tx,
        Request {
            change: Change::TrafficSource(source.clone()),
            object_type: "traffic_source",
            object_id: &record.source_id,
            summary: summary.clone(),
            amount: None,
            object_maker: None,
        },
    )
    .await?
    {
        tx.commit().await?;
        return Ok(ChangeOutcome::awaiting(approvals::queued(ctx, id).await?));
    }
    decide_source(ctx, &mut tx, &source.source_id, true, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ChangeOutcome::done(summary))
}

/// An approved source is allowed; a rejected one is marked rejected.
impl Apply for TrafficSourceReview {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        decide_source(ctx, tx, &self.source_id, true, Some(on)).await
    }

    async fn on_reject(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        decide_source(ctx, tx, &self.source_id, false, Some(on)).await
    }
}

async fn decide_source(
    ctx: &Context,
    tx: &mut Tx<'_>,
    id: &str,
    approve: bool,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let s = tx.traffic_source(id).await?.ok_or(AppError::NotFound {
        what: "traffic source",
        id: id.to_string(),
    })?;
    let now = ctx.now();
    let status = if approve {
        TrafficSourceStatus::Approved
    } else {
        TrafficSourceStatus::Rejected
    };
    decide_traffic_source(tx, id, status, &ctx.actor.user, &now).await?;
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        if approve { "traffic_source.approve" } else { "traffic_source.reject" },
        "partner",
        &s.partner_id,
        Some(&serde_json::json!({"source_id": id, "status": s.status}).to_string()),
        Some(&serde_json::json!({"source_id": id, "status": status, "kind": s.kind, "value": s.value, "approval": approvals::applied_note(applied)}).to_string()),
    )
    .await?;
    Ok(())
}

/// Sets the countries a partner may send customers from (empty: any).
#[tracing::instrument(name = "compliance::set_partner_countries", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_partner_countries(
    ctx: &Context,
    partner_id: &str,
    countries: &[String],
) -> Result<Vec<CountryCode>> {
    ctx.authorize(&access::GEO_RULES_SET).await?;
    let mut parsed = Vec::new();
    for c in countries.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        parsed.push(CountryCode::parse("countries", c)?);
    }
    parsed.sort();
    parsed.dedup();
    let mut tx = ctx.store.begin().await?;
    partner_status(&mut tx, partner_id).await?;
    let before = tx.allowed_countries(partner_id).await?;
    set_allowed_countries(&mut tx, partner_id, &parsed).await?;
    partnerdesk_store::audit(
        &mut tx,
        &ctx.now(),
        &ctx.actor.user,
        "partner.allowed_countries",
        "partner",
        partner_id,
        Some(&serde_json::json!(before).to_string()),
        Some(&serde_json::json!(parsed).to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(parsed)
}

/// Partners sending customers from blocked or unexpected countries.
#[tracing::instrument(name = "compliance::geo_report", skip_all, fields(user = %ctx.actor.user))]
pub async fn geo_report(ctx: &Context) -> Result<Vec<GeoReportRow>> {
    ctx.authorize(&access::GEO_REPORT).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .geo_report()
        .await?
        .into_iter()
        .map(|r| GeoReportRow {
            partner_id: r.partner_id,
            partner_name: r.partner_name,
            brand_id: r.brand_id,
            country: r.country,
            blocked: r.blocked,
            unexpected: r.unexpected,
        })
        .collect())
}

/// Compliance sets a customer to `excluded` (earns nobody anything) or back
/// to `active`; affected periods are recomputed on the next run.
#[tracing::instrument(name = "compliance::set_customer_status_checked", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_customer_status_checked(
    ctx: &Context,
    customer_id: &str,
    status: &str,
    reason: &str,
) -> Result<()> {
    ctx.authorize(&access::CUSTOMER_STATUS_SET).await?;
    let status = partnerdesk_domain::data::CustomerStatus::parse("status", status)?;
    if reason.trim().is_empty() {
        return Err(AppError::invalid(
            "reason",
            "say why (it is kept in the audit log)",
        ));
    }
    let mut tx = ctx.store.begin().await?;
    let c = tx.customer(customer_id).await?.ok_or(AppError::NotFound {
        what: "customer",
        id: customer_id.to_string(),
    })?;
    if c.status == status {
        return Ok(());
    }
    set_customer_status(&mut tx, customer_id, status).await?;
    let first = c.registered_at.get(..7).unwrap_or("0000-01").to_string();
    crate::commissions::mark_dirty(&mut tx, &first).await?;
    // Exclusion is part of a slice's key: the customer's slices are rebuilt.
    crate::reports::mark_stale(&mut tx, &first).await?;
    partnerdesk_store::audit(
        &mut tx,
        &ctx.now(),
        &ctx.actor.user,
        "customer.status",
        "customer",
        customer_id,
        Some(&serde_json::json!({"status": c.status}).to_string()),
        Some(&serde_json::json!({"status": status, "reason": reason.trim()}).to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
