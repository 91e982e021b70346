//! Page layout: A4, tables that continue on the next page with their header
//! repeated, a footer with "Page n of m" added once the page count is known.

use crate::Statement;
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PdfFontHandle, PdfPage, Point, Pt, Rgb, TextItem,
};
use rust_decimal::Decimal;

const WIDTH: f32 = 210.0;
const HEIGHT: f32 = 297.0;
const LEFT: f32 = 18.0;
const RIGHT: f32 = WIDTH - 18.0;
const TOP: f32 = HEIGHT - 18.0;
const BOTTOM: f32 = 22.0;
const ROW: f32 = 5.0;
const SIZE: f32 = 8.5;

/// Rows of a detail table that fit on a page after its header.
pub const PAGE_ROWS: usize = ((TOP - BOTTOM - 2.0 * ROW) / ROW) as usize;

/// Advance widths of DejaVu Sans (units per em 2048) for what amounts contain;
/// amounts are right-aligned with them.
fn amount_width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            '0'..='9' => 1303,
            '.' | ',' => 651,
            '-' => 739,
            ' ' => 651,
            _ => 1400,
        })
        .sum();
    // pt → mm
    units as f32 / 2048.0 * size * 0.352_778
}

fn money(d: Decimal) -> String {
    let mut a = d;
    a.rescale(2);
    a.to_string()
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

struct Col {
    title: &'static str,
    x: f32,
    align: Align,
}

struct Pages {
    regular: FontId,
    bold: FontId,
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    footer: String,
}

impl Pages {
    fn text(&mut self, x: f32, y: f32, s: &str, bold: bool, size: f32) {
        let font = if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Mm(x).into(),
                    y: Mm(y).into(),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    fn cell(&mut self, col: &Col, next_x: f32, y: f32, s: &str, bold: bool) {
        match col.align {
            Align::Left => {
                // Cut text that would run into the next column (about 0.55 em per character).
                let room = ((next_x - col.x - 2.0) / (SIZE * 0.352_778 * 0.55)).max(4.0) as usize;
                // Totals and headers are short labels that may span the next (empty) cell.
                let t: String = if !bold && s.chars().count() > room {
                    s.chars()
                        .take(room.saturating_sub(1))
                        .chain(['…'])
                        .collect()
                } else {
                    s.to_string()
                };
                self.text(col.x, y, &t, bold, SIZE)
            }
            Align::Right => {
                let w = amount_width(s, SIZE);
                self.text(col.x - w, y, s, bold, SIZE)
            }
        }
    }

    fn rule(&mut self, y: f32, grey: f32) {
        self.ops.extend([
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb {
                    r: grey,
                    g: grey,
                    b: grey,
                    icc_profile: None,
                }),
            },
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: Mm(LEFT).into(),
                                y: Mm(y).into(),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Mm(RIGHT).into(),
                                y: Mm(y).into(),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.done.push(ops);
        self.y = TOP;
    }

    fn need(&mut self, rows: f32) -> bool {
        if self.y - rows * ROW < BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn heading(&mut self, s: &str) {
        self.need(4.0);
        self.y -= ROW * 0.6;
        self.text(LEFT, self.y, s, true, 10.5);
        self.y -= ROW * 1.2;
    }

    fn header_row(&mut self, cols: &[Col]) {
        for (i, c) in cols.iter().enumerate() {
            let next = cols.get(i + 1).map(|n| n.x).unwrap_or(RIGHT);
            self.cell(c, next, self.y, c.title, true);
        }
        self.rule(self.y - 1.5, 0.4);
        self.y -= ROW;
    }

    /// A table whose rows continue on new pages under a repeated header.
    fn table(&mut self, cols: &[Col], rows: &[Vec<String>], total: Option<Vec<String>>) {
        self.need(3.0);
        self.header_row(cols);
        for r in rows {
            if self.need(1.0) {
                self.text(
                    LEFT,
                    self.y,
                    &format!("{} (continued)", self.footer),
                    false,
                    7.5,
                );
                self.y -= ROW;
                self.header_row(cols);
            }
            for (i, c) in cols.iter().enumerate() {
                let next = cols.get(i + 1).map(|n| n.x).unwrap_or(RIGHT);
                self.cell(
                    c,
                    next,
                    self.y,
                    r.get(i).map(String::as_str).unwrap_or(""),
                    false,
                );
            }
            self.y -= ROW;
        }
        if let Some(t) = total {
            self.need(1.0);
            self.rule(self.y + ROW - 1.5, 0.6);
            for (i, c) in cols.iter().enumerate() {
                let next = cols.get(i + 1).map(|n| n.x).unwrap_or(RIGHT);
                self.cell(
                    c,
                    next,
                    self.y,
                    t.get(i).map(String::as_str).unwrap_or(""),
                    true,
                );
            }
            self.y -= ROW;
        }
        self.y -= ROW * 0.5;
    }
}

const fn col(title: &'static str, x: f32, align: Align) -> Col {
    Col { title, x, align }
}

/// Lays the statement out on A4 pages.
pub fn pages(s: &Statement, regular: FontId, bold: FontId) -> Vec<PdfPage> {
    let mut p = Pages {
        regular,
        bold,
        done: Vec::new(),
        ops: Vec::new(),
        y: TOP,
        footer: format!("{} · {} · {}", s.title, s.partner_id, s.currency),
    };
    // Parties.
    p.text(LEFT, p.y, &s.operator.name, true, 11.0);
    p.text(120.0, p.y, &s.partner.name, true, 11.0);
    let lines = s.operator.lines.len().max(s.partner.lines.len());
    for i in 0..lines {
        let y = p.y - ROW * (i as f32 + 1.0);
        if let Some(l) = s.operator.lines.get(i) {
            p.text(LEFT, y, l, false, SIZE);
        }
        if let Some(l) = s.partner.lines.get(i) {
            p.text(120.0, y, l, false, SIZE);
        }
    }
    p.y -= ROW * (lines as f32 + 2.5);
    p.text(LEFT, p.y, &s.title, true, 15.0);
    p.y -= ROW * 1.4;
    p.text(
        LEFT,
        p.y,
        &format!(
            "Partner {} · amounts in {} · covers {} · issued {}",
            s.partner_id, s.currency, s.covers, s.issued
        ),
        false,
        SIZE,
    );
    p.y -= ROW * 1.6;

    // Summary.
    let commissions: Decimal = s.commissions.iter().map(|c| c.amount).sum();
    let adjustments: Decimal = s.adjustments.iter().map(|a| a.amount).sum();
    let payouts: Decimal = s.payouts.iter().map(|a| a.amount).sum();
    let summary = [
        col("Summary", LEFT, Align::Left),
        col("Amount", RIGHT, Align::Right),
    ];
    p.table(
        &summary,
        &[
            vec!["Opening balance".into(), money(s.opening_balance)],
            vec!["Commissions".into(), money(commissions)],
            vec!["Adjustments".into(), money(adjustments)],
            vec!["Payouts".into(), money(payouts)],
        ],
        Some(vec!["Closing balance".into(), money(s.closing_balance)]),
    );

    p.heading("Commissions by brand and kind");
    let ccols = [
        col("Brand", LEFT, Align::Left),
        col("Kind", 62.0, Align::Left),
        col("Basis", 100.0, Align::Left),
        col("Rate", 140.0, Align::Left),
        col("Amount", RIGHT, Align::Right),
    ];
    let rows: Vec<Vec<String>> = s
        .commissions
        .iter()
        .map(|c| {
            vec![
                c.brand.clone(),
                c.kind.clone(),
                c.basis.clone(),
                c.rate.clone(),
                money(c.amount),
            ]
        })
        .collect();
    p.table(
        &ccols,
        &rows,
        Some(vec![
            "Total commissions".into(),
            String::new(),
            String::new(),
            String::new(),
            money(commissions),
        ]),
    );

    let simple = [
        col("Date", LEFT, Align::Left),
        col("Description", 45.0, Align::Left),
        col("Amount", RIGHT, Align::Right),
    ];
    p.heading("Adjustments");
    let rows: Vec<Vec<String>> = s
        .adjustments
        .iter()
        .map(|a| vec![a.date.clone(), a.description.clone(), money(a.amount)])
        .collect();
    p.table(
        &simple,
        &rows,
        Some(vec![
            "Total adjustments".into(),
            String::new(),
            money(adjustments),
        ]),
    );
    p.heading("Payouts");
    let rows: Vec<Vec<String>> = s
        .payouts
        .iter()
        .map(|a| vec![a.date.clone(), a.description.clone(), money(a.amount)])
        .collect();
    p.table(
        &simple,
        &rows,
        Some(vec!["Total payouts".into(), String::new(), money(payouts)]),
    );

    // Detail: every entry with the running balance, from a fresh page.
    if !s.details.is_empty() {
        p.new_page();
        p.heading("Detail of ledger entries");
        let dcols = [
            col("Date", LEFT, Align::Left),
            col("Kind", 40.0, Align::Left),
            col("Reference", 75.0, Align::Left),
            col("Amount", 160.0, Align::Right),
            col("Balance", RIGHT, Align::Right),
        ];
        let rows: Vec<Vec<String>> = s
            .details
            .iter()
            .map(|d| {
                vec![
                    d.date.clone(),
                    d.kind.clone(),
                    d.reference.clone(),
                    money(d.amount),
                    money(d.balance),
                ]
            })
            .collect();
        p.table(
            &dcols,
            &rows,
            Some(vec![
                "Closing balance".into(),
                String::new(),
                String::new(),
                String::new(),
                money(s.closing_balance),
            ]),
        );
    }
    p.new_page();

    let total = p.done.len();
    let footer = p.footer.clone();
    let mut out = Vec::with_capacity(total);
    let pages = std::mem::take(&mut p.done);
    for (i, ops) in pages.into_iter().enumerate() {
        p.ops = ops;
        p.rule(BOTTOM - 6.0, 0.7);
        p.text(LEFT, BOTTOM - 10.0, &footer, false, 7.5);
        let label = format!("Page {} of {}", i + 1, total);
        let w = amount_width(&label, 7.5);
        p.text(RIGHT - w, BOTTOM - 10.0, &label, false, 7.5);
        out.push(PdfPage::new(
            Mm(WIDTH),
            Mm(HEIGHT),
            std::mem::take(&mut p.ops),
        ));
    }
    out
}
