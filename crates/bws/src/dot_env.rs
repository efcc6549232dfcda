//! Credentials from a `.env` file in the working directory.

/// Loads `.env`: it fills in variables the environment does not already set. A missing file is fine; an
/// unreadable one is reported and skipped (a later "needs an API key" would otherwise be a riddle).
pub fn load() {
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            let why = match e {
                // The line may hold a secret: say where, not what.
                dotenvy::Error::LineParse(_, at) => format!("a line does not parse (at character {at})"),
                other => other.to_string(),
            };
            eprintln!("warning: .env not read past the first problem: {why}");
        }
    }
}
