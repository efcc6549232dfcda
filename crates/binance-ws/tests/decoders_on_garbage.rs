//! Every frame decoder and the signing payload builder, fed random bytes and mutated examples from Binance's
//! docs, never panics (the stable-toolchain counterpart of the cargo-fuzz targets in `fuzz/`).
//!
//! The examples are the fuzz seed corpora (`fuzz/seeds/<target>/`, extracted from the docs by
//! `fuzz/seed_corpus.py` and committed). Mutations are seeded, so a failure repeats; set `GARBAGE_ROUNDS` to run
//! more rounds than the default. A failing input is printed in full so that it can become a regression test.

mod decoder_harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use decoder_harness::decoders;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Bytes that tend to break JSON decoders: structure, escapes, number edge cases, invalid UTF-8.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"true",
    b"-",
    b"0",
    b"1e999",
    b"-0.0",
    b"1.0E-400",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\\u0000",
    b"\\ud800",
    b"\\",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\"e\":",
    b"\"stream\":",
    b"\"data\":",
    b"\"result\":",
    b"\"event\":",
    b"\"id\":",
    b"\"status\":",
    b"\"lastUpdateId\":",
    b"\"u\":",
    b"\"signature\":",
    b"&",
    b"=",
    b"\xf0\x9f\x98\x80",
    b"\"serverShutdown\"",
    b"99999999999999999999999999999.99999999999",
    b"NaN",
    b"\"\"",
];

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../../fuzz/seeds", target].iter().collect();
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {} missing ({e}); it is committed with the repository", dir.display()))
        .map(|e| std::fs::read(e.expect("dir entry").path()).expect("seed readable"))
        .collect();
    out.sort();
    out
}

fn mutate(rng: &mut StdRng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let at = if v.is_empty() { 0 } else { rng.random_range(0..=v.len()) };
        match rng.random_range(0..7) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => v.splice(at..at, TOKENS[rng.random_range(0..TOKENS.len())].iter().copied()).for_each(drop),
            2 if !v.is_empty() => {
                let end = (at + rng.random_range(1..=16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 => v.truncate(at),
            4 if !others.is_empty() => {
                let o = &others[rng.random_range(0..others.len())];
                let from = rng.random_range(0..=o.len());
                let to = rng.random_range(from..=o.len());
                v.splice(at..at, o[from..to].iter().copied()).for_each(drop);
            }
            5 if !v.is_empty() => {
                // Replace a digit run's digit, to reach number edge cases.
                let i = at.min(v.len() - 1);
                if v[i].is_ascii_digit() {
                    v[i] = b"09-.e"[rng.random_range(0..5)];
                }
            }
            _ => {
                let n = rng.random_range(0..8);
                v.splice(at..at, (0..n).map(|_| rng.random::<u8>())).for_each(drop);
            }
        }
    }
    v
}

fn run_one(name: &str, f: fn(&[u8]), input: &[u8]) {
    if catch_unwind(AssertUnwindSafe(|| f(input))).is_err() {
        panic!(
            "{name} panicked on this input ({} bytes):\n{}\nbytes: {:?}",
            input.len(),
            String::from_utf8_lossy(input),
            input
        );
    }
}

#[test]
fn every_decoder_survives_random_and_mutated_doc_frames() {
    let rounds: usize = std::env::var("GARBAGE_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let mut total = 0usize;
    for (i, (name, f)) in decoders::ALL.iter().enumerate() {
        let corpus = seeds(name);
        assert!(!corpus.is_empty(), "no seeds for {name}");
        let mut rng = StdRng::seed_from_u64(0xB1A2CE + i as u64);
        // The examples themselves.
        for s in &corpus {
            run_one(name, *f, s);
        }
        // Random bytes.
        for _ in 0..rounds {
            let len = rng.random_range(0..64);
            let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            run_one(name, *f, &bytes);
        }
        // Mutated examples.
        for _ in 0..rounds * 10 {
            let base = &corpus[rng.random_range(0..corpus.len())];
            let m = mutate(&mut rng, base, &corpus);
            run_one(name, *f, &m);
        }
        total += corpus.len() + rounds * 11;
    }
    eprintln!("{total} inputs decoded without a panic");
}

#[test]
fn the_mutator_changes_its_input() {
    // Guards against a mutator that silently returns the seed unchanged, which would make the test above vacuous.
    let mut rng = StdRng::seed_from_u64(1);
    let base = br#"{"e":"trade","E":1,"s":"BTCUSDT"}"#.to_vec();
    let changed = (0..100).filter(|_| mutate(&mut rng, &base, &[]) != base).count();
    assert!(changed > 80, "only {changed} of 100 mutations changed the input");
}
