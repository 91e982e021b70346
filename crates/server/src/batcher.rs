//! Group commit of postbacks in. A request checks its postback on the
//! request path (no database) and hands the event to the batchers through
//! a bounded channel, with a oneshot for its answer. A batcher takes what
//! is waiting — up to [`Config::postback_group_max`] events, waiting at
//! most [`Config::postback_group_wait`] once it has one — and applies the
//! whole group in ONE transaction (`postbacks_in::apply`), then answers
//! every event after the commit. A group whose transaction fails answers
//! 503 to all its events (their claims rolled back, so the platform's
//! retries are taken). Several batchers run at once, one collecting while
//! another commits; the app takes locks in one order, so their groups
//! never deadlock, here or across instances.

use crate::Config;
use partnerdesk_app::tracking::postbacks_in::{self, Answer, Checked};
use partnerdesk_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio::time::Instant;

/// Events that may wait for a batcher; beyond it requests wait to queue.
const CHANNEL: usize = 16_384;

struct Job {
    item: Checked,
    /// None: the group failed (the server answers 503).
    answer: oneshot::Sender<Option<Answer>>,
}

/// The requests' end.
#[derive(Clone)]
pub struct Batcher {
    tx: mpsc::Sender<Job>,
}

impl Batcher {
    /// Takes an event with the next group; None when its group could not
    /// be committed (or the server is stopping).
    pub async fn take(&self, item: Checked) -> Option<Answer> {
        let (answer, rx) = oneshot::channel();
        self.tx.send(Job { item, answer }).await.ok()?;
        rx.await.ok().flatten()
    }
}

/// Starts the batchers; they end when every [`Batcher`] is dropped.
pub fn spawn(store: Store, cfg: &Config) -> (Batcher, Vec<tokio::task::JoinHandle<()>>) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let rx = Arc::new(Mutex::new(rx));
    let max = cfg.postback_group_max.max(1);
    let wait = cfg.postback_group_wait;
    let tasks = (0..cfg.postback_batchers.max(1))
        .map(|_| tokio::spawn(run(store.clone(), rx.clone(), max, wait)))
        .collect();
    (Batcher { tx }, tasks)
}

/// The next group: the first event to arrive, then whatever follows
/// within `wait` (or until `max`). None when the channel is closed.
async fn collect(rx: &Mutex<mpsc::Receiver<Job>>, max: usize, wait: Duration) -> Option<Vec<Job>> {
    // One batcher collects at a time; the others commit meanwhile.
    let mut rx = rx.lock().await;
    let first = rx.recv().await?;
    let mut jobs = vec![first];
    let deadline = Instant::now() + wait;
    while jobs.len() < max {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(j)) => jobs.push(j),
            Ok(None) | Err(_) => break,
        }
    }
    Some(jobs)
}

async fn run(store: Store, rx: Arc<Mutex<mpsc::Receiver<Job>>>, max: usize, wait: Duration) {
    while let Some(jobs) = collect(&rx, max, wait).await {
        let n = jobs.len();
        let (items, answers): (Vec<Checked>, Vec<_>) =
            jobs.into_iter().map(|j| (j.item, j.answer)).unzip();
        match postbacks_in::apply(&store, items).await {
            Ok(list) if list.len() == n => {
                for (a, to) in list.into_iter().zip(answers) {
                    let _ = to.send(Some(a));
                }
            }
            Ok(list) => {
                tracing::error!(
                    events = n,
                    answers = list.len(),
                    "a group of postbacks got the wrong number of answers"
                );
                for to in answers {
                    let _ = to.send(None);
                }
            }
            Err(e) => {
                tracing::error!(events = n, error = %e, "a group of postbacks could not be taken; the platform will send them again");
                for to in answers {
                    let _ = to.send(None);
                }
            }
        }
    }
}
