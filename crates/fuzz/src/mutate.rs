//! Seeded random mutations of real inputs: bit flips, edge-case bytes and
//! words (huge and tiny numbers, dates around every limit, control
//! characters, quoting, template and URL syntax), cut, duplicated and
//! spliced chunks. Deterministic for a seed, so a run can be repeated.

/// Inputs are kept below this size: big enough for every field limit to
/// be crossed, small enough for hundreds of thousands of inputs a minute.
pub const MAX_INPUT: usize = 64 * 1024;

/// Words every target gets (besides its own).
const SHARED_WORDS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "0.0",
    "1e-28",
    "1E5",
    "0.0000000000000000000000000001",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "999999999999999.9999999999",
    "1000000000000000",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "NaN",
    "inf",
    "1899-12-31",
    "1970-01-01",
    "9998-12-31",
    "9999-12-31",
    "0000-01-01",
    "2026-02-29",
    "2028-02-29T23:59:60Z",
    "2026-07-01T00:00:00+14:00",
    "9999-12-31T23:59:59-23:59",
    "2026-07-01T12:00:00.1234567891Z",
    "\u{feff}",
    "\u{1b}[2J",
    "\u{0}",
    "\u{7f}",
    "\u{202e}",
    "\u{2028}",
    "\r\n",
    "\"",
    "\"\"",
    ",",
    ";",
    "\\",
    "/",
    "%",
    "%00",
    "..",
    "CON",
    "é",
    "🦀",
    "null",
    "true",
    "[]",
    "{}",
    "[[[[[[[[[[[[[[[[",
    "{{",
    "}}",
    "{%",
    "%}",
    "@",
    ":",
    "://",
    "?",
    "#",
];

pub struct Mutator {
    state: u64,
    words: Vec<&'static str>,
}

impl Mutator {
    pub fn new(seed: u64, own_words: &[&'static str]) -> Self {
        let mut words: Vec<&'static str> = SHARED_WORDS.to_vec();
        words.extend_from_slice(own_words);
        Self {
            state: seed ^ 0x9e37_79b9_7f4a_7c15,
            words,
        }
    }

    /// splitmix64
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn word(&mut self) -> Vec<u8> {
        let i = self.below(self.words.len());
        self.words[i].as_bytes().to_vec()
    }

    /// A new input: a corpus entry (or nothing) with 1 to 8 mutations.
    pub fn next_input(&mut self, corpus: &[Vec<u8>]) -> Vec<u8> {
        let mut input = if corpus.is_empty() || self.below(50) == 0 {
            Vec::new()
        } else {
            corpus[self.below(corpus.len())].clone()
        };
        let rounds = 1 + self.below(8);
        for _ in 0..rounds {
            self.mutate(&mut input, corpus);
        }
        input.truncate(MAX_INPUT);
        input
    }

    fn mutate(&mut self, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
        let len = input.len();
        let at = self.below(len + 1);
        match self.below(10) {
            0 if len > 0 => {
                let i = self.below(len);
                input[i] ^= 1 << self.below(8);
            }
            1 if len > 0 => {
                const EDGES: [u8; 14] = [
                    0, 0xff, 0x7f, 0x80, b'\n', b'\r', b',', b'"', b'-', b'.', b'0', b'9', 0x1b,
                    0xc3,
                ];
                let i = self.below(len);
                input[i] = EDGES[self.below(EDGES.len())];
            }
            2 => {
                let n = 1 + self.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| self.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let end = (at + 1 + self.below(32)).min(len);
                input.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                // A chunk repeated: fields of any length.
                let from = self.below(len);
                let end = (from + 1 + self.below(64)).min(len);
                let chunk = input[from..end].to_vec();
                let most = if self.below(8) == 0 { 2000 } else { 4 };
                let times = 1 + self.below(most);
                let mut grown = Vec::with_capacity(chunk.len() * times);
                for _ in 0..times {
                    grown.extend_from_slice(&chunk);
                    if grown.len() > MAX_INPUT {
                        break;
                    }
                }
                input.splice(at..at, grown);
            }
            5 | 6 => {
                let w = self.word();
                input.splice(at..at, w);
            }
            7 if len > 0 => {
                // A run of digits replaced by a word (numbers at their limits).
                let start = self.below(len);
                if input[start].is_ascii_digit() {
                    let end = input[start..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(len, |p| start + p);
                    let w = self.word();
                    input.splice(start..end, w);
                }
            }
            8 if !corpus.is_empty() => {
                // Splice: a piece of another input.
                let other = &corpus[self.below(corpus.len())];
                if !other.is_empty() {
                    let from = self.below(other.len());
                    let end = (from + 1 + self.below(256)).min(other.len());
                    input.splice(at..at, other[from..end].to_vec());
                }
            }
            _ if len > 1 => {
                // Two bytes swapped (reordered delimiters and quotes).
                let (i, j) = (self.below(len), self.below(len));
                input.swap(i, j);
            }
            _ => input.push(self.next() as u8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let corpus = vec![b"a,b,c\n1,2,3\n".to_vec()];
        let mut a = Mutator::new(7, &[]);
        let mut b = Mutator::new(7, &[]);
        for _ in 0..1000 {
            let (x, y) = (a.next_input(&corpus), b.next_input(&corpus));
            assert_eq!(x, y);
            assert!(x.len() <= MAX_INPUT);
        }
    }
}
