//! The host's network clients for the net tests and `cargo xtask bench
//! net` (Debian's redis-cli and redis-benchmark, wrk and curl, installed
//! on demand), run under a timeout, and readers of what they print.

use anyhow::{Context, Result};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a client printed and how it ended.
#[derive(Debug)]
pub struct ClientOutput {
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// The exit status; `None` if it was killed at the timeout.
    pub status: Option<i32>,
}

impl ClientOutput {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The output if the client exited with status 0; a description of
    /// `what` failed otherwise.
    pub fn success(self, what: &str) -> Result<ClientOutput, String> {
        match self.status {
            Some(0) => Ok(self),
            Some(status) => Err(format!(
                "{what}: exit status {status}\nstdout: {}\nstderr: {}",
                self.text().trim_end(),
                self.stderr.trim_end()
            )),
            None => {
                Err(format!("{what}: no answer, killed at its timeout\nstdout: {}", self.text().trim_end()))
            }
        }
    }
}

/// Runs `command` with `stdin` as its input, killing it (by its PID)
/// after `timeout`.
pub fn run(command: &mut Command, stdin: &[u8], timeout: Duration) -> Result<ClientOutput, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {program}: {e}"))?;
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut input, &stdin);
    });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status.code().unwrap_or(-1)),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    };
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(ClientOutput { stdout, stderr, status })
}

/// Installs whichever of the clients the host lacks (Debian's
/// redis-tools, wrk, curl).
pub fn ensure_installed() -> Result<()> {
    let missing: Vec<&str> = [("redis-benchmark", "redis-tools"), ("wrk", "wrk"), ("curl", "curl")]
        .into_iter()
        .filter(|(program, _)| !is_installed(program))
        .map(|(_, package)| package)
        .collect();
    if !missing.is_empty() {
        crate::setup::apt_install(&missing).context("installing the network clients")?;
    }
    Ok(())
}

fn is_installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// redis-benchmark's `--csv` report: (test name, requests per second) per
/// test, after the header line
/// `"test","rps","avg_latency_ms",...`.
pub fn parse_redis_benchmark_csv(text: &str) -> Result<Vec<(String, f64)>, String> {
    let mut rows = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').map(|f| f.trim_matches('"')).collect();
        if fields.first() == Some(&"test") {
            continue;
        }
        match (fields.first(), fields.get(1).and_then(|rps| rps.parse::<f64>().ok())) {
            (Some(test), Some(rps)) if rps.is_finite() && rps > 0.0 => rows.push((test.to_string(), rps)),
            _ => return Err(format!("unexpected redis-benchmark line {line:?}")),
        }
    }
    if rows.is_empty() {
        return Err(format!("redis-benchmark reported no test:\n{text}"));
    }
    Ok(rows)
}

/// What wrk reported about one run.
#[derive(Debug, PartialEq)]
pub struct WrkReport {
    /// `N requests in 3.00s, ...`.
    pub requests: u64,
    /// `Requests/sec: X`.
    pub requests_per_second: f64,
    /// `Non-2xx or 3xx responses: N` (absent: 0).
    pub non_2xx: u64,
    /// `Socket errors: connect A, read B, write C, timeout D` (absent:
    /// none), as printed.
    pub socket_errors: Option<String>,
}

impl WrkReport {
    /// The report if every request got a 2xx or 3xx answer and no socket
    /// failed; what went wrong otherwise.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.requests == 0 {
            problems.push("no request completed".to_string());
        }
        if self.non_2xx > 0 {
            problems.push(format!("{} responses were not 2xx or 3xx", self.non_2xx));
        }
        if let Some(errors) = &self.socket_errors {
            problems.push(format!("socket errors: {errors}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

pub fn parse_wrk(text: &str) -> Result<WrkReport, String> {
    let mut requests = None;
    let mut requests_per_second = None;
    let mut non_2xx = 0;
    let mut socket_errors = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            requests_per_second = rest.trim().parse::<f64>().ok();
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = rest.trim().parse().map_err(|_| format!("bad wrk line {line:?}"))?;
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            socket_errors = Some(rest.trim().to_string());
        } else if let Some((count, _)) = line.split_once(" requests in ") {
            requests = count.trim().parse().ok();
        }
    }
    match (requests, requests_per_second) {
        (Some(requests), Some(requests_per_second)) => {
            Ok(WrkReport { requests, requests_per_second, non_2xx, socket_errors })
        }
        _ => Err(format!("wrk's report lacks its request counts:\n{text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_redis_benchmark_csv() {
        let text = "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\"\n\
                    \"SET\",\"4149.38\",\"1.890\",\"0.456\"\n\"GET\",\"4385.96\",\"1.792\",\"0.400\"\n";
        assert_eq!(
            parse_redis_benchmark_csv(text).unwrap(),
            [("SET".to_string(), 4149.38), ("GET".to_string(), 4385.96)]
        );
        assert!(parse_redis_benchmark_csv("").is_err());
        assert!(parse_redis_benchmark_csv("\"SET\",\"nan\"\n").is_err());
        assert!(parse_redis_benchmark_csv("Error: Connection reset by peer\n").is_err());
    }

    #[test]
    fn reads_wrk_reports() {
        let clean = "Running 3s test @ http://127.0.0.1:1234/file-4k\n  2 threads and 8 connections\n\
                     \x20 Thread Stats   Avg      Stdev     Max   +/- Stdev\n\
                     \x20   Latency     5.01ms    1.20ms  20.00ms   90.00%\n\
                     \x20 4521 requests in 3.00s, 19.90MB read\nRequests/sec:   1506.12\nTransfer/sec:      6.63MB\n";
        let report = parse_wrk(clean).unwrap();
        assert_eq!(
            report,
            WrkReport { requests: 4521, requests_per_second: 1506.12, non_2xx: 0, socket_errors: None }
        );
        assert!(report.check().is_ok());
        let broken =
            "  10 requests in 3.00s, 1.00KB read\n  Socket errors: connect 0, read 2, write 0, timeout 4\n\
                      \x20 Non-2xx or 3xx responses: 3\nRequests/sec:      3.33\n";
        let report = parse_wrk(broken).unwrap();
        assert_eq!(report.non_2xx, 3);
        assert_eq!(
            report.check().unwrap_err(),
            "3 responses were not 2xx or 3xx; socket errors: connect 0, read 2, write 0, timeout 4"
        );
        assert!(parse_wrk("unable to connect to 127.0.0.1:1234 Connection refused\n").is_err());
    }
}
