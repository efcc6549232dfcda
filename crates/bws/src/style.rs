//! Output: colours only on a terminal (and never with NO_COLOR), one clear error line with a hint.

use std::io::IsTerminal;

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

fn color_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn paint(code: &str, text: &str) -> String {
    if color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Like [`paint`], for text written to stderr (coloured only when stderr is a terminal).
fn paint_err(code: &str, text: &str) -> String {
    if color_stderr() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Green text.
pub fn green(text: &str) -> String {
    paint("32", text)
}

/// Red text.
pub fn red(text: &str) -> String {
    paint("31", text)
}

/// Yellow text.
pub fn yellow(text: &str) -> String {
    paint("33", text)
}

/// Bold text.
pub fn bold(text: &str) -> String {
    paint("1", text)
}

/// Dim text.
pub fn dim(text: &str) -> String {
    paint("2", text)
}

/// Writes a line to stdout; a closed pipe (`bws demo | head`) ends the program quietly instead of panicking.
pub fn out(line: &str) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// A section heading.
pub fn heading(text: &str) {
    out(&format!("\n{}", bold(&format!("== {text}"))));
}

/// A passed step.
pub fn ok(text: &str) {
    out(&format!("  {} {text}", green("✔")));
}

/// A progress or status line on stderr (nothing when quiet), so that stdout keeps only the data.
pub fn status(quiet: bool, text: &str) {
    if !quiet {
        eprintln!("{}", paint_err("2", text));
    }
}

/// The error line printed for a failed command.
pub fn error_line(e: &anyhow::Error) {
    let mut line = format!("{e}");
    for cause in e.chain().skip(1) {
        line.push_str(&format!(": {cause}"));
    }
    let text = line.to_lowercase();
    let hint = if text.contains("not sent:") || text.contains("refused before sending") {
        Some("nothing was sent; fix the order and run the command again")
    } else if text.contains("credentials") || text.contains("api key") {
        Some("pass --api-key with --secret-key or --private-key, set BINANCE_API_KEY, or put them in a .env file")
    } else if text.contains("connection") || text.contains("connect") {
        Some("is the endpoint reachable? try --env local to use the built-in exchange")
    } else {
        None
    };
    error_with_hint(&line, hint);
}

/// One error line on stderr and, when there is one, a hint line.
pub fn error_with_hint(message: &str, hint: Option<&str>) {
    eprintln!("{} {message}", paint_err("31", "error:"));
    if let Some(hint) = hint {
        eprintln!("{} {hint}", paint_err("2", "hint:"));
    }
}
