//! What a platform sync connects to and how a run ended (the connectors
//! are crates/sync, the runs crates/app/src/sync).

crate::word_enum!(
/// The platform a sync connection reads (its settings' `kind`).
ConnectionKind, "connection kind", {
    Mt5 => "mt5", Gaming => "gaming", Woocommerce => "woocommerce", Csv => "csv",
});

crate::word_enum!(
/// What a record in a sync's retry list holds: the platform's record as it
/// came (`raw`, converted again when retried) or ours, converted already
/// and waiting for what it refers to (`record`).
PendingKind, "retry list entry kind", { Raw => "raw", Record => "record" });

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
