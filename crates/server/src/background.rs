//! The server's work apart from requests: sending partners' postbacks out
//! from the outbox, and looking for click floods. Both run in every
//! instance unless configured off; the database makes sure no postback is
//! sent twice and no flood flagged twice.

use partnerdesk_app::tracking::fraud;
use partnerdesk_app::tracking::postbacks_out::{self, SendOptions};
use partnerdesk_store::Store;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// What the background task does.
pub struct Work {
    /// How postbacks are sent and how often the outbox is looked at.
    pub postbacks: Option<(SendOptions, Duration)>,
    /// How often click floods are looked for.
    pub flood_scan: Option<Duration>,
}

/// Runs until `stop`: sends due postbacks (at once again while a pass
/// found a full batch) and scans for click floods. A database error waits
/// for the next round; claimed postbacks come back when their claim runs out.
pub async fn run(store: Store, work: Work, mut stop: oneshot::Receiver<()>) {
    let client = match postbacks_out::client() {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::error!(error = %e, "postbacks out are not sent by this instance");
            None
        }
    };
    let tick = work
        .postbacks
        .as_ref()
        .map(|p| p.1)
        .into_iter()
        .chain(work.flood_scan)
        .min()
        .unwrap_or(Duration::from_secs(1));
    let mut last_scan: Option<Instant> = None;
    loop {
        let mut wait = tick;
        if let (Some((options, _)), Some(client)) = (&work.postbacks, &client) {
            match postbacks_out::send_due(&store, client, options).await {
                Ok(s) if s.sent + s.retrying + s.failed >= options.batch => wait = Duration::ZERO,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "postbacks out: the outbox cannot be read now")
                }
            }
        }
        if let Some(every) = work.flood_scan {
            if last_scan.is_none_or(|t| t.elapsed() >= every) {
                last_scan = Some(Instant::now());
                match fraud::scan_click_floods(&store, chrono::Utc::now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(flags = n, "click floods flagged for review"),
                    Err(e) => {
                        tracing::warn!(error = %e, "click floods: the clicks cannot be read now")
                    }
                }
            }
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
