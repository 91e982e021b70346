//! The MT5 Web API as MetaQuotes documents it for managers (Web API,
//! "Connection and authentication", "Users", "Deals"; the official PHP and
//! Node examples):
//!
//! * The session belongs to the TCP connection: `/api/auth/start` and
//!   `/api/auth/answer` must come on the same connection (the answer on
//!   another one is refused with retcode `3 Invalid parameters`), no cookie
//!   is set, and a command on a connection that has not signed in is
//!   answered HTTP 403 with retcode `8` (MT_RET_ERR_PERMISSIONS). Switches:
//!   `session_calls` (the server closes a connection after N commands),
//!   `idle_close_ms` (it closes idle connections); `/api/test/access`
//!   keeps a connection busy.
//! * Numbers are JSON strings (`mt5_numbers`: numbers). `get_total`
//!   answers `{"Total": "10"}` ("Deals / Get Total").
//! * Times (`Registration`, deal `Time`/`TimeMsc`, and `from`/`to`) are the
//!   trade server's wall clock (the `mt5_timezone` setting).
//! * Deals carry `VolumeExt` (1/100,000,000 lot) beside `Volume` (1/10,000
//!   lot, truncated) unless `no_volume_ext`; a commission charged to the
//!   client is negative.
//! * `Country` is the free text of the account (English names, local
//!   spellings; `country_codes`: ISO codes; `empty_country_every`: empty).
//! * `late_deals`: every Nth deal is booked late (missing from its range
//!   until that range was read once).
//! * `no_deal_batch`: get_batch for deals unknown (404, or retcodes 12002
//!   / 12000, MT5APIRetcode.h).

use crate::data::Deal;
use crate::{Reply, Sim};
use axum::http::StatusCode;
use chrono::DateTime;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;

/// A connection's session.
#[derive(Debug, Default)]
pub struct Session {
    srv_rand: Option<Vec<u8>>,
    signed_in: bool,
    commands: u32,
}

fn password_hash(password: &str) -> [u8; 16] {
    let utf16: Vec<u8> = password
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut h = Md5::new();
    h.update(Md5::digest(&utf16));
    h.update(b"WebAPI");
    h.finalize().into()
}

fn answer(password: &str, random: &[u8]) -> String {
    let mut h = Md5::new();
    h.update(password_hash(password));
    h.update(random);
    hex::encode(h.finalize())
}

/// A number as the server writes it: a JSON string, or a number.
fn num(sim: &Sim, n: impl std::fmt::Display) -> String {
    if sim.faults.mt5_numbers.load(Ordering::SeqCst) {
        n.to_string()
    } else {
        format!("\"{n}\"")
    }
}

/// Writes a number as the server does, without an allocation (the
/// benchmark serves a million deals).
fn put(out: &mut String, quoted: bool, n: impl std::fmt::Display) {
    if quoted {
        let _ = write!(out, "\"{n}\"");
    } else {
        let _ = write!(out, "{n}");
    }
}

/// A UTC time as server milliseconds (its wall clock written as if UTC).
fn server_ms(sim_zone: chrono_tz::Tz, utc_ms: i64) -> i64 {
    if sim_zone == chrono_tz::UTC {
        return utc_ms;
    }
    match DateTime::from_timestamp_millis(utc_ms) {
        Some(t) => t
            .with_timezone(&sim_zone)
            .naive_local()
            .and_utc()
            .timestamp_millis(),
        None => utc_ms,
    }
}

pub(crate) fn route(sim: &Sim, conn: u64, path: &str, q: &HashMap<String, String>) -> Reply {
    match path {
        "/api/auth/start" => start(sim, conn, q),
        "/api/auth/answer" => answer_step(sim, conn, q),
        "/api/test/access"
        | "/api/user/get_batch"
        | "/api/user/logins"
        | "/api/deal/get_batch"
        | "/api/deal/get_total"
        | "/api/deal/get_page" => {
            let close = match command(sim, conn) {
                Err(r) => return r,
                Ok(close) => close,
            };
            let mut r = match path {
                "/api/test/access" => {
                    sim.stats.pings.fetch_add(1, Ordering::SeqCst);
                    Reply::ok(&json!({"retcode": "0 Done"}))
                }
                "/api/user/get_batch" => users(sim),
                "/api/user/logins" => logins(sim),
                "/api/deal/get_total" => deal_total(sim, q),
                "/api/deal/get_page" => deal_page(sim, q),
                _ => deal_batch(sim, q),
            };
            if close {
                r.headers.push(("connection", "close".into()));
            }
            r
        }
        _ => Reply::error(StatusCode::NOT_FOUND, "no such endpoint"),
    }
}

fn start(sim: &Sim, conn: u64, q: &HashMap<String, String>) -> Reply {
    if q.get("login").map(String::as_str) != Some(sim.auth.mt5_login.as_str())
        || q.get("type").map(String::as_str) != Some("manager")
    {
        return Reply::ok(&json!({"retcode": "1001 Invalid account"}));
    }
    let srv_rand: [u8; 16] = rand::random();
    if let Ok(mut s) = sim.sessions.lock() {
        let session = s.mt5.entry(conn).or_default();
        session.srv_rand = Some(srv_rand.to_vec());
        session.signed_in = false;
    }
    Reply::ok(
        &json!({"retcode": "0 Done", "version_access": "3470", "srv_rand": hex::encode(srv_rand)}),
    )
}

fn answer_step(sim: &Sim, conn: u64, q: &HashMap<String, String>) -> Reply {
    let Ok(mut s) = sim.sessions.lock() else {
        return Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "lock");
    };
    // Only the connection that started the handshake can answer it.
    let Some(srv_rand) = s.mt5.get_mut(&conn).and_then(|x| x.srv_rand.take()) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters"}));
    };
    let expected = answer(&sim.auth.mt5_password, &srv_rand);
    if q.get("srv_rand_answer").map(|a| a.to_ascii_lowercase()) != Some(expected) {
        return Reply::ok(&json!({"retcode": "3006 Invalid account password"}));
    }
    let Some(cli_rand) = q.get("cli_rand").and_then(|c| hex::decode(c).ok()) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters"}));
    };
    if let Some(x) = s.mt5.get_mut(&conn) {
        x.signed_in = true;
        x.commands = 0;
    }
    sim.stats.sign_ins.fetch_add(1, Ordering::SeqCst);
    Reply::ok(
        &json!({"retcode": "0 Done", "cli_rand_answer": answer(&sim.auth.mt5_password, &cli_rand), "version_trade": 3470}),
    )
}

/// A command on `conn`: refused without a session; true when the server
/// closes the connection after answering it (`session_calls`).
fn command(sim: &Sim, conn: u64) -> Result<bool, Reply> {
    let limit = sim.faults.session_calls.load(Ordering::SeqCst);
    let Ok(mut s) = sim.sessions.lock() else {
        return Err(Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "lock"));
    };
    match s.mt5.get_mut(&conn) {
        Some(x) if x.signed_in => {
            x.commands += 1;
            Ok(limit > 0 && x.commands >= limit)
        }
        _ => Err(Reply::json(
            StatusCode::FORBIDDEN,
            &json!({"retcode": "8 Not enough permissions"}),
        )),
    }
}

fn users(sim: &Sim) -> Reply {
    let zone = sim.settings().mt5_zone;
    let codes = sim.faults.country_codes.load(Ordering::SeqCst);
    let empty_every = sim.faults.empty_country_every.load(Ordering::SeqCst);
    let mut out = String::from("{\"retcode\":\"0 Done\",\"answer\":[");
    for (i, a) in sim.data.accounts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let country = if empty_every > 0 && a.login % empty_every == 0 {
            String::new()
        } else if codes {
            a.country.clone()
        } else {
            crate::countries::free_text(&a.country, a.login)
        };
        let agent = if a.agent.is_empty() { "0" } else { &a.agent };
        let _ = write!(
            out,
            "{{\"Login\":{},\"Group\":\"real\\\\standard\",\"Agent\":{},\"Country\":{},\"Registration\":{},\"Name\":\"Client {}\"}}",
            num(sim, a.login),
            Value::String(agent.to_string()),
            Value::String(country),
            num(sim, server_ms(zone, a.registered * 1000) / 1000),
            a.login
        );
    }
    out.push_str("]}");
    Reply::text(StatusCode::OK, out)
}

fn logins(sim: &Sim) -> Reply {
    let answer: Vec<String> = sim
        .data
        .accounts
        .iter()
        .map(|a| a.login.to_string())
        .collect();
    Reply::ok(&json!({"retcode": "0 Done", "answer": answer}))
}

/// `from` and `to` (server seconds, both included) of a deal request.
fn deal_range(q: &HashMap<String, String>) -> Option<(i64, i64)> {
    Some((
        q.get("from")?.parse::<i64>().ok()?,
        q.get("to")?.parse::<i64>().ok()?,
    ))
}

/// The deals whose server time is in `[from, to]` (server seconds), of one
/// login if given, sorted by time; late deals not yet released are left
/// out, and released when `release` (the range has now been read).
fn deals_in(sim: &Sim, from: i64, to: i64, login: Option<u64>, release: bool) -> Vec<&Deal> {
    let zone = sim.settings().mt5_zone;
    let deals = &sim.data.deals;
    // Server clocks are within ±14 h of UTC: search that span, then compare
    // server times.
    let span = 14 * 3_600_000;
    let lo = deals.partition_point(|d| d.time_msc < from * 1000 - span);
    let hi = deals.partition_point(|d| d.time_msc < (to + 1) * 1000 + span);
    let late = sim.faults.late_deals.load(Ordering::SeqCst);
    let mut released = sim.released.lock().ok();
    let mut out = Vec::new();
    for d in &deals[lo..hi] {
        let t = server_ms(zone, d.time_msc);
        if t < from * 1000 || t >= (to + 1) * 1000 || login.is_some_and(|l| d.login != l) {
            continue;
        }
        if late > 0 && d.ticket % late == 0 {
            if let Some(r) = released.as_mut() {
                if !r.contains(&d.ticket) {
                    if release {
                        r.insert(d.ticket);
                    }
                    continue;
                }
            }
        }
        out.push(d);
    }
    out
}

/// Deals as the Web API lists them (each twice with `duplicate_pages`).
fn deal_list(sim: &Sim, deals: &[&Deal]) -> Reply {
    let zone = sim.settings().mt5_zone;
    let twice = sim.faults.duplicate_pages.load(Ordering::SeqCst);
    let ext = !sim.faults.no_volume_ext.load(Ordering::SeqCst);
    let q = !sim.faults.mt5_numbers.load(Ordering::SeqCst);
    let mut out = String::with_capacity(64 * 1024 + deals.len() * 300);
    out.push_str("{\"retcode\":\"0 Done\",\"answer\":[");
    let mut first = true;
    for d in deals {
        let t = server_ms(zone, d.time_msc);
        for _ in 0..if twice { 2 } else { 1 } {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str("{\"Deal\":");
            put(&mut out, q, d.ticket);
            out.push_str(",\"Login\":");
            put(&mut out, q, d.login);
            out.push_str(",\"Time\":");
            put(&mut out, q, t.div_euclid(1000));
            out.push_str(",\"TimeMsc\":");
            put(&mut out, q, t);
            out.push_str(",\"Action\":");
            put(&mut out, q, d.action);
            out.push_str(",\"Entry\":");
            put(&mut out, q, d.entry);
            let _ = write!(out, ",\"Symbol\":\"{}\",\"Volume\":", d.symbol);
            put(&mut out, q, d.volume_ext / 10_000);
            if ext {
                out.push_str(",\"VolumeExt\":");
                put(&mut out, q, d.volume_ext);
            }
            out.push_str(",\"PositionID\":");
            put(&mut out, q, d.position);
            out.push_str(",\"Commission\":");
            put(&mut out, q, d.commission);
            out.push_str(",\"Profit\":");
            put(&mut out, q, "0.00");
            out.push_str(",\"Storage\":");
            put(&mut out, q, "0.00");
            out.push('}');
        }
    }
    out.push_str("]}");
    Reply::text(StatusCode::OK, out)
}

fn deal_batch(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    match sim.faults.no_deal_batch.load(Ordering::SeqCst) {
        0 => {}
        2 => return Reply::ok(&json!({"retcode": "12002 Command not supported"})),
        3 => return Reply::ok(&json!({"retcode": "12000 Not implemented"})),
        _ => return Reply::error(StatusCode::NOT_FOUND, "no such endpoint"),
    }
    let Some((from, to)) = deal_range(q) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters"}));
    };
    deal_list(sim, &deals_in(sim, from, to, None, true))
}

/// `login`, `from`, `to` of `get_total` / `get_page`.
fn login_range(q: &HashMap<String, String>) -> Option<(u64, i64, i64)> {
    let login = q.get("login")?.parse::<u64>().ok()?;
    let (from, to) = deal_range(q)?;
    Some((login, from, to))
}

fn deal_total(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let Some((login, from, to)) = login_range(q) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters"}));
    };
    let total = deals_in(sim, from, to, Some(login), false).len();
    Reply::text(
        StatusCode::OK,
        format!(
            "{{\"retcode\":\"0 Done\",\"answer\":{{\"Total\":{}}}}}",
            num(sim, total)
        ),
    )
}

fn deal_page(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let (Some((login, from, to)), Some(offset), Some(total)) = (
        login_range(q),
        q.get("offset").and_then(|v| v.parse::<usize>().ok()),
        q.get("total").and_then(|v| v.parse::<usize>().ok()),
    ) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters"}));
    };
    if total == 0 || total > 100 {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters"}));
    }
    let all = deals_in(sim, from, to, Some(login), true);
    let page: Vec<&Deal> = all.into_iter().skip(offset).take(total).collect();
    deal_list(sim, &page)
}
