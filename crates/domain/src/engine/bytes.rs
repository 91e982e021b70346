//! Reading and writing the engine's binary records (the customer image and
//! the carried state): little-endian integers, LEB128 varints, decimals as a
//! sign-and-scale byte and a varint mantissa, and ids written as the bytes
//! they share with the id before them plus the rest.
//!
//! The reader never reads past the end, refuses overlong varints and values
//! that do not fit, and says what was wrong in a short phrase.

use rust_decimal::Decimal;

/// What was wrong with the bytes read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub String);

fn malformed(what: impl Into<String>) -> Malformed {
    Malformed(what.into())
}

/// Reads bytes off the front of a record, refusing to read past its end.
pub(crate) struct Reader<'b> {
    pub bytes: &'b [u8],
}

impl<'b> Reader<'b> {
    pub fn new(bytes: &'b [u8]) -> Self {
        Self { bytes }
    }

    pub fn take(&mut self, n: usize) -> Result<&'b [u8], Malformed> {
        if self.bytes.len() < n {
            return Err(malformed("it ends too early"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn i32(&mut self) -> Result<i32, Malformed> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// A string after its u16 length.
    pub fn str16(&mut self) -> Result<&'b str, Malformed> {
        let len = u16::from_le_bytes(self.array()?) as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed("an id is not UTF-8"))
    }

    /// An unsigned LEB128 number of at most `bits` bits.
    fn varint_bits(&mut self, bits: u32) -> Result<u128, Malformed> {
        let mut value: u128 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8()?;
            let part = u128::from(b & 0x7f);
            if shift >= bits || (shift > 0 && part >> (bits - shift) != 0) {
                return Err(malformed("a number is too large"));
            }
            value |= part << shift;
            if b & 0x80 == 0 {
                // The shortest form only: a last byte of 0 adds nothing.
                if b == 0 && shift > 0 {
                    return Err(malformed("a number is written longer than it needs"));
                }
                return Ok(value);
            }
            shift += 7;
        }
    }

    pub fn varint(&mut self) -> Result<u64, Malformed> {
        // At most 64 bits: the conversion cannot fail.
        u64::try_from(self.varint_bits(64)?).map_err(|_| malformed("a number is too large"))
    }

    /// A count or length, refused when it exceeds the bytes left divided by
    /// the fewest bytes each of its items takes (nothing is allocated for a
    /// count the record cannot hold).
    pub fn count(&mut self, min_item_bytes: usize) -> Result<usize, Malformed> {
        let n = usize::try_from(self.varint()?).map_err(|_| malformed("a count is too large"))?;
        if n > self.bytes.len() / min_item_bytes.max(1) {
            return Err(malformed("it holds fewer entries than it says"));
        }
        Ok(n)
    }

    /// A string after its varint length.
    pub fn str(&mut self) -> Result<&'b str, Malformed> {
        let len = self.count(1)?;
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed("an id is not UTF-8"))
    }

    /// An id written by [`put_id_after`]: `prev` holds the id before it and
    /// is turned into this one.
    pub fn id_after(&mut self, prev: &mut Vec<u8>) -> Result<(), Malformed> {
        let shared = self.count(1)?;
        if shared > prev.len() {
            return Err(malformed("an id shares more than the id before it has"));
        }
        prev.truncate(shared);
        let rest = self.count(1)?;
        prev.extend_from_slice(self.take(rest)?);
        if prev.is_empty() {
            return Err(malformed("an id is empty"));
        }
        Ok(())
    }

    /// A decimal written by [`put_dec`], exactly (scale and sign included).
    pub fn dec(&mut self) -> Result<Decimal, Malformed> {
        let head = self.u8()?;
        let negative = head & 0x80 != 0;
        let scale = u32::from(head & 0x7f);
        if scale > Decimal::MAX_SCALE {
            return Err(malformed("a decimal has too many decimal places"));
        }
        let m = self.varint_bits(96)?;
        let mut d = Decimal::from_parts(m as u32, (m >> 32) as u32, (m >> 64) as u32, false, scale);
        d.set_sign_negative(negative);
        Ok(d)
    }
}

pub(crate) fn put_varint(out: &mut Vec<u8>, v: u64) {
    put_varint128(out, u128::from(v));
}

fn put_varint128(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Writes `id` as the number of bytes it shares with `prev`, then the rest
/// (ids in order mostly share all but their last few bytes).
pub(crate) fn put_id_after(out: &mut Vec<u8>, prev: &str, id: &str) {
    let shared = prev
        .bytes()
        .zip(id.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    put_varint(out, shared as u64);
    let rest = &id.as_bytes()[shared..];
    put_varint(out, rest.len() as u64);
    out.extend_from_slice(rest);
}

/// Writes a decimal exactly: sign and scale in one byte, then the mantissa.
pub(crate) fn put_dec(out: &mut Vec<u8>, d: Decimal) {
    let negative = if d.is_sign_negative() { 0x80 } else { 0 };
    // The scale is at most 28: it fits the low seven bits.
    out.push(negative | d.scale() as u8);
    put_varint128(out, d.mantissa().unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimals_come_back_exactly() {
        let mut neg_zero = Decimal::ZERO;
        neg_zero.set_sign_negative(true);
        for d in [
            Decimal::ZERO,
            neg_zero,
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from_str("0.0000000000000000000000000001").unwrap(),
            Decimal::from_str("-123.4500").unwrap(),
            Decimal::from_str("127").unwrap(),
            Decimal::from_str("128").unwrap(),
        ] {
            let mut out = Vec::new();
            put_dec(&mut out, d);
            let mut r = Reader::new(&out);
            let back = r.dec().unwrap();
            assert_eq!(back.serialize(), d.serialize(), "{d}");
            assert!(r.bytes.is_empty());
        }
    }

    #[test]
    fn malformed_numbers_are_refused() {
        // More than 96 bits of mantissa.
        let mut out = vec![0];
        put_varint128(&mut out, 1u128 << 96);
        assert!(Reader::new(&out).dec().is_err());
        // Scale 29.
        assert!(Reader::new(&[29, 1]).dec().is_err());
        // Overlong: 1 written in two bytes.
        assert!(Reader::new(&[0x81, 0x00]).varint().is_err());
        // Cut short.
        assert!(Reader::new(&[0x81]).varint().is_err());
        // Eleven bytes cannot be a u64.
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).varint(),
            Ok(u64::MAX)
        );
    }

    #[test]
    fn ids_come_back_from_what_they_share_with_the_one_before() {
        let ids = ["C0001", "C0002", "C0010", "B", "Bé", "Bé2", "C0001"];
        let mut out = Vec::new();
        let mut prev = "";
        for id in ids {
            put_id_after(&mut out, prev, id);
            prev = id;
        }
        let mut r = Reader::new(&out);
        let mut buf = Vec::new();
        for id in ids {
            r.id_after(&mut buf).unwrap();
            assert_eq!(buf, id.as_bytes());
        }
        assert!(r.bytes.is_empty());
        // Sharing more than the id before has is refused.
        let mut buf = b"AB".to_vec();
        assert!(Reader::new(&[3, 0]).id_after(&mut buf).is_err());
        // An empty id is refused.
        assert!(Reader::new(&[0, 0]).id_after(&mut Vec::new()).is_err());
    }
}
