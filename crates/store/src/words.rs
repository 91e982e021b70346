//! The domain's fixed vocabularies read back from their text columns: a
//! stored word is parsed once, here, when its row is read, and a word the
//! enum does not know is damaged data naming where it was found
//! (docs/decisions.md §18). Written, a value is its canonical word.

use crate::error::{Result, StoreError};
use partnerdesk_domain::Word;
use sqlx::Row;

/// The value of `raw`, read from `table.column`.
pub fn word<T: Word>(table: &str, column: &str, raw: &str) -> Result<T> {
    T::from_word(raw).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "{table}.{column} holds {}, which is not a {}; allowed: {}",
            partnerdesk_domain::limits::shown(raw),
            T::WHAT,
            T::allowed()
        ))
    })
}

/// [`word`] of an optional value (NULL stays None).
pub fn opt_word<T: Word>(table: &str, column: &str, raw: Option<&str>) -> Result<Option<T>> {
    raw.map(|r| word(table, column, r)).transpose()
}

/// The column `column` of a row of `table`, as its enum.
pub(crate) fn column<T: Word>(r: &sqlx::any::AnyRow, table: &str, column: &str) -> Result<T> {
    let raw: String = r.try_get(column)?;
    word(table, column, &raw)
}
