//! A stored state is parsed once, when its row is read: a word the domain
//! does not know (written around the app, or by a damaged copy) is refused
//! as damaged data naming the table, the column, the value and the allowed
//! words, never passed on as text (docs/decisions.md §18).

use crate::on_both_backends;
use crate::partners::input;
use crate::support::TestDb;
use partnerdesk_app::wire::BrandView;
use partnerdesk_app::{brands, partners, AppError};
use partnerdesk_domain::partner::PartnerStatus;
use partnerdesk_store::StoreError;

async fn unknown_stored_state_is_refused(db: &TestDb) {
    let ctx = &db.ctx;
    brands::create(
        ctx,
        BrandView {
            brand_id: "casino".into(),
            name: "Casino".into(),
            vertical: "igaming".into(),
            currency: "EUR".into(),
        },
    )
    .await
    .unwrap();
    let p = partners::create(ctx, input("P1", "Anna", None))
        .await
        .unwrap();
    assert_eq!(p.status, PartnerStatus::Active, "read back as the enum");

    // A misspelt word put in behind the app's back.
    sqlx::query("UPDATE partners SET status = 'actve' WHERE partner_id = 'P1'")
        .execute(ctx.store.pool())
        .await
        .unwrap();
    let e = partners::get(ctx, "P1").await.unwrap_err();
    assert!(
        matches!(e, AppError::Store(StoreError::Corrupt(_))),
        "damaged data, not a value: {e:?}"
    );
    assert_eq!(e.code(), "database");
    let message = e.to_string();
    for part in [
        "partners.status",
        "'actve'",
        "not a partner status",
        "applied, pending_review, active, suspended, terminated",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
    // Every read of the row says the same, lists included.
    let e = partners::search(ctx, &crate::partners::query(None))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("partners.status holds 'actve'"),
        "{e}"
    );

    // Put right, it reads again; the canonical word is what is stored.
    sqlx::query("UPDATE partners SET status = 'suspended' WHERE partner_id = 'P1'")
        .execute(ctx.store.pool())
        .await
        .unwrap();
    let p = partners::get(ctx, "P1").await.unwrap();
    assert_eq!(p.partner.status, PartnerStatus::Suspended);
}

on_both_backends!(unknown_stored_state_is_refused);
