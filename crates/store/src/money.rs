//! Decimal columns: exact text in, exact text out.

use crate::error::StoreError;
use rust_decimal::Decimal;
use std::str::FromStr;

pub fn dec(s: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(s).map_err(|_| StoreError::Corrupt(format!("'{s}' is not a decimal")))
}

pub fn text(d: Decimal) -> String {
    d.normalize().to_string()
}
