//! Level storage of the local order book: level updates per second on one core, for the store the library uses
//! (`book::Levels`: integer ticks in sorted vectors, best level last) against two `BTreeMap` designs, and the full
//! `BookSync::on_event` path (sequence checks included, JSON decoding excluded: see `decode_streams`).
//!
//! The updates are shaped like a busy spot book: prices on a 0.01 tick printed with 8 decimals as Binance does,
//! each event 1 to 40 levels, distances from the top drawn from an exponential law (most changes near the top,
//! some deep), a third of the levels removals, the mid wandering by a tick now and then.
//!
//! After criterion, an alternating pass runs the three stores in turn and prints medians and per-round ratios.
//!
//! `cargo bench -p binance-ws --bench book` (`-- --paired-only` for the alternating pass alone)

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use binance_ws::book::{BookSync, Levels, Snapshot, SyncRule};
use binance_ws::model::Decimal;
use binance_ws::streams::{DepthUpdate, Level};
use criterion::{black_box, criterion_group, BatchSize, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Binance prints prices with 8 decimals; the tick is 0.01.
const SCALE: u32 = 8;
const TICK: i64 = 1_000_000;
/// 25000.00 in cents.
const START_MID: i64 = 2_500_000;
const SNAPSHOT_LEVELS: i64 = 1000;
const UPDATES: usize = 200_000;

fn price(ticks_of_cent: i64) -> Decimal {
    Decimal::new(ticks_of_cent * TICK, SCALE)
}

fn qty(rng: &mut StdRng) -> Decimal {
    Decimal::new(rng.random_range(1..50_000_000_000), SCALE)
}

/// One change: bid or ask, price, new quantity.
#[derive(Clone, Copy)]
struct Change {
    bid: bool,
    price: Decimal,
    qty: Decimal,
}

fn snapshot(rng: &mut StdRng) -> Snapshot {
    let side = |rng: &mut StdRng, sign: i64| {
        (1..=SNAPSHOT_LEVELS).map(|d| Level { price: price(START_MID + sign * d), qty: qty(rng) }).collect()
    };
    Snapshot { last_update_id: 1000, bids: side(rng, -1), asks: side(rng, 1) }
}

/// Events of realistic changes, in order.
fn events(rng: &mut StdRng) -> Vec<Vec<Change>> {
    let mut mid = START_MID;
    let mut out = Vec::new();
    let mut n = 0;
    while n < UPDATES {
        if rng.random_bool(0.05) {
            mid += if rng.random_bool(0.5) { 1 } else { -1 };
        }
        let k = rng.random_range(1..=40).min(UPDATES - n);
        let ev = (0..k)
            .map(|_| {
                let bid = rng.random_bool(0.5);
                // Exponential distance from the mid, mean 20 ticks.
                let u: f64 = rng.random_range(f64::EPSILON..1.0);
                let d = 1 + (-u.ln() * 20.0) as i64;
                let p = if bid { mid - d } else { mid + d };
                let q = if rng.random_bool(0.33) { Decimal::ZERO } else { qty(rng) };
                Change { bid, price: price(p), qty: q }
            })
            .collect();
        n += k;
        out.push(ev);
    }
    out
}

/// The simplest exact design: decimal keys.
#[derive(Clone, Default)]
struct DecimalTree {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

impl DecimalTree {
    fn set(side: &mut BTreeMap<Decimal, Decimal>, p: Decimal, q: Decimal) {
        if q.is_zero() {
            side.remove(&p);
        } else {
            side.insert(p, q);
        }
    }
    fn apply(&mut self, c: &Change) {
        Self::set(if c.bid { &mut self.bids } else { &mut self.asks }, c.price, c.qty);
    }
}

/// Integer tick keys in a tree (the mantissa at the fixed scale of 8 decimals).
#[derive(Clone, Default)]
struct TickTree {
    bids: BTreeMap<i64, Decimal>,
    asks: BTreeMap<i64, Decimal>,
}

impl TickTree {
    fn apply(&mut self, c: &Change) {
        debug_assert_eq!(c.price.scale(), SCALE);
        let k = c.price.mantissa() as i64;
        let side = if c.bid { &mut self.bids } else { &mut self.asks };
        if c.qty.is_zero() {
            side.remove(&k);
        } else {
            side.insert(k, c.qty);
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(7);
    let snap = snapshot(&mut rng);
    let evs = events(&mut rng);
    let changes: Vec<Change> = evs.iter().flatten().copied().collect();

    let mut levels = Levels::new();
    levels.load(&snap.bids, &snap.asks).unwrap();
    let mut dtree = DecimalTree::default();
    let mut ttree = TickTree::default();
    for (bid, side) in [(true, &snap.bids), (false, &snap.asks)] {
        for l in side {
            let ch = Change { bid, price: l.price, qty: l.qty };
            dtree.apply(&ch);
            ttree.apply(&ch);
        }
    }
    // All three designs must agree before any is timed.
    let (mut a, mut b, mut t) = (levels.clone(), dtree.clone(), ttree.clone());
    for ch in &changes {
        if ch.bid { a.set_bid(ch.price, ch.qty) } else { a.set_ask(ch.price, ch.qty) }.unwrap();
        b.apply(ch);
        t.apply(ch);
    }
    let tree_bids: Vec<_> = b.bids.iter().rev().map(|(p, q)| (*p, *q)).collect();
    assert_eq!(a.bids().map(|l| (l.price, l.qty)).collect::<Vec<_>>(), tree_bids);
    assert_eq!(
        a.asks().map(|l| (l.price, l.qty)).collect::<Vec<_>>(),
        b.asks.iter().map(|(p, q)| (*p, *q)).collect::<Vec<_>>()
    );
    assert_eq!(t.bids.len(), tree_bids.len());

    let mut g = c.benchmark_group("book_level_updates");
    g.throughput(Throughput::Elements(changes.len() as u64));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.bench_function("levels_sorted_vec_ticks", |bch| {
        bch.iter_batched_ref(
            || levels.clone(),
            |book| {
                for ch in &changes {
                    let r = if ch.bid { book.set_bid(ch.price, ch.qty) } else { book.set_ask(ch.price, ch.qty) };
                    black_box(r).unwrap();
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("btreemap_ticks", |bch| {
        bch.iter_batched_ref(
            || ttree.clone(),
            |book| changes.iter().for_each(|ch| book.apply(black_box(ch))),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("btreemap_decimal", |bch| {
        bch.iter_batched_ref(
            || dtree.clone(),
            |book| changes.iter().for_each(|ch| book.apply(black_box(ch))),
            BatchSize::LargeInput,
        )
    });
    // The whole per-event path: sequence checks and the store.
    let depth_updates: Vec<DepthUpdate> = evs
        .iter()
        .enumerate()
        .map(|(i, ev)| {
            let (bids, asks): (Vec<&Change>, Vec<&Change>) = ev.iter().partition(|c| c.bid);
            let lv = |v: Vec<&Change>| v.into_iter().map(|c| Level { price: c.price, qty: c.qty }).collect();
            DepthUpdate {
                event_time: 0,
                transaction_time: None,
                symbol: "BTCUSDT".into(),
                pair: None,
                first_update_id: 1001 + i as u64,
                final_update_id: 1001 + i as u64,
                prev_final_update_id: None,
                bids: lv(bids),
                asks: lv(asks),
            }
        })
        .collect();
    let mut synced = BookSync::new(SyncRule::Spot);
    synced.on_snapshot(snap.clone());
    g.bench_function("book_sync_on_event", |bch| {
        bch.iter_batched(
            || (synced.clone(), depth_updates.clone()),
            |(mut book, evs)| {
                for ev in evs {
                    black_box(book.on_event(ev));
                }
                book
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut r = c.benchmark_group("book_reads");
    r.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    r.bench_function("best_bid_ask", |bch| bch.iter(|| (black_box(&a).best_bid(), black_box(&a).best_ask())));
    r.bench_function("top_20_bids", |bch| bch.iter(|| black_box(&a).top_bids(20)));
    let probe = a.best_bid().unwrap().price - price(10);
    r.bench_function("bid_qty_10_levels_down", |bch| bch.iter(|| black_box(&a).bid_qty(black_box(probe))));
    r.finish();
}

/// The three stores in alternating rounds (order rotated each round), so that the machine's drift hits all alike:
/// medians and the median of the per-round ratios.
fn paired() {
    let mut rng = StdRng::seed_from_u64(7);
    let snap = snapshot(&mut rng);
    let changes: Vec<Change> = events(&mut rng).into_iter().flatten().collect();
    let mut levels = Levels::new();
    levels.load(&snap.bids, &snap.asks).unwrap();
    let (mut dtree, mut ttree) = (DecimalTree::default(), TickTree::default());
    for (bid, side) in [(true, &snap.bids), (false, &snap.asks)] {
        for l in side {
            let ch = Change { bid, price: l.price, qty: l.qty };
            dtree.apply(&ch);
            ttree.apply(&ch);
        }
    }
    let run = |which: usize| -> f64 {
        let t = match which {
            0 => {
                let mut b = levels.clone();
                let t = Instant::now();
                for ch in &changes {
                    let r = if ch.bid { b.set_bid(ch.price, ch.qty) } else { b.set_ask(ch.price, ch.qty) };
                    black_box(r).unwrap();
                }
                t.elapsed()
            }
            1 => {
                let mut b = ttree.clone();
                let t = Instant::now();
                changes.iter().for_each(|ch| b.apply(black_box(ch)));
                t.elapsed()
            }
            _ => {
                let mut b = dtree.clone();
                let t = Instant::now();
                changes.iter().for_each(|ch| b.apply(black_box(ch)));
                t.elapsed()
            }
        };
        changes.len() as f64 / t.as_secs_f64()
    };
    const ROUNDS: usize = 21;
    let mut rates = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        for k in 0..3 {
            let which = (round + k) % 3;
            rates[which].push(run(which));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = (0..ROUNDS).map(|i| rates[a][i] / rates[b][i]).collect();
        median(&mut r)
    };
    let (vt, vd) = (ratio(0, 1), ratio(0, 2));
    let names = ["sorted Vec, i64 ticks (book::Levels)", "BTreeMap<i64 ticks, Decimal>", "BTreeMap<Decimal, Decimal>"];
    println!("paired, {ROUNDS} rounds of {} level updates each:", changes.len());
    for (i, name) in names.iter().enumerate() {
        println!("  {name:<40} median {:>6.2} M level updates/s", median(&mut rates[i].clone()) / 1e6);
    }
    println!("  per-round ratio sorted Vec / BTreeMap ticks:   median {vt:.2}");
    println!("  per-round ratio sorted Vec / BTreeMap Decimal: median {vd:.2}");
}

criterion_group!(benches, bench);

fn main() {
    if !std::env::args().any(|a| a == "--paired-only") {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    // `cargo test --benches` runs this binary without `--bench`: keep that quick.
    if std::env::args().any(|a| a == "--bench" || a == "--paired-only") {
        paired();
    }
}
