//! Decimal columns: exact text in, exact text out.

use crate::error::StoreError;
use rust_decimal::Decimal;

pub fn dec(s: &str) -> Result<Decimal, StoreError> {
    partnerdesk_domain::money::decimal_text(s)
        .ok_or_else(|| StoreError::Corrupt(format!("'{s}' is not a decimal")))
}

pub fn text(d: Decimal) -> String {
    d.normalize().to_string()
}
