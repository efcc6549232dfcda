//! Helpers: a local exchange on its own runtime (so tests can block on the `bws` child process), and
//! running the built binary with a clean environment.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use binance_ws_sim::{Sim, SimConfig};

pub use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};

/// A local exchange running on a runtime of its own.
pub struct TestSim {
    sim: Option<Sim>,
    rt: tokio::runtime::Runtime,
}

impl TestSim {
    /// The default exchange: simulated traders keep the streams moving.
    pub fn busy() -> TestSim {
        TestSim::start(SimConfig::default())
    }

    /// No simulated traders: no trades, and empty books.
    pub fn quiet() -> TestSim {
        TestSim::start(SimConfig { activity: None, ..Default::default() })
    }

    /// The simulated traders seed every book with ten levels a side, then hold still: the books stay
    /// exactly as seeded, so what bws prints can be compared with the exchange's own book.
    pub fn still() -> TestSim {
        let ex = TestSim::busy();
        ex.sim().pause_market();
        let seeded = || ex.sim().depth("BTCUSDT", 10).is_ok_and(|b| b.bids.len() == 10 && b.asks.len() == 10);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !seeded() {
            assert!(std::time::Instant::now() < deadline, "the books were not seeded within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        ex
    }

    pub fn start(config: SimConfig) -> TestSim {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let sim = rt.block_on(Sim::start(config)).expect("the local exchange starts");
        TestSim { sim: Some(sim), rt }
    }

    pub fn sim(&self) -> &Sim {
        self.sim.as_ref().expect("running")
    }

    /// The `--env` value that points bws at this exchange.
    pub fn url(&self) -> String {
        self.sim().base_url()
    }
}

impl Drop for TestSim {
    fn drop(&mut self) {
        let _guard = self.rt.enter();
        drop(self.sim.take());
    }
}

/// `bws` with no colour, none of the caller's Binance variables, in an empty directory (no `.env`).
pub fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bws"));
    c.args(args).env("NO_COLOR", "1");
    for var in ["BINANCE_API_KEY", "BINANCE_SECRET_KEY", "BINANCE_PRIVATE_KEY_PATH", "BWS_ENV", "BWS_LOG"] {
        c.env_remove(var);
    }
    c.current_dir(std::env::temp_dir());
    c
}

/// Runs `bws` to the end.
pub fn bws(args: &[&str]) -> Output {
    command(args).output().expect("bws runs")
}

/// Runs `bws` in `dir` (for `.env` tests).
pub fn bws_in(dir: &Path, args: &[&str]) -> Output {
    command(args).current_dir(dir).output().expect("bws runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing both outputs when it differs.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
}

/// The stdout lines parsed as JSON.
#[track_caller]
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\nall:\n{}", stdout(o))))
        .collect()
}

/// A running `bws` whose stderr is watched line by line.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: std::thread::JoinHandle<Vec<u8>>,
}

impl Running {
    pub fn spawn(args: &[&str]) -> Running {
        let mut child = command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("bws starts");
        let mut out = child.stdout.take().expect("piped");
        // Read stdout while it runs, so a full pipe never blocks the child.
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out, &mut buf);
            buf
        });
        let stderr = child.stderr.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Running { child, lines, stdout }
    }

    /// Waits (at most 30 s) for a stderr line containing `text`.
    #[track_caller]
    pub fn wait_for_stderr(&self, text: &str) {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) if line.contains(text) => return,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no stderr line with `{text}`; saw {seen:?}"),
            }
        }
    }

    /// True while the process has not ended.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the process to end and returns its output (stderr lines after the watched ones included).
    pub fn finish(mut self) -> Output {
        let status = self.child.wait().expect("bws ends");
        let stdout = self.stdout.join().expect("stdout reader");
        // The reader thread ends at end of file, which closes the channel.
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            rest.push(line);
        }
        Output { status, stdout, stderr: rest.join("\n").into_bytes() }
    }
}
