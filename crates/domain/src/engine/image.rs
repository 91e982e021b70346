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
//! none), country (u16 index, `u16::MAX` for an unknown country), earns
//! (u8 0/1), registration (i32 days from 0001-01-01). Version 2 added the
//! unknown country; a version-1 image is refused (and so rebuilt).

use super::bytes::{Malformed, Reader};
use super::{CustomerState, Customers, CustomersBuilder, EngineError, HashMap};
use crate::codes::CountryCode;
use crate::ids::Id;
use chrono::{Datelike, NaiveDate};

const MAGIC: &[u8; 4] = b"PDCI";
const VERSION: u32 = 2;
const NO_PARTNER: u32 = u32::MAX;
const NO_COUNTRY: u16 = u16::MAX;

fn bad(what: impl Into<String>) -> EngineError {
    EngineError::CustomerImage(what.into())
}

/// Writes the image of `customers`, whose brand and partner indexes point
/// into `brand_ids` and `partner_ids`.
pub(crate) fn encode(
    customers: &Customers,
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
    let mut countries: Vec<CountryCode> = customers.iter().filter_map(|(_, c)| c.country).collect();
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
    for (id, c) in customers.iter() {
        put_str(&mut out, id)?;
        out.extend_from_slice(&count(c.brand)?.to_le_bytes());
        let partner = match c.partner {
            Some(p) => count(p)?,
            None => NO_PARTNER,
        };
        out.extend_from_slice(&partner.to_le_bytes());
        let country = c
            .country
            .and_then(|k| country_ix.get(&k).copied())
            .unwrap_or(NO_COUNTRY);
        out.extend_from_slice(&country.to_le_bytes());
        out.push(u8::from(c.earns));
        out.extend_from_slice(&c.registered.num_days_from_ce().to_le_bytes());
    }
    Ok(out)
}

/// The ids of one list (a u32 count, then each id).
fn ids(r: &mut Reader<'_>, kind: &str) -> Result<Vec<Id>, EngineError> {
    let n = r.u32()? as usize;
    // Every id takes at least 3 bytes.
    if n > r.bytes.len() / 3 {
        return Err(bad(format!("it holds fewer {kind} ids than it says")));
    }
    (0..n)
        .map(|_| Id::parse("id", r.str16()?).map_err(|e| bad(format!("{kind}: {e}"))))
        .collect()
}

/// Where each of an image's ids is in the world (`ix`), refused when one is gone.
fn found(ids: &[Id], ix: &HashMap<Id, usize>, kind: &str) -> Result<Vec<usize>, EngineError> {
    ids.iter()
        .map(|id| {
            ix.get(id)
                .copied()
                .ok_or_else(|| bad(format!("{kind} '{id}' no longer exists")))
        })
        .collect()
}

impl From<Malformed> for EngineError {
    fn from(m: Malformed) -> Self {
        EngineError::CustomerImage(m.0)
    }
}

/// The customers of an image written by [`encode`], read and indexed by id
/// but not yet joined to a world: their brands and partners are positions
/// in the image's own lists of ids until [`CustomerImage::join`] finds them
/// in the world. Reading does not need the world, so it can be done while
/// the world is still being read.
pub struct CustomerImage {
    brand_ids: Vec<Id>,
    partner_ids: Vec<Id>,
    customers: Customers,
}

impl CustomerImage {
    /// Reads an image written by [`encode`] (any byte out of place is
    /// refused) and indexes its customers by id.
    pub fn decode(image: &[u8]) -> Result<Self, EngineError> {
        let mut r = Reader::new(image);
        if r.take(4)? != MAGIC {
            return Err(bad("it is not a customer image"));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(bad(format!("its version {version} is not {VERSION}")));
        }
        let brand_ids = ids(&mut r, "brand")?;
        let partner_ids = ids(&mut r, "partner")?;
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
        // The ids take what is left but 17 bytes a customer.
        let id_bytes = r.bytes.len().saturating_sub(n * 17);
        let mut customers = CustomersBuilder::with_capacity(n, id_bytes);
        for _ in 0..n {
            let id = r.str16()?;
            Id::check("customer_id", id).map_err(|e| bad(e.to_string()))?;
            let brand = r.u32()? as usize;
            if brand >= brand_ids.len() {
                return Err(bad("a customer's brand is out of range"));
            }
            let partner = match r.u32()? {
                NO_PARTNER => None,
                p if (p as usize) < partner_ids.len() => Some(p as usize),
                _ => return Err(bad("a customer's partner is out of range")),
            };
            let country = match u16::from_le_bytes(r.array()?) {
                NO_COUNTRY => None,
                k => Some(
                    *countries
                        .get(k as usize)
                        .ok_or_else(|| bad("a customer's country is out of range"))?,
                ),
            };
            let earns = match r.array::<1>()? {
                [0] => false,
                [1] => true,
                _ => return Err(bad("a customer's earns flag is neither 0 nor 1")),
            };
            let days = i32::from_le_bytes(r.array()?);
            let registered = NaiveDate::from_num_days_from_ce_opt(days)
                .ok_or_else(|| bad("a customer's registration date is out of range"))?;
            customers.push(
                id,
                CustomerState {
                    brand,
                    partner,
                    country,
                    registered,
                    earns,
                },
            );
        }
        if !r.bytes.is_empty() {
            return Err(bad("it has bytes after its last customer"));
        }
        Ok(Self {
            brand_ids,
            partner_ids,
            customers: customers.build(),
        })
    }

    /// The customers with their brands and partners found again by id in
    /// a world (`brand_ix`, `partner_ix`); refused when one of the image's
    /// brands or partners no longer exists there.
    pub(super) fn join(
        self,
        brand_ix: &HashMap<Id, usize>,
        partner_ix: &HashMap<Id, usize>,
    ) -> Result<Customers, EngineError> {
        let brands = found(&self.brand_ids, brand_ix, "brand")?;
        let partners = found(&self.partner_ids, partner_ix, "partner")?;
        let mut customers = self.customers;
        // Positions were checked against the image's lists when it was read.
        for c in customers.states_mut() {
            c.brand = brands[c.brand];
            c.partner = c.partner.map(|p| partners[p]);
        }
        Ok(customers)
    }
}
