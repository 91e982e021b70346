//! The mixed suite: four workers on connections of their own in this
//! process and two processes of the real `partnerdesk` binary import, edit
//! partners, queue and decide approvals, sign in with wrong passwords and
//! run commissions at the same time, on a schedule drawn from a fixed seed.
//! Afterwards: no change was lost, a stale edit was refused, one request at
//! most waits per object, the sign-in lock engaged at its threshold with
//! every failure counted, no raw lock error reached anyone, the audit chain
//! holds, and a run after the last change stores exactly the lines of a
//! computation from the first period.

use super::{acting, add_user, assert_no_raw_lock_error, at_once, password, stores};
use crate::support::TestDb;
use partnerdesk_app::access::Role;
use partnerdesk_app::approvals::{self, Request};
use partnerdesk_app::change::{Change, PlanAssignment};
use partnerdesk_app::wire::AssignmentView;
use partnerdesk_app::{audit, commissions, import, partners, users, Context};
use partnerdesk_domain::Period;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const SEED: u64 = 2026_0026;
const THROUGH: &str = "2026-08";
const PLAIN_WRONG: &str = "the user name or password is wrong";

/// The `partnerdesk` binary beside this test's executable (target/debug):
/// `cargo build --workspace --all-targets` (and `cargo test --workspace`)
/// build it; Cargo names it only to its own package's tests
/// (CARGO_BIN_EXE_partnerdesk in crates/cli/tests).
fn partnerdesk_binary() -> PathBuf {
    let me = std::env::current_exe().expect("the test's own path");
    let dir = me
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let bin = dir.join(format!("partnerdesk{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build --workspace --all-targets)",
        bin.display()
    );
    bin
}

#[derive(Debug, Clone)]
enum Op {
    Import(PathBuf),
    /// Adds a tag to a partner (read and written in one transaction).
    Tag(String, String),
    /// Opens a partner, changes it, then saves from the version opened.
    Stale(String, String),
    Queue(String),
    Decide,
    WrongPassword,
    Run,
}

/// What the workers and processes saw.
#[derive(Default)]
struct Seen {
    tags: Vec<(String, String)>,
    stale_refused: usize,
    stale_tried: usize,
    stale_markers: Vec<String>,
    queued: usize,
    already_waiting: usize,
    wrong_passwords: usize,
    plain_wrong: usize,
    /// Every error text anyone got (checked for raw lock errors).
    errors: Vec<String>,
}

struct Cast {
    alice: Context,
    bob: Context,
    carol: Context,
}

fn cast(db: &TestDb, store: &partnerdesk_app::Store) -> Cast {
    Cast {
        alice: acting(db, store, "alice", &[Role::Admin]),
        bob: acting(db, store, "bob", &[Role::PartnerManager]),
        carol: acting(db, store, "carol", &[Role::Compliance]),
    }
}

async fn perform(who: &Cast, op: Op, seen: &Mutex<Seen>) {
    let note_err = |e: &dyn std::fmt::Display| {
        let text = e.to_string();
        seen.lock().unwrap().errors.push(text.clone());
        text
    };
    match op {
        Op::Import(dir) => {
            if let Err(e) = import::import_folder(&who.alice, &dir).await {
                panic!("import of {} failed: {}", dir.display(), note_err(&e));
            }
        }
        Op::Tag(p, tag) => {
            let t = tag.clone();
            match partners::edit_from(&who.bob, &p, move |mut input| {
                input.tags.push(t);
                input
            })
            .await
            {
                Ok(_) => seen.lock().unwrap().tags.push((p, tag)),
                Err(e) => panic!("adding tag {tag} to {p} failed: {}", note_err(&e)),
            }
        }
        Op::Stale(p, marker) => {
            let opened = partners::get(&who.bob, &p).await.unwrap();
            partners::edit_from(&who.bob, &p, |mut input| {
                input.notes = format!("fresh {marker}");
                input
            })
            .await
            .unwrap();
            let mut input = partners::get(&who.bob, &p)
                .await
                .map(|d| {
                    let r = d.partner;
                    partnerdesk_app::wire::PartnerInput {
                        partner_id: r.partner_id,
                        name: r.name,
                        kind: r.kind.as_str().into(),
                        parent_id: r.parent_id,
                        email: r.email,
                        country: r.country.map(|c| c.to_string()),
                        currency: r.currency.to_string(),
                        status: r.status.as_str().into(),
                        tags: r.tags,
                        notes: d.notes,
                        contact_name: d.contact_name,
                        phone: d.phone,
                        row_version: None,
                    }
                })
                .unwrap();
            input.notes = format!("stale {marker}");
            input.row_version = Some(opened.row_version);
            let r = partners::edit(&who.bob, &p, input).await;
            let mut s = seen.lock().unwrap();
            s.stale_tried += 1;
            s.stale_markers.push(marker);
            match r {
                Err(e) if e.code() == "stale" => {
                    s.stale_refused += 1;
                    s.errors.push(e.to_string());
                }
                other => panic!("an edit from an old version was not refused: {other:?}"),
            }
        }
        Op::Queue(object) => {
            let r = approvals::submit(
                &who.bob,
                Request {
                    change: Change::PlanAssign(PlanAssignment(AssignmentView {
                        partner_id: object.clone(),
                        brand_id: "CAS".into(),
                        plan_id: "concurrency".into(),
                        valid_from: "2040-01-01".into(),
                        valid_to: None,
                    })),
                    object_type: "concurrency",
                    object_id: &object,
                    summary: format!("a request for {object}"),
                    amount: None,
                    object_maker: None,
                },
            )
            .await;
            match r {
                Ok(Some(_)) => seen.lock().unwrap().queued += 1,
                Err(e)
                    if e.to_string()
                        .contains("already waits for approval (request #") =>
                {
                    note_err(&e);
                    seen.lock().unwrap().already_waiting += 1;
                }
                other => panic!("queueing for {object}: {other:?}"),
            }
        }
        Op::Decide => {
            let pending = approvals::list(&who.carol, Some("pending".into()))
                .await
                .unwrap();
            for a in pending.iter().filter(|a| a.object_type == "concurrency") {
                if let Err(e) = approvals::decide(&who.carol, a.approval_id, false, "not now").await
                {
                    let text = note_err(&e);
                    assert!(
                        text.contains("has already been"),
                        "deciding request #{}: {text}",
                        a.approval_id
                    );
                }
            }
        }
        Op::WrongPassword => {
            let e = users::sign_in(&who.alice.store, "mallory", "not the password")
                .await
                .expect_err("a wrong password never signs in");
            let text = note_err(&e);
            let mut s = seen.lock().unwrap();
            s.wrong_passwords += 1;
            s.plain_wrong += usize::from(text == PLAIN_WRONG);
        }
        Op::Run => {
            if let Err(e) = commissions::run(&who.alice, p(THROUGH)).await {
                panic!("a commission run failed: {}", note_err(&e));
            }
        }
    }
}

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

/// One command of a `partnerdesk` process, signed in as `user`.
fn command(url: &str, user: &str, password: &str, args: &[String]) -> std::process::Output {
    std::process::Command::new(partnerdesk_binary())
        .args(args)
        .env("PARTNERDESK_DATABASE_URL", url)
        .env("PARTNERDESK_USER", user)
        .env("PARTNERDESK_PASSWORD", password)
        .env_remove("PARTNERDESK_DATA_DIR")
        .output()
        .expect("the partnerdesk binary runs")
}

/// A process's commands: (signed in as, password, arguments, whether it must succeed).
type Script = Vec<(&'static str, String, Vec<String>, bool)>;

fn script(rng: &mut StdRng, import: &Path, notes_of: &str, n: usize) -> Script {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut out: Script = vec![
        (
            "alice",
            password("alice"),
            s(&["import", &import.display().to_string()]),
            true,
        ),
        (
            "alice",
            password("alice"),
            s(&[
                "partners",
                "edit",
                notes_of,
                "--notes",
                &format!("from process {n}"),
            ]),
            true,
        ),
        (
            "alice",
            password("alice"),
            s(&["commissions", "run", "--period", THROUGH]),
            true,
        ),
    ];
    for _ in 0..2 {
        let at = rng.gen_range(0..=out.len());
        out.insert(
            at,
            (
                "mallory",
                "not the password".into(),
                s(&["partners", "list"]),
                false,
            ),
        );
    }
    out
}

/// Runs `script` as one process's commands in order; what they printed to
/// stderr goes to `seen`.
fn run_script(url: &str, script: Script, seen: &Mutex<Seen>) {
    for (user, pw, args, must_succeed) in script {
        let out = command(url, user, &pw, &args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        let mut s = seen.lock().unwrap();
        if !err.trim().is_empty() {
            s.errors.push(err.clone());
        }
        if must_succeed {
            assert!(out.status.success(), "partnerdesk {args:?} failed: {err}");
        } else {
            assert!(
                !out.status.success(),
                "partnerdesk {args:?} as {user} signed in"
            );
            s.wrong_passwords += 1;
            s.plain_wrong += usize::from(err.contains(PLAIN_WRONG) && !err.contains("wait"));
        }
    }
}

async fn writers_of_every_kind_at_once_keep_every_change(db: &TestDb) {
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(SEED);
    // Generated data from July 1 to August 9, then one more day per import.
    let dir = tempfile::tempdir().unwrap();
    let opts = partnerdesk_gen::GenOptions::new(
        partnerdesk_gen::Scale::Custom {
            partners: 30,
            customers: 300,
            days: 40,
        },
        SEED,
    );
    let main = dir.path().join("main");
    partnerdesk_gen::generate(&opts, &main, &mut |_, _, _| {}).unwrap();
    let days: Vec<PathBuf> = (10..16)
        .map(|d| {
            let out = dir.path().join(format!("day-{d}"));
            let day = chrono::NaiveDate::from_ymd_opt(2026, 8, d).unwrap();
            partnerdesk_gen::generate_extra_day(&opts, &out, day).unwrap();
            out
        })
        .collect();
    import::import_folder(&db.ctx, &main).await.unwrap();
    add_user(&db.ctx, "alice", &[Role::Admin]).await;
    let admin = acting(db, &db.ctx.store, "alice", &[Role::Admin]);
    for (u, role) in [
        ("bob", Role::PartnerManager),
        ("carol", Role::Compliance),
        ("mallory", Role::Viewer),
    ] {
        add_user(&admin, u, &[role]).await;
    }
    commissions::run(&admin, p(THROUGH)).await.unwrap();
    let ids: Vec<String> = partners::search(
        &admin,
        &partnerdesk_app::wire::PartnerQuery {
            text: None,
            kind: None,
            status: None,
            parent_id: None,
            tag: None,
            include_archived: false,
            sort: partnerdesk_app::wire::PartnerSortKey::PartnerId,
            desc: false,
            offset: 0,
            limit: 100,
        },
    )
    .await
    .unwrap()
    .rows
    .into_iter()
    .map(|r| r.partner_id)
    .collect();
    // Tags on the first four (the processes change two of them as well:
    // their notes); stale edits on the next two.
    let tagged: Vec<String> = ids[..4].to_vec();
    let stale: Vec<String> = ids[4..6].to_vec();

    // Four workers' schedules: one import each, then a random mix.
    let mut schedules: Vec<Vec<Op>> = Vec::new();
    for w in 0..4 {
        let mut ops = vec![Op::Import(days[w].clone())];
        for i in 0..19 {
            ops.push(match rng.gen_range(0..10) {
                0..=2 => Op::Tag(
                    tagged[rng.gen_range(0..tagged.len())].clone(),
                    format!("w{w}-{i}"),
                ),
                3 => Op::Stale(
                    stale[rng.gen_range(0..stale.len())].clone(),
                    format!("w{w}-{i}"),
                ),
                4 | 5 => Op::Queue(format!("object-{}", rng.gen_range(0..3))),
                6 => Op::Decide,
                7 | 8 => Op::WrongPassword,
                _ => Op::Run,
            });
        }
        let last = ops.len();
        ops.swap(0, rng.gen_range(0..last));
        schedules.push(ops);
    }
    let scripts = [
        script(&mut rng, &days[4], &tagged[0], 0),
        script(&mut rng, &days[5], &tagged[1], 1),
    ];

    let seen = Arc::new(Mutex::new(Seen::default()));
    let conns = stores(db, 4).await;
    let mut work: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>> = Vec::new();
    for (w, ops) in schedules.into_iter().enumerate() {
        let who = cast(db, &conns[w]);
        let seen = Arc::clone(&seen);
        work.push(Box::pin(async move {
            for op in ops {
                perform(&who, op, &seen).await;
            }
        }));
    }
    for s in scripts {
        let (url, seen) = (db.url.clone(), Arc::clone(&seen));
        work.push(Box::pin(async move {
            tokio::task::spawn_blocking(move || run_script(&url, s, &seen))
                .await
                .expect("a process script ran to its end");
        }));
    }
    at_once(work).await;
    let seen = Arc::try_unwrap(seen).ok().unwrap().into_inner().unwrap();
    eprintln!(
        "at once: {} tags, {} stale edits, {} queued and {} refused requests, {} wrong passwords, {} errors seen",
        seen.tags.len(),
        seen.stale_tried,
        seen.queued,
        seen.already_waiting,
        seen.wrong_passwords,
        seen.errors.len()
    );

    // No raw lock error reached anyone.
    for e in &seen.errors {
        assert_no_raw_lock_error("an error seen while writing at once", e);
    }
    // No lost update: every tag added is there, beside the processes' notes.
    for (i, p) in tagged.iter().enumerate() {
        let d = partners::get(&admin, p).await.unwrap();
        for (_, tag) in seen.tags.iter().filter(|(q, _)| q == p) {
            assert!(
                d.partner.tags.contains(tag),
                "{p}: tag {tag} was lost: {:?}",
                d.partner.tags
            );
        }
        if i < 2 {
            assert_eq!(
                d.notes,
                format!("from process {i}"),
                "{p}: the process's edit"
            );
        }
    }
    // A stale edit got the stale error and changed nothing.
    assert_eq!(
        seen.stale_refused, seen.stale_tried,
        "every stale edit refused"
    );
    for p in &stale {
        let notes = partners::get(&admin, p).await.unwrap().notes;
        assert!(
            !notes.starts_with("stale"),
            "{p}: a stale edit was written: {notes}"
        );
    }
    // One pending request per object at most.
    let pending = approvals::list(&admin, Some("pending".into()))
        .await
        .unwrap();
    for object in ["object-0", "object-1", "object-2"] {
        let n = pending.iter().filter(|a| a.object_id == object).count();
        assert!(n <= 1, "{object}: {n} requests wait at once");
    }
    // Every wrong password counted, the lock engaged at its threshold.
    let mallory = db
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .user("mallory")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        mallory.failed_attempts as usize, seen.wrong_passwords,
        "every wrong password counted once"
    );
    assert_eq!(
        seen.plain_wrong,
        seen.wrong_passwords.min(2),
        "the first two failures get the plain answer, the third locks"
    );
    assert_eq!(
        mallory.locked_until.is_some(),
        seen.wrong_passwords >= 3,
        "the account waits from the third failure on"
    );
    // The audit chain held with every writer appending at once.
    let chain = audit::verify(&admin, None).await.unwrap();
    assert!(chain.ok, "{}", chain.message);

    // A run after the last change equals a computation from the first period.
    commissions::run(&admin, p(THROUGH)).await.unwrap();
    let lines = |store: partnerdesk_app::Store| async move {
        let mut tx = store.read().await.unwrap();
        let mut all = Vec::new();
        for period in ["2026-07", THROUGH] {
            all.push(tx.period_lines(p(period)).await.unwrap());
        }
        all
    };
    let after_last = lines(db.ctx.store.clone()).await;
    assert!(
        after_last.iter().all(|l| !l.is_empty()),
        "the periods have lines"
    );
    let mut tx = db.ctx.store.begin().await.unwrap();
    partnerdesk_store::commissions::drop_engine_states(&mut tx)
        .await
        .unwrap();
    commissions::mark_dirty(&mut tx, "0000-00").await.unwrap();
    tx.commit().await.unwrap();
    let full = commissions::run(&admin, p(THROUGH)).await.unwrap();
    assert_eq!(
        full.resumed_at, None,
        "the reference computes from the first period"
    );
    assert!(
        full.periods.iter().all(|p| !p.changed),
        "the reference changed stored lines: {:?}",
        full.periods
    );
    assert!(
        lines(db.ctx.store.clone()).await == after_last,
        "the lines after the last change differ from a full recompute"
    );
    for c in conns {
        c.close().await;
    }
    // Measured, not asserted (timed assertions fail on a busy machine).
    eprintln!("the mixed concurrency suite took {:?}", started.elapsed());
}

crate::on_both_backends!(writers_of_every_kind_at_once_keep_every_change);
