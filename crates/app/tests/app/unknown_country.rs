//! A customer whose country is unknown (RULES.md): `customers.csv` accepts
//! an empty country, and a run follows the rules for it — no geo block
//! applies to it, it matches no CPA `countries` list, its CPA is the plan's
//! `amount` — on SQLite and PostgreSQL, through import, run and export.

use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::{commissions, import};
use partnerdesk_domain::Period;

fn write(dir: &std::path::Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).expect(file);
}

async fn an_empty_country_imports_and_runs_by_the_rules(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "brands.csv",
        "brand_id,name,vertical,currency\nCAS,Casino,igaming,EUR\nLIST,Listed,igaming,EUR\n",
    );
    write(d, "brand_geo_blocks.csv", "brand_id,country\nCAS,RU\n");
    write(d, "partners.csv", "partner_id,name,kind,parent_id,email,country,currency,status\nA,Alpha,affiliate,,,,EUR,active\n");
    write(
        d,
        "plans.json",
        r#"[{"plan_id": "geo", "name": "Geo CPA", "components": [{"type": "cpa", "amount": "100", "geo_amounts": {"DE": "150"}}]},
            {"plan_id": "listed", "name": "Listed CPA", "components": [{"type": "cpa", "amount": "80", "countries": ["DE"]}]}]"#,
    );
    write(
        d,
        "assignments.csv",
        "partner_id,brand_id,plan_id,valid_from,valid_to\nA,CAS,geo,2026-07-01,\nA,LIST,listed,2026-07-01,\n",
    );
    write(
        d,
        "tracking_codes.csv",
        "code,partner_id,brand_id,kind\na-cas,A,CAS,btag\na-list,A,LIST,btag\n",
    );
    write(
        d,
        "customers.csv",
        "customer_id,brand_id,tracking_code,country,registered_at,status\n\
         C1,CAS,a-cas,DE,2026-07-01T00:00:00Z,active\n\
         C2,CAS,a-cas,,2026-07-01T00:00:00Z,active\n\
         C3,CAS,a-cas,RU,2026-07-01T00:00:00Z,active\n\
         L1,LIST,a-list,DE,2026-07-01T00:00:00Z,active\n\
         L2,LIST,a-list,,2026-07-01T00:00:00Z,active\n",
    );
    let day = |c: &str, b: &str| format!("{c},{b},2026-07-02,10,0,0,0,0,0,0\n");
    write(
        d,
        "igaming_activity.csv",
        &format!(
            "customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes\n{}{}{}{}{}",
            day("C1", "CAS"),
            day("C2", "CAS"),
            day("C3", "CAS"),
            day("L1", "LIST"),
            day("L2", "LIST")
        ),
    );
    let ctx = &db.ctx;
    import::import_folder(ctx, d)
        .await
        .expect("an empty country imports");
    let (country,): (String,) =
        sqlx::query_as("SELECT country FROM customers WHERE customer_id = 'C2'")
            .fetch_one(ctx.store.pool())
            .await
            .unwrap();
    assert_eq!(country, "", "stored as unknown");
    let july = Period::parse("p", "2026-07").unwrap();
    commissions::run(ctx, july).await.unwrap();
    let export = commissions::export_csv(ctx, july).await.unwrap();
    // CAS: C1 (DE) 150 + C2 (unknown, not blocked) 100; C3 is blocked (RU): 250.00.
    // LIST: only L1 (DE) is in the list: 80.00; L2 (unknown) matches no list.
    assert_eq!(
        export,
        "partner_id,brand_id,period,kind,amount,currency\nA,CAS,2026-07,cpa,250.00,EUR\nA,LIST,2026-07,cpa,80.00,EUR\n"
    );
}

on_both_backends!(an_empty_country_imports_and_runs_by_the_rules);
