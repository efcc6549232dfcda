//! Exit codes: what `bws --help` says about them, and the code of a failed command.

/// The exit codes (and where credentials come from), as `bws --help` shows them.
pub const EXIT_CODES: &str = "Exit codes:
  0  success (also when stopped by --count, --duration or Ctrl-C)
  1  the command failed: one line on stderr says why, often followed by a hint
  2  bad usage: unknown option, missing argument, bad stream name or value
  N  bws diagnose: the number of failed checks

Credentials come from --api-key with --secret-key or --private-key, from BINANCE_API_KEY,
BINANCE_SECRET_KEY and BINANCE_PRIVATE_KEY_PATH, or from a .env file in the working directory.";

/// A mistake in the command line found after parsing (a topic without its symbols, ...): exit code 2,
/// like the mistakes clap finds.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// The exit code of a failed command: 2 for [`Usage`] mistakes, 1 for everything else.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<Usage>().is_some() {
        2
    } else {
        1
    }
}
