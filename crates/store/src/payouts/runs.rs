//! A payout run's writes, from draft to settled: the run with its items,
//! claims and held balances; its state moves; claims released or added;
//! items settled; its payments posted to the ledger. (Reads, payment
//! details and thresholds are the parent module's.)

use super::*;

/// Inserts a draft run with its items, claims and held balances; returns the run id.
/// A claim on an entry another run holds fails the whole insert (unique entry_id).
pub async fn insert_run(tx: &mut Tx<'_>, run: &NewRun<'_>, at: &str, by: &str) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO payout_runs (pay_date, period, state, created_at, created_by) VALUES ($1, $2, 'draft', $3, $4) RETURNING run_id",
    )
    .bind(run.pay_date)
    .bind(period_text(run.period))
    .bind(at)
    .bind(by)
    .fetch_one(&mut **tx)
    .await?;
    let run_id: i64 = row.try_get(0)?;
    let pg = json_rows::on_postgres(tx);
    let items: Vec<_> = run
        .items
        .iter()
        .map(|(i, _)| {
            (
                i.partner_id.as_str(),
                i.currency.as_str(),
                amount_text(i.amount),
                i.method.as_str(),
                i.holder.as_str(),
                i.account.as_str(),
                i.bic.as_deref(),
            )
        })
        .collect();
    sqlx::query(&format!(
        "INSERT INTO payout_items (run_id, partner_id, currency, amount, method, holder, account, bic, state) \
         SELECT $1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, 'pending' \
         FROM {}",
        json_rows::each(pg, "$2")
    ))
    .bind(run_id)
    .bind(json_rows::rows(&items, "payout items")?)
    .execute(&mut **tx)
    .await?;
    let claims: Vec<(i64, &str, &str)> = run
        .items
        .iter()
        .flat_map(|(i, entries)| {
            entries
                .iter()
                .map(|e| (*e, i.partner_id.as_str(), i.currency.as_str()))
        })
        .collect();
    sqlx::query(&format!(
        "INSERT INTO payout_claims (entry_id, run_id, partner_id, currency) \
         SELECT CAST(value ->> 0 AS BIGINT), $1, value ->> 1, value ->> 2 FROM {}",
        json_rows::each(pg, "$2")
    ))
    .bind(run_id)
    .bind(json_rows::rows(&claims, "payout claims")?)
    .execute(&mut **tx)
    .await
    .map_err(|e| claim_conflict(StoreError::from(e)))?;
    let held: Vec<_> = run
        .held
        .iter()
        .map(|h| {
            (
                h.partner_id.as_str(),
                h.currency.as_str(),
                amount_text(h.amount),
                h.reason.as_str(),
            )
        })
        .collect();
    sqlx::query(&format!(
        "INSERT INTO payout_held (run_id, partner_id, currency, amount, reason) \
         SELECT $1, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM {}",
        json_rows::each(pg, "$2")
    ))
    .bind(run_id)
    .bind(json_rows::rows(&held, "held balances")?)
    .execute(&mut **tx)
    .await?;
    Ok(run_id)
}

fn claim_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Db(sqlx::Error::Database(d))
            if d.message().contains("UNIQUE") || d.message().contains("duplicate key") =>
        {
            StoreError::Conflict {
                field: "run".into(),
                message: "another payout run took some of these balances at the same time; nothing was created — create the run again to pay what is left".into(),
            }
        }
        other => other,
    }
}

/// Moves a run from `from` to `to`, stamping who and when in `stamp` (`submitted`, `approved`, `exported`, `settled`, or none).
pub async fn set_run_state(
    tx: &mut Tx<'_>,
    run_id: i64,
    from: RunState,
    to: RunState,
    stamp: Option<&str>,
    at: &str,
    by: &str,
) -> Result<()> {
    let set = match stamp {
        Some("submitted") => ", submitted_at = $4, submitted_by = $5",
        Some("approved") => ", approved_at = $4, approved_by = $5",
        Some("exported") => ", exported_at = $4, exported_by = $5",
        Some("settled") => ", settled_at = $4",
        _ => "",
    };
    let sql = format!("UPDATE payout_runs SET state = $3{set} WHERE run_id = $1 AND state = $2");
    let mut q = sqlx::query(&sql)
        .bind(run_id)
        .bind(from.as_str())
        .bind(to.as_str());
    if set.contains("$4") {
        q = q.bind(at);
    }
    if set.contains("$5") {
        q = q.bind(by);
    }
    let r = q.execute(&mut **tx).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "run".into(),
            message: format!(
                "payout run {run_id} is no longer {from} (someone else changed it); reload it"
            ),
        });
    }
    Ok(())
}

/// Releases a cancelled run's claims so its balances can be paid by another run.
pub async fn release_claims(tx: &mut Tx<'_>, run_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM payout_claims WHERE run_id = $1")
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Claims one more entry for an item (its own payout entry).
pub async fn claim(
    tx: &mut Tx<'_>,
    entry_id: i64,
    run_id: i64,
    partner_id: &str,
    currency: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO payout_claims (entry_id, run_id, partner_id, currency) VALUES ($1, $2, $3, $4)")
        .bind(entry_id)
        .bind(run_id)
        .bind(partner_id)
        .bind(currency)
        .execute(&mut **tx)
        .await
        .map_err(|e| claim_conflict(StoreError::from(e)))?;
    Ok(())
}

pub async fn set_item_payout_entry(
    tx: &mut Tx<'_>,
    run_id: i64,
    partner_id: &str,
    currency: &str,
    entry_id: i64,
) -> Result<()> {
    sqlx::query("UPDATE payout_items SET payout_entry = $4 WHERE run_id = $1 AND partner_id = $2 AND currency = $3")
        .bind(run_id)
        .bind(partner_id)
        .bind(currency)
        .bind(entry_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Settles a pending item as `paid` (with a reference) or `failed` (with a reason).
pub async fn settle_item(
    tx: &mut Tx<'_>,
    run_id: i64,
    partner_id: &str,
    currency: &str,
    state: ItemState,
    reference: Option<&str>,
    failure_reason: Option<&str>,
    at: &str,
    by: &str,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE payout_items SET state = $4, reference = $5, failure_reason = $6, settled_at = $7, settled_by = $8 \
         WHERE run_id = $1 AND partner_id = $2 AND currency = $3 AND state = 'pending'",
    )
    .bind(run_id)
    .bind(partner_id)
    .bind(currency)
    .bind(state.as_str())
    .bind(reference)
    .bind(failure_reason)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "partner_id".into(),
            message: format!("the payment to {partner_id} in {currency} is not pending in run {run_id} (already settled, or not in this run)"),
        });
    }
    Ok(())
}

/// Posts a run's payments to the ledger, one `payout` entry per item for the
/// item's amount with the sign turned (the money has left the balance), its
/// source `payout:RUN:PARTNER:CURRENCY`; then records each entry on its item,
/// which claims it. Set-based: three statements whatever the size. Item amounts are stored with two decimals like ledger amounts, so turning
/// the sign of the text is exact.
pub async fn post_run_payouts(
    tx: &mut Tx<'_>,
    run_id: i64,
    pay_date: &str,
    period: &str,
    reason: &str,
    at: &str,
    by: &str,
) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO ledger_entries (partner_id, currency, kind, amount, effective_date, period, source, run_id, reason, posted_at, posted_by) \
         SELECT partner_id, currency, 'payout', \
                CASE WHEN substr(amount, 1, 1) = '-' THEN substr(amount, 2) ELSE '-' || amount END, \
                $2, $3, $4 || partner_id || ':' || currency, run_id, $5, $6, $7 \
         FROM payout_items WHERE run_id = $1 ORDER BY currency, partner_id",
    )
    .bind(run_id)
    .bind(pay_date)
    .bind(period)
    .bind(format!("payout:{run_id}:"))
    .bind(reason)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "ledger", "this ledger entry (same source)"))?;
    // Each item records its entry (found by its unique source), then claims it.
    sqlx::query(
        "UPDATE payout_items SET payout_entry = e.entry_id FROM ledger_entries e \
         WHERE payout_items.run_id = $1 AND e.source = $2 || payout_items.partner_id || ':' || payout_items.currency",
    )
    .bind(run_id)
    .bind(format!("payout:{run_id}:"))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO payout_claims (entry_id, run_id, partner_id, currency) \
         SELECT payout_entry, run_id, partner_id, currency FROM payout_items WHERE run_id = $1",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await
    .map_err(|e| claim_conflict(StoreError::from(e)))?;
    Ok(r.rows_affected())
}
