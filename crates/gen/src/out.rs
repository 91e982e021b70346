//! Fast, allocation-free formatting of CSV fields and a buffered CSV file writer.
//!
//! Every value the generator writes is produced here: integers, amounts held as
//! integer hundredths (cents), dates held as days since 1970-01-01 and times held
//! as seconds since the epoch. No floating point is involved anywhere.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::GenError;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Appends the decimal digits of `n`.
pub(crate) fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends `n` left-padded with zeros to at least `width` digits.
pub(crate) fn push_padded(buf: &mut Vec<u8>, n: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let mut v = n;
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let digits = tmp.len() - i;
    for _ in digits..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends a fixed-point number `v / 10^scale` with exactly `scale` decimals.
pub(crate) fn push_fixed(buf: &mut Vec<u8>, v: u64, scale: u32) {
    let div = 10u64.pow(scale);
    push_u64(buf, v / div);
    if scale > 0 {
        buf.push(b'.');
        push_padded(buf, v % div, scale as usize);
    }
}

/// Appends an amount held in hundredths, e.g. `12345` → `123.45`.
pub(crate) fn push_cents(buf: &mut Vec<u8>, cents: u64) {
    push_fixed(buf, cents, 2);
}

/// Civil date (year, month, day) of a day number counted from 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day number (from 1970-01-01) of a civil date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Appends `YYYY-MM-DD` for a day number.
pub(crate) fn push_date(buf: &mut Vec<u8>, day: i64) {
    let (y, m, d) = civil_from_days(day);
    push_padded(buf, y.max(0) as u64, 4);
    buf.push(b'-');
    push_padded(buf, m as u64, 2);
    buf.push(b'-');
    push_padded(buf, d as u64, 2);
}

/// Appends an RFC 3339 UTC time `YYYY-MM-DDTHH:MM:SSZ` for epoch seconds.
pub(crate) fn push_time(buf: &mut Vec<u8>, ts: i64) {
    let day = ts.div_euclid(DAY);
    let secs = ts.rem_euclid(DAY) as u64;
    push_date(buf, day);
    buf.push(b'T');
    push_padded(buf, secs / 3600, 2);
    buf.push(b':');
    push_padded(buf, secs / 60 % 60, 2);
    buf.push(b':');
    push_padded(buf, secs % 60, 2);
    buf.push(b'Z');
}

/// A CSV file being written: a header line, then rows, LF line ends.
pub(crate) struct CsvOut {
    path: PathBuf,
    w: BufWriter<File>,
    rows: u64,
}

impl CsvOut {
    pub(crate) fn create(path: &Path, header: &str) -> Result<Self, GenError> {
        let file = File::create(path).map_err(|e| GenError::io(path, e))?;
        let mut out = CsvOut {
            path: path.to_path_buf(),
            w: BufWriter::with_capacity(1 << 20, file),
            rows: 0,
        };
        out.raw(header.as_bytes())?;
        out.raw(b"\n")?;
        Ok(out)
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), GenError> {
        self.w
            .write_all(bytes)
            .map_err(|e| GenError::io(&self.path, e))
    }

    /// Writes one row; `line` holds the fields without the final newline.
    pub(crate) fn row(&mut self, line: &mut Vec<u8>) -> Result<(), GenError> {
        line.push(b'\n');
        self.raw(line)?;
        line.clear();
        self.rows += 1;
        Ok(())
    }

    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes the file and returns the number of data rows written.
    pub(crate) fn finish(mut self) -> Result<u64, GenError> {
        self.w.flush().map_err(|e| GenError::io(&self.path, e))?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        let mut b = Vec::new();
        push_cents(&mut b, 0);
        b.push(b' ');
        push_cents(&mut b, 7);
        b.push(b' ');
        push_cents(&mut b, 123_456);
        b.push(b' ');
        push_fixed(&mut b, 10_850, 4);
        b.push(b' ');
        push_padded(&mut b, 42, 6);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "0.00 0.07 1234.56 1.0850 000042"
        );
    }

    #[test]
    fn dates_round_trip() {
        for day in -800_000..800_000i64 {
            if day % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        let mut b = Vec::new();
        push_time(&mut b, days_from_civil(2026, 7, 1) * DAY + 3600 + 61);
        assert_eq!(String::from_utf8(b).unwrap(), "2026-07-01T01:01:01Z");
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(
            days_from_civil(2028, 2, 29),
            d.signed_duration_since(epoch).num_days()
        );
    }
}
