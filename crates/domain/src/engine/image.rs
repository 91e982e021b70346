//! The customers as the engine resolved them (brand, partner by tracking
//! code, whether they earn, country, registration), written as one compact
//! binary image so that a later run can skip reading and resolving a million
//! customer rows while the data they come from is unchanged.
//!
//! The image is a cache: whoever keeps it must drop it when customers,
//! tracking codes, brands or geo blocks change. Brands and partners are
//! written by id and found again by id when the image is read, so partners
//! added since do not make it unusable; an id that no longer exists does, as
//! does any byte out of place. The carried state (CPA sums, FTDs, carry-over)
//! is not part of it.
//!
//! Layout, little-endian: `PDCI`, version (u32); the brand ids and the
//! partner ids (each a u32 count, then u16 length + bytes per id); the
//! countries (a u32 count of 2-byte codes); then a u32 count of customers,
//! each: id (u16 length + bytes), brand (u32), partner (u32, `u32::MAX` for
//! none), country (u16 index), earns (u8 0/1), registration (i32 days from
//! 0001-01-01).

use super::bytes::{Malformed, Reader};
use super::{CustomerState, EngineError, HashMap};
use crate::codes::CountryCode;
use crate::ids::Id;
use chrono::{Datelike, NaiveDate};

const MAGIC: &[u8; 4] = b"PDCI";
const VERSION: u32 = 1;
const NO_PARTNER: u32 = u32::MAX;

fn bad(what: impl Into<String>) -> EngineError {
    EngineError::CustomerImage(what.into())
}

/// Writes the image of `customers`, whose brand and partner indexes point
/// into `brand_ids` and `partner_ids`.
pub(crate) fn encode(
    customers: &[CustomerState],
    brand_ids: &[&Id],
    partner_ids: &[&Id],
) -> Result<Vec<u8>, EngineError> {
    let mut out = Vec::with_capacity(64 + customers.len() * 24);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    let count = |n: usize| {
        u32::try_from(n).map_err(|_| bad(format!("{n} entries do not fit a customer image")))
    };
    let put_str = |out: &mut Vec<u8>, s: &str| -> Result<(), EngineError> {
        let len = u16::try_from(s.len()).map_err(|_| bad(format!("id '{s}' is too long")))?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        Ok(())
    };
    for ids in [brand_ids, partner_ids] {
        out.extend_from_slice(&count(ids.len())?.to_le_bytes());
        for id in ids {
            put_str(&mut out, id.as_str())?;
        }
    }
    let mut countries: Vec<CountryCode> = customers.iter().map(|c| c.country).collect();
    countries.sort_unstable();
    countries.dedup();
    out.extend_from_slice(&count(countries.len())?.to_le_bytes());
    for c in &countries {
        out.extend_from_slice(c.as_str().as_bytes());
    }
    let country_ix: HashMap<CountryCode, u16> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u16))
        .collect();
    out.extend_from_slice(&count(customers.len())?.to_le_bytes());
    for c in customers {
        put_str(&mut out, c.id.as_str())?;
        out.extend_from_slice(&count(c.brand)?.to_le_bytes());
        let partner = match c.partner {
            Some(p) => count(p)?,
            None => NO_PARTNER,
        };
        out.extend_from_slice(&partner.to_le_bytes());
        let country = country_ix.get(&c.country).copied().unwrap_or_default();
        out.extend_from_slice(&country.to_le_bytes());
        out.push(u8::from(c.earns));
        out.extend_from_slice(&c.registered.num_days_from_ce().to_le_bytes());
    }
    Ok(out)
}

/// Indexes, by their position in the image, of ids found by `find`.
fn ids(
    r: &mut Reader<'_>,
    kind: &str,
    find: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<usize>, EngineError> {
    let n = r.u32()?;
    (0..n)
        .map(|_| {
            let id = r.str16()?;
            find(id).ok_or_else(|| bad(format!("{kind} '{id}' no longer exists")))
        })
        .collect()
}

impl From<Malformed> for EngineError {
    fn from(m: Malformed) -> Self {
        EngineError::CustomerImage(m.0)
    }
}

/// The customers of an image written by [`encode`], their brands and
/// partners found again by id; their carried state starts empty.
pub(crate) fn decode(
    image: &[u8],
    brand_ix: &HashMap<Id, usize>,
    partner_ix: &HashMap<Id, usize>,
) -> Result<Vec<CustomerState>, EngineError> {
    let mut r = Reader::new(image);
    if r.take(4)? != MAGIC {
        return Err(bad("it is not a customer image"));
    }
    let version = r.u32()?;
    if version != VERSION {
        return Err(bad(format!("its version {version} is not {VERSION}")));
    }
    let lookup = |ix: &HashMap<Id, usize>, id: &str| {
        Id::parse("id", id).ok().and_then(|id| ix.get(&id).copied())
    };
    let brands = ids(&mut r, "brand", |id| lookup(brand_ix, id))?;
    let partners = ids(&mut r, "partner", |id| lookup(partner_ix, id))?;
    let n = r.u32()? as usize;
    let countries = (0..n)
        .map(|_| {
            let code = r.array::<2>()?;
            let code = std::str::from_utf8(&code).map_err(|_| bad("a country is not text"))?;
            CountryCode::parse("country", code).map_err(|e| bad(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n = r.u32()? as usize;
    // Every customer takes at least 17 bytes: a count beyond what is left is
    // refused before anything is allocated for it.
    if n > r.bytes.len() / 17 {
        return Err(bad("it holds fewer customers than it says"));
    }
    let mut customers = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.str16()?;
        let id = Id::parse("customer_id", id).map_err(|e| bad(e.to_string()))?;
        let brand = *brands
            .get(r.u32()? as usize)
            .ok_or_else(|| bad("a customer's brand is out of range"))?;
        let partner = match r.u32()? {
            NO_PARTNER => None,
            p => Some(
                *partners
                    .get(p as usize)
                    .ok_or_else(|| bad("a customer's partner is out of range"))?,
            ),
        };
        let country = *countries
            .get(u16::from_le_bytes(r.array()?) as usize)
            .ok_or_else(|| bad("a customer's country is out of range"))?;
        let earns = match r.array::<1>()? {
            [0] => false,
            [1] => true,
            _ => return Err(bad("a customer's earns flag is neither 0 nor 1")),
        };
        let days = i32::from_le_bytes(r.array()?);
        let registered = NaiveDate::from_num_days_from_ce_opt(days)
            .ok_or_else(|| bad("a customer's registration date is out of range"))?;
        customers.push(CustomerState {
            id,
            brand,
            partner,
            country,
            registered,
            earns,
        });
    }
    if !r.bytes.is_empty() {
        return Err(bad("it has bytes after its last customer"));
    }
    Ok(customers)
}
