//! The engine's customers: what each one resolved to, their ids all in one
//! text, and an index from id to position.
//!
//! A million customers are read, indexed, matched and freed on every run;
//! kept as a million small records and a million separately allocated ids,
//! that was a million allocations to make and to free, and twice the memory
//! to fault in afresh. Here a customer is a small fixed-size record, and the
//! ids are one text with where each of them ends.

use super::CountryCode;
use chrono::NaiveDate;
use std::hash::BuildHasher;

/// What a customer resolved to (their id is kept by [`Customers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CustomerState {
    pub brand: usize,
    pub partner: Option<usize>,
    /// None: unknown (no geo block, no CPA country list matches it).
    pub country: Option<CountryCode>,
    pub registered: NaiveDate,
    /// Not excluded and not geo-blocked: the only customers any rule counts.
    pub earns: bool,
}

/// Customers gathered in order, each with their id, before they are indexed.
#[derive(Default)]
pub(crate) struct CustomersBuilder {
    states: Vec<CustomerState>,
    ids: String,
    ends: Vec<usize>,
}

impl CustomersBuilder {
    /// Room for `n` customers whose ids take about `id_bytes` in all.
    pub fn with_capacity(n: usize, id_bytes: usize) -> Self {
        Self {
            states: Vec::with_capacity(n),
            ids: String::with_capacity(id_bytes),
            ends: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, id: &str, state: CustomerState) {
        self.ids.push_str(id);
        self.ends.push(self.ids.len());
        self.states.push(state);
    }

    /// The customers indexed by id (the ids are hashed on two threads).
    pub fn build(self) -> Customers {
        let Self { states, ids, ends } = self;
        let hasher = foldhash::fast::RandomState::default();
        let id = |i: usize| &ids[start(&ends, i)..ends[i]];
        let hash = |range: std::ops::Range<usize>| -> Vec<u64> {
            range.map(|i| hasher.hash_one(id(i))).collect()
        };
        let half = ends.len() / 2;
        let hashes = std::thread::scope(|s| {
            let back = s.spawn(|| hash(half..ends.len()));
            let mut front = hash(0..half);
            front.extend(back.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            front
        });
        let mut table = hashbrown::HashTable::with_capacity(hashes.len());
        for (i, &h) in hashes.iter().enumerate() {
            table.insert_unique(h, i, |&j| hashes[j]);
        }
        Customers {
            states,
            ids,
            ends,
            table,
            hasher,
        }
    }
}

/// Where customer `i`'s id starts in the ids' text.
fn start(ends: &[usize], i: usize) -> usize {
    match i {
        0 => 0,
        _ => ends[i - 1],
    }
}

/// The customers in the engine's order, indexed by id.
pub(crate) struct Customers {
    states: Vec<CustomerState>,
    /// Every customer's id, one after the other.
    ids: String,
    /// Where each customer's id ends in `ids`.
    ends: Vec<usize>,
    /// Positions by the hash of their ids.
    table: hashbrown::HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl std::ops::Index<usize> for Customers {
    type Output = CustomerState;

    fn index(&self, i: usize) -> &CustomerState {
        &self.states[i]
    }
}

impl Customers {
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Customer `i`'s id.
    pub fn id(&self, i: usize) -> &str {
        &self.ids[start(&self.ends, i)..self.ends[i]]
    }

    /// Every customer with their id, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CustomerState)> {
        self.states.iter().enumerate().map(|(i, c)| (self.id(i), c))
    }

    pub fn states_mut(&mut self) -> &mut [CustomerState] {
        &mut self.states
    }

    /// The position of the customer with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(id), |&i| self.id(i) == id)
            .copied()
    }

    /// [`Customers::position`] for ids that tend to come in the engine's
    /// order: the few customers from `*hint` on are compared first, then the
    /// index is asked; `*hint` moves past the customer found.
    pub fn position_near(&self, id: &str, hint: &mut usize) -> Option<usize> {
        const NEAR: usize = 16;
        for i in (*hint..self.len()).take(NEAR) {
            match self.id(i).cmp(id) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    *hint = i + 1;
                    return Some(i);
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        let found = self.position(id);
        if let Some(i) = found {
            *hint = i + 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(brand: usize) -> CustomerState {
        CustomerState {
            brand,
            partner: None,
            country: CountryCode::parse("country", "DE").ok(),
            registered: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            earns: true,
        }
    }

    /// Every id is found at its position, with ids in and out of order and
    /// of different lengths; unknown ids and prefixes of known ones are not.
    #[test]
    fn ids_are_found_where_they_were_pushed() {
        let ids = ["C10", "C2", "A", "C1", "Ωmega", "C100"];
        let mut b = CustomersBuilder::with_capacity(0, 0);
        for (i, id) in ids.iter().enumerate() {
            b.push(id, state(i));
        }
        let c = b.build();
        assert_eq!(c.len(), ids.len());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(c.id(i), *id);
            assert_eq!(c.position(id), Some(i));
            assert_eq!(c[i].brand, i);
            // From any hint, near or far.
            for mut hint in [0, i, i + 1, ids.len()] {
                assert_eq!(c.position_near(id, &mut hint), Some(i));
                assert_eq!(hint, i + 1);
            }
        }
        for unknown in ["C", "C1000", "", "B"] {
            assert_eq!(c.position(unknown), None);
            assert_eq!(c.position_near(unknown, &mut 0), None);
        }
        let listed: Vec<(&str, usize)> = c.iter().map(|(id, s)| (id, s.brand)).collect();
        assert_eq!(listed, ids.iter().copied().zip(0..).collect::<Vec<_>>());
        assert_eq!(CustomersBuilder::default().build().len(), 0);
    }
}
