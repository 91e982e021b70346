//! Statement files are named after partner ids, which may hold characters no
//! file name may (`/`, `:`), be a Windows device name (`CON`), or differ only
//! in case: every statement of the batch is still written, each to a file
//! of its own (issue 27).

use crate::import::broken_copy;
use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
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
    for e in std::fs::read_dir(&example_folders()[0]).unwrap().flatten() {
        if e.path().is_file() {
            let name = e.file_name().to_string_lossy().to_string();
            broken_copy(dir.path(), &name, |t| {
                renames
                    .iter()
                    .fold(t.to_string(), |t, (from, to)| t.replace(from, to))
            });
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
