//! Statement files are named after partner ids, which may hold characters no
//! file name may (`/`, `:`), be a Windows device name (`CON`), or differ only
//! in case: every statement of the batch is still written, each to a file
//! of its own (issue 27).

use crate::import::broken_copy;
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::{commissions, import, statements};
use partnerdesk_domain::Period;
use std::collections::HashSet;

async fn partners_with_awkward_ids_get_their_statements(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    // The same world with four partners renamed in every file.
    let renames = [
        ("P0009", "P/0009"),
        ("P0010", "p/0009"),
        ("P0016", "CON"),
        ("P0020", "a:b*c"),
    ];
    // Copied once, then every file renamed in place.
    broken_copy(dir.path(), "brands.csv", str::to_string);
    for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if e.path().is_file() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let renamed = renames
                .iter()
                .fold(text, |t, (from, to)| t.replace(from, to));
            std::fs::write(e.path(), renamed).unwrap();
        }
    }
    import::import_folder(ctx, dir.path()).await.unwrap();
    let july = Period::parse("p", "2026-07").unwrap();
    commissions::run(ctx, Period::parse("p", "2026-08").unwrap())
        .await
        .unwrap();
    commissions::close(ctx, july).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let batch = statements::for_period(ctx, july, None, out.path())
        .await
        .expect("a partner id with '/' no longer fails the whole batch");
    let on_disk: HashSet<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        on_disk.len(),
        batch.files.len(),
        "one file per statement: {on_disk:?}"
    );
    let folded: HashSet<String> = on_disk.iter().map(|f| f.to_lowercase()).collect();
    assert_eq!(
        folded.len(),
        on_disk.len(),
        "no two names differ only in case: {on_disk:?}"
    );
    for f in &on_disk {
        assert!(
            partnerdesk_domain::file_name::is_safe_stem(f.trim_end_matches(".pdf")),
            "{f}"
        );
    }
    for want in ["statement-P%2F0009-2026-07", "statement-a%3Ab%2Ac-2026-07"] {
        assert!(
            on_disk.iter().any(|f| f.starts_with(want)),
            "{want} in {on_disk:?}"
        );
    }
    assert!(
        on_disk
            .iter()
            .any(|f| f.starts_with("statement-p%2F0009-2026-07~")),
        "the one differing only in case has a hash: {on_disk:?}"
    );
}

on_both_backends!(partners_with_awkward_ids_get_their_statements);
