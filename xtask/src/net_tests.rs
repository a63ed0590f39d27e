//! The network acceptance tests: Debian's redis-server and nginx and a Go
//! net/http server run in the guest (net_guest.rs), and the host drives
//! them through QEMU's port forwards with Debian's redis-cli,
//! redis-benchmark, curl and wrk, checking every answer. One boot serves
//! all of them.
//!
//! `cargo xtask net-test [--linux]` runs them on one kernel; `cargo xtask
//! test` runs them on goose (see docs/net-acceptance.md).

use crate::corpus::Kernel;
use crate::host_clients::{self, parse_redis_benchmark_csv, parse_wrk};
use crate::net_guest::{file_4k, NetGuest, NetImage, FILE_4K_URL_PATH};
use anyhow::Result;
use std::process::Command;
use std::time::Duration;

/// One client call that takes longer has failed (no answer).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections the load generators keep open: QEMU's user network (slirp)
/// stalls with many parallel connections.
const CONNECTIONS: &str = "8";
/// INCR requests redis-benchmark sends to one counter.
const INCREMENTS: usize = 2000;

type Verdict = Result<(), String>;

/// One test: its name, the server it needs, and the check.
struct NetTest {
    name: &'static str,
    server: &'static str,
    check: fn(&NetGuest) -> Verdict,
}

const NET_TESTS: &[NetTest] = &[
    NetTest { name: "redis_set_get", server: "redis", check: redis_set_get },
    NetTest { name: "redis_incr_from_8_clients", server: "redis", check: redis_incr_from_8_clients },
    NetTest { name: "redis_benchmark_set_get", server: "redis", check: redis_benchmark_set_get },
    NetTest { name: "nginx_serves_4k_file", server: "nginx", check: nginx_serves_4k_file },
    NetTest { name: "nginx_under_wrk", server: "nginx", check: nginx_under_wrk },
    NetTest { name: "go_http_answers_curl", server: "go-http", check: go_http_answers_curl },
];

/// Boots `kernel` once and runs the tests whose names contain `filter`;
/// returns (name, verdict) per test.
pub fn run(kernel: Kernel, filter: Option<&str>) -> Result<Vec<(String, Verdict)>> {
    let tests: Vec<&NetTest> =
        NET_TESTS.iter().filter(|t| filter.is_none_or(|f| format!("net::{}", t.name).contains(f))).collect();
    if tests.is_empty() {
        return Ok(Vec::new());
    }
    host_clients::ensure_installed()?;
    let image = NetImage::prepare()?;
    let mut guest = match image.boot(&crate::corpus::kernel_image(kernel)?) {
        Ok(guest) => guest,
        Err(why) => {
            let why = format!("  {why:#}");
            return Ok(tests.iter().map(|t| (format!("net::{}", t.name), Err(why.clone()))).collect());
        }
    };
    let mut verdicts = Vec::new();
    for test in tests {
        let verdict = guest
            .ready(test.server)
            .map_err(|why| format!("{} did not start in the guest: {why}", test.server))
            .and_then(|()| (test.check)(&guest));
        let verdict = verdict.map_err(|why| {
            format!("  {}\n--- console (last 20 lines) ---\n{}\n---", why.trim_end(), guest.running.tail(20))
        });
        verdicts.push((format!("net::{}", test.name), verdict));
    }
    guest.running.stop();
    Ok(verdicts)
}

/// `cargo xtask net-test`: the group on one kernel.
pub fn run_command(kernel: Kernel, filter: Option<&str>) -> Result<bool> {
    let verdicts = run(kernel, filter)?;
    let mut failed = 0;
    for (name, verdict) in &verdicts {
        match verdict {
            Ok(()) => println!("test {name} ... ok"),
            Err(why) => {
                println!("test {name} ... FAILED\n{why}");
                failed += 1;
            }
        }
    }
    println!("\n{} passed, {failed} failed ({kernel:?})", verdicts.len() - failed);
    Ok(failed == 0)
}

fn redis_cli(guest: &NetGuest, args: &[&str], stdin: &[u8]) -> Result<String, String> {
    let mut command = Command::new("redis-cli");
    command.args(["-h", "127.0.0.1", "-p", &guest.ports.redis.to_string()]).args(args);
    let what = format!("redis-cli {}", args.join(" "));
    let output = host_clients::run(&mut command, stdin, CLIENT_TIMEOUT)?.success(&what)?;
    Ok(output.text())
}

fn expect_reply(guest: &NetGuest, args: &[&str], expected: &str) -> Verdict {
    let reply = redis_cli(guest, args, b"")?;
    if reply.trim_end_matches('\n') == expected {
        Ok(())
    } else {
        Err(format!("redis-cli {}: expected {expected:?}, got {reply:?}", args.join(" ")))
    }
}

/// SET and GET of a short value and of a 64 KiB one (many TCP segments
/// each way), a missing key, and a command redis refuses.
fn redis_set_get(guest: &NetGuest) -> Verdict {
    expect_reply(guest, &["SET", "goose:greeting", "hello, goose"], "OK")?;
    expect_reply(guest, &["GET", "goose:greeting"], "hello, goose")?;
    // Printable, so redis-cli prints it as it is; no line repeats.
    let big: String = (0..64 * 1024 / 16).map(|i| format!("{i:015x}.")).collect();
    // -x: the last argument is read from standard input.
    let reply = redis_cli(guest, &["-x", "SET", "goose:big"], big.as_bytes())?;
    if reply.trim_end_matches('\n') != "OK" {
        return Err(format!("SET of a 64 KiB value: expected \"OK\", got {reply:?}"));
    }
    let back = redis_cli(guest, &["GET", "goose:big"], b"")?;
    if back.trim_end_matches('\n') != big {
        return Err(format!("GET of the 64 KiB value returned {} bytes, not the value set", back.len()));
    }
    expect_reply(guest, &["STRLEN", "goose:big"], &big.len().to_string())?;
    expect_reply(guest, &["DEL", "goose:greeting", "goose:big"], "2")?;
    expect_reply(guest, &["EXISTS", "goose:greeting"], "0")?;
    let reply = redis_cli(guest, &["NOSUCHCOMMAND", "x"], b"")?;
    if !reply.contains("ERR unknown command") {
        return Err(format!("an unknown command drew {reply:?}, not redis's ERR unknown command"));
    }
    Ok(())
}

/// redis-benchmark sends INCR to one counter from 8 connections; the
/// total must be exact: no request lost or applied twice.
fn redis_incr_from_8_clients(guest: &NetGuest) -> Verdict {
    expect_reply(guest, &["DEL", "goose:counter"], "0")?;
    let port = guest.ports.redis.to_string();
    let total = INCREMENTS.to_string();
    let mut command = Command::new("redis-benchmark");
    command.args(["-h", "127.0.0.1", "-p", &port, "-c", CONNECTIONS, "-n", &total, "--csv"]);
    command.args(["INCR", "goose:counter"]);
    let output = host_clients::run(&mut command, b"", CLIENT_TIMEOUT)?.success("redis-benchmark INCR")?;
    parse_redis_benchmark_csv(&output.text())?;
    expect_reply(guest, &["GET", "goose:counter"], &total)
}

/// redis-benchmark's SET and GET tests complete: every request answered.
fn redis_benchmark_set_get(guest: &NetGuest) -> Verdict {
    let port = guest.ports.redis.to_string();
    let mut command = Command::new("redis-benchmark");
    command.args(["-h", "127.0.0.1", "-p", &port, "-c", CONNECTIONS, "-n", "2000", "-t", "set,get", "--csv"]);
    let output =
        host_clients::run(&mut command, b"", CLIENT_TIMEOUT)?.success("redis-benchmark -t set,get")?;
    let rows = parse_redis_benchmark_csv(&output.text())?;
    let tests: Vec<&str> = rows.iter().map(|(test, _)| test.as_str()).collect();
    if tests != ["SET", "GET"] {
        return Err(format!("redis-benchmark reported {tests:?}, not SET and GET"));
    }
    if !output.stderr.trim().is_empty() {
        return Err(format!("redis-benchmark complained: {}", output.stderr.trim_end()));
    }
    Ok(())
}

fn curl(url: &str, args: &[&str]) -> Result<Vec<u8>, String> {
    let mut command = Command::new("curl");
    command.args(["--silent", "--show-error", "--max-time", "30"]).arg(url).args(args);
    let output = host_clients::run(&mut command, b"", CLIENT_TIMEOUT)?.success(&format!("curl {url}"))?;
    Ok(output.stdout)
}

/// The 4 KiB file comes back byte for byte; a missing file is a 404.
fn nginx_serves_4k_file(guest: &NetGuest) -> Verdict {
    let base = format!("http://127.0.0.1:{}", guest.ports.nginx);
    let body = curl(&format!("{base}{FILE_4K_URL_PATH}"), &["--fail"])?;
    let expected = file_4k();
    if body != expected {
        let first_difference = body.iter().zip(&expected).position(|(a, b)| a != b);
        return Err(format!(
            "GET {FILE_4K_URL_PATH}: {} bytes, first difference at {first_difference:?}; expected the 4096 \
             bytes in the image",
            body.len()
        ));
    }
    let status =
        curl(&format!("{base}/no-such-file"), &["--output", "/dev/null", "--write-out", "%{http_code}"])?;
    if status != b"404" {
        return Err(format!(
            "GET /no-such-file: status {:?}, expected 404",
            String::from_utf8_lossy(&status)
        ));
    }
    Ok(())
}

/// wrk keeps 8 connections busy for 3 s: every response 2xx, no socket
/// error (connect, read, write or timeout).
fn nginx_under_wrk(guest: &NetGuest) -> Verdict {
    let url = format!("http://127.0.0.1:{}{FILE_4K_URL_PATH}", guest.ports.nginx);
    let mut command = Command::new("wrk");
    command.args(["-c", CONNECTIONS, "-t", "2", "-d", "3s", &url]);
    let output = host_clients::run(&mut command, b"", CLIENT_TIMEOUT)?.success("wrk")?;
    let report = parse_wrk(&output.text())?;
    report.check().map_err(|why| format!("wrk: {why}\n{}", output.text()))
}

/// The Go server's exact bodies, for a GET with a query and a POST, over
/// one kept-alive connection and over fresh ones.
fn go_http_answers_curl(guest: &NetGuest) -> Verdict {
    let base = format!("http://127.0.0.1:{}", guest.ports.go_http);
    let expect = |body: Vec<u8>, expected: &str| {
        if body == expected.as_bytes() {
            Ok(())
        } else {
            Err(format!("expected {expected:?}, got {:?}", String::from_utf8_lossy(&body)))
        }
    };
    expect(curl(&format!("{base}/hello?x=1"), &["--fail"])?, "goose net/http: GET /hello?x=1\n")?;
    expect(curl(&format!("{base}/form"), &["--fail", "--data", "a=1"])?, "goose net/http: POST /form\n")?;
    // Two URLs in one curl: the second goes over the kept-alive connection.
    expect(
        curl(&format!("{base}/one"), &["--fail", &format!("{base}/two")])?,
        "goose net/http: GET /one\ngoose net/http: GET /two\n",
    )?;
    for i in 0..10 {
        expect(curl(&format!("{base}/n{i}"), &["--fail"])?, &format!("goose net/http: GET /n{i}\n"))?;
    }
    Ok(())
}
