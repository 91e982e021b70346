//! `partnerdesk ledger …` and `partnerdesk payouts …`.

use clap::Subcommand;
use partnerdesk_app::payouts::{self, PayoutRunDetail, Settlement};
use partnerdesk_app::{ledger, AppError, Context};
use partnerdesk_domain::Period;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum LedgerCmd {
    /// Every balance (per partner and currency), optionally at a date
    Balances {
        #[arg(long)]
        at: Option<String>,
    },
    /// A partner's entries with the running balance
    Entries {
        #[arg(long)]
        partner: String,
    },
    /// Ask for a manual adjustment (a second finance user approves it)
    Adjust {
        #[arg(long)]
        partner: String,
        /// Signed amount in the partner's currency, e.g. 25.00 or -10.50
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        reason: String,
    },
    /// Ask for the reversal of an entry (a second finance user approves it)
    Reverse {
        #[arg(long)]
        entry: i64,
        #[arg(long)]
        reason: String,
    },
    /// Manual adjustments and reversals (pending, approved, rejected)
    Adjustments {
        #[arg(long)]
        state: Option<String>,
    },
    /// Approve a pending adjustment (not your own), with a reason: its entry is posted
    Approve {
        #[arg(long)]
        adjustment: i64,
        #[arg(long)]
        reason: String,
    },
    /// Reject a pending adjustment (not your own), with a reason
    Reject {
        #[arg(long)]
        adjustment: i64,
        #[arg(long)]
        reason: String,
    },
    /// Prove that balances equal the sum of entries and entries their sources
    Check,
}

#[derive(Subcommand)]
pub enum PayoutsCmd {
    /// Set how a partner is paid: bank_transfer (--holder, --account IBAN, --bic), e_wallet (--holder TYPE, --account), crypto (--holder NETWORK, --account ADDRESS)
    Details {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        method: String,
        #[arg(long)]
        holder: String,
        #[arg(long)]
        account: String,
        #[arg(long)]
        bic: Option<String>,
    },
    /// Set (or --clear) the minimum payout of a currency
    Threshold {
        #[arg(long)]
        currency: String,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// A partner's own threshold and compliance hold (omit one to clear it)
    Partner {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        threshold: Option<String>,
        #[arg(long)]
        hold: Option<String>,
    },
    /// The operator's own bank account, debited by the SEPA file
    Operator {
        #[arg(long)]
        name: String,
        #[arg(long)]
        iban: String,
        #[arg(long)]
        bic: Option<String>,
    },
    /// Create a draft run for a pay date or a closed period
    Create {
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        period: Option<String>,
    },
    /// Every run with its state and totals
    List,
    /// A run's payments and held partners
    Show {
        #[arg(long)]
        run: i64,
    },
    Submit {
        #[arg(long)]
        run: i64,
    },
    /// Approve a submitted run (not one you submitted), with a reason; above the
    /// approvals threshold a second approver is needed
    Approve {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        reason: String,
    },
    /// Send a submitted run back to draft, with a reason
    Reject {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        reason: String,
    },
    Cancel {
        #[arg(long)]
        run: i64,
    },
    /// Export an approved run: posts the payouts and writes the CSV (and SEPA XML) into --out
    Export {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write an exported run's payment files again
    Files {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Settle payments of an exported run: --paid PARTNER=REFERENCE, --failed PARTNER=REASON (PARTNER:CUR when it is paid in two currencies)
    Settle {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        paid: Vec<String>,
        #[arg(long)]
        failed: Vec<String>,
    },
}

pub async fn ledger_cmd(ctx: &Context, cmd: LedgerCmd) -> Result<bool, AppError> {
    match cmd {
        LedgerCmd::Balances { at } => {
            outln!("partner_id,name,currency,balance,unclaimed,entries");
            for b in ledger::balances(ctx, at.as_deref()).await? {
                outln!(
                    "{},{},{},{},{},{}",
                    b.partner_id,
                    b.name,
                    b.currency,
                    b.balance,
                    b.unclaimed,
                    b.entries
                );
            }
        }
        LedgerCmd::Entries { partner } => {
            outln!(
                "entry_id,date,kind,period,brand_id,line_kind,amount,currency,balance,run,reason"
            );
            for e in ledger::entries(ctx, &partner).await? {
                outln!(
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    e.entry_id,
                    e.effective_date,
                    e.kind,
                    e.period,
                    e.brand_id,
                    e.line_kind,
                    e.amount,
                    e.currency,
                    e.balance,
                    e.claimed_by_run.map(|r| r.to_string()).unwrap_or_default(),
                    e.reason.replace(',', ";")
                );
            }
        }
        LedgerCmd::Adjust {
            partner,
            amount,
            reason,
        } => {
            let a = ledger::request_adjustment(ctx, &partner, &amount, &reason).await?;
            outln!("adjustment #{} of {} {} for {} waits for a second finance user: partnerdesk ledger approve --adjustment {}", a.adjustment_id, a.amount, a.currency, a.partner_id, a.adjustment_id);
        }
        LedgerCmd::Reverse { entry, reason } => {
            let a = ledger::request_reversal(ctx, entry, &reason).await?;
            outln!("reversal of entry {entry} ({} {}) is adjustment #{}; it waits for a second finance user", a.amount, a.currency, a.adjustment_id);
        }
        LedgerCmd::Adjustments { state } => {
            outln!("adjustment_id,partner_id,currency,amount,reverses,state,requested_by,decided_by,reason");
            for a in ledger::adjustments(ctx, state.as_deref()).await? {
                outln!(
                    "{},{},{},{},{},{},{},{},{}",
                    a.adjustment_id,
                    a.partner_id,
                    a.currency,
                    a.amount,
                    a.reverses.map(|r| r.to_string()).unwrap_or_default(),
                    a.state,
                    a.requested_by,
                    a.decided_by.unwrap_or_default(),
                    a.reason.replace(',', ";")
                );
            }
        }
        LedgerCmd::Approve { adjustment, reason } => {
            let a = ledger::decide(ctx, adjustment, true, &reason).await?;
            outln!(
                "adjustment #{} approved: entry {} posted",
                a.adjustment_id,
                a.entry_id.unwrap_or_default()
            );
        }
        LedgerCmd::Reject { adjustment, reason } => {
            ledger::decide(ctx, adjustment, false, &reason).await?;
            outln!("adjustment #{adjustment} rejected");
        }
        LedgerCmd::Check => {
            let c = ledger::check(ctx).await?;
            outln!("{} entries, {} balances", c.entries, c.balances);
            for t in &c.totals {
                outln!("{}: {} over {} entries", t.currency, t.amount, t.count);
            }
            for p in &c.problems {
                outln!("problem: {p}");
            }
            if !c.ok {
                return Ok(false);
            }
            outln!("ok: every balance equals the sum of its entries, and every entry its source");
        }
    }
    Ok(true)
}

fn print_run(d: &PayoutRunDetail) {
    let r = &d.run;
    outln!(
        "run {} · {} · pay date {}{} · created by {}{}{}",
        r.run_id,
        r.state,
        r.pay_date,
        if r.period.is_empty() {
            String::new()
        } else {
            format!(" (period {})", r.period)
        },
        r.created_by,
        r.submitted_by
            .as_ref()
            .map(|s| format!(" · submitted by {s}"))
            .unwrap_or_default(),
        r.approved_by
            .as_ref()
            .map(|s| format!(" · approved by {s}"))
            .unwrap_or_default(),
    );
    for t in &r.totals {
        outln!(
            "  {}: {} in {} payments (paid {}, failed {})",
            t.currency,
            t.amount,
            t.payments,
            t.paid,
            t.failed
        );
    }
    if !d.items.is_empty() {
        outln!("payments:");
        for i in &d.items {
            outln!(
                "  {} {} {} {} via {} {} · {}{}",
                i.partner_id,
                i.name,
                i.amount,
                i.currency,
                i.method,
                i.account,
                i.state,
                i.reference
                    .as_ref()
                    .or(i.failure_reason.as_ref())
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            );
        }
    }
    if !d.held.is_empty() {
        outln!("held back:");
        for h in &d.held {
            outln!(
                "  {} {} {} {}: {}",
                h.partner_id,
                h.name,
                h.amount,
                h.currency,
                h.reason
            );
        }
    }
    if !r.actions.is_empty() {
        outln!("next: {}", r.actions.join(", "));
    }
}

/// Makes sure the folder exists and takes files before anything changes.
fn writable(out: &Path) -> Result<(), AppError> {
    let io = |e: std::io::Error| AppError::Io {
        context: format!("cannot write payment files into {}", out.display()),
        source: e,
    };
    std::fs::create_dir_all(out).map_err(io)?;
    let probe = out.join(".partnerdesk-write-test");
    std::fs::write(&probe, b"").map_err(io)?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

fn write_files(out: &Path, run: i64, f: &payouts::PaymentFiles) -> Result<(), AppError> {
    let write = |name: String, body: &str| -> Result<(), AppError> {
        let path = out.join(&name);
        std::fs::write(&path, body).map_err(|e| AppError::Io {
            context: format!("cannot write {}", path.display()),
            source: e,
        })?;
        outln!("wrote {}", path.display());
        Ok(())
    };
    write(format!("payments-run-{run}.csv"), &f.csv)?;
    if let Some(x) = &f.sepa_xml {
        write(format!("sepa-run-{run}.xml"), x)?;
    }
    Ok(())
}

fn split(raw: &str, what: &str) -> Result<(String, Option<String>, String), AppError> {
    let (who, note) = raw
        .split_once('=')
        .ok_or_else(|| AppError::invalid(what, format!("'{raw}' is not PARTNER=TEXT")))?;
    let (partner, currency) = match who.split_once(':') {
        Some((p, c)) => (p.to_string(), Some(c.to_string())),
        None => (who.to_string(), None),
    };
    Ok((partner, currency, note.to_string()))
}

pub async fn payouts_cmd(ctx: &Context, cmd: PayoutsCmd) -> Result<(), AppError> {
    match cmd {
        PayoutsCmd::Details {
            partner,
            method,
            holder,
            account,
            bic,
        } => {
            // With users the change waits for another finance user; the
            // message says which request (see `approvals list`).
            let o = payouts::set_payment_details(
                ctx,
                &partner,
                &method,
                &holder,
                &account,
                bic.as_deref(),
            )
            .await?;
            outln!("{}", o.message);
        }
        PayoutsCmd::Threshold {
            currency,
            amount,
            clear,
        } => {
            if amount.is_none() && !clear {
                return Err(AppError::invalid("--amount", "give --amount or --clear"));
            }
            payouts::set_threshold(ctx, &currency, if clear { None } else { amount.as_deref() })
                .await?;
            outln!(
                "threshold for {currency}: {}",
                if clear {
                    "none".to_string()
                } else {
                    amount.unwrap_or_default()
                }
            );
        }
        PayoutsCmd::Partner {
            partner,
            threshold,
            hold,
        } => {
            payouts::set_partner_payout(ctx, &partner, threshold.as_deref(), hold.as_deref())
                .await?;
            outln!(
                "{partner}: threshold {}, hold {}",
                threshold.as_deref().unwrap_or("(currency's)"),
                hold.as_deref().unwrap_or("none")
            );
        }
        PayoutsCmd::Operator { name, iban, bic } => {
            let o = payouts::set_operator_account(ctx, &name, &iban, bic.as_deref()).await?;
            outln!(
                "operator account: {} {} {}",
                o.name,
                o.iban,
                o.bic.unwrap_or_default()
            );
        }
        PayoutsCmd::Create { date, period } => {
            let p = period
                .as_deref()
                .map(|p| Period::parse("--period", p))
                .transpose()?;
            print_run(&payouts::create_run(ctx, date.as_deref(), p).await?);
        }
        PayoutsCmd::List => {
            for r in payouts::list_runs(ctx).await? {
                let totals: Vec<String> = r
                    .totals
                    .iter()
                    .map(|t| format!("{} {}", t.amount, t.currency))
                    .collect();
                outln!(
                    "{}\t{}\t{}\t{}\t{} held",
                    r.run_id,
                    r.state,
                    r.pay_date,
                    totals.join(" + "),
                    r.held_count
                );
            }
        }
        PayoutsCmd::Show { run } => print_run(&payouts::run_detail(ctx, run).await?),
        PayoutsCmd::Submit { run } => print_run(&payouts::submit(ctx, run).await?),
        PayoutsCmd::Approve { run, reason } => {
            print_run(&payouts::approve(ctx, run, &reason).await?)
        }
        PayoutsCmd::Reject { run, reason } => print_run(&payouts::reject(ctx, run, &reason).await?),
        PayoutsCmd::Cancel { run } => print_run(&payouts::cancel(ctx, run).await?),
        PayoutsCmd::Export { run, out } => {
            writable(&out)?;
            let f = payouts::export(ctx, run).await?;
            write_files(&out, run, &f)?;
            outln!("run {run} exported: payouts posted to the ledger; settle each payment with `partnerdesk payouts settle`");
        }
        PayoutsCmd::Files { run, out } => {
            writable(&out)?;
            write_files(&out, run, &payouts::payment_files(ctx, run).await?)?;
        }
        PayoutsCmd::Settle { run, paid, failed } => {
            let items = payouts::run_detail(ctx, run).await?.items;
            let mut s = Vec::new();
            for (list, outcome) in [(&paid, "paid"), (&failed, "failed")] {
                for raw in list {
                    let (partner, currency, note) = split(
                        raw,
                        if outcome == "paid" {
                            "--paid"
                        } else {
                            "--failed"
                        },
                    )?;
                    let currencies: Vec<&str> = items
                        .iter()
                        .filter(|i| i.partner_id == partner)
                        .map(|i| i.currency.as_str())
                        .collect();
                    let currency = match (currency, currencies.as_slice()) {
                        (Some(c), _) => c,
                        (None, [one]) => one.to_string(),
                        (None, []) => {
                            return Err(AppError::invalid(
                                "partner_id",
                                format!("{partner} is not paid by run {run}"),
                            ))
                        }
                        (None, _) => {
                            return Err(AppError::invalid(
                                "partner_id",
                                format!(
                                    "{partner} is paid in {}: write {partner}:CUR=…",
                                    currencies.join(" and ")
                                ),
                            ))
                        }
                    };
                    s.push(Settlement {
                        partner_id: partner,
                        currency,
                        outcome: outcome.into(),
                        note,
                    });
                }
            }
            print_run(&payouts::settle(ctx, run, &s).await?);
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum StatementsCmd {
    /// PDF statements of a period: one partner, or every partner with ledger entries
    Period {
        #[arg(long)]
        period: String,
        #[arg(long)]
        partner: Option<String>,
        /// The folder to write into (created when missing)
        #[arg(long)]
        out: PathBuf,
    },
    /// PDF statements for every partner paid by a payout run
    Run {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn statements_cmd(ctx: &Context, cmd: StatementsCmd) -> Result<(), AppError> {
    let batch = match cmd {
        StatementsCmd::Period {
            period,
            partner,
            out,
        } => {
            let p = Period::parse("--period", &period)?;
            partnerdesk_app::statements::for_period(ctx, p, partner.as_deref(), &out).await?
        }
        StatementsCmd::Run { run, out } => {
            partnerdesk_app::statements::for_run(ctx, run, &out).await?
        }
    };
    outln!(
        "wrote {} statements into {}",
        batch.files.len(),
        batch.folder
    );
    Ok(())
}
