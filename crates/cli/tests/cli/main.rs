//! The `partnerdesk` binary as a user (or a script) runs it.

#[cfg(target_os = "linux")]
mod mail;
#[cfg(unix)]
mod serve;
#[cfg(target_os = "linux")]
mod sync;
#[cfg(target_os = "linux")]
mod tracking;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pd(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_partnerdesk"))
        .args(args)
        .env(
            "PARTNERDESK_DATABASE_URL",
            format!("sqlite:{}", db.display()),
        )
        .env_remove("PARTNERDESK_DATA_DIR")
        .output()
        .expect("the partnerdesk binary runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = pd(db, args);
    assert!(
        out.status.success(),
        "partnerdesk {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A reader that stops reading (`partnerdesk … | head -1`) ends a command
/// quietly with status 141, never with a panic: the pipe's reading end is
/// closed before the command writes anything.
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let folder = root().join("tests/fixtures/scenario-a");
    ok(&db, &["import", folder.to_str().unwrap()]);
    ok(&db, &["commissions", "run", "--period", "2026-09"]);
    for args in [
        &["partners", "list"][..],
        &[
            "commissions",
            "export",
            "--period",
            "2026-07",
            "--format",
            "csv",
        ],
        &["ledger", "balances"],
        &["audit", "head"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_partnerdesk"))
            .args(args)
            .env(
                "PARTNERDESK_DATABASE_URL",
                format!("sqlite:{}", db.display()),
            )
            .env_remove("PARTNERDESK_DATA_DIR")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the partnerdesk binary runs");
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} says nothing more: {stderr}");
    }
}

#[test]
fn import_run_export_prints_the_expected_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let folder = root().join("tests/fixtures/scenario-a");
    ok(&db, &["import", folder.to_str().unwrap()]);
    ok(&db, &["commissions", "run", "--period", "2026-09"]);
    for month in ["07", "08", "09"] {
        let want =
            std::fs::read_to_string(folder.join(format!("expected/commissions-2026-{month}.csv")))
                .unwrap();
        let got = ok(
            &db,
            &[
                "commissions",
                "export",
                "--period",
                &format!("2026-{month}"),
                "--format",
                "csv",
            ],
        );
        assert!(got == want, "stdout export of 2026-{month} differs");
        let file = dir.path().join(format!("{month}.csv"));
        ok(
            &db,
            &[
                "commissions",
                "export",
                "--period",
                &format!("2026-{month}"),
                "--format",
                "csv",
                "--out",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            want,
            "--out writes the same bytes"
        );
    }
    let again = ok(&db, &["commissions", "run", "--period", "2026-09"]);
    assert!(
        again.contains("up to date"),
        "a second run with no new data does nothing: {again}"
    );
}

#[test]
fn a_bad_import_exits_non_zero_names_file_and_line_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("brands.csv"),
        "brand_id,name,vertical,currency\nB1,One,igaming,EUR\nB2,Two,poker,EUR\n",
    )
    .unwrap();
    let out = pd(&db, &["import", folder.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("brands.csv:3: vertical: 'poker' is not a vertical"),
        "{err}"
    );
    assert_eq!(ok(&db, &["brands", "list"]), "", "B1 was not kept either");
}

#[test]
fn one_more_generated_day_imports_after_the_world_and_only_its_period_is_computed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let (world, day) = (dir.path().join("world"), dir.path().join("day"));
    ok(
        &db,
        &["gen", "--scale", "S", "--out", world.to_str().unwrap()],
    );
    let out = ok(
        &db,
        &[
            "gen",
            "--scale",
            "S",
            "--out",
            day.to_str().unwrap(),
            "--day",
            "2026-08-01",
        ],
    );
    assert!(out.contains("igaming_activity.csv: "), "{out}");
    // Only the day's rows: no world files that an import would upsert again.
    assert!(!day.join("customers.csv").exists());
    let activity = std::fs::read_to_string(day.join("igaming_activity.csv")).unwrap();
    assert!(activity.lines().count() > 1, "the day has activity");
    assert!(
        activity.lines().skip(1).all(|l| l.contains(",2026-08-01,")),
        "every row is dated that day"
    );
    ok(&db, &["import", world.to_str().unwrap()]);
    ok(&db, &["commissions", "run", "--period", "2026-07"]);
    ok(&db, &["import", day.to_str().unwrap()]);
    let run = ok(&db, &["commissions", "run", "--period", "2026-08"]);
    assert!(
        run.contains("2026-07: ") && run.contains("unchanged"),
        "{run}"
    );
    assert!(
        run.contains("2026-08: ") && run.contains("computed"),
        "{run}"
    );
    // A day before the generated world, or not a date, is refused by name.
    for (bad, says) in [
        ("2026-06-30", "before the first day"),
        ("1 Aug", "YYYY-MM-DD"),
    ] {
        let out = pd(
            &db,
            &[
                "gen",
                "--out",
                dir.path().join("bad").to_str().unwrap(),
                "--day",
                bad,
            ],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{bad}: {err}");
    }
}

#[test]
fn exporting_before_running_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = pd(
        &dir.path().join("pd.db"),
        &["commissions", "export", "--period", "2026-07"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("partnerdesk commissions run --period 2026-07"),
        "{err}"
    );
    let out = pd(
        &dir.path().join("pd.db"),
        &["commissions", "run", "--period", "2026-13"],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"),
        "a bad period says the format"
    );
}

#[test]
fn partners_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    ok(&db, &["init"]);
    ok(
        &db,
        &[
            "brands",
            "add",
            "--id",
            "cas",
            "--name",
            "Casino",
            "--vertical",
            "igaming",
            "--currency",
            "EUR",
        ],
    );
    ok(
        &db,
        &[
            "partners",
            "add",
            "--id",
            "M1",
            "--name",
            "Master",
            "--kind",
            "ib",
            "--currency",
            "USD",
        ],
    );
    ok(
        &db,
        &[
            "partners",
            "add",
            "--id",
            "S1",
            "--name",
            "Sub One",
            "--kind",
            "ib",
            "--parent",
            "M1",
            "--email",
            "s1@example.com",
        ],
    );
    let list = ok(&db, &["partners", "list", "--search", "sub"]);
    assert!(list.starts_with("S1\tSub One"), "{list}");
    let show = ok(&db, &["partners", "show", "S1"]);
    assert!(show.contains("ancestors: M1"), "{show}");
    let out = pd(&db, &["partners", "move", "M1", "--parent", "S1"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("cycle"));
    let out = pd(
        &db,
        &[
            "partners",
            "add",
            "--id",
            "X",
            "--name",
            "X",
            "--country",
            "Germany",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("country: 'Germany' is not an ISO 3166-1 alpha-2"));
    ok(&db, &["partners", "edit", "S1", "--status", "suspended"]);
    assert!(ok(&db, &["partners", "show", "S1"]).contains("suspended"));
    ok(
        &db,
        &[
            "partners", "add-code", "S1", "--brand", "cas", "--code", "sub1", "--kind", "btag",
        ],
    );
    let tree = ok(&db, &["partners", "tree", "M1"]);
    assert_eq!(tree, "M1 Master\n  S1 Sub One\n");
}

#[test]
fn demo_fills_an_empty_database_with_trees() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let out = ok(&db, &["demo"]);
    assert!(out.contains("3 brands"), "{out}");
    assert_eq!(
        ok(&db, &["brands", "list"]).lines().count(),
        3,
        "one brand per vertical"
    );
    let again = pd(&db, &["demo"]);
    assert!(
        !again.status.success(),
        "the demo refuses a database that has partners"
    );
    let deep = ok(&db, &["partners", "tree", "A0009", "--depth", "10"]);
    assert!(deep.lines().count() >= 1);
}

fn pd_as(
    db: &Path,
    user: Option<(&str, &str)>,
    new_password: Option<&str>,
    args: &[&str],
) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_partnerdesk"));
    c.args(args)
        .env(
            "PARTNERDESK_DATABASE_URL",
            format!("sqlite:{}", db.display()),
        )
        .env_remove("PARTNERDESK_USER")
        .env_remove("PARTNERDESK_PASSWORD")
        .env_remove("PARTNERDESK_NEW_PASSWORD");
    if let Some((u, p)) = user {
        c.env("PARTNERDESK_USER", u).env("PARTNERDESK_PASSWORD", p);
    }
    if let Some(p) = new_password {
        c.env("PARTNERDESK_NEW_PASSWORD", p);
    }
    c.output().expect("the partnerdesk binary runs")
}

/// Signs up the users the four-eyes tests act as: `alice` (admin, the
/// first user: single-user mode ends) and `fred` and `gina` (finance),
/// each with the password `<name>-password-1`; returns their sign-ins.
fn admin_and_two_finance_users(db: &Path) -> [Option<(&'static str, &'static str)>; 3] {
    let alice = Some(("alice", "alice-password-1"));
    for (as_user, id, role) in [
        (None, "alice", "admin"),
        (alice, "fred", "finance"),
        (alice, "gina", "finance"),
    ] {
        let o = pd_as(
            db,
            as_user,
            Some(&format!("{id}-password-1")),
            &["users", "add", id, "--name", id, "--roles", role],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    [
        alice,
        Some(("fred", "fred-password-1")),
        Some(("gina", "gina-password-1")),
    ]
}

/// The approval request's id a command printed (`… request #12 …`).
fn approval_id(out: &str) -> String {
    let after = out
        .split_once('#')
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no request id (#N) in: {out}"));
    let id: String = after.chars().take_while(char::is_ascii_digit).collect();
    assert!(!id.is_empty(), "no request id (#N) in: {out}");
    id
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn once_users_exist_the_cli_signs_in_and_closing_waits_for_a_second_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let folder = root().join("tests/fixtures/scenario-a");
    ok(&db, &["import", folder.to_str().unwrap()]);
    ok(&db, &["commissions", "run", "--period", "2026-07"]);
    let verify = ok(&db, &["audit", "verify"]);
    assert!(verify.contains("the audit log is intact"), "{verify}");
    let head = ok(&db, &["audit", "head"]);
    assert!(head.trim().contains(':'), "{head}");

    let [alice, fred, gina] = admin_and_two_finance_users(&db);
    // No more anonymous use.
    let o = pd(&db, &["commissions", "export", "--period", "2026-07"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("PARTNERDESK_USER"), "{}", text(&o));
    let o = pd_as(&db, Some(("alice", "wrong")), None, &["users", "list"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("user name or password is wrong"),
        "{}",
        text(&o)
    );
    let o = pd_as(
        &db,
        fred,
        None,
        &["commissions", "close", "--period", "2026-07"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("waits for approval"), "{out}");
    let id = approval_id(&out);
    let o = pd_as(
        &db,
        fred,
        None,
        &["approvals", "approve", &id, "--reason", "mine"],
    );
    assert!(!o.status.success(), "the maker cannot approve");
    let o = pd_as(
        &db,
        gina,
        None,
        &["approvals", "approve", &id, "--reason", "checked"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("[approved]"), "{}", text(&o));
    let o = pd_as(&db, alice, None, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = pd_as(&db, gina, None, &["audit", "verify"]);
    assert!(!o.status.success(), "finance may not read the audit log");
    assert!(text(&o).contains("may not do this"), "{}", text(&o));
}

/// A finance user's change of a partner's IBAN waits for another finance
/// user: the CLI says which request; the maker cannot approve it.
#[test]
fn a_payment_details_change_waits_for_a_second_finance_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let folder = root().join("tests/fixtures/scenario-a");
    ok(&db, &["import", folder.to_str().unwrap()]);
    let [_alice, fred, gina] = admin_and_two_finance_users(&db);
    let partner = "P0001";
    let o = pd_as(
        &db,
        fred,
        None,
        &[
            "payouts",
            "details",
            "--partner",
            partner,
            "--method",
            "bank_transfer",
            "--holder",
            "Fred's Payee",
            "--account",
            "DE89370400440532013000",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("queued for approval as request #")
            && out.contains("another finance user approves"),
        "{out}"
    );
    let id = approval_id(&out);
    let o = pd_as(
        &db,
        fred,
        None,
        &["approvals", "approve", &id, "--reason", "mine"],
    );
    assert!(!o.status.success(), "the maker cannot approve");
    assert!(text(&o).contains("four eyes"), "{}", text(&o));
    let o = pd_as(
        &db,
        gina,
        None,
        &[
            "approvals",
            "approve",
            &id,
            "--reason",
            "checked the bank letter",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("[approved]"), "{}", text(&o));
}

/// `partnerdesk report` on scenario-a: the CSV on standard output and in a
/// file are the same bytes, the XLSX holds the same cells, `--help` says the
/// from/to rule for money measures, and a refused report changes nothing
/// and says why.
#[test]
fn report_prints_csv_and_writes_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pd.db");
    let folder = root().join("tests/fixtures/scenario-a");
    ok(&db, &["import", folder.to_str().unwrap()]);
    let args = [
        "report",
        "--from",
        "2026-07-01",
        "--to",
        "2026-09-30",
        "--by",
        "brand",
        "--measures",
        "registrations,ftds,deposits,lots,conversion",
        "--format",
        "csv",
    ];
    let csv = ok(&db, &args);
    assert!(
        csv.starts_with("brand,currency,registrations,ftds,deposits,lots,conversion\n"),
        "{csv}"
    );
    // CAS: 21 active registrations, each with an FTD (scenario-a's data).
    assert!(
        csv.contains("\nCAS,EUR,21,21,60144.77,0.00,100.0\n"),
        "{csv}"
    );
    assert!(csv.ends_with('\n') && !csv.contains('\r'));
    let file = dir.path().join("r.csv");
    let mut with_out = args.to_vec();
    with_out.extend(["--out", file.to_str().unwrap()]);
    ok(&db, &with_out);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);

    let xlsx = dir.path().join("r.xlsx");
    let mut x = args.to_vec();
    let last = x.len() - 1;
    x[last] = "xlsx";
    x.extend(["--out", xlsx.to_str().unwrap()]);
    ok(&db, &x);
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 0);

    let help = ok(&db, &["report", "--help"]);
    assert!(
        help.contains("first day lies in the range"),
        "--help says the from/to rule: {help}"
    );
    let out = pd(
        &db,
        &[
            "report",
            "--from",
            "2026-07-01",
            "--to",
            "2026-07-31",
            "--by",
            "day",
            "--measures",
            "commission",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'commission'") && err.contains("'day'"),
        "{err}"
    );
}
