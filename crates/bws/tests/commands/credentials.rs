//! Credentials from a `.env` file, and secrets never printed.

use crate::common::*;

fn env_file(dir: &std::path::Path) {
    let text = format!("BINANCE_API_KEY={DEFAULT_HMAC_API_KEY}\nBINANCE_SECRET_KEY={DEFAULT_HMAC_SECRET}\n");
    std::fs::write(dir.join(".env"), text).unwrap();
}

#[test]
fn a_dot_env_file_in_the_working_directory_gives_the_key() {
    let ex = TestSim::quiet();
    let dir = tempfile::tempdir().unwrap();
    env_file(dir.path());
    let out = bws_in(dir.path(), &["order", "open", "-vv", "--env", &ex.url()]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("no open orders"), "{}", stdout(&out));
    let everything = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!everything.contains(DEFAULT_HMAC_SECRET), "the secret was printed");
}

#[test]
fn help_never_shows_the_secret_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    env_file(dir.path());
    let out = bws_in(dir.path(), &["order", "--help"]);
    assert_exit(&out, 0);
    assert!(!stdout(&out).contains(DEFAULT_HMAC_SECRET) && !stdout(&out).contains(DEFAULT_HMAC_API_KEY));
}

#[test]
fn a_broken_dot_env_is_reported_without_its_content() {
    let ex = TestSim::quiet();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), format!("BINANCE_SECRET_KEY {DEFAULT_HMAC_SECRET}\n")).unwrap();
    let out = bws_in(dir.path(), &["order", "open", "--env", &ex.url()]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("warning: .env not read past the first problem"), "{err}");
    assert!(err.contains("needs an API key") && !err.contains(DEFAULT_HMAC_SECRET), "{err}");
}
