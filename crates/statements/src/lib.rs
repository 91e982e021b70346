//! Partner statements as PDF: operator and partner, opening balance,
//! commissions by brand and kind with bases and rates, adjustments, payouts,
//! closing balance, and detail pages that break with repeated table headers
//! and "Page n of m". DejaVu Sans is embedded (subset), so any Latin,
//! Greek or Cyrillic name renders. No IO except [`write_batch`] and
//! [`Fonts::from_dir`].

mod layout;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use printpdf::{FontId, Op, ParsedFont, PdfDocument, PdfSaveOptions, TextItem};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use layout::PAGE_ROWS;

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("font {path}: {detail}; reinstall Partnerdesk or point it at a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf")]
    Font { path: String, detail: String },
    #[error("cannot write statements into {folder}: {detail}; choose a folder you may write to")]
    Folder { folder: String, detail: String },
    #[error("a statement could not be written as PDF: {0}")]
    Pdf(String),
    #[error("statement for {partner}: '{stem}' is not a file name every system can write, or another statement of the batch has it too (names are compared ignoring case); nothing was written")]
    FileName { partner: String, stem: String },
    #[error("statement for {partner}: the closing balance {closing} is not the opening balance {opening} plus its lines ({sum}); nothing was written")]
    Unbalanced {
        partner: String,
        opening: Decimal,
        sum: Decimal,
        closing: Decimal,
    },
}

/// The two faces a statement uses, as TTF bytes.
#[derive(Clone)]
pub struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

const BUNDLED_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BUNDLED_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

fn parse(bytes: &[u8], path: &str) -> Result<ParsedFont, StatementError> {
    ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or_else(|| StatementError::Font {
        path: path.to_string(),
        detail: "is not a TrueType font".into(),
    })
}

impl Fonts {
    /// DejaVu Sans as shipped inside the app.
    pub fn bundled() -> Result<Fonts, StatementError> {
        Ok(Fonts {
            regular: parse(BUNDLED_REGULAR, "DejaVuSans.ttf (bundled)")?,
            bold: parse(BUNDLED_BOLD, "DejaVuSans-Bold.ttf (bundled)")?,
        })
    }

    /// DejaVuSans.ttf and DejaVuSans-Bold.ttf from a folder.
    pub fn from_dir(dir: &Path) -> Result<Fonts, StatementError> {
        let load = |name: &str| -> Result<ParsedFont, StatementError> {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| StatementError::Font {
                path: path.display().to_string(),
                detail: format!("cannot be read ({e})"),
            })?;
            parse(&bytes, &path.display().to_string())
        };
        Ok(Fonts {
            regular: load("DejaVuSans.ttf")?,
            bold: load("DejaVuSans-Bold.ttf")?,
        })
    }
}

impl Fonts {
    /// Both faces cut down once to the glyphs `chars` needs, so a batch
    /// subsets the font once instead of once per file (the subset is then
    /// embedded as it is).
    fn subset_to(&self, chars: &BTreeSet<char>) -> Result<Fonts, StatementError> {
        let cut = |font: &ParsedFont, face: &str| -> Result<ParsedFont, StatementError> {
            let err = |detail: String| StatementError::Font {
                path: format!("{face} (subset for a batch)"),
                detail,
            };
            let glyphs: BTreeMap<u16, String> = chars
                .iter()
                .filter_map(|c| {
                    font.lookup_glyph_index(*c as u32)
                        .map(|gid| (gid, c.to_string()))
                })
                .collect();
            let subset = printpdf::subset_font(font, &glyphs)
                .map_err(|e| err(format!("cannot be subset ({e})")))?;
            ParsedFont::from_bytes(&subset.bytes, 0, &mut Vec::new())
                .ok_or_else(|| err("its subset cannot be read back".into()))
        };
        Ok(Fonts {
            regular: cut(&self.regular, "DejaVuSans.ttf")?,
            bold: cut(&self.bold, "DejaVuSans-Bold.ttf")?,
        })
    }
}

/// Every character the statements' pages show.
fn chars_shown(statements: &[Statement]) -> BTreeSet<char> {
    let (regular, bold) = (FontId("regular".into()), FontId("bold".into()));
    let mut chars = BTreeSet::new();
    for s in statements {
        for page in layout::pages(s, regular.clone(), bold.clone()) {
            for op in &page.ops {
                if let Op::ShowText { items } = op {
                    for item in items {
                        if let TextItem::Text(t) = item {
                            chars.extend(t.chars());
                        }
                    }
                }
            }
        }
    }
    chars
}

/// A name and address block.
#[derive(Debug, Clone, Default)]
pub struct Party {
    pub name: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CommissionRow {
    pub brand: String,
    pub kind: String,
    /// As the explanation gives it (NGR after carry, spread revenue, qualifiers …).
    pub basis: String,
    pub rate: String,
    pub amount: Decimal,
}

/// An adjustment or payout: date, what, amount.
#[derive(Debug, Clone)]
pub struct SimpleRow {
    pub date: String,
    pub description: String,
    pub amount: Decimal,
}

/// One ledger entry on the detail pages.
#[derive(Debug, Clone)]
pub struct DetailRow {
    pub date: String,
    pub kind: String,
    pub reference: String,
    pub amount: Decimal,
    pub balance: Decimal,
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// E.g. "Statement 2026-07" or "Payout run 12".
    pub title: String,
    pub file_stem: String,
    pub partner_id: String,
    pub currency: String,
    /// The dates the statement covers, as text.
    pub covers: String,
    pub issued: String,
    pub operator: Party,
    pub partner: Party,
    pub opening_balance: Decimal,
    pub commissions: Vec<CommissionRow>,
    pub adjustments: Vec<SimpleRow>,
    pub payouts: Vec<SimpleRow>,
    pub closing_balance: Decimal,
    pub details: Vec<DetailRow>,
}

impl Statement {
    /// Opening + commissions + adjustments + payouts must equal closing.
    pub fn check(&self) -> Result<(), StatementError> {
        if !partnerdesk_domain::file_name::is_safe_stem(&self.file_stem) {
            return Err(StatementError::FileName {
                partner: self.partner_id.clone(),
                stem: self.file_stem.clone(),
            });
        }
        let sum: Decimal = self.commissions.iter().map(|c| c.amount).sum::<Decimal>()
            + self.adjustments.iter().map(|a| a.amount).sum::<Decimal>()
            + self.payouts.iter().map(|p| p.amount).sum::<Decimal>();
        if self.opening_balance + sum != self.closing_balance {
            return Err(StatementError::Unbalanced {
                partner: self.partner_id.clone(),
                opening: self.opening_balance,
                sum,
                closing: self.closing_balance,
            });
        }
        Ok(())
    }
}

/// Renders one statement to PDF bytes (fonts subset and embedded).
pub fn render(s: &Statement, fonts: &Fonts) -> Result<Vec<u8>, StatementError> {
    render_with(s, fonts, true, None)
}

/// `subset` false: `fonts` are already cut down to what the batch shows.
fn render_with(
    s: &Statement,
    fonts: &Fonts,
    subset: bool,
    shared: Option<&Deflated>,
) -> Result<Vec<u8>, StatementError> {
    s.check()?;
    let mut doc = PdfDocument::new(&s.title);
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);
    let pages = layout::pages(s, regular, bold);
    let opts = PdfSaveOptions {
        subset_fonts: subset,
        // Compressed below, with the batch's shared streams deflated once.
        optimize: false,
        ..Default::default()
    };
    let mut pdf = doc
        .with_pages(pages)
        .to_lopdf_document(&opts, &mut Vec::new());
    deflate_streams(&mut pdf, shared);
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| StatementError::Pdf(e.to_string()))?;
    Ok(out)
}

/// Deflated streams of a batch, keyed by their exact bytes.
#[derive(Default)]
struct Deflated(Mutex<HashMap<Vec<u8>, Arc<Vec<u8>>>>);

fn zlib(bytes: &[u8], level: Compression) -> Option<Vec<u8>> {
    let mut e = ZlibEncoder::new(Vec::with_capacity(bytes.len() / 2), level);
    e.write_all(bytes).ok()?;
    e.finish().ok()
}

/// Compresses every stream as `lopdf::Document::compress` would (FlateDecode,
/// only when it helps), but an embedded font program (a stream with
/// `Length1`: the batch's font subsets, the same bytes in every file) is
/// deflated once per batch at the best level and reused, and the rest (page
/// contents, unique to each file) use the fast level.
fn deflate_streams(pdf: &mut lopdf::Document, shared: Option<&Deflated>) {
    for object in pdf.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let font = stream.dict.get(b"Length1").is_ok();
        let cached = match shared.filter(|_| font) {
            Some(cache) => {
                let hit = cache
                    .0
                    .lock()
                    .ok()
                    .and_then(|m| m.get(&stream.content).cloned());
                match hit {
                    Some(c) => Some(c),
                    None => zlib(&stream.content, Compression::best()).map(|c| {
                        let c = Arc::new(c);
                        if let Ok(mut m) = cache.0.lock() {
                            m.insert(stream.content.clone(), c.clone());
                        }
                        c
                    }),
                }
            }
            None => zlib(
                &stream.content,
                if font {
                    Compression::best()
                } else {
                    Compression::fast()
                },
            )
            .map(Arc::new),
        };
        if let Some(c) = cached {
            if c.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(c.as_ref().clone());
            }
        }
    }
}

/// Renders and writes statements into `folder` as `<file_stem>.pdf`, all or
/// nothing: files are written into a staging folder inside it first and
/// moved into place only when every one of them was written.
pub fn write_batch(
    statements: &[Statement],
    fonts: &Fonts,
    folder: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PathBuf>, StatementError> {
    let folder_err = |detail: String| StatementError::Folder {
        folder: folder.display().to_string(),
        detail,
    };
    let mut names = std::collections::HashSet::new();
    for s in statements {
        s.check()?;
        // One file per statement, on a file system that ignores case too.
        if !names.insert(s.file_stem.to_lowercase()) {
            return Err(StatementError::FileName {
                partner: s.partner_id.clone(),
                stem: s.file_stem.clone(),
            });
        }
    }
    std::fs::create_dir_all(folder).map_err(|e| folder_err(e.to_string()))?;
    let staging = folder.join(format!(".partnerdesk-statements-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(|e| folder_err(e.to_string()))?;
    let result = write_staged(statements, fonts, &staging, progress);
    let outcome = result.and_then(|names| {
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let to = folder.join(&name);
            std::fs::rename(staging.join(&name), &to).map_err(|e| folder_err(e.to_string()))?;
            out.push(to);
        }
        Ok(out)
    });
    if outcome.is_err() {
        // Nothing half-done: whatever was moved already goes too.
        for s in statements {
            let _ = std::fs::remove_file(folder.join(format!("{}.pdf", s.file_stem)));
        }
    }
    let _ = std::fs::remove_dir_all(&staging);
    outcome.map_err(|e| match e {
        StatementError::Folder { detail, .. } => folder_err(detail),
        other => other,
    })
}

fn write_staged(
    statements: &[Statement],
    fonts: &Fonts,
    staging: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<String>, StatementError> {
    let total = statements.len();
    let fonts = &fonts.subset_to(&chars_shown(statements))?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let deflated = &Deflated::default();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = total.div_ceil(threads).max(1);
    let results: Vec<Result<Vec<String>, StatementError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = statements
            .chunks(chunk)
            .map(|part| {
                let done = &done;
                scope.spawn(move || {
                    let mut names = Vec::with_capacity(part.len());
                    for s in part {
                        let bytes = render_with(s, fonts, false, Some(deflated))?;
                        let name = format!("{}.pdf", s.file_stem);
                        std::fs::write(staging.join(&name), bytes).map_err(|e| {
                            StatementError::Folder {
                                folder: staging.display().to_string(),
                                detail: e.to_string(),
                            }
                        })?;
                        names.push(name);
                        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        progress(n, total);
                    }
                    Ok(names)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StatementError::Folder {
                        folder: staging.display().to_string(),
                        detail: "a statement writer stopped unexpectedly".into(),
                    })
                })
            })
            .collect()
    });
    let mut names = Vec::with_capacity(total);
    for r in results {
        names.extend(r?);
    }
    Ok(names)
}
