//! The `leadline` binary's parts: settings, command line, HTTP surface and
//! the wiring that builds an application from them.

/// Prints a line to stdout, like `println!`, but a reader that has gone
/// (`leadline eval ... | head`) ends the output quietly instead of
/// panicking the command.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::say_line(format_args!($($arg)*))
    };
}

/// The line [`say!`] prints; an error other than a closed pipe is told on
/// stderr.
#[doc(hidden)]
pub fn say_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}")
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("leadline: cannot write the output: {e}");
    }
}

pub mod app;
pub mod chat;
pub mod check;
pub mod cli;
pub mod config;
pub mod eval;
pub mod http;
pub mod knowledge;
pub mod telemetry;
