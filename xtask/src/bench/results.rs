//! Benchmark results: the `bench METRIC VALUE` lines tests/bench/microbench.c
//! prints, the samples of each metric on each kernel, their median and
//! spread, and the side-by-side table (plain text and Markdown).

use crate::corpus::Kernel;

/// One run's outcome for one metric on one kernel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reading {
    Value(f64),
    /// The benchmark failed, hung or never reported.
    Failed,
    /// The kernel lacks the feature (goose has no threads yet).
    NotAvailable,
}

/// Parses `bench METRIC VALUE`; other console lines give `None`. A value
/// that is no number reads as a failure.
pub fn parse_line(line: &str) -> Option<(String, Reading)> {
    let mut words = line.split_whitespace();
    let (Some("bench"), Some(metric), Some(value), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return None;
    };
    let reading = match value {
        "n/a" => Reading::NotAvailable,
        value => match value.parse::<f64>() {
            Ok(number) if number.is_finite() && number >= 0.0 => Reading::Value(number),
            _ => Reading::Failed,
        },
    };
    Some((metric.to_string(), reading))
}

/// The metrics the table knows, in its order, with their row labels.
/// Metrics the program prints that are missing here still get a row.
const KNOWN_METRICS: &[(&str, &str)] = &[
    ("boot_init_ms", "boot to init"),
    ("boot_prompt_ms", "boot to shell prompt"),
    ("getppid_ns", "getppid (null syscall)"),
    ("clock_gettime_ns", "clock_gettime (vDSO)"),
    ("write_devnull_ns", "write 1 byte to /dev/null"),
    ("pipe_round_trip_ns", "pipe round trip, 2 processes"),
    ("fork_exit_wait_us", "fork + exit + wait"),
    ("fork_exec_wait_us", "fork + execve(/bin/true) + wait"),
    ("page_fault_ns", "anonymous page fault, per page"),
    ("open_close_ns", "open + close /etc/passwd"),
    ("file_read_mb_s", "read a 16 MiB file in 64 KiB chunks"),
    ("thread_create_join_us", "pthread create + join"),
    ("tcp_round_trip_ns", "TCP 100-byte round trip over 127.0.0.1"),
    ("tcp_bulk_mb_s", "TCP bulk transfer over 127.0.0.1"),
    ("redis_set_rps", "redis SET, redis-benchmark -c 8"),
    ("redis_get_rps", "redis GET, redis-benchmark -c 8"),
    ("nginx_4k_rps", "nginx, a 4 KiB file, wrk -c 8"),
];

/// Whether a bigger number is better: throughputs (`_mb_s`, `_rps`) are,
/// times are not.
pub fn is_higher_better(metric: &str) -> bool {
    metric.ends_with("_mb_s") || metric.ends_with("_rps")
}

/// The unit a metric's name ends with, as the table shows it.
fn unit(metric: &str) -> &'static str {
    [
        ("_ns", "ns"),
        ("_us", "µs"),
        ("_ms", "ms"),
        ("_mb_s", "MB/s, higher is better"),
        ("_rps", "requests/s, higher is better"),
    ]
    .iter()
    .find(|(suffix, _)| metric.ends_with(suffix))
    .map_or("", |(_, unit)| unit)
}

/// The row label: what is measured, then its unit.
pub fn label(metric: &str) -> String {
    let name = KNOWN_METRICS.iter().find(|(key, _)| *key == metric).map_or(metric, |(_, label)| label);
    match unit(metric) {
        "" => name.to_string(),
        unit => format!("{name} ({unit})"),
    }
}

/// Median, smallest and largest of some samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// `None` for no samples; the median of an even count is the mean of the
/// middle two.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (first, last) = (*sorted.first()?, *sorted.last()?);
    let middle = sorted.len() / 2;
    let median =
        if sorted.len() % 2 == 1 { sorted[middle] } else { (sorted[middle - 1] + sorted[middle]) / 2.0 };
    Some(Summary { median, min: first, max: last })
}

/// Every reading of one metric on one kernel.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    pub values: Vec<f64>,
    pub failures: usize,
    pub not_available: usize,
}

impl Samples {
    pub fn record(&mut self, reading: Reading) {
        match reading {
            Reading::Value(value) => self.values.push(value),
            Reading::Failed => self.failures += 1,
            Reading::NotAvailable => self.not_available += 1,
        }
    }

    /// `median (min–max)`, with how many runs failed; `fail` or `n/a`
    /// when no run gave a number; `–` when nothing was recorded.
    pub fn cell(&self) -> String {
        match summarize(&self.values) {
            Some(s) => {
                let mut text = format!("{} ({}–{})", number(s.median), number(s.min), number(s.max));
                if self.failures > 0 {
                    text.push_str(&format!(", {} failed", self.failures));
                }
                text
            }
            None if self.failures > 0 => "fail".into(),
            None if self.not_available > 0 => "n/a".into(),
            None => "–".into(),
        }
    }

    pub fn median(&self) -> Option<f64> {
        summarize(&self.values).map(|s| s.median)
    }
}

/// About three significant digits, without exponents.
pub fn number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// One metric on both kernels.
#[derive(Clone, Debug)]
pub struct MetricResults {
    pub metric: String,
    pub linux: Samples,
    pub goose: Samples,
}

impl MetricResults {
    /// goose's median over Linux's, when both have one.
    pub fn ratio(&self) -> Option<f64> {
        match (self.goose.median(), self.linux.median()) {
            (Some(goose), Some(linux)) if linux > 0.0 => Some(goose / linux),
            _ => None,
        }
    }

    /// Whether goose did better than Linux (by the medians).
    pub fn is_goose_better(&self) -> Option<bool> {
        let ratio = self.ratio()?;
        Some(if is_higher_better(&self.metric) { ratio > 1.0 } else { ratio < 1.0 })
    }
}

/// All metrics, in table order.
#[derive(Clone, Debug, Default)]
pub struct Results {
    pub metrics: Vec<MetricResults>,
}

impl Results {
    pub fn record(&mut self, kernel: Kernel, metric: &str, reading: Reading) {
        let index = match self.metrics.iter().position(|m| m.metric == metric) {
            Some(index) => index,
            None => {
                self.metrics.push(MetricResults {
                    metric: metric.to_string(),
                    linux: Samples::default(),
                    goose: Samples::default(),
                });
                self.sort();
                self.metrics.iter().position(|m| m.metric == metric).expect("just added")
            }
        };
        let samples = &mut self.metrics[index];
        match kernel {
            Kernel::Linux => samples.linux.record(reading),
            Kernel::Goose => samples.goose.record(reading),
        }
    }

    /// Known metrics in their order, then the others by name.
    fn sort(&mut self) {
        let rank =
            |metric: &str| KNOWN_METRICS.iter().position(|(key, _)| *key == metric).unwrap_or(usize::MAX);
        self.metrics.sort_by(|a, b| (rank(&a.metric), &a.metric).cmp(&(rank(&b.metric), &b.metric)));
    }

    /// The table's cells: metric, Linux, goose, goose/Linux.
    pub fn rows(&self) -> Vec<[String; 4]> {
        self.metrics
            .iter()
            .map(|m| {
                let ratio = m.ratio().map_or_else(|| "–".to_string(), |r| format!("{r:.2}"));
                [label(&m.metric), m.linux.cell(), m.goose.cell(), ratio]
            })
            .collect()
    }
}

const HEADER: [&str; 4] = ["metric", "Linux", "goose", "goose/Linux"];

/// The table for a terminal: columns padded, numbers right-aligned.
pub fn text_table(rows: &[[String; 4]]) -> String {
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut text = String::new();
        for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            match column {
                0 => text.push_str(&format!("{cell}{pad}")),
                _ => text.push_str(&format!("  {pad}{cell}")),
            }
        }
        text.push('\n');
        text
    };
    let mut text = line(HEADER);
    for row in rows {
        text.push_str(&line([&row[0], &row[1], &row[2], &row[3]]));
    }
    text
}

/// The table in Markdown (GitHub's pipe tables).
pub fn markdown_table(rows: &[[String; 4]]) -> String {
    let mut text = format!("| {} |\n| --- | ---: | ---: | ---: |\n", HEADER.join(" | "));
    for row in rows {
        text.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bench_lines() {
        assert_eq!(
            parse_line("bench getppid_ns 2345.6"),
            Some(("getppid_ns".into(), Reading::Value(2345.6)))
        );
        assert_eq!(
            parse_line("  bench file_read_mb_s 12 "),
            Some(("file_read_mb_s".into(), Reading::Value(12.0)))
        );
        assert_eq!(
            parse_line("bench thread_create_join_us n/a"),
            Some(("thread_create_join_us".into(), Reading::NotAvailable))
        );
        assert_eq!(
            parse_line("bench fork_exit_wait_us fail"),
            Some(("fork_exit_wait_us".into(), Reading::Failed))
        );
        assert_eq!(parse_line("bench x_ns NaN"), Some(("x_ns".into(), Reading::Failed)));
        assert_eq!(parse_line("bench x_ns -3"), Some(("x_ns".into(), Reading::Failed)));
        assert_eq!(parse_line("bench-exit getppid 137"), None);
        assert_eq!(parse_line("bench x_ns 1 2"), None);
        assert_eq!(parse_line("bench x_ns"), None);
        assert_eq!(parse_line("microbench: fork: No such process"), None);
    }

    #[test]
    fn median_and_spread() {
        assert_eq!(summarize(&[]), None);
        assert_eq!(summarize(&[5.0]), Some(Summary { median: 5.0, min: 5.0, max: 5.0 }));
        assert_eq!(summarize(&[3.0, 1.0, 2.0]), Some(Summary { median: 2.0, min: 1.0, max: 3.0 }));
        assert_eq!(summarize(&[4.0, 1.0, 3.0, 2.0]), Some(Summary { median: 2.5, min: 1.0, max: 4.0 }));
    }

    #[test]
    fn numbers_keep_three_digits() {
        assert_eq!(number(2345.64), "2346");
        assert_eq!(number(123.45), "123");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(1.2345), "1.23");
        assert_eq!(number(0.01234), "0.012");
    }

    #[test]
    fn cells_show_failures() {
        let mut samples = Samples::default();
        assert_eq!(samples.cell(), "–");
        samples.record(Reading::NotAvailable);
        assert_eq!(samples.cell(), "n/a");
        samples.record(Reading::Failed);
        assert_eq!(samples.cell(), "fail");
        samples.record(Reading::Value(10.0));
        samples.record(Reading::Value(30.0));
        samples.record(Reading::Value(20.0));
        assert_eq!(samples.cell(), "20.0 (10.0–30.0), 1 failed");
    }

    #[test]
    fn rows_in_known_order_with_ratios() {
        let mut results = Results::default();
        results.record(Kernel::Goose, "zzz_ns", Reading::Value(1.0));
        results.record(Kernel::Goose, "getppid_ns", Reading::Value(200.0));
        results.record(Kernel::Linux, "getppid_ns", Reading::Value(400.0));
        results.record(Kernel::Linux, "file_read_mb_s", Reading::Value(100.0));
        results.record(Kernel::Goose, "file_read_mb_s", Reading::Value(300.0));
        results.record(Kernel::Goose, "boot_init_ms", Reading::Failed);
        results.record(Kernel::Linux, "boot_init_ms", Reading::Value(4000.0));
        let order: Vec<&str> = results.metrics.iter().map(|m| m.metric.as_str()).collect();
        assert_eq!(order, ["boot_init_ms", "getppid_ns", "file_read_mb_s", "zzz_ns"]);
        let rows = results.rows();
        assert_eq!(rows[0], ["boot to init (ms)", "4000 (4000–4000)", "fail", "–"].map(String::from));
        assert_eq!(rows[1][3], "0.50");
        assert_eq!(rows[2][0], "read a 16 MiB file in 64 KiB chunks (MB/s, higher is better)");
        assert_eq!(rows[3], ["zzz_ns (ns)", "–", "1.00 (1.00–1.00)", "–"].map(String::from));
        assert_eq!(results.metrics[1].is_goose_better(), Some(true));
        assert_eq!(results.metrics[2].is_goose_better(), Some(true));
        assert_eq!(results.metrics[0].is_goose_better(), None);
    }

    #[test]
    fn tables_align() {
        let rows = vec![["getppid (ns)".to_string(), "1.00 (1–2)".into(), "3".into(), "3.00".into()]];
        let text = text_table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "metric             Linux  goose  goose/Linux");
        assert_eq!(lines[1], "getppid (ns)  1.00 (1–2)      3         3.00");
        let markdown = markdown_table(&rows);
        assert_eq!(
            markdown,
            "| metric | Linux | goose | goose/Linux |\n| --- | ---: | ---: | ---: |\n\
             | getppid (ns) | 1.00 (1–2) | 3 | 3.00 |\n"
        );
    }
}
