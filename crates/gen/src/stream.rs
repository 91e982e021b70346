//! Streaming writers for the high-volume files: iGaming activity, trades and
//! purchases (for the whole range or for one extra day). Rows are generated
//! customer by customer and written straight to disk.

use std::path::Path;

use rand::rngs::StdRng;
use rand::Rng;

use crate::catalog::{
    pick_weighted, weight_sum, Vertical, BRANDS, HOUSE_COUPONS, PRODUCTS, SYMBOLS,
};
use crate::out::{push_cents, push_date, push_padded, push_time, CsvOut, DAY};
use crate::world::{CodeRef, Customer, World, NONE};
use crate::GenError;

pub(crate) const ACTIVITY_HEADER: &str =
    "customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes";
pub(crate) const TRADES_HEADER: &str = "trade_id,customer_id,brand_id,symbol,instrument_group,lots,open_time,close_time,commission,spread_revenue";
pub(crate) const PURCHASES_HEADER: &str =
    "order_id,customer_id,brand_id,product,amount,coupon_code,purchased_at,refunded_at";

/// Progress sink: (file name, units done, units total).
pub(crate) type Progress<'a> = &'a mut dyn FnMut(&'static str, u64, u64);

/// Progress is reported every 8192 customers (a power of two: cheap mask test).
const PROGRESS_MASK: u64 = 8191;

pub(crate) fn push_customer_id(buf: &mut Vec<u8>, idx: usize) {
    buf.push(b'C');
    push_padded(buf, idx as u64 + 1, 8);
}

/// Rounds `micro` millionths to a whole count, randomly rounding the fraction.
fn random_round(rng: &mut StdRng, micro: u64) -> u64 {
    let whole = micro / 1_000_000;
    let frac = micro % 1_000_000;
    whole + u64::from(rng.gen_range(0..1_000_000u64) < frac)
}

/// Daily activity probability of a customer, in millionths.
fn activity_p(world: &World, c: &Customer) -> u32 {
    (world.rates[0] * c.intensity as u64 / 1000).min(950_000) as u32
}

/// One day of play: deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes (cents).
fn igaming_day(rng: &mut StdRng, c: &Customer, first_deposit: bool, taxed: bool) -> [u64; 7] {
    let stake = c.stake as u64;
    let mut bets = if rng.gen_ratio(6, 100) {
        0 // a cashier-only day
    } else {
        stake * rng.gen_range(20..=250u64) / 100
    };
    if bets > 0 && rng.gen_ratio(3, 100) {
        bets *= rng.gen_range(2..=8u64);
    }
    let big_win = rng.gen_ratio(3, 1000);
    let rtp_bp = if big_win {
        rng.gen_range(30_000..=150_000u64)
    } else {
        rng.gen_range(6_800..=11_500u64)
    };
    let wins = bets * rtp_bp / 10_000;
    let mut deposits = 0;
    if c.flag && (first_deposit || rng.gen_ratio(30, 100)) {
        deposits = (stake * rng.gen_range(50..=300u64) / 100).max(1_000);
        if rng.gen_ratio(7, 10) {
            deposits = deposits / 100 * 100; // whole units
        }
    }
    let mut withdrawals = 0;
    if rng.gen_ratio(if big_win { 60 } else { 8 }, 100) {
        withdrawals = stake * rng.gen_range(50..=500u64) / 100;
        if big_win {
            withdrawals += wins / 2;
        }
    }
    if bets == 0 && deposits == 0 && withdrawals == 0 {
        // A row only exists for a day with some activity.
        deposits = (stake * rng.gen_range(50..=200u64) / 100).max(1_000) / 100 * 100;
    }
    let bonuses = if bets > 0 && rng.gen_ratio(12, 100) {
        bets * rng.gen_range(1..=8u64) / 100
    } else {
        0
    };
    let chargebacks = if rng.gen_ratio(3, 1000) {
        stake * rng.gen_range(50..=200u64) / 100
    } else {
        0
    };
    let taxes = if taxed { bets * 2 / 100 } else { 0 };
    [
        deposits,
        withdrawals,
        bets,
        wins,
        bonuses,
        chargebacks,
        taxes,
    ]
}

fn is_taxed(c: &Customer) -> bool {
    let brand = &BRANDS[c.brand as usize];
    brand.taxed.contains(&brand.countries[c.country as usize].0)
}

fn push_activity_row(buf: &mut Vec<u8>, ci: usize, c: &Customer, day: i64, v: &[u64; 7]) {
    push_customer_id(buf, ci);
    buf.push(b',');
    buf.extend_from_slice(BRANDS[c.brand as usize].id.as_bytes());
    buf.push(b',');
    push_date(buf, day);
    for x in v {
        buf.push(b',');
        push_cents(buf, *x);
    }
}

pub(crate) fn write_activity(
    world: &World,
    path: &Path,
    progress: Progress,
) -> Result<u64, GenError> {
    let mut rng = crate::world::rng_for(world.seed, crate::world::STREAM_ACTIVITY);
    let mut out = CsvOut::create(path, ACTIVITY_HEADER)?;
    let mut line = Vec::with_capacity(160);
    let dims = &world.dims;
    let total = count_vertical(world, Vertical::Igaming);
    let mut done = 0u64;
    for (ci, c) in world.customers.iter().enumerate() {
        if world.vertical_of(c) != Vertical::Igaming {
            continue;
        }
        let p = activity_p(world, c);
        let taxed = is_taxed(c);
        let mut deposited = false;
        for day in c.first_day(dims)..=dims.end_day {
            if rng.gen_range(0..1_000_000u32) >= p {
                continue;
            }
            let v = igaming_day(&mut rng, c, !deposited, taxed);
            deposited |= v[0] > 0;
            push_activity_row(&mut line, ci, c, day, &v);
            out.row(&mut line)?;
        }
        done += 1;
        if done & PROGRESS_MASK == 0 {
            progress(crate::FILE_ACTIVITY, done, total);
        }
    }
    progress(crate::FILE_ACTIVITY, total, total);
    out.finish()
}

fn count_vertical(world: &World, v: Vertical) -> u64 {
    world
        .customers
        .iter()
        .filter(|c| world.vertical_of(c) == v)
        .count() as u64
}

struct Trade {
    symbol: usize,
    lots: u64,
    open: i64,
    close: i64,
}

/// A trade closing in `[lo, hi)`, opened no earlier than the registration.
fn gen_trade(rng: &mut StdRng, c: &Customer, lo: i64, hi: i64, sym_sum: u32) -> Trade {
    let symbol = pick_weighted(&SYMBOLS, |s| s.2, rng.gen_range(0..sym_sum));
    let u = rng.gen_range(1..=100u64);
    let lots = (u * u * u / 2000).clamp(1, 500);
    let r = rng.gen_range(0..100u32);
    let hold = if r < 12 {
        rng.gen_range(3..60)
    } else if r < 52 {
        rng.gen_range(60..3600)
    } else if r < 87 {
        rng.gen_range(3600..DAY)
    } else {
        rng.gen_range(DAY..4 * DAY)
    };
    let mut close = rng.gen_range(lo..hi);
    let mut open = close - hold;
    if open < c.reg {
        open = c.reg;
        if close <= open {
            close = open + 1;
        }
    }
    Trade {
        symbol,
        lots,
        open,
        close,
    }
}

/// Writes one trade row; `id` is written by the caller-supplied closure.
fn push_trade_row(buf: &mut Vec<u8>, ci: usize, c: &Customer, t: &Trade, rng: &mut StdRng) {
    let (sym, group, _, spread_per_lot) = SYMBOLS[t.symbol];
    push_customer_id(buf, ci);
    buf.push(b',');
    buf.extend_from_slice(BRANDS[c.brand as usize].id.as_bytes());
    buf.push(b',');
    buf.extend_from_slice(sym.as_bytes());
    buf.push(b',');
    buf.extend_from_slice(group.as_bytes());
    buf.push(b',');
    push_cents(buf, t.lots);
    buf.push(b',');
    push_time(buf, t.open);
    buf.push(b',');
    push_time(buf, t.close);
    // Raw accounts pay 7 USD per lot and a tighter spread.
    let (commission, spread) = if c.flag {
        (t.lots * 700 / 100, spread_per_lot / 4)
    } else {
        (0, spread_per_lot)
    };
    let spread_rev = t.lots * spread * rng.gen_range(50..=150u64) / 10_000;
    buf.push(b',');
    push_cents(buf, commission);
    buf.push(b',');
    push_cents(buf, spread_rev);
}

pub(crate) fn write_trades(
    world: &World,
    path: &Path,
    progress: Progress,
) -> Result<u64, GenError> {
    let mut rng = crate::world::rng_for(world.seed, crate::world::STREAM_TRADES);
    let mut out = CsvOut::create(path, TRADES_HEADER)?;
    let mut line = Vec::with_capacity(200);
    let dims = &world.dims;
    let hi = (dims.end_day + 1) * DAY;
    let sym_sum = weight_sum(&SYMBOLS, |s| s.2);
    let total = count_vertical(world, Vertical::Forex);
    let mut done = 0u64;
    let mut trades: Vec<Trade> = Vec::new();
    for (ci, c) in world.customers.iter().enumerate() {
        if world.vertical_of(c) != Vertical::Forex {
            continue;
        }
        let lo = c.reg.max(dims.start_day * DAY);
        if hi - lo >= 120 {
            let expected = world.rates[1] * c.avail_days(dims) as u64 * c.intensity as u64 / 1000;
            let n = random_round(&mut rng, expected);
            trades.clear();
            for _ in 0..n {
                trades.push(gen_trade(&mut rng, c, lo, hi, sym_sum));
            }
            trades.sort_by_key(|t| (t.open, t.close));
            for t in &trades {
                line.push(b'T');
                push_padded(&mut line, out.rows() + 1, 10);
                line.push(b',');
                push_trade_row(&mut line, ci, c, t, &mut rng);
                out.row(&mut line)?;
            }
        }
        done += 1;
        if done & PROGRESS_MASK == 0 {
            progress(crate::FILE_TRADES, done, total);
        }
    }
    progress(crate::FILE_TRADES, total, total);
    out.finish()
}

/// The coupon cell of a purchase.
enum Coupon {
    None,
    Partner(u32),
    House(usize),
}

/// The coupon code of entry `ei` of brand `b` (prop entries: referral, coupon).
fn partner_coupon(world: &World, b: usize, ei: usize) -> u32 {
    world.entries[b][ei].code_start + 1
}

fn pick_coupon(rng: &mut StdRng, world: &World, c: &Customer) -> Coupon {
    let b = c.brand as usize;
    let n_entries = world.entries[b].len();
    let r = rng.gen_range(0..100u32);
    let attributed = c.entry != NONE && matches!(c.code, CodeRef::Known(_));
    let (own, other, house) = if attributed {
        (35, 42, 47)
    } else {
        (0, 20, 28)
    };
    if r < own {
        Coupon::Partner(partner_coupon(world, b, c.entry as usize))
    } else if r < other && n_entries > 0 {
        Coupon::Partner(partner_coupon(world, b, rng.gen_range(0..n_entries)))
    } else if r < house {
        Coupon::House(rng.gen_range(0..HOUSE_COUPONS.len()))
    } else {
        Coupon::None
    }
}

/// Writes one purchase row after the order id.
fn push_purchase_row(
    rng: &mut StdRng,
    world: &World,
    buf: &mut Vec<u8>,
    ci: usize,
    c: &Customer,
    at: i64,
    refund_limit: i64,
) {
    let psum = weight_sum(&PRODUCTS, |p| p.2);
    let (product, price, _) = PRODUCTS[pick_weighted(&PRODUCTS, |p| p.2, rng.gen_range(0..psum))];
    let coupon = pick_coupon(rng, world, c);
    let amount = match coupon {
        Coupon::None => price,
        Coupon::Partner(_) => price * 90 / 100,
        Coupon::House(i) => price * (100 - HOUSE_COUPONS[i].1) / 100,
    };
    push_customer_id(buf, ci);
    buf.push(b',');
    buf.extend_from_slice(BRANDS[c.brand as usize].id.as_bytes());
    buf.push(b',');
    buf.extend_from_slice(product.as_bytes());
    buf.push(b',');
    push_cents(buf, amount);
    buf.push(b',');
    match coupon {
        Coupon::None => {}
        Coupon::Partner(code) => world.push_code(buf, code),
        Coupon::House(i) => buf.extend_from_slice(HOUSE_COUPONS[i].0.as_bytes()),
    }
    buf.push(b',');
    push_time(buf, at);
    buf.push(b',');
    if rng.gen_ratio(6, 100) {
        let refunded = at + rng.gen_range(3600..=25 * DAY);
        if refunded < refund_limit {
            push_time(buf, refunded);
        }
    }
}

pub(crate) fn write_purchases(
    world: &World,
    path: &Path,
    progress: Progress,
) -> Result<u64, GenError> {
    let mut rng = crate::world::rng_for(world.seed, crate::world::STREAM_PURCHASES);
    let mut out = CsvOut::create(path, PURCHASES_HEADER)?;
    let mut line = Vec::with_capacity(200);
    let dims = &world.dims;
    let hi = (dims.end_day + 1) * DAY;
    let total = count_vertical(world, Vertical::Prop);
    let mut done = 0u64;
    let mut times: Vec<i64> = Vec::new();
    for (ci, c) in world.customers.iter().enumerate() {
        if world.vertical_of(c) != Vertical::Prop {
            continue;
        }
        let lo = c.reg.max(dims.start_day * DAY);
        if hi - lo >= 120 {
            let expected = world.rates[2] * c.avail_days(dims) as u64 * c.intensity as u64 / 1000;
            let n = random_round(&mut rng, expected);
            times.clear();
            if n > 0 {
                // The first challenge is usually bought within days of signing up.
                let first = (lo + rng.gen_range(0..3 * DAY)).min(hi - 1);
                times.push(first);
                for _ in 1..n {
                    times.push(rng.gen_range(first..hi));
                }
                times.sort_unstable();
            }
            for &at in &times {
                line.push(b'O');
                push_padded(&mut line, out.rows() + 1, 9);
                line.push(b',');
                push_purchase_row(&mut rng, world, &mut line, ci, c, at, hi);
                out.row(&mut line)?;
            }
        }
        done += 1;
        if done & PROGRESS_MASK == 0 {
            progress(crate::FILE_PURCHASES, done, total);
        }
    }
    progress(crate::FILE_PURCHASES, total, total);
    out.finish()
}

/// Writes the three activity files for one extra day `day` (days since epoch).
/// Ids of extra trades and orders embed the date (`T20260801-0000001`), so they
/// never collide with the main range's ids.
pub(crate) fn write_extra_day(
    world: &World,
    dir: &Path,
    day: i64,
) -> Result<Vec<(String, u64)>, GenError> {
    let stream = crate::world::STREAM_EXTRA ^ ((day as u64) << 8);
    let mut rng = crate::world::rng_for(world.seed, stream);
    let day_ts = day * DAY;
    let hi = day_ts + DAY;
    let mut date_tag = Vec::new();
    push_date(&mut date_tag, day);
    date_tag.retain(|b| *b != b'-');

    let mut act = CsvOut::create(&dir.join(crate::FILE_ACTIVITY), ACTIVITY_HEADER)?;
    let mut trades = CsvOut::create(&dir.join(crate::FILE_TRADES), TRADES_HEADER)?;
    let mut purchases = CsvOut::create(&dir.join(crate::FILE_PURCHASES), PURCHASES_HEADER)?;
    let mut line = Vec::with_capacity(200);
    let sym_sum = weight_sum(&SYMBOLS, |s| s.2);
    let mut batch: Vec<Trade> = Vec::new();
    let mut times: Vec<i64> = Vec::new();
    for (ci, c) in world.customers.iter().enumerate() {
        if c.reg >= hi - 120 {
            continue;
        }
        let lo = c.reg.max(day_ts);
        match world.vertical_of(c) {
            Vertical::Igaming => {
                if rng.gen_range(0..1_000_000u32) < activity_p(world, c) {
                    let v = igaming_day(&mut rng, c, false, is_taxed(c));
                    push_activity_row(&mut line, ci, c, day, &v);
                    act.row(&mut line)?;
                }
            }
            Vertical::Forex => {
                let n = random_round(&mut rng, world.rates[1] * c.intensity as u64 / 1000);
                batch.clear();
                for _ in 0..n {
                    batch.push(gen_trade(&mut rng, c, lo, hi, sym_sum));
                }
                batch.sort_by_key(|t| (t.open, t.close));
                for t in &batch {
                    line.push(b'T');
                    line.extend_from_slice(&date_tag);
                    line.push(b'-');
                    push_padded(&mut line, trades.rows() + 1, 7);
                    line.push(b',');
                    push_trade_row(&mut line, ci, c, t, &mut rng);
                    trades.row(&mut line)?;
                }
            }
            Vertical::Prop => {
                let n = random_round(&mut rng, world.rates[2] * c.intensity as u64 / 1000);
                times.clear();
                for _ in 0..n {
                    times.push(rng.gen_range(lo..hi));
                }
                times.sort_unstable();
                for &at in &times {
                    line.push(b'O');
                    line.extend_from_slice(&date_tag);
                    line.push(b'-');
                    push_padded(&mut line, purchases.rows() + 1, 6);
                    line.push(b',');
                    push_purchase_row(&mut rng, world, &mut line, ci, c, at, hi);
                    purchases.row(&mut line)?;
                }
            }
        }
    }
    Ok(vec![
        (crate::FILE_ACTIVITY.to_string(), act.finish()?),
        (crate::FILE_TRADES.to_string(), trades.finish()?),
        (crate::FILE_PURCHASES.to_string(), purchases.finish()?),
    ])
}
