//! Clicks go from the request to the database through a bounded channel
//! and one writer task per instance. A request only queues its click
//! (`try_send`, never waiting); the writer moves what arrives into its
//! buffer and writes it every [`Config::flush_every`] or as soon as
//! [`Config::flush_max`] wait, each batch one transaction with multi-row
//! inserts. While the database fails, the buffer grows up to
//! [`Config::buffer_max`] clicks and writes are retried with a growing
//! pause (at most 5 s); beyond the bound the oldest clicks are dropped and
//! the log says how many. On shutdown it takes what is left in the
//! channel and writes it all, retrying for [`Config::shutdown_grace`].

use crate::Config;
use partnerdesk_app::tracking::clicks::{ClickWriter, Visit};
use partnerdesk_store::Store;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// How many clicks may wait in the channel for the writer to take them.
const CHANNEL: usize = 65_536;
/// The longest pause between two attempts to write while the database fails.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What a writer did, told when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Clicks written to the database.
    pub written: u64,
    /// Clicks dropped: the channel or the buffer was full, or the database
    /// could not be reached before the shutdown's grace ran out.
    pub dropped: u64,
}

/// The requests' end of the channel.
#[derive(Clone)]
pub struct Queue {
    tx: mpsc::Sender<Visit>,
    full: Arc<AtomicU64>,
}

impl Queue {
    /// Queues a click without waiting; counts it as dropped when the
    /// channel is full (the writer reports the count).
    pub fn push(&self, v: Visit) {
        if self.tx.try_send(v).is_err() {
            self.full.fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub struct Writer {
    rx: mpsc::Receiver<Visit>,
    full: Arc<AtomicU64>,
    clicks: ClickWriter,
    pending: VecDeque<Visit>,
    flush_every: Duration,
    flush_max: usize,
    buffer_max: usize,
    grace: Duration,
    backoff: Duration,
    next_try: Instant,
    summary: Summary,
}

pub fn spawn(store: Store, cfg: &Config) -> (Queue, Writer) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let full = Arc::new(AtomicU64::new(0));
    let queue = Queue {
        tx,
        full: full.clone(),
    };
    let flush_every = cfg.flush_every.max(Duration::from_millis(1));
    let writer = Writer {
        rx,
        full,
        clicks: ClickWriter::new(store),
        pending: VecDeque::new(),
        flush_every,
        flush_max: cfg.flush_max.max(1),
        buffer_max: cfg.buffer_max.max(1),
        grace: cfg.shutdown_grace,
        backoff: flush_every,
        next_try: Instant::now(),
        summary: Summary::default(),
    };
    (queue, writer)
}

impl Writer {
    pub async fn run(mut self, mut stop: oneshot::Receiver<()>) -> Summary {
        let mut tick = tokio::time::interval(self.flush_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_flush = Instant::now();
        loop {
            tokio::select! {
                biased;
                _ = &mut stop => break,
                v = self.rx.recv() => match v {
                    Some(v) => self.pending.push_back(v),
                    None => break,
                },
                _ = tick.tick() => {}
            }
            self.take_queued();
            let due =
                self.pending.len() >= self.flush_max || last_flush.elapsed() >= self.flush_every;
            if due && Instant::now() >= self.next_try {
                let _ = self.flush().await;
                last_flush = Instant::now();
            }
        }
        // Stopping: the server has finished its requests, so everything
        // they queued is in the channel now.
        self.rx.close();
        self.take_queued();
        let deadline = Instant::now() + self.grace;
        while !self.pending.is_empty() {
            if self.flush().await.is_ok() {
                continue;
            }
            if Instant::now() >= deadline {
                let lost = self.pending.len() as u64;
                self.summary.dropped += lost;
                tracing::error!(
                    dropped = lost,
                    "shutting down without writing {lost} clicks: the database could not be reached within the grace period"
                );
                break;
            }
            tokio::time::sleep_until(self.next_try.min(deadline)).await;
        }
        tracing::info!(
            written = self.summary.written,
            dropped = self.summary.dropped,
            "click writer stopped"
        );
        self.summary
    }

    /// Moves what waits in the channel into the buffer, keeping the bound.
    fn take_queued(&mut self) {
        while let Ok(v) = self.rx.try_recv() {
            self.pending.push_back(v);
        }
        let mut over = 0u64;
        while self.pending.len() > self.buffer_max {
            self.pending.pop_front();
            over += 1;
        }
        if over > 0 {
            self.summary.dropped += over;
            tracing::warn!(
                dropped = over,
                buffered = self.pending.len(),
                "dropped the {over} oldest clicks: the database has not taken clicks for a while and the buffer is full"
            );
        }
        let full = self.full.swap(0, Ordering::Relaxed);
        if full > 0 {
            self.summary.dropped += full;
            tracing::warn!(
                dropped = full,
                "dropped {full} clicks: the click queue was full (the writer falls behind)"
            );
        }
    }

    /// Writes the buffer in batches of `flush_max`; stops at the first
    /// failure, keeping that batch and the rest for the next attempt.
    async fn flush(&mut self) -> Result<(), ()> {
        while !self.pending.is_empty() {
            let n = self.pending.len().min(self.flush_max);
            let batch: Vec<Visit> = self.pending.range(..n).cloned().collect();
            match self.clicks.write(&batch).await {
                Ok(written) => {
                    self.pending.drain(..n);
                    self.summary.written += written;
                    self.backoff = self.flush_every;
                }
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        buffered = self.pending.len(),
                        retry_in_ms = self.backoff.as_millis() as u64,
                        "cannot write clicks; they wait in memory and are retried"
                    );
                    self.next_try = Instant::now() + self.backoff;
                    self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                    return Err(());
                }
            }
            // Take what arrived meanwhile, so the channel never fills up
            // behind a long flush.
            self.take_queued();
        }
        Ok(())
    }
}
