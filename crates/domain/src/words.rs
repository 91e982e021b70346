//! Fixed vocabularies: enums stored and shown as one snake_case word each
//! (a partner's status, a payout run's state, ...). [`word_enum!`] makes
//! one with its word table, `parse` (naming the allowed words), `FromStr`,
//! `Display` and serde as the word; with the `specta` feature it is also a
//! TypeScript string-literal union on the bridge (docs/decisions.md §18).
//! [`Word`] is what the store uses to read any of them back from a column.

use crate::error::FieldError;

/// An enum with one word per variant, read back from stored text.
pub trait Word: Sized + Copy + 'static {
    /// What a value is, in the user's words ("partner status").
    const WHAT: &'static str;
    /// Every value, in the order the words are listed.
    const ALL: &'static [Self];
    /// The canonical word (what is stored and sent).
    fn word(self) -> &'static str;
    /// The value of a canonical word, nothing else.
    fn from_word(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.word() == raw)
    }
    /// The allowed words, comma-separated, for messages.
    fn allowed() -> String {
        Self::ALL
            .iter()
            .map(|v| v.word())
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// The value of `raw`, or an error on `field` naming the allowed words.
    fn parse_word(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::from_word(raw).ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "{} is not a {}; allowed: {}",
                    crate::limits::shown(raw),
                    Self::WHAT,
                    Self::allowed()
                ),
            )
        })
    }
}

/// `word_enum!(/// doc  Name, "what it is", { Variant => "word", ... })`.
#[macro_export]
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($(#[$vm:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// The value of `raw`, or an error on `field` naming the allowed words.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::FieldError> {
                <$name as $crate::words::Word>::parse_word(field, raw)
            }
        }

        impl $crate::words::Word for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [$name] = $name::ALL;
            fn word(self) -> &'static str {
                self.as_str()
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::FieldError;
            fn from_str(raw: &str) -> Result<Self, $crate::FieldError> {
                Self::parse("", raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, not `write_str`: a column width (`{:<12}`) applies.
                f.pad(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Word;
    use crate::approval::{ApprovalDecision, ApprovalKind, ApprovalStatus};
    use crate::commission::{Kind as LineKind, PeriodState};
    use crate::data::CustomerStatus;
    use crate::kyc::{DocumentStatus, DocumentType, TrafficSourceKind, TrafficSourceStatus};
    use crate::ledger::{AdjustmentState, EntryKind};
    use crate::mail::OutboxStatus;
    use crate::partner::{PartnerKind, PartnerStatus, TrackingKind, Vertical};
    use crate::payment::PaymentMethod;
    use crate::payout::{ItemState, RunState};
    use crate::role::Role;
    use crate::sync_run::{ConnectionKind, PendingKind, SyncRunStatus};

    /// The stored word (`as_str`), serde's word (the bridge, audit entries,
    /// approval payloads) and `FromStr` agree for every value: what is
    /// stored and what is sent are one text.
    fn words_agree<T>()
    where
        T: Word + std::fmt::Debug + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
        T: std::str::FromStr<Err = crate::FieldError> + std::fmt::Display,
    {
        for &v in T::ALL {
            let word = v.word();
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{word}\""));
            assert_eq!(
                serde_json::from_str::<T>(&format!("\"{word}\"")).unwrap(),
                v
            );
            assert_eq!(word.parse::<T>().unwrap(), v);
            assert_eq!(T::from_word(word), Some(v));
            assert_eq!(v.to_string(), word);
        }
        let e = T::parse_word("state", "no such word").unwrap_err();
        assert_eq!(e.field, "state");
        assert!(e.message.contains(T::WHAT), "{e}");
        assert!(e.message.contains(&T::allowed()), "{e}");
        assert_eq!(T::from_word(&T::ALL[0].word().to_uppercase()), None);
    }

    #[test]
    fn every_vocabulary_has_one_word_per_value() {
        words_agree::<PartnerKind>();
        words_agree::<PartnerStatus>();
        words_agree::<TrackingKind>();
        words_agree::<Vertical>();
        words_agree::<CustomerStatus>();
        words_agree::<PeriodState>();
        words_agree::<ApprovalStatus>();
        words_agree::<ApprovalDecision>();
        words_agree::<DocumentStatus>();
        words_agree::<TrafficSourceStatus>();
        words_agree::<EntryKind>();
        words_agree::<AdjustmentState>();
        words_agree::<RunState>();
        words_agree::<ItemState>();
        words_agree::<OutboxStatus>();
        words_agree::<SyncRunStatus>();
        words_agree::<Role>();
        words_agree::<ApprovalKind>();
        words_agree::<DocumentType>();
        words_agree::<TrafficSourceKind>();
        words_agree::<ConnectionKind>();
        words_agree::<PendingKind>();
        words_agree::<LineKind>();
        words_agree::<PaymentMethod>();
    }

    #[test]
    fn a_column_width_applies_to_a_word() {
        assert_eq!(format!("[{:<10}]", RunState::Draft), "[draft     ]");
        assert_eq!(format!("[{:>8}]", OutboxStatus::Sent), "[    sent]");
    }
}
