//! `--help`: every command has an example, and the exit codes are documented.

use crate::common::*;

#[test]
fn every_command_shows_examples_and_the_exit_codes_are_documented() {
    let out = bws(&["--help"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("Exit codes:") && text.contains("N  bws diagnose: the number of failed checks"), "{text}");
    for command in ["stream", "order", "user-data", "dex", "diagnose", "record", "replay", "book"] {
        let out = bws(&[command, "--help"]);
        assert_exit(&out, 0);
        assert!(stdout(&out).contains(&format!("bws {command}")), "{command} --help has no example");
    }
    for action in ["place", "cancel", "status", "open"] {
        let out = bws(&["order", action, "--help"]);
        assert!(stdout(&out).contains(&format!("bws order {action}")), "order {action} --help has no example");
    }
}
