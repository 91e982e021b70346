//! Exporting an approved run (payout entries posted; CSV and SEPA files)
//! and settling each payment as paid or failed.

use super::*;
use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::ledger::EntryKind;
use partnerdesk_domain::payment::PaymentMethod;
use partnerdesk_domain::payout::{transition, ItemState, RunAction, RunState};
use partnerdesk_domain::sepa::{pain_001_001_03, CreditTransfer, Debtor, Transfer};
use partnerdesk_domain::CurrencyCode;
use partnerdesk_store::ledger::{post_entry, NewEntry};
use partnerdesk_store::payouts::{
    period_text, post_run_payouts, set_run_state, settle_item, ItemRecord, RunRecord,
};
use partnerdesk_store::{StoreError, Tx};
use std::collections::BTreeMap;

/// Exports an approved run: posts each payment to the ledger (the money has
/// left) and returns the payment files. Refused without an operator account
/// when the run holds EUR bank transfers.
#[tracing::instrument(name = "payouts::export", skip_all, fields(user = %ctx.actor.user))]
pub async fn export(ctx: &Context, run_id: i64) -> Result<PaymentFiles> {
    ctx.authorize(&crate::access::PAYOUT_EXPORT).await?;
    let mut tx = ctx.store.begin().await?;
    let (r, from) = current_state(&mut tx, run_id).await?;
    let to = transition(from, RunAction::Export).map_err(|e| refused(e, run_id))?;
    let items = tx.payout_items(run_id).await?;
    // Build the files first: a missing operator account refuses before anything changes.
    let files = files(ctx, &mut tx, &r, &items).await?;
    let now = ctx.now();
    set_run_state(
        &mut tx,
        run_id,
        from,
        to,
        Some("exported"),
        &now,
        &ctx.actor.user,
    )
    .await?;
    post_run_payouts(
        &mut tx,
        run_id,
        &r.pay_date,
        &period_text(r.period),
        &format!("payout run {run_id}"),
        &now,
        &ctx.actor.user,
    )
    .await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.run.export",
        "payout_run",
        &run_id.to_string(),
        Some(from.as_str()),
        Some(to.as_str()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(files)
}

/// The files of an exported (or settled) run again, e.g. to save them once more.
#[tracing::instrument(name = "payouts::payment_files", skip_all, fields(user = %ctx.actor.user))]
pub async fn payment_files(ctx: &Context, run_id: i64) -> Result<PaymentFiles> {
    ctx.authorize(&crate::access::PAYOUT_EXPORT).await?;
    let mut tx = ctx.store.read().await?;
    let (r, s) = current_state(&mut tx, run_id).await?;
    if !matches!(s, RunState::Exported | RunState::Paid | RunState::Failed) {
        return Err(AppError::Refused(format!(
            "payout run {run_id} is {s}: payment files exist once it is approved and exported"
        )));
    }
    let items = tx.payout_items(run_id).await?;
    files(ctx, &mut tx, &r, &items).await
}

pub(super) async fn files(
    ctx: &Context,
    tx: &mut Tx<'_>,
    r: &RunRecord,
    items: &[ItemRecord],
) -> Result<PaymentFiles> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| AppError::Io {
        context: "writing the payment file".into(),
        source: std::io::Error::other(e),
    };
    w.write_record([
        "run_id",
        "pay_date",
        "partner_id",
        "partner_name",
        "currency",
        "amount",
        "method",
        "holder",
        "account",
        "bic",
        "reference",
    ])
    .map_err(csv_err)?;
    for i in items {
        w.write_record([
            r.run_id.to_string().as_str(),
            &r.pay_date,
            &i.partner_id,
            &i.name,
            i.currency.as_str(),
            &money(i.amount),
            i.method.as_str(),
            &i.holder,
            &i.account,
            i.bic.as_deref().unwrap_or(""),
            &format!("PD-{}-{}", r.run_id, i.partner_id),
        ])
        .map_err(csv_err)?;
    }
    let csv = String::from_utf8(w.into_inner().map_err(|e| csv_err(e.into_error().into()))?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sepa: Vec<&ItemRecord> = items
        .iter()
        .filter(|i| i.currency.as_str() == "EUR" && i.method == PaymentMethod::BankTransfer)
        .collect();
    let sepa_xml = if sepa.is_empty() {
        None
    } else {
        let Some(op) = stored_operator_account(tx).await? else {
            return Err(AppError::Refused(
                "the run pays EUR bank transfers but the operator's own bank account is not set: set it first (`partnerdesk payouts operator --name … --iban …`)".into(),
            ));
        };
        let created: String = ctx.now().chars().take(19).collect();
        Some(pain_001_001_03(&CreditTransfer {
            message_id: format!("PD-RUN-{}-{}", r.run_id, created.replace([':', '-'], "")),
            created_at: created,
            execution_date: r.pay_date.clone(),
            debtor: Debtor {
                name: op.name,
                iban: op.iban,
                bic: op.bic,
            },
            transfers: sepa
                .iter()
                .map(|i| Transfer {
                    end_to_end_id: format!("PD-{}-{}", r.run_id, i.partner_id),
                    amount: i.amount,
                    creditor_name: i.holder.clone(),
                    creditor_iban: i.account.clone(),
                    creditor_bic: i.bic.clone(),
                    remittance: format!(
                        "Commission payout run {} {}",
                        r.run_id,
                        period_text(r.period)
                    ),
                })
                .collect(),
        }))
    };
    Ok(PaymentFiles {
        csv,
        sepa_xml,
        sepa_payments: u32::try_from(sepa.len()).unwrap_or(u32::MAX),
    })
}

/// Settles payments of an exported run, all or nothing: paid with the
/// payment reference, or failed with a reason (the amount returns to the
/// balance). When every payment is settled the run is paid (or failed).
#[tracing::instrument(name = "payouts::settle", skip_all, fields(user = %ctx.actor.user))]
pub async fn settle(
    ctx: &Context,
    run_id: i64,
    settlements: &[Settlement],
) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_SETTLE).await?;
    let mut tx = ctx.store.begin().await?;
    let (r, from) = current_state(&mut tx, run_id).await?;
    if from != RunState::Exported {
        let e = transition(from, RunAction::MarkPaid).err();
        return Err(match e {
            Some(e) => refused(e, run_id),
            None => AppError::Refused(format!("payout run {run_id} is {from}")),
        });
    }
    if settlements.is_empty() {
        return Err(AppError::invalid(
            "settlements",
            "name at least one payment to mark paid or failed",
        ));
    }
    let items = tx.payout_items(run_id).await?;
    let now = ctx.now();
    let today: String = now.chars().take(10).collect();
    let sent = crate::mail::Composer::load(&mut tx, partnerdesk_domain::mail::PAYOUT_SENT).await?;
    let mut notices = Vec::new();
    let mut settled: BTreeMap<(String, CurrencyCode), ItemState> = BTreeMap::new();
    for s in settlements {
        let item = items
            .iter()
            .find(|i| i.partner_id == s.partner_id && i.currency.as_str() == s.currency)
            .ok_or_else(|| {
                AppError::invalid(
                    "partner_id",
                    format!(
                        "{} in {} is not paid by run {run_id}",
                        s.partner_id, s.currency
                    ),
                )
            })?;
        let note = s.note.trim();
        if note.is_empty() {
            return Err(AppError::invalid(
                "note",
                format!(
                    "{}: give the payment reference (paid) or the reason (failed)",
                    s.partner_id
                ),
            ));
        }
        // The outcome as typed is parsed here, at the boundary.
        let outcome = match s.outcome.as_str() {
            "paid" => ItemState::Paid,
            "failed" => ItemState::Failed,
            other => {
                return Err(AppError::invalid(
                    "outcome",
                    format!("'{other}' is not an outcome; allowed: paid, failed"),
                ))
            }
        };
        match outcome {
            ItemState::Paid => {
                settle_item(
                    &mut tx,
                    run_id,
                    &item.partner_id,
                    item.currency.as_str(),
                    ItemState::Paid,
                    Some(note),
                    None,
                    &now,
                    &ctx.actor.user,
                )
                .await?;
                // "Payout sent" to the partner, with this payment's figures.
                if sent.automatic() {
                    if let Some(p) = tx.partner(&item.partner_id).await? {
                        let mut values = partnerdesk_domain::mail::Values::new();
                        values.insert("amount".into(), format!("{:.2}", item.amount));
                        values.insert("currency".into(), item.currency.to_string());
                        values.insert("payment_reference".into(), note.to_string());
                        values.insert("run_id".into(), run_id.to_string());
                        notices.extend(sent.message(&p, values, None)?);
                    }
                }
            }
            ItemState::Failed => {
                settle_item(
                    &mut tx,
                    run_id,
                    &item.partner_id,
                    item.currency.as_str(),
                    ItemState::Failed,
                    None,
                    Some(note),
                    &now,
                    &ctx.actor.user,
                )
                .await?;
                let e = NewEntry {
                    partner_id: item.partner_id.clone(),
                    amount: item.amount,
                    effective_date: today.clone(),
                    period: r.period,
                    source: format!(
                        "payout_failed:{run_id}:{}:{}",
                        item.partner_id, item.currency
                    ),
                    reverses: None,
                    run_id: Some(run_id),
                    reason: note.to_string(),
                    ..NewEntry::of(EntryKind::PayoutFailed, item.currency)
                };
                post_entry(&mut tx, &e, &now, &ctx.actor.user).await?;
            }
            ItemState::Pending => {}
        }
        settled.insert((item.partner_id.clone(), item.currency), outcome);
    }
    let after: Vec<ItemState> = items
        .iter()
        .map(|i| {
            settled
                .get(&(i.partner_id.clone(), i.currency))
                .copied()
                .unwrap_or(i.state)
        })
        .collect();
    if after.iter().all(|s| *s != ItemState::Pending) {
        let action = if after.contains(&ItemState::Paid) {
            RunAction::MarkPaid
        } else {
            RunAction::MarkFailed
        };
        let to = transition(from, action).map_err(|e| refused(e, run_id))?;
        set_run_state(
            &mut tx,
            run_id,
            from,
            to,
            Some("settled"),
            &now,
            &ctx.actor.user,
        )
        .await?;
    }
    let detail = serde_json::to_string(settlements).unwrap_or_default();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.run.settle",
        "payout_run",
        &run_id.to_string(),
        None,
        Some(&detail),
    )
    .await?;
    crate::mail::queue_all(ctx, &mut tx, &notices).await?;
    tx.commit().await.map_err(StoreError::from)?;
    run_detail(ctx, run_id).await
}
