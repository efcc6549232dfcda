//! A spinner on stderr for steps that may take more than a second: shown only on a terminal, only when
//! not quiet, and only once the step has lasted a second (quick steps never flicker).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A running step. Dropping it clears the line.
pub struct Spinner {
    bar: ProgressBar,
    timer: Option<tokio::task::JoinHandle<()>>,
}

impl Spinner {
    /// Starts a step described by `message`; `quiet` suppresses it.
    pub fn start(message: impl Into<String>, quiet: bool) -> Spinner {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_message(message.into());
        let timer = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = bar.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if !bar.is_finished() {
                    let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner());
                    bar.set_style(style);
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(100));
                }
            })
        });
        Spinner { bar, timer }
    }

    /// Changes the message (for example a running count).
    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        self.bar.finish_and_clear();
    }
}
