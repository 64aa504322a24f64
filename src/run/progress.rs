//! What a run shows while it works: a bar, plain lines, or nothing, one
//! step per article done.
//!
//! What it is not: the final summary line (`RunSummary::report`) or the
//! error lines (printed by the command line from `RunSummary::errors`).

/// How a run shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A bar on stderr (stderr is a terminal).
    Bar,
    /// One plain line per finished article on stderr.
    Lines,
    Quiet,
}

/// The progress of one run, shown as its [`Progress`] says.
pub(super) struct ProgressDisplay {
    progress: Progress,
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressDisplay {
    /// Starts the display for `articles` articles.
    pub(super) fn start(progress: Progress, articles: usize) -> Self {
        let bar = (progress == Progress::Bar).then(|| {
            let bar = indicatif::ProgressBar::new(articles as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} articles {elapsed_precise} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Self { progress, bar }
    }

    /// One article done; `line` says how ("translated <path>", …).
    pub(super) fn article_done(&self, line: String) {
        match (&self.bar, self.progress) {
            (Some(bar), _) => {
                bar.inc(1);
                bar.set_message(line);
            }
            (None, Progress::Lines) => eprintln!("tarjama: {line}"),
            _ => {}
        }
    }

    /// Clears the bar, so the summary line stands alone.
    pub(super) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
