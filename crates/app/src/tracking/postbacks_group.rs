//! Postbacks in, taken as a group in ONE transaction (group commit): the
//! tracking server's batcher hands over what arrived within a couple of
//! milliseconds, and a [`super::postbacks_in::receive`] is a group of one.
//!
//! A handful of statements per group, not per event: the customers'
//! locks, one multi-row claim of the event ids, one read each of the
//! customers, clicks, registration clicks, activity days, first deposit
//! days, codes' partners, partners' fraud facts and postback URLs; then
//! every event is decided in memory in arrival order against what the
//! events before it in the group did (a registration then a deposit of one
//! customer behave as they do one after the other); then multi-row writes
//! of customers, activity, flags, outbox rows and log rows; refused
//! events' claims are deleted again (nothing of them is kept but their log
//! row); last, the commissions and the roll-ups are marked once, from the
//! group's earliest touched period, so the `meta` rows are held only for
//! the end of the transaction.
//!
//! Locks are taken in one order by every group (the store's
//! `postbacks_group` says which), so two groups at once never deadlock.

use super::fraud::{registration_flags, Registration};
use super::postbacks_found;
use super::postbacks_in::{log_row, Answer, Checked, Incoming, Step};
use crate::sync::write::{owner, Owner};
use crate::{AppError, Result};
use partnerdesk_domain::data::{ActivityDay, Customer, CustomerStatus};
use partnerdesk_domain::engine::FxTable;
use partnerdesk_domain::postback::{OutEvent, PostbackKind};
use partnerdesk_domain::{Id, Period};
use partnerdesk_store::data as sd;
use partnerdesk_store::fraud::NewFlag;
use partnerdesk_store::postbacks::{ClickOrigin, PostbackLogRow};
use partnerdesk_store::postbacks_found::{Found, Target};
use partnerdesk_store::postbacks_group::{self as sg, Claim, PartnerFacts, StoredCustomer};
use partnerdesk_store::sync as ss;
use partnerdesk_store::{Batch, Store, StoreError, Tx, Val};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

/// Why an authenticated event changes nothing (status, reason).
type Refusal = (u16, String);

fn refuse(reason: impl Into<String>) -> Refusal {
    (422, reason.into())
}

fn stored_amount(text: &str) -> Result<Decimal> {
    Decimal::from_str(text).map_err(|_| {
        AppError::Store(StoreError::Corrupt(format!(
            "an activity amount is stored as '{text}', not a decimal"
        )))
    })
}

/// What the group read, changed in memory as its events are decided.
#[derive(Default)]
struct World {
    customers: HashMap<String, StoredCustomer>,
    clicks: HashMap<String, ClickOrigin>,
    /// The click of each (brand, customer)'s first registration with one.
    registration_clicks: HashMap<(String, String), String>,
    /// Activity days (customer, day) as they stand, stored or written here.
    days: HashMap<(String, String), ActivityDay>,
    stored_days: HashMap<(String, String), [String; 7]>,
    /// Each customer's first day with deposits > 0.
    first_deposit: HashMap<String, String>,
    code_partners: HashMap<(String, String), String>,
    partners: HashMap<String, PartnerFacts>,
    /// Brands' currencies (None: no such brand).
    brands: HashMap<String, Option<String>>,
    registration_targets: HashMap<String, Target>,
    ftd_targets: HashMap<String, Target>,
}

/// What the group writes, gathered while its events are decided.
#[derive(Default)]
struct Writes {
    customers: BTreeMap<String, Customer>,
    fills: BTreeMap<String, String>,
    days: BTreeMap<(String, String), ActivityDay>,
    flags: BTreeMap<String, (NewFlag, String)>,
    outbox: BTreeMap<String, Vec<Val>>,
    /// The earliest period the group changed.
    first_period: Option<String>,
}

impl Writes {
    fn touch(&mut self, period: String) {
        if self.first_period.as_ref().is_none_or(|p| period < *p) {
            self.first_period = Some(period);
        }
    }
}

/// See the module's comment.
pub(crate) async fn apply(store: &Store, items: Vec<Checked>) -> Result<Vec<Answer>> {
    let mut answers: Vec<Option<Answer>> = Vec::with_capacity(items.len());
    let mut logs: Vec<(usize, PostbackLogRow)> = Vec::new();
    let mut events: Vec<(usize, Incoming)> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item.0 {
            Step::Answered(a) => answers.push(Some(a)),
            Step::Logged(a, row) => {
                logs.push((i, row));
                answers.push(Some(a));
            }
            Step::Event(e) => {
                events.push((i, e));
                answers.push(None);
            }
        }
    }
    if !logs.is_empty() || !events.is_empty() {
        let mut tx = store.begin().await?;
        let (decided, writes) = take(&mut tx, &events).await?;
        for ((i, e), a) in events.iter().zip(decided) {
            logs.push((
                *i,
                log_row(
                    &e.brand_id,
                    &e.event.event_id,
                    e.event.kind.as_str(),
                    &e.received,
                    &a,
                ),
            ));
            answers[*i] = Some(a);
        }
        logs.sort_by_key(|(i, _)| *i);
        let rows: Vec<PostbackLogRow> = logs.into_iter().map(|(_, r)| r).collect();
        sg::log_postbacks(&mut tx, &rows).await?;
        // Last: the meta rows every writer of the data version takes are
        // held only from here to the commit, once per group.
        if let Some(period) = &writes.first_period {
            crate::commissions::mark_dirty(&mut tx, period).await?;
            crate::reports::mark_stale(&mut tx, period).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
    }
    Ok(answers.into_iter().flatten().collect())
}

/// Claims, reads, decides and writes the group's events (all but the log
/// rows and the marks); answers each event, in order.
async fn take(tx: &mut Tx<'_>, events: &[(usize, Incoming)]) -> Result<(Vec<Answer>, Writes)> {
    let mut writes = Writes::default();
    if events.is_empty() {
        return Ok((Vec::new(), writes));
    }
    // The customers first, sorted (PostgreSQL; see the store's module).
    let customers: Vec<&str> = events
        .iter()
        .map(|(_, e)| e.event.customer_id.as_str())
        .collect();
    sg::lock_customers(tx, &customers).await?;
    // Within the group the first of an id claims it; later ones are
    // duplicates, as they would be one after the other.
    let mut first = HashSet::new();
    let mut claims: Vec<Claim> = Vec::new();
    let mut repeated = vec![false; events.len()];
    for (n, (_, e)) in events.iter().enumerate() {
        if !first.insert((e.brand_id.as_str(), e.event.event_id.as_str())) {
            repeated[n] = true;
            continue;
        }
        claims.push(Claim {
            brand_id: e.brand_id.clone(),
            event_id: e.event.event_id.clone(),
            event_type: e.event.kind.as_str().to_string(),
            customer_id: e.event.customer_id.to_string(),
            click_id: match e.event.kind {
                PostbackKind::Registration => e.event.click_id.clone(),
                PostbackKind::Deposit => None,
            },
            received_at: e.received.clone(),
        });
    }
    claims.sort_by(|a, b| (&a.brand_id, &a.event_id).cmp(&(&b.brand_id, &b.event_id)));
    let taken = sg::claim_events(tx, &claims).await?;
    let claimed: Vec<bool> = events
        .iter()
        .enumerate()
        .map(|(n, (_, e))| {
            !repeated[n] && taken.contains(&(e.brand_id.clone(), e.event.event_id.clone()))
        })
        .collect();
    let live: Vec<&Incoming> = events
        .iter()
        .zip(&claimed)
        .filter(|(_, c)| **c)
        .map(|((_, e), _)| e)
        .collect();
    let mut world = read(tx, &live).await?;

    let mut fx: Option<FxTable> = None;
    let mut answers = Vec::with_capacity(events.len());
    let mut refused: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for ((_, e), claimed) in events.iter().zip(&claimed) {
        if !claimed {
            answers.push(Answer::new(
                200,
                "duplicate",
                "this event was taken before; nothing changed",
            ));
            continue;
        }
        let decided = match e.event.kind {
            PostbackKind::Registration => register(tx, &mut fx, &mut world, &mut writes, e).await?,
            PostbackKind::Deposit => deposit(tx, &mut fx, &mut world, &mut writes, e).await?,
        };
        answers.push(match decided {
            Ok(what) => Answer::new(200, "accepted", what),
            Err((status, reason)) => {
                // Nothing of the event is kept, its id included: the
                // platform may send it again once what it lacked is there.
                refused
                    .entry(e.brand_id.as_str())
                    .or_default()
                    .push(e.event.event_id.as_str());
                Answer::new(status, "refused", reason)
            }
        });
    }
    for (brand, ids) in &refused {
        sg::unclaim_events(tx, brand, ids).await?;
    }
    write(tx, &writes).await?;
    Ok((answers, writes))
}

/// The group's reads, one query each.
async fn read(tx: &mut Tx<'_>, live: &[&Incoming]) -> Result<World> {
    let mut w = World::default();
    if live.is_empty() {
        return Ok(w);
    }
    let ids: Vec<&str> = live.iter().map(|e| e.event.customer_id.as_str()).collect();
    w.customers = sg::customers_of(tx, &ids).await?;
    let deposits: Vec<&Incoming> = live
        .iter()
        .copied()
        .filter(|e| e.event.kind == PostbackKind::Deposit)
        .collect();
    let depositors: Vec<&str> = deposits
        .iter()
        .map(|e| e.event.customer_id.as_str())
        .collect();
    let mut click_ids: Vec<String> = live
        .iter()
        .filter(|e| e.event.kind == PostbackKind::Registration)
        .filter_map(|e| e.event.click_id.clone())
        .collect();
    if !depositors.is_empty() {
        // Stored registrations only: the group's own claims are not
        // taken yet (a refused one will be deleted); its accepted
        // registrations are added in memory as they are decided.
        let own: HashSet<(&str, &str)> = live
            .iter()
            .map(|e| (e.brand_id.as_str(), e.event.event_id.as_str()))
            .collect();
        for r in sg::registration_clicks(tx, &depositors).await? {
            if own.contains(&(r.brand_id.as_str(), r.event_id.as_str())) {
                continue;
            }
            click_ids.push(r.click_id.clone());
            w.registration_clicks
                .entry((r.brand_id, r.customer_id))
                .or_insert(r.click_id);
        }
        let days: Vec<String> = deposits
            .iter()
            .map(|e| e.event.time.date_naive().to_string())
            .collect();
        let days: Vec<&str> = days.iter().map(String::as_str).collect();
        w.stored_days = sg::activity_days(tx, &depositors, &days).await?;
        w.first_deposit = sg::first_deposit_days(tx, &depositors).await?;
        for e in &deposits {
            if !w.brands.contains_key(&e.brand_id) {
                let currency = tx.brand(&e.brand_id).await?.map(|b| b.currency.to_string());
                w.brands.insert(e.brand_id.clone(), currency);
            }
        }
        w.ftd_targets = targets(tx, OutEvent::Ftd).await?;
    }
    let click_refs: Vec<&str> = click_ids.iter().map(String::as_str).collect();
    w.clicks = sg::click_origins(tx, &click_refs).await?;
    // Every code an event may name: a registration's (its click's, else
    // the one sent) and a depositor's stored one.
    let mut codes: HashSet<(String, String)> = HashSet::new();
    for e in live {
        let code = match e.event.kind {
            PostbackKind::Registration => match &e.event.click_id {
                Some(c) => w.clicks.get(c).map(|o| o.code.clone()),
                None => e.event.code.clone(),
            },
            PostbackKind::Deposit => w
                .customers
                .get(e.event.customer_id.as_str())
                .and_then(|c| c.tracking_code.clone()),
        };
        if let Some(code) = code.filter(|c| !c.is_empty()) {
            codes.insert((e.brand_id.clone(), code));
        }
    }
    let pairs: Vec<(&str, &str)> = codes
        .iter()
        .map(|(b, c)| (b.as_str(), c.as_str()))
        .collect();
    w.code_partners = sg::code_partners(tx, &pairs).await?;
    if live
        .iter()
        .any(|e| e.event.kind == PostbackKind::Registration)
    {
        let mut partners: Vec<&str> = w.code_partners.values().map(String::as_str).collect();
        partners.sort_unstable();
        partners.dedup();
        w.partners = sg::partner_facts(tx, &partners).await?;
        w.registration_targets = targets(tx, OutEvent::Registration).await?;
    }
    Ok(w)
}

async fn targets(tx: &mut Tx<'_>, event: OutEvent) -> Result<HashMap<String, Target>> {
    Ok(tx
        .postback_targets(event.as_str())
        .await?
        .into_iter()
        .map(|t| (t.partner_id.clone(), t))
        .collect())
}

/// A registration: the customer, with the tracking code of its click (or
/// the code sent), stored as a sync stores a customer it sees first.
async fn register(
    tx: &mut Tx<'_>,
    fx: &mut Option<FxTable>,
    w: &mut World,
    writes: &mut Writes,
    inc: &Incoming,
) -> Result<std::result::Result<&'static str, Refusal>> {
    let (brand_id, e) = (inc.brand_id.as_str(), &inc.event);
    let mut subs: [Option<String>; 5] = Default::default();
    let code = match &e.click_id {
        Some(click_id) => match w.clicks.get(click_id) {
            None => {
                return Ok(Err(refuse(format!(
                    "unknown click id '{}': no click of this tracking server has it (was the visitor sent by another tracker, or the id cut?)",
                    partnerdesk_domain::limits::shown(click_id)
                ))))
            }
            Some(c) if c.brand_id != brand_id => {
                return Ok(Err(refuse(format!(
                    "click '{click_id}' was on a link of brand '{}', not '{brand_id}'",
                    c.brand_id
                ))))
            }
            Some(c) => {
                subs = c.subs.clone();
                c.code.clone()
            }
        },
        None => e.code.clone().unwrap_or_default(),
    };
    let brand = Id::parse("brand", brand_id)?;
    let customer = Customer {
        customer_id: e.customer_id.clone(),
        brand_id: brand.clone(),
        tracking_code: Some(code.clone()).filter(|c| !c.is_empty()),
        country: e.country,
        registered_at: e.time,
        status: CustomerStatus::Active,
    };
    if let Err(err) = customer.check() {
        return Ok(Err(refuse(err.to_string())));
    }
    let id = e.customer_id.as_str();
    let known: HashMap<String, String> = w
        .customers
        .get(id)
        .map(|c| (id.to_string(), c.brand_id.clone()))
        .into_iter()
        .collect();
    if let Owner::Other(why) = owner(&known, &e.customer_id, &brand) {
        return Ok(Err(refuse(why)));
    }
    // Inserted when new; a stored customer is never moved nor re-dated,
    // only given the code it lacked (as a sync's first-seen customers).
    let inserted = !known.contains_key(id);
    let mut filled = false;
    if inserted {
        w.customers.insert(
            id.to_string(),
            StoredCustomer {
                brand_id: brand_id.to_string(),
                tracking_code: customer.tracking_code.clone(),
            },
        );
        writes.customers.insert(id.to_string(), customer);
    } else if !code.is_empty() {
        if let Some(stored) = w.customers.get_mut(id) {
            if stored.tracking_code.as_deref().unwrap_or("").is_empty() {
                stored.tracking_code = Some(code.clone());
                filled = true;
                match writes.customers.get_mut(id) {
                    // Not stored yet: the new row carries the code.
                    Some(new) => new.tracking_code = Some(code.clone()),
                    None => {
                        writes.fills.insert(id.to_string(), code.clone());
                    }
                }
            }
        }
    }
    if inserted || filled {
        writes.touch(Period::of(e.time.date_naive()).to_string());
    }
    if let Some(click_id) = &e.click_id {
        w.registration_clicks
            .entry((brand_id.to_string(), id.to_string()))
            .or_insert_with(|| click_id.clone());
    }
    let partner = (!code.is_empty())
        .then(|| {
            w.code_partners
                .get(&(brand_id.to_string(), code.clone()))
                .cloned()
        })
        .flatten();
    if let Some(partner) = &partner {
        let facts = w.partners.get(partner).cloned().unwrap_or_default();
        let at = partnerdesk_domain::data::time_to_text(&e.time);
        for f in registration_flags(
            &Registration {
                brand_id,
                customer_id: id,
                code: &code,
                had_click: e.click_id.is_some(),
                email: e.email.as_deref(),
                payment_details: e.payment_details.as_deref(),
            },
            partner,
            &facts,
        ) {
            writes
                .flags
                .entry(f.key.clone())
                .or_insert_with(|| (f, at.clone()));
        }
        if inserted {
            if let Some(t) = w.registration_targets.get(partner) {
                let found = Found {
                    partner_id: partner.clone(),
                    brand_id: brand_id.to_string(),
                    brand_currency: String::new(),
                    customer_id: id.to_string(),
                    key: id.to_string(),
                    code: Some(code.clone()),
                    day: e.time.date_naive().to_string(),
                    amount: String::new(),
                    click_id: e.click_id.clone(),
                    subs,
                };
                queue(tx, fx, writes, OutEvent::Registration, t, &found, &e.time).await?;
            }
        }
    }
    Ok(Ok("registration taken"))
}

/// Queues the postback of `found` for target `t` in the group's outbox
/// rows (once per source: event, brand, customer).
async fn queue(
    tx: &mut Tx<'_>,
    fx: &mut Option<FxTable>,
    writes: &mut Writes,
    event: OutEvent,
    t: &Target,
    found: &Found,
    at: &chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let source = format!("{}:{}:{}", event.as_str(), found.brand_id, found.key);
    if !writes.outbox.contains_key(&source) {
        let now = partnerdesk_store::postbacks_out::stamp(at);
        let values = postbacks_found::row(tx, fx, event, t, found, &now).await?;
        writes.outbox.insert(source, values);
    }
    Ok(())
}

fn zero_day(customer: &Id, brand: Id, date: chrono::NaiveDate) -> ActivityDay {
    ActivityDay {
        customer_id: customer.clone(),
        brand_id: brand,
        date,
        deposits: Decimal::ZERO,
        withdrawals: Decimal::ZERO,
        bets: Decimal::ZERO,
        wins: Decimal::ZERO,
        bonuses: Decimal::ZERO,
        chargebacks: Decimal::ZERO,
        taxes: Decimal::ZERO,
    }
}

/// A deposit: added to the customer's activity of the event's UTC day.
async fn deposit(
    tx: &mut Tx<'_>,
    fx: &mut Option<FxTable>,
    w: &mut World,
    writes: &mut Writes,
    inc: &Incoming,
) -> Result<std::result::Result<&'static str, Refusal>> {
    let (brand_id, e) = (inc.brand_id.as_str(), &inc.event);
    let (Some(amount), Some(currency)) = (e.amount, e.currency) else {
        return Ok(Err(refuse("a deposit needs its amount and currency")));
    };
    let Some(brand_currency) = w.brands.get(brand_id).cloned().flatten() else {
        return Ok(Err(refuse(format!("brand '{brand_id}' does not exist"))));
    };
    if brand_currency != currency.to_string() {
        return Ok(Err(refuse(format!(
            "the deposit is in {currency}, brand '{brand_id}' counts in {brand_currency}; send the amount in the brand's currency"
        ))));
    }
    let brand = Id::parse("brand", brand_id)?;
    let id = e.customer_id.as_str();
    let known: HashMap<String, String> = w
        .customers
        .get(id)
        .map(|c| (id.to_string(), c.brand_id.clone()))
        .into_iter()
        .collect();
    match owner(&known, &e.customer_id, &brand) {
        Owner::Brand => {}
        Owner::Unknown => {
            return Ok(Err(refuse(format!(
                "customer '{id}' is not known: send its registration first (or sync or import it)"
            ))))
        }
        Owner::Other(why) => return Ok(Err(refuse(why))),
    }
    let date = e.time.date_naive();
    let day_text = date.to_string();
    let key = (id.to_string(), day_text.clone());
    let mut day = match w.days.get(&key) {
        Some(d) => d.clone(),
        None => {
            let mut d = zero_day(&e.customer_id, brand.clone(), date);
            if let Some([dep, wd, bets, wins, bonuses, cb, taxes]) = w.stored_days.get(&key) {
                d.deposits = stored_amount(dep)?;
                d.withdrawals = stored_amount(wd)?;
                d.bets = stored_amount(bets)?;
                d.wins = stored_amount(wins)?;
                d.bonuses = stored_amount(bonuses)?;
                d.chargebacks = stored_amount(cb)?;
                d.taxes = stored_amount(taxes)?;
            }
            d
        }
    };
    let before_today = day.deposits;
    let Some(total) = day.deposits.checked_add(amount) else {
        return Ok(Err(refuse(
            "the day's deposits would exceed the amounts the system computes",
        )));
    };
    day.deposits = total;
    if let Err(err) = day.check() {
        return Ok(Err(refuse(err.to_string())));
    }
    // RULES.md FTD: the first day ever with deposits > 0.
    let ftd = before_today <= Decimal::ZERO
        && !w
            .first_deposit
            .get(id)
            .is_some_and(|f| f.as_str() < day_text.as_str());
    if total > Decimal::ZERO
        && w.first_deposit
            .get(id)
            .is_none_or(|f| day_text.as_str() < f.as_str())
    {
        w.first_deposit.insert(id.to_string(), day_text.clone());
    }
    w.days.insert(key.clone(), day.clone());
    writes.days.insert(key, day);
    writes.touch(Period::of(date).to_string());
    if ftd {
        let code = w
            .customers
            .get(id)
            .and_then(|c| c.tracking_code.clone())
            .filter(|c| !c.is_empty());
        let partner = code.as_ref().and_then(|c| {
            w.code_partners
                .get(&(brand_id.to_string(), c.clone()))
                .cloned()
        });
        if let Some(t) = partner.and_then(|p| w.ftd_targets.get(&p)) {
            let click_id = w
                .registration_clicks
                .get(&(brand_id.to_string(), id.to_string()))
                .cloned();
            let subs = click_id
                .as_ref()
                .and_then(|c| w.clicks.get(c))
                .map(|c| c.subs.clone())
                .unwrap_or_default();
            let found = Found {
                partner_id: t.partner_id.clone(),
                brand_id: brand_id.to_string(),
                brand_currency: brand_currency.clone(),
                customer_id: id.to_string(),
                key: id.to_string(),
                code,
                day: day_text,
                amount: amount.to_string(),
                click_id,
                subs,
            };
            queue(tx, fx, writes, OutEvent::Ftd, t, &found, &e.time).await?;
        }
    }
    Ok(Ok(if ftd {
        "deposit taken (the customer's first)"
    } else {
        "deposit taken"
    }))
}

/// The group's writes, each table's rows in key order (two groups at once
/// wait for each other in one order) with multi-row statements.
async fn write(tx: &mut Tx<'_>, w: &Writes) -> Result<()> {
    let mut customers = Batch::new(
        ss::CUSTOMERS.table,
        ss::CUSTOMERS.columns,
        " ON CONFLICT (customer_id) DO NOTHING",
    );
    for c in w.customers.values() {
        customers.push(tx, sd::customer_values(c)).await?;
    }
    customers.flush(tx).await?;
    if !w.fills.is_empty() {
        let fills: Vec<(&str, &str)> = w
            .fills
            .iter()
            .map(|(c, code)| (c.as_str(), code.as_str()))
            .collect();
        partnerdesk_store::sync_retry::fill_tracking_codes(tx, &fills).await?;
    }
    let mut days = sd::activity_batch();
    for d in w.days.values() {
        days.push(tx, sd::activity_values(d)).await?;
    }
    days.flush(tx).await?;
    let flags: Vec<(NewFlag, String)> = w.flags.values().cloned().collect();
    sg::raise_flags(tx, &flags).await?;
    let mut outbox = postbacks_found::batch();
    for values in w.outbox.values() {
        outbox.push(tx, values.clone()).await?;
    }
    outbox.flush(tx).await?;
    Ok(())
}
