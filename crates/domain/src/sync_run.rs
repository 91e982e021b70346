//! How a platform sync run ended (the connectors are crates/sync, the runs
//! crates/app/src/sync).

crate::word_enum!(
/// A sync run: still running, or how it ended.
SyncRunStatus, "sync run status", {
    Running => "running",
    /// Every record was stored.
    Ok => "ok",
    /// The run finished, some records wait in the pending list.
    OkWithErrors => "ok_with_errors",
    Failed => "failed",
    Cancelled => "cancelled",
    /// Left running by a process that ended; marked when the next run starts.
    Interrupted => "interrupted",
});
