//! Demo data: three brands (one per vertical) and a few hundred partners in
//! trees up to five levels deep, with tracking codes.

use crate::{Context, Result};
use partnerdesk_domain::partner::{PartnerKind, PartnerStatus, Vertical};
use partnerdesk_domain::{CountryCode, CurrencyCode};
use partnerdesk_store::partners::{partner_values, PartnerRecord, PARTNER_COLUMNS};
use partnerdesk_store::{Batch, StoreError};

const FIRST: [&str; 16] = [
    "Anna", "Jonas", "Zoë", "Mateo", "Lena", "Kenji", "Sofia", "Luca", "Maja", "Omar", "Chloé",
    "Nils", "Ines", "Piotr", "Aiko", "Tomáš",
];
const LAST: [&str; 12] = [
    "Müller",
    "Šťastná",
    "Rossi",
    "García",
    "Novak",
    "Berg",
    "Dubois",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Larsen",
    "O'Brien",
];
const COUNTRIES: [&str; 10] = ["DE", "AT", "GB", "SE", "FI", "NO", "CA", "BR", "JP", "ES"];

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    pub brands: usize,
    pub partners: usize,
    pub tracking_codes: usize,
}

/// A tiny deterministic generator, so the demo is the same on every machine.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Fills the database with demo data. Refuses a database that already has partners.
#[tracing::instrument(name = "demo::fill", skip_all, fields(user = %ctx.actor.user))]
pub async fn fill(ctx: &Context) -> Result<DemoReport> {
    ctx.authorize(&crate::access::DEMO_FILL).await?;
    let store = &ctx.store;
    let mut tx = store.begin().await?;
    if tx.partner_count().await? > 0 {
        return Err(crate::AppError::Refused("this database already has partners; the demo fills only an empty database (use --db with a new file)".into()));
    }
    let now = ctx.now();
    let brands = [
        (
            "casino-royal",
            "Casino Royal",
            "igaming",
            "EUR",
            PartnerKind::Affiliate,
            "btag",
        ),
        (
            "fxpro-markets",
            "FX Markets",
            "forex",
            "USD",
            PartnerKind::Ib,
            "agent",
        ),
        (
            "prop-arena",
            "Prop Arena",
            "prop",
            "USD",
            PartnerKind::Influencer,
            "coupon",
        ),
    ];
    let mut rng = Lcg(20261123);
    let mut codes = Batch::new(
        "tracking_codes",
        &["brand_id", "code", "partner_id", "kind"],
        "",
    );
    let mut partners = Batch::new("partners", &PARTNER_COLUMNS, "");
    let mut n = 0usize;
    for (bi, (brand_id, name, vertical, currency, kind, code_kind)) in brands.iter().enumerate() {
        partnerdesk_store::brands::insert_brand(
            &mut tx,
            &partnerdesk_store::brands::BrandRecord {
                brand_id: brand_id.to_string(),
                name: name.to_string(),
                vertical: Vertical::parse("vertical", vertical)?,
                currency: CurrencyCode::parse("currency", currency)?,
            },
            &now,
        )
        .await?;
        // A forest per brand: each new partner hangs under a random earlier one of depth < 4.
        let mut nodes: Vec<(String, usize)> = Vec::new();
        for i in 0..110 {
            n += 1;
            let partner_id = format!("{}{:04}", ["A", "I", "P"][bi], i + 1);
            let parent = if i < 8 || rng.next(10) < 2 {
                None
            } else {
                let candidates: Vec<&(String, usize)> =
                    nodes.iter().filter(|(_, d)| *d < 4).collect();
                candidates
                    .get(rng.next(candidates.len()))
                    .map(|(id, d)| (id.clone(), *d))
            };
            let depth = parent.as_ref().map(|(_, d)| d + 1).unwrap_or(0);
            let first = FIRST[rng.next(FIRST.len())];
            let last = LAST[rng.next(LAST.len())];
            let status = [
                PartnerStatus::Active,
                PartnerStatus::Active,
                PartnerStatus::Active,
                PartnerStatus::Active,
                PartnerStatus::PendingReview,
                PartnerStatus::Suspended,
                PartnerStatus::Applied,
            ][rng.next(7)];
            let p = PartnerRecord {
                partner_id: partner_id.clone(),
                name: format!("{first} {last}{}", if depth == 0 { " Media" } else { "" }),
                kind: if depth > 0 && rng.next(4) == 0 {
                    PartnerKind::Referral
                } else {
                    *kind
                },
                parent_id: parent.map(|(id, _)| id),
                email: Some(format!("{}.{}@example.com", partner_id.to_lowercase(), bi)),
                country: Some(CountryCode::parse(
                    "country",
                    COUNTRIES[rng.next(COUNTRIES.len())],
                )?),
                currency: CurrencyCode::parse("currency", ["EUR", "USD", "GBP"][rng.next(3)])?,
                status,
                tags: if rng.next(5) == 0 {
                    vec!["vip".into()]
                } else {
                    Vec::new()
                },
                notes: String::new(),
                contact_name: Some(format!("{first} {last}")),
                phone: None,
                archived: false,
                created_at: now.clone(),
                updated_at: now.clone(),
                row_version: 1,
                updated_by: ctx.actor.user.clone(),
                children: 0,
            };
            partners.push(&mut tx, partner_values(&p)).await?;
            partners.flush(&mut tx).await?;
            codes
                .push(
                    &mut tx,
                    vec![
                        brand_id.to_string().into(),
                        format!("{}-{}", code_kind, partner_id.to_lowercase()).into(),
                        partner_id.clone().into(),
                        code_kind.to_string().into(),
                    ],
                )
                .await?;
            nodes.push((partner_id, depth));
        }
    }
    codes.flush(&mut tx).await?;
    let report = DemoReport {
        brands: brands.len(),
        partners: n,
        tracking_codes: n,
    };
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "demo.fill",
        "database",
        store.location(),
        None,
        serde_json::to_string(&report).ok().as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report)
}
