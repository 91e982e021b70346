//! What commands print goes through here, not through `println!`, which
//! panics when standard output is a pipe whose reader has gone
//! (`partnerdesk ledger balances | head -1`). A reader that stops reading
//! ends the command quietly with status 141 (128 + SIGPIPE, what a shell
//! reports for a program stopped by a closed pipe); what was done before
//! the output (an import, a run) is kept. Messages for the user on
//! standard error are best effort: if nobody reads them, nobody can be told.

use std::io::Write;

/// The exit status of a command whose reader went away.
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// Writes to standard output (see the module).
pub fn stdout(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        gone(e)
    }
}

/// Writes bytes to standard output and flushes them (see the module).
pub fn stdout_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        gone(e)
    }
}

/// Writes to standard error, ignoring a failure.
pub fn stderr(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

fn gone(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(CLOSED_PIPE_EXIT);
    }
    // Another failure (a full disk behind a redirection): said once, and failed.
    stderr(format_args!(
        "error: cannot write to standard output: {e}\n"
    ));
    std::process::exit(1)
}

/// `println!` to standard output through [`stdout`].
macro_rules! outln {
    () => {
        $crate::output::stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` through [`stderr`].
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::output::stderr(format_args!($($arg)*))
    };
}

/// `eprintln!` through [`stderr`].
macro_rules! errln {
    () => {
        $crate::output::stderr(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}
