//! The large files (activity, trades, purchases): read and checked on a
//! blocking thread, handed over in statement-sized chunks, and written
//! while the next chunk is parsed.

use super::*;
use crate::reports::slices::Builder;

/// The large files, in the order they are read and written.
pub(super) const LARGE: [&str; 3] = ["igaming_activity.csv", "trades.csv", "purchases.csv"];

/// What reading the large files found.
pub(super) struct Checked {
    pub(super) problems: Problems,
    pub(super) first_period: Option<Period>,
    pub(super) rows: [u64; 3],
    /// The roll-up slices summed from the rows read, when asked for.
    pub(super) slices: Option<Builder>,
}

/// One statement's rows of the large file `LARGE[.0]`, bound.
pub(super) type Chunk = (usize, Bound);

/// Customer id → brand id, for the checks of the large files.
pub(super) type CustomerBrands = HashMap<String, String, foldhash::fast::RandomState>;

/// Reads and checks activity, trades and purchases and, with a transaction,
/// writes them. The files are parsed on a blocking thread that hands
/// statement-sized chunks of values over a bounded channel, so parsing runs
/// while the database writes the chunk before (memory stays bounded by the
/// channel). Rows are sent only while no problem has been found; the caller
/// rolls back if any. With `slices`, the reader also sums the rows into
/// roll-up slices (a first load: the import's rows are all there is), which
/// come back in [`Checked::slices`].
pub(super) async fn stream_large(
    ctx: &Context,
    dir: &Path,
    p: Problems,
    customer_brand: CustomerBrands,
    mut tx: Option<&mut Tx<'_>>,
    report: &mut ImportReport,
    slices: Option<Builder>,
) -> Result<Checked> {
    let large_batches = || {
        [
            sd::activity_batch(),
            sd::trades_batch(),
            sd::purchases_batch(),
        ]
    };
    let mut batches = large_batches();
    let (sink, mut chunks) = tokio::sync::mpsc::channel::<Chunk>(8);
    let sink = tx.is_some().then_some(sink);
    let dir_owned = dir.to_path_buf();
    let progress = ctx.progress.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let mut out = Out {
            sink: sink.as_ref(),
            batches: large_batches(),
            buf: Vec::new(),
            stopped: false,
            slices,
        };
        let checked = check_large(
            Source::Folder(&dir_owned),
            p,
            &customer_brand,
            &mut out,
            &*progress,
        );
        checked.map(|c| Checked {
            slices: out.slices.take(),
            ..c
        })
    });
    let mut failed = None;
    if let Some(tx) = tx.as_deref_mut() {
        while let Some((i, rows)) = chunks.recv().await {
            if let Err(e) = batches[i].write(tx, rows).await {
                failed = Some(store_err(e, LARGE[i]));
                break;
            }
        }
    }
    // The reader stops at its next send once the channel is closed (at once
    // without a transaction: it never sends then).
    chunks.close();
    let checked = join_reader(reader).await?;
    if let Some(e) = failed {
        return Err(e);
    }
    if let (Some(tx), true) = (tx, checked.problems.is_empty()) {
        for (i, batch) in batches.iter_mut().enumerate() {
            finish(tx, batch, report, LARGE[i], checked.rows[i] as usize).await?;
        }
    }
    report.first_period = checked.first_period.map(|p| p.to_string());
    Ok(checked)
}

pub(super) async fn join_reader(
    reader: tokio::task::JoinHandle<Result<Checked>>,
) -> Result<Checked> {
    reader.await.map_err(|e| {
        AppError::Import(format!(
            "the import stopped while reading its large files ({e}); nothing was kept, import the folder again"
        ))
    })?
}

/// Where the reader puts checked rows: statement-sized chunks for the writer.
pub(super) struct Out<'a> {
    pub(super) sink: Option<&'a tokio::sync::mpsc::Sender<Chunk>>,
    /// Used only to bind (their statement sizes and column counts).
    pub(super) batches: [Batch; 3],
    pub(super) buf: Vec<Val>,
    /// The writer has gone (it failed): stop reading.
    pub(super) stopped: bool,
    /// Roll-up slices summed from the rows handed over, when asked for.
    pub(super) slices: Option<Builder>,
}

impl Out<'_> {
    fn push(&mut self, file: usize, p: &Problems, row: Vec<Val>) {
        let Some(sink) = self.sink else { return };
        if !p.is_empty() || self.stopped {
            return;
        }
        let full = self.batches[file].rows_per_statement() * row.len();
        if self.buf.is_empty() {
            self.buf.reserve(full);
        }
        self.buf.extend(row);
        if self.buf.len() >= full {
            self.send(file, sink);
        }
    }

    fn finish(&mut self, file: usize) {
        if let Some(sink) = self.sink {
            if !self.buf.is_empty() && !self.stopped {
                self.send(file, sink);
            }
        }
        self.buf.clear();
    }

    fn send(&mut self, file: usize, sink: &tokio::sync::mpsc::Sender<Chunk>) {
        let rows = self.batches[file].bind(std::mem::take(&mut self.buf));
        if sink.blocking_send((file, rows)).is_err() {
            self.stopped = true;
        }
    }
}

/// Reads the large files row by row (on a blocking thread): parses and checks
/// each row, reports problems, and hands good rows' values to `out`.
pub(super) fn check_large(
    src: Source,
    mut p: Problems,
    customer_brand: &CustomerBrands,
    out: &mut Out<'_>,
    progress: &dyn crate::context::Progress,
) -> Result<Checked> {
    let mut first_period: Option<Period> = None;
    let mut touch =
        |per: Period| first_period = Some(first_period.map_or(per, |f: Period| f.min(per)));
    let check_customer =
        |p: &mut Problems, file: &str, line: u64, customer: &Id, brand: &Id| -> bool {
            match customer_brand.get(customer.as_str()) {
                None => {
                    p.add(
                        file,
                        line,
                        format!(
                        "customer_id '{customer}' is not a known customer; add it to customers.csv"
                    ),
                    );
                    false
                }
                Some(b) if b != brand.as_str() => {
                    p.add(
                        file,
                        line,
                        format!(
                            "brand_id '{brand}' is not the brand of customer '{customer}' ('{b}')"
                        ),
                    );
                    false
                }
                Some(_) => true,
            }
        };
    let mut rows = [0u64; 3];
    let tick = |file: &str, n: u64| {
        if n % 100_000 == 0 {
            progress.report("import", n, 0, &format!("{file}: {n} rows"));
        }
    };

    let file = LARGE[0];
    if let Some(mut f) = src.open(file, &rows::ACTIVITY, &mut p)? {
        let mut keys = Keys::new();
        while let Some(row) = f.next_row(&mut p) {
            if out.stopped {
                break;
            }
            let line = row.line();
            match rows::activity(&row) {
                Ok(a) => {
                    if !keys.first(&(a.customer_id.as_str(), a.date)) {
                        p.add(
                            file,
                            line,
                            format!(
                                "a second row for customer '{}' on {}",
                                a.customer_id, a.date
                            ),
                        );
                        continue;
                    }
                    if !check_customer(&mut p, file, line, &a.customer_id, &a.brand_id) {
                        continue;
                    }
                    touch(Period::of(a.date));
                    if let Some(b) = out.slices.as_mut() {
                        b.activity(
                            a.customer_id.as_str(),
                            &partnerdesk_domain::data::DayAmounts {
                                date: a.date,
                                deposits: a.deposits,
                                withdrawals: a.withdrawals,
                                bets: a.bets,
                                wins: a.wins,
                                bonuses: a.bonuses,
                                chargebacks: a.chargebacks,
                                taxes: a.taxes,
                            },
                        );
                    }
                    out.push(0, &p, sd::activity_values(&a));
                    rows[0] += 1;
                    tick(file, rows[0]);
                }
                Err(e) => p.add(file, line, e),
            }
        }
        out.finish(0);
    }

    let file = LARGE[1];
    if let Some(mut f) = src.open(file, &rows::TRADES, &mut p)? {
        let mut keys = Keys::new();
        while let Some(row) = f.next_row(&mut p) {
            if out.stopped {
                break;
            }
            let line = row.line();
            match rows::trade(&row) {
                Ok(t) => {
                    if !keys.first(&t.trade_id) {
                        p.add(
                            file,
                            line,
                            format!("trade_id '{}' appears twice", t.trade_id),
                        );
                        continue;
                    }
                    if !check_customer(&mut p, file, line, &t.customer_id, &t.brand_id) {
                        continue;
                    }
                    touch(Period::of(t.close_time.date_naive()));
                    if let Some(b) = out.slices.as_mut() {
                        b.trade(
                            t.customer_id.as_str(),
                            t.close_time.date_naive(),
                            t.lots,
                            t.commission + t.spread_revenue,
                        );
                    }
                    out.push(1, &p, sd::trade_values(&t));
                    rows[1] += 1;
                    tick(file, rows[1]);
                }
                Err(e) => p.add(file, line, e),
            }
        }
        out.finish(1);
    }

    let file = LARGE[2];
    if let Some(mut f) = src.open(file, &rows::PURCHASES, &mut p)? {
        let mut keys = Keys::new();
        while let Some(row) = f.next_row(&mut p) {
            if out.stopped {
                break;
            }
            let line = row.line();
            match rows::purchase(&row) {
                Ok(pu) => {
                    if !keys.first(&pu.order_id) {
                        p.add(
                            file,
                            line,
                            format!("order_id '{}' appears twice", pu.order_id),
                        );
                        continue;
                    }
                    if !check_customer(&mut p, file, line, &pu.customer_id, &pu.brand_id) {
                        continue;
                    }
                    touch(Period::of(pu.purchased_at.date_naive()));
                    if let Some(r) = pu.refunded_at {
                        touch(Period::of(r.date_naive()));
                    }
                    if let Some(b) = out.slices.as_mut() {
                        b.purchase(&pu);
                    }
                    out.push(2, &p, sd::purchase_values(&pu));
                    rows[2] += 1;
                    tick(file, rows[2]);
                }
                Err(e) => p.add(file, line, e),
            }
        }
        out.finish(2);
    }
    Ok(Checked {
        problems: p,
        first_period,
        rows,
        slices: None,
    })
}
