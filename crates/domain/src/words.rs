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
