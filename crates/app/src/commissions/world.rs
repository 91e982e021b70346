//! What a run computes from, read from the store: partners and their tree,
//! plans and assignments, tracking codes, brands, customers, purchases and
//! exchange rates.

use super::*;
use crate::Result;
use partnerdesk_domain::engine::{PartnerNode, World};
use partnerdesk_domain::partner::TrackingCode;
use partnerdesk_domain::plan::Plan;
use partnerdesk_domain::{CountryCode, CurrencyCode, Id, Period};
use partnerdesk_store::Store;
use std::collections::{BTreeMap, HashMap};

/// Loads everything but the per-period rows.
pub(crate) async fn load_world(store: &Store) -> Result<World> {
    load_world_parts(store, true, None).await
}

/// [`load_world`], leaving out the customers unless `customers`, and with
/// only the purchases a run from `purchases_from` needs when that is set
/// (see [`World::purchases_from`]).
pub(super) async fn load_world_parts(
    store: &Store,
    customers: bool,
    purchases_from: Option<Period>,
) -> Result<World> {
    let all_customers = async {
        match customers {
            true => store.customers().await,
            false => Ok(Vec::new()),
        }
    };
    let purchases = async {
        match purchases_from {
            Some(from) => store.purchases_touching(from).await,
            None => store.purchases().await,
        }
    };
    // Independent reads, each on its own pooled connection (SQLite reads
    // them in parallel in WAL mode, each connection on its own thread).
    // The reads of a few rows each go through a read transaction of their
    // own; the customers and purchases are the store's bulk reads.
    let (
        versions,
        pinned,
        parents,
        geo,
        codes,
        brands,
        assignments,
        customers,
        purchases,
        fx_rates,
    ) = tokio::try_join!(
        async { store.read().await?.plan_versions().await },
        async { store.read().await?.pinned_plan_versions().await },
        async { store.read().await?.partner_parents().await },
        async { store.read().await?.geo_blocks().await },
        async { store.read().await?.all_tracking_codes().await },
        async { store.read().await?.brand_list().await },
        async { store.read().await?.assignments().await },
        all_customers,
        purchases,
        async { store.read().await?.fx_rates().await },
    )?;
    let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
    for v in &versions {
        latest.insert(&v.plan_id, &v.content);
    }
    let plans = latest
        .values()
        .map(|c| parse_plan(c))
        .collect::<Result<Vec<_>>>()?;
    let by_version: HashMap<(&str, i64), &str> = versions
        .iter()
        .map(|v| ((v.plan_id.as_str(), v.version), v.content.as_str()))
        .collect();
    let mut pinned_plans: HashMap<Period, Vec<Plan>> = HashMap::new();
    for (period, plan_id, version) in pinned {
        let period = Period::parse("period", &period).map_err(corrupt)?;
        if let Some(content) = by_version.get(&(plan_id.as_str(), version)) {
            pinned_plans
                .entry(period)
                .or_default()
                .push(parse_plan(content)?);
        }
    }
    let partners = parents
        .into_iter()
        .map(|(id, parent, currency)| {
            Ok(PartnerNode {
                partner_id: Id::parse("partner_id", &id).map_err(corrupt)?,
                parent_id: parent
                    .map(|p| Id::parse("parent_id", &p))
                    .transpose()
                    .map_err(corrupt)?,
                currency: CurrencyCode::parse("currency", &currency).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let geo_blocks = geo
        .into_iter()
        .map(|(b, c)| {
            Ok((
                Id::parse("brand_id", &b).map_err(corrupt)?,
                CountryCode::parse("country", &c).map_err(corrupt)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let tracking_codes = codes
        .into_iter()
        .map(|t| {
            Ok(TrackingCode {
                brand_id: Id::parse("brand_id", &t.brand_id).map_err(corrupt)?,
                code: t.code,
                partner_id: Id::parse("partner_id", &t.partner_id).map_err(corrupt)?,
                kind: t.kind,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(World {
        brands,
        partners,
        plans,
        pinned_plans,
        assignments,
        geo_blocks,
        tracking_codes,
        customers,
        purchases,
        purchases_from,
        fx_rates,
    })
}
