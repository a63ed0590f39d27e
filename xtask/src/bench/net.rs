//! `cargo xtask bench net`: requests per second of Debian's redis-server
//! (redis-benchmark SET and GET) and nginx serving a 4 KiB file (wrk), in
//! the guest of the network acceptance tests (net_guest.rs), driven from
//! the host through the same port forwards on both kernels.

use super::results::Reading;
use super::{name, Bench, Guest};
use crate::corpus::Kernel;
use crate::host_clients::{self, parse_redis_benchmark_csv, parse_wrk};
use crate::net_guest::{NetGuest, NetImage, FILE_4K_URL_PATH};
use std::process::Command;
use std::time::Duration;

/// The metrics this part reports, in table order.
pub const METRICS: &[&str] = &["redis_set_rps", "redis_get_rps", "nginx_4k_rps"];
/// Connections each client keeps open (QEMU's user network stalls with
/// many in parallel).
const CONNECTIONS: &str = "8";
/// Requests per redis-benchmark test: about 5 s on Linux under TCG
/// (~1000 a second on a 2-core host).
const REDIS_REQUESTS: &str = "5000";
/// How long wrk runs.
const WRK_DURATION: &str = "5s";
/// The unmeasured warm-up before them.
const WARM_UP_REDIS_REQUESTS: &str = "500";
const WARM_UP_WRK_DURATION: &str = "1s";
/// A client run that takes longer has failed.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

impl Bench {
    /// One boot of `kernel` with the servers, then the clients in turn.
    pub(super) fn net(&mut self, guest: &Guest, image: &NetImage, kernel: Kernel, run: usize) {
        let mut net = match image.boot(guest.image(kernel)) {
            Ok(net) => net,
            Err(why) => {
                eprintln!("bench: {} net boot failed: {why:#}", name(kernel));
                self.record_failures(kernel, run, &format!("net boot: {}", first_line(&format!("{why:#}"))));
                return;
            }
        };
        // The first requests after boot pay for TCG's translation of the
        // servers' request paths and the guest's late boot work: a short
        // unmeasured round of each client first.
        let _ = redis_benchmark(&net, "set,get", WARM_UP_REDIS_REQUESTS);
        let _ = wrk(&net, WARM_UP_WRK_DURATION);
        let mut shown = Vec::new();
        for metric in METRICS {
            let measured = match *metric {
                "redis_set_rps" => {
                    net.ready("redis").and_then(|()| redis_benchmark(&net, "set", REDIS_REQUESTS))
                }
                "redis_get_rps" => {
                    net.ready("redis").and_then(|()| redis_benchmark(&net, "get", REDIS_REQUESTS))
                }
                _ => net.ready("nginx").and_then(|()| wrk(&net, WRK_DURATION)),
            };
            match measured {
                Ok(rps) => {
                    self.results.record(kernel, metric, Reading::Value(rps));
                    shown.push(format!("{metric} {rps:.0}"));
                }
                Err(why) => {
                    self.results.record(kernel, metric, Reading::Failed);
                    shown.push(format!("{metric} fail"));
                    eprintln!(
                        "\nbench: {} {metric}: {why}\nconsole ends with:\n{}",
                        name(kernel),
                        net.running.tail(20)
                    );
                    self.note(kernel, run, format!("{metric}: {}", first_line(&why)));
                }
            }
        }
        net.running.stop();
        eprintln!("{}", shown.join(", "));
    }

    fn record_failures(&mut self, kernel: Kernel, run: usize, why: &str) {
        for metric in METRICS {
            self.results.record(kernel, metric, Reading::Failed);
        }
        self.note(kernel, run, why.to_string());
    }
}

/// redis-benchmark's requests per second for `requests` of one test
/// (`set` or `get`; the last one's for a list).
fn redis_benchmark(net: &NetGuest, test: &str, requests: &str) -> Result<f64, String> {
    let port = net.ports.redis.to_string();
    let mut command = Command::new("redis-benchmark");
    command.args(["-h", "127.0.0.1", "-p", &port, "-c", CONNECTIONS, "-n", requests]);
    command.args(["-t", test, "--csv"]);
    let output = host_clients::run(&mut command, b"", CLIENT_TIMEOUT)?.success("redis-benchmark")?;
    let rows = parse_redis_benchmark_csv(&output.text())?;
    match rows.last() {
        Some((_, rps)) if rows.len() == test.split(',').count() => Ok(*rps),
        _ => Err(format!("redis-benchmark -t {test} reported {} tests", rows.len())),
    }
}

/// wrk's requests per second on the 4 KiB file over `duration`, if every
/// request got a 2xx answer without socket errors.
fn wrk(net: &NetGuest, duration: &str) -> Result<f64, String> {
    let url = format!("http://127.0.0.1:{}{FILE_4K_URL_PATH}", net.ports.nginx);
    let mut command = Command::new("wrk");
    command.args(["-c", CONNECTIONS, "-t", "2", "-d", duration, &url]);
    let output = host_clients::run(&mut command, b"", CLIENT_TIMEOUT)?.success("wrk")?;
    let report = parse_wrk(&output.text())?;
    report.check()?;
    Ok(report.requests_per_second)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
