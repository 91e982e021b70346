//! The domain's fixed vocabularies read back from their text columns: a
//! stored word is parsed once, here, when its row is read, and a word the
//! enum does not know is damaged data naming where it was found
//! (docs/decisions.md §18). Written, a value is its canonical word.

use crate::error::{Result, StoreError};
use partnerdesk_domain::role::{roles_from_text, Role, Roles};
use partnerdesk_domain::{CountryCode, CurrencyCode, FieldError, Period, Word};
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

/// A value of one of the domain's checked texts (a currency, a country, a
/// period) read from `table.column` with its `parse`; text that does not
/// parse is damaged data, said like a word that is not one.
pub fn checked<T>(
    table: &str,
    column: &str,
    raw: &str,
    parse: fn(&str, &str) -> std::result::Result<T, FieldError>,
) -> Result<T> {
    parse(column, raw).map_err(|e| {
        StoreError::Corrupt(format!(
            "{table}.{column} holds {}, which is not what it should be: {}",
            partnerdesk_domain::limits::shown(raw),
            e.message
        ))
    })
}

/// The currency in `table.column` of a row.
pub(crate) fn currency(r: &sqlx::any::AnyRow, table: &str, column: &str) -> Result<CurrencyCode> {
    let raw: String = r.try_get(column)?;
    checked(table, column, &raw, CurrencyCode::parse)
}

/// The country in `table.column` of a row, if any (NULL: none).
pub(crate) fn opt_country(
    r: &sqlx::any::AnyRow,
    table: &str,
    column: &str,
) -> Result<Option<CountryCode>> {
    let raw: Option<String> = r.try_get(column)?;
    raw.map(|c| checked(table, column, &c, CountryCode::parse))
        .transpose()
}

/// The period in `table.column` of a row.
pub(crate) fn period(r: &sqlx::any::AnyRow, table: &str, column: &str) -> Result<Period> {
    let raw: String = r.try_get(column)?;
    checked(table, column, &raw, Period::parse)
}

/// The period in `table.column` of a row, where '' stores none.
pub(crate) fn blank_or_period(
    r: &sqlx::any::AnyRow,
    table: &str,
    column: &str,
) -> Result<Option<Period>> {
    let raw: String = r.try_get(column)?;
    match raw.as_str() {
        "" => Ok(None),
        p => checked(table, column, p, Period::parse).map(Some),
    }
}

/// The country in `table.column` of a row, where '' stores an unknown one.
pub(crate) fn blank_or_country(
    r: &sqlx::any::AnyRow,
    table: &str,
    column: &str,
) -> Result<Option<CountryCode>> {
    let raw: String = r.try_get(column)?;
    match raw.as_str() {
        "" => Ok(None),
        c => checked(table, column, c, CountryCode::parse).map(Some),
    }
}

/// An optional period as stored: `YYYY-MM`, or '' for none.
pub fn period_text(period: Option<Period>) -> String {
    period.map(|p| p.to_string()).unwrap_or_default()
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

/// A set of roles stored as comma-separated words in `table.column`; one
/// word that is not a role makes the whole value damaged data.
pub fn roles(raw: &str, table: &str, column: &str) -> Result<Roles> {
    roles_from_text(raw).map_err(|bad| {
        StoreError::Corrupt(format!(
            "{table}.{column} holds {}, in which {} is not a {}; allowed: {}",
            partnerdesk_domain::limits::shown(raw),
            partnerdesk_domain::limits::shown(&bad),
            Role::WHAT,
            Role::allowed()
        ))
    })
}
