//! Signing out a desktop session nobody uses: a signed-in user who leaves
//! the window is signed out after a while (settings.json's
//! `idle_sign_out_minutes`, 30 by default, 0 for never), so a passer-by
//! finds the sign-in screen, not the user's rights. Every call from the
//! window counts as use; the first call after the limit finds the session
//! over.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Minutes without use after which a session ends, unless settings say otherwise.
pub const DEFAULT_MINUTES: u32 = 30;

pub struct IdleClock {
    /// None: sessions never end for idleness.
    limit: Option<Duration>,
    last_use: Mutex<Instant>,
}

impl IdleClock {
    /// A clock for `minutes` (None: the default; 0: never).
    pub fn new(minutes: Option<u32>, now: Instant) -> Self {
        let minutes = minutes.unwrap_or(DEFAULT_MINUTES);
        Self {
            limit: (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60)),
            last_use: Mutex::new(now),
        }
    }

    /// The limit in whole minutes (0: never), for messages.
    pub fn minutes(&self) -> u64 {
        self.limit.map_or(0, |l| l.as_secs() / 60)
    }

    /// A use at `now`: false when the session had been idle past the
    /// limit (it is over; the caller signs the user out). Either way `now`
    /// is the last use from here on.
    pub fn use_at(&self, now: Instant) -> bool {
        let mut last = self
            .last_use
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let idle = now.saturating_duration_since(*last);
        *last = now;
        self.limit.is_none_or(|limit| idle <= limit)
    }

    /// Whether the session has been idle past the limit at `now`, without
    /// counting this as a use (background work: the mail sender, the sync
    /// scheduler, which would otherwise keep every session alive).
    pub fn expired_at(&self, now: Instant) -> bool {
        let last = *self
            .last_use
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.limit
            .is_some_and(|limit| now.saturating_duration_since(last) > limit)
    }

    /// A new session begins at `now` (a sign-in).
    pub fn restart(&self, now: Instant) {
        *self
            .last_use
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_after_the_limit_without_use() {
        let t0 = Instant::now();
        let clock = IdleClock::new(None, t0);
        assert_eq!(clock.minutes(), 30, "30 minutes by default");
        let min = Duration::from_secs(60);
        assert!(clock.use_at(t0 + 29 * min));
        // Each use starts the wait again.
        assert!(clock.use_at(t0 + 58 * min));
        // Background work does not count as use (nor move the last use).
        assert!(!clock.expired_at(t0 + 58 * min + 29 * min));
        assert!(clock.expired_at(t0 + 58 * min + 31 * min));
        assert!(!clock.use_at(t0 + 58 * min + 30 * min + Duration::from_secs(1)));
        // A new sign-in begins a new session.
        clock.restart(t0 + 100 * min);
        assert!(clock.use_at(t0 + 110 * min));
    }

    #[test]
    fn the_limit_comes_from_settings_and_zero_means_never() {
        let t0 = Instant::now();
        let five = IdleClock::new(Some(5), t0);
        assert!(!five.use_at(t0 + Duration::from_secs(5 * 60 + 1)));
        let never = IdleClock::new(Some(0), t0);
        assert_eq!(never.minutes(), 0);
        assert!(never.use_at(t0 + Duration::from_secs(365 * 24 * 3600)));
    }
}
