//! Brands, partners, trees and tracking codes: the foundation story, and every
//! bad input refused with a message naming the field, changing nothing.

use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::wire::{
    BrandView, PartnerInput, PartnerQuery, PartnerRow, PartnerSortKey, TrackingCodeView,
};
use partnerdesk_app::{brands, partners, AppError, Context};

pub fn input(id: &str, name: &str, parent: Option<&str>) -> PartnerInput {
    PartnerInput {
        row_version: None,
        partner_id: id.into(),
        name: name.into(),
        kind: "affiliate".into(),
        parent_id: parent.map(str::to_string),
        email: Some(format!("{}@example.com", id.to_lowercase())),
        country: Some("DE".into()),
        currency: "EUR".into(),
        status: "active".into(),
        tags: vec!["vip".into()],
        notes: String::new(),
        contact_name: None,
        phone: None,
    }
}

pub fn query(text: Option<&str>) -> PartnerQuery {
    PartnerQuery {
        text: text.map(str::to_string),
        kind: None,
        status: None,
        parent_id: None,
        tag: None,
        include_archived: false,
        sort: PartnerSortKey::Name,
        desc: false,
        offset: 0,
        limit: 50,
    }
}

fn field_of(e: AppError) -> (String, String) {
    (e.field().unwrap_or("").to_string(), e.to_string())
}

/// The brand `casino` (iGaming, EUR) and an active partner `id` in it.
pub async fn casino_and_partner(ctx: &Context, id: &str, name: &str) -> PartnerRow {
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
    partners::create(ctx, input(id, name, None)).await.unwrap()
}

async fn partner_story(db: &TestDb) {
    let ctx = &db.ctx;
    casino_and_partner(ctx, "P1", "Anna Müller").await;
    partners::create(ctx, input("P2", "Zoë Šťastná", Some("P1")))
        .await
        .unwrap();
    partners::create(ctx, input("P3", "Third", Some("P2")))
        .await
        .unwrap();

    let found = partners::search(ctx, &query(Some("šťast"))).await.unwrap();
    assert_eq!(
        found.total, 1,
        "search is case-insensitive and finds non-ASCII names"
    );
    assert_eq!(found.rows[0].partner_id, "P2");

    let detail = partners::get(ctx, "P3").await.unwrap();
    let chain: Vec<&str> = detail
        .ancestors
        .iter()
        .map(|a| a.partner_id.as_str())
        .collect();
    assert_eq!(chain, ["P1", "P2"], "ancestors come root first");

    let tree = partners::tree(ctx, "P1", 5).await.unwrap();
    let depths: Vec<(u32, &str)> = tree
        .iter()
        .map(|r| (r.depth, r.partner.partner_id.as_str()))
        .collect();
    assert_eq!(depths, [(0, "P1"), (1, "P2"), (2, "P3")]);
    assert_eq!(tree[0].partner.children, 1);

    // A cycle is refused and changes nothing.
    let (field, msg) = field_of(
        partners::move_partner(ctx, "P1", Some("P3"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "parent_id");
    assert!(msg.contains("cycle"), "{msg}");
    assert_eq!(
        partners::get(ctx, "P1").await.unwrap().partner.parent_id,
        None,
        "the refused move left P1 at the top"
    );

    // Moving a subtree carries its descendants.
    partners::create(ctx, input("P4", "Fourth", None))
        .await
        .unwrap();
    partners::move_partner(ctx, "P2", Some("P4")).await.unwrap();
    let chain: Vec<String> = partners::get(ctx, "P3")
        .await
        .unwrap()
        .ancestors
        .into_iter()
        .map(|a| a.partner_id)
        .collect();
    assert_eq!(chain, ["P4", "P2"], "P3 moved with its parent P2");

    // Archive hides from the list, restore brings back.
    partners::archive(ctx, "P4", true).await.unwrap();
    assert_eq!(
        partners::search(ctx, &query(Some("fourth")))
            .await
            .unwrap()
            .total,
        0
    );
    let mut q = query(Some("fourth"));
    q.include_archived = true;
    assert_eq!(partners::search(ctx, &q).await.unwrap().total, 1);
    partners::archive(ctx, "P4", false).await.unwrap();

    // Edit keeps the id and validates.
    let mut e = input("ignored", "Anna M.", None);
    e.status = "suspended".into();
    let row = partners::edit(ctx, "P1", e).await.unwrap();
    assert_eq!(
        (
            row.partner_id.as_str(),
            row.name.as_str(),
            row.status.as_str()
        ),
        ("P1", "Anna M.", "suspended")
    );

    // Tracking codes are unique per brand.
    let code = |p: &str, c: &str| TrackingCodeView {
        brand_id: "casino".into(),
        code: c.into(),
        partner_id: p.into(),
        kind: "btag".into(),
    };
    partners::add_tracking_code(ctx, code("P1", "btag-1"))
        .await
        .unwrap();
    let (field, msg) = field_of(
        partners::add_tracking_code(ctx, code("P2", "btag-1"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "code", "{msg}");
    assert!(msg.contains("already used"), "{msg}");
    let (field, _) = field_of(
        partners::add_tracking_code(
            ctx,
            TrackingCodeView {
                brand_id: "nope".into(),
                ..code("P2", "x")
            },
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(field, "brand_id", "an unknown brand is named");
    assert_eq!(
        partners::get(ctx, "P2").await.unwrap().tracking_codes.len(),
        0,
        "refused codes were not stored"
    );
}

async fn bad_partner_inputs(db: &TestDb) {
    let ctx = &db.ctx;
    partners::create(ctx, input("P1", "Anna", None))
        .await
        .unwrap();
    let cases: Vec<(PartnerInput, &str, &str)> = vec![
        (
            input("P9", "X", Some("ghost")),
            "parent_id",
            "does not exist",
        ),
        (
            PartnerInput {
                email: Some("anna@".into()),
                ..input("P9", "X", None)
            },
            "email",
            "e-mail",
        ),
        (
            PartnerInput {
                country: Some("XX".into()),
                ..input("P9", "X", None)
            },
            "country",
            "ISO 3166",
        ),
        (
            PartnerInput {
                currency: "EUE".into(),
                ..input("P9", "X", None)
            },
            "currency",
            "ISO 4217",
        ),
        (
            PartnerInput {
                name: "   ".into(),
                ..input("P9", "X", None)
            },
            "name",
            "empty",
        ),
        (
            PartnerInput {
                kind: "streamer".into(),
                ..input("P9", "X", None)
            },
            "kind",
            "allowed",
        ),
        (
            PartnerInput {
                status: "gone".into(),
                ..input("P9", "X", None)
            },
            "status",
            "allowed",
        ),
        (
            input("P1", "Duplicate", None),
            "partner_id",
            "already exists",
        ),
        (input("", "No id", None), "partner_id", "empty"),
    ];
    for (bad, field, words) in cases {
        let (f, msg) = field_of(partners::create(ctx, bad).await.unwrap_err());
        assert_eq!(f, field, "the error names the field: {msg}");
        assert!(msg.contains(words), "'{msg}' should say {words}");
    }
    assert_eq!(
        ctx.store
            .read()
            .await
            .unwrap()
            .partner_count()
            .await
            .unwrap(),
        1,
        "no refused partner was stored"
    );
    let (f, _) = field_of(
        partners::move_partner(ctx, "P1", Some("P1"))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "parent_id", "a partner cannot be its own parent");
    assert!(matches!(
        partners::get(ctx, "nobody").await.unwrap_err(),
        AppError::NotFound { .. }
    ));
    let (f, _) = field_of(
        brands::create(
            ctx,
            BrandView {
                brand_id: "b".into(),
                name: "B".into(),
                vertical: "casino".into(),
                currency: "EUR".into(),
            },
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(f, "vertical");
}

async fn paging_and_sorting(db: &TestDb) {
    let ctx = &db.ctx;
    let many: Vec<PartnerInput> = (0..250)
        .map(|i| input(&format!("Q{i:03}"), &format!("Name {:03}", 249 - i), None))
        .collect();
    assert_eq!(partners::create_many(ctx, &many).await.unwrap(), 250);
    let mut q = query(None);
    q.sort = PartnerSortKey::PartnerId;
    q.offset = 100;
    q.limit = 50;
    let page = partners::search(ctx, &q).await.unwrap();
    assert_eq!(page.total, 250);
    assert_eq!(
        page.rows.first().map(|r| r.partner_id.as_str()),
        Some("Q100"),
        "offset 100 in id order"
    );
    q.sort = PartnerSortKey::Name;
    q.desc = true;
    q.offset = 0;
    let page = partners::search(ctx, &q).await.unwrap();
    assert_eq!(page.rows[0].name, "Name 249", "descending by name");
    let mut q = query(Some("name 00"));
    q.limit = 1000;
    assert_eq!(
        partners::search(ctx, &q).await.unwrap().total,
        10,
        "Name 000 … Name 009"
    );
    let mut literal = query(Some("%"));
    literal.limit = 10;
    assert_eq!(
        partners::search(ctx, &literal).await.unwrap().total,
        0,
        "% is searched literally, not as a wildcard"
    );
}

/// Partner changes feed the engine (tree, codes, statuses): after one, the
/// next run recomputes instead of saying it is up to date.
async fn partner_changes_make_the_next_run_recompute(db: &TestDb) {
    use partnerdesk_app::{commissions, import};
    let ctx = &db.ctx;
    let p = |s: &str| partnerdesk_domain::Period::parse("period", s).unwrap();
    import::import_folder(ctx, &crate::support::example_folders()[0])
        .await
        .unwrap();
    commissions::run(ctx, p("2026-08")).await.unwrap();
    assert!(
        commissions::run(ctx, p("2026-08"))
            .await
            .unwrap()
            .up_to_date
    );
    let some = ctx.store.read().await.unwrap().assignments().await.unwrap()[0].clone();
    partners::add_tracking_code(
        ctx,
        TrackingCodeView {
            brand_id: some.brand_id.to_string(),
            code: "late-code-1".into(),
            partner_id: some.partner_id.to_string(),
            kind: "btag".into(),
        },
    )
    .await
    .unwrap();
    assert!(
        !commissions::run(ctx, p("2026-08"))
            .await
            .unwrap()
            .up_to_date
    );
    assert!(
        commissions::run(ctx, p("2026-08"))
            .await
            .unwrap()
            .up_to_date
    );
    partners::move_partner(ctx, some.partner_id.as_str(), None)
        .await
        .unwrap();
    assert!(
        !commissions::run(ctx, p("2026-08"))
            .await
            .unwrap()
            .up_to_date
    );
}

on_both_backends!(
    partner_story,
    bad_partner_inputs,
    paging_and_sorting,
    partner_changes_make_the_next_run_recompute
);
