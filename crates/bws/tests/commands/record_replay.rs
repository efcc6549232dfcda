//! `bws record` and `bws replay`: raw frames to a zstd file and back through the typed decoder.

use std::io::BufRead;

use crate::common::*;

#[test]
fn recorded_frames_replay_as_the_same_events() {
    let ex = TestSim::busy();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("btc.jsonl.zst");
    let file = file.to_str().unwrap();
    let out = bws(&[
        "record",
        "btcusdt@depth20@100ms",
        "btcusdt@bookTicker",
        "-o",
        file,
        "--count",
        "5",
        "--duration",
        "60s",
        "--env",
        &ex.url(),
    ]);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("recorded 5 frames"), "{}", stderr(&out));

    // The file is plain zstd-compressed JSON lines: a header, then one line per frame.
    let raw = zstd::decode_all(std::fs::File::open(file).unwrap()).unwrap();
    let lines: Vec<serde_json::Value> =
        raw.lines().map(|l| serde_json::from_str(&l.unwrap()).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["format"], "bws-record");
    assert_eq!(lines[0]["streams"], serde_json::json!(["btcusdt@depth20@100ms", "btcusdt@bookTicker"]));
    let mut streams = Vec::new();
    let mut last_t = 0;
    for frame in &lines[1..] {
        let t = frame["t"].as_u64().expect("a receive time");
        assert!(t >= last_t, "receive times in order");
        last_t = t;
        let inner: serde_json::Value =
            serde_json::from_str(frame["frame"].as_str().unwrap()).expect("the frame as sent");
        streams.push(inner["stream"].as_str().unwrap().to_string());
    }

    let out = bws(&["replay", file, "--speed", "max", "--json"]);
    assert_exit(&out, 0);
    let events = json_lines(&out);
    let sources: Vec<String> = events.iter().map(|v| v["source"].as_str().unwrap().to_string()).collect();
    assert_eq!(sources, streams, "every frame replayed in order");
    for v in &events {
        assert!(v["event"] == "depth" || v["event"] == "bookTicker", "{v}");
    }

    // At the recorded pace, as a table, stopping at a count.
    let out = bws(&["replay", file, "--count", "2"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
}

#[test]
fn replaying_something_else_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "not a recording").unwrap();
    let out = bws(&["replay", path.to_str().unwrap()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("is not a bws recording"), "{}", stderr(&out));
    let out = bws(&["replay", dir.path().join("missing.zst").to_str().unwrap()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: opening"), "{}", stderr(&out));
}

#[test]
fn recording_checks_names_and_endpoint_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.zst");
    let file = file.to_str().unwrap();
    assert_exit(&bws(&["record", "btcusdt@nope", "-o", file]), 2);
    let out = bws(&["record", "btcusdt@trade", "-o", file, "--env", "ws://127.0.0.1:1"]);
    assert_exit(&out, 1);
    assert!(!std::path::Path::new(file).exists(), "no file for a recording that never started");
}
