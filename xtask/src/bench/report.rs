//! docs/benchmarks.md and docs/benchmarks.png from a full `cargo xtask
//! bench` run: when, on what host and QEMU, the table, how each number is
//! measured, and what failed.

use super::results::{markdown_table, Results};
use super::Guest;
use anyhow::Result;
use std::process::Command;

/// How each metric is measured, for the document.
const METHOD: &str = "\
## How the numbers are measured

`cargo xtask bench` (xtask/src/bench.rs) boots both kernels on QEMU's
`virt` machine with identical flags (`-smp 2 -m 512M`, `quiet loglevel=1
rdinit=/goose-bench/init-marker`) and the same initramfs: Debian's
busybox root file system with Linux's virtio and ext4 modules (Linux's
/etc/init.d/rcS loads them; goose's skips them) and an overlay with the
programs of tests/bench. Only `-kernel` differs. Each run boots goose,
then Linux, for each part.

- **boot to init**: host wall clock from starting QEMU to the console line
  that tests/bench/init_marker.c, the first user program, prints before it
  becomes the initramfs's /init. Firmware (OpenSBI) time is included.
- **boot to shell prompt**: the same clock to the busybox `sh -l` prompt
  (`root@goose:~# `) on the console, after /init's setup.
- **the rest**: tests/bench/microbench.c (static, `-O2`, Debian's
  riscv64 gcc), one process per benchmark under a 60 s timeout, timing
  loops with `clock_gettime(CLOCK_MONOTONIC)`: each runs a warm-up batch,
  then batches until 0.4 s of measured time have passed. The page-fault
  benchmark times only the touching of each page of a fresh 4 MiB
  anonymous mapping (huge pages refused with `madvise`). The file read
  writes a 16 MiB file in /tmp and reads it back whole in 64 KiB chunks,
  in MB/s (10^6 bytes a second).
- **redis SET, redis GET, nginx**: one more boot per kernel and run, of
  the network acceptance tests' guest (docs/net-acceptance.md): Debian's
  redis-server and nginx behind QEMU user-network port forwards on the
  host's 127.0.0.1 (`-netdev user,restrict=on,hostfwd=...` and a
  virtio-net device, the same on both kernels), driven from the host by
  Debian's amd64 `redis-benchmark -c 8 -n 5000 -t set` (then `-t get`)
  and `wrk -c 8 -t 2 -d 5s` on a 4 KiB file, in requests a second, after
  an unmeasured warm-up (500 requests, 1 s of wrk). The
  clients share the host's cores with QEMU; a wrk run with a non-2xx
  answer or a socket error counts as failed.

`fail`: the benchmark reported an error, crashed, or hung (see the notes);
`n/a`: the kernel lacks the feature. These are
benchmarks, not tests: QEMU's TCG translates every instruction, the host
is shared, and a number says more next to Linux's than alone.
";

/// Writes both files under docs/.
pub fn write(results: &Results, notes: &[String], runs: usize, guest: &Guest) -> Result<()> {
    let docs = crate::workspace_root().join("docs");
    let date =
        output("date", &["-u", "+%Y-%m-%d"]).map_or_else(|| "unknown date".into(), |d| d.trim().to_string());
    let qemu = output("qemu-system-riscv64", &["--version"])
        .and_then(|text| text.lines().next().map(str::to_string))
        .unwrap_or_else(|| "QEMU (version unknown)".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let root = crate::workspace_root().to_string_lossy().into_owned();
    let mut commit = output("git", &["-C", &root, "rev-parse", "--short", "HEAD"])
        .map_or_else(|| "unknown".into(), |c| c.trim().to_string());
    if output("git", &["-C", &root, "status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty())
    {
        commit.push_str(" with uncommitted changes");
    }

    let mut text = String::from("# Benchmarks: goose next to Linux\n\n");
    text.push_str("Written by `cargo xtask bench`; run it again rather than editing this file.\n\n");
    text.push_str(&format!("- date: {date}, goose at commit {commit}\n"));
    text.push_str(&format!("- Linux: Debian's `{}`\n", guest.linux_package));
    text.push_str(&format!("- {qemu}\n"));
    text.push_str(&format!("- host: {cores} cores ({cpu})\n"));
    text.push_str(&format!("- {runs} runs per kernel, alternating goose and Linux\n\n"));
    text.push_str(&markdown_table(&results.rows()));
    text.push_str(
        "\nEach cell is the median over the runs, with the smallest and largest in parentheses. \
         goose/Linux is the ratio of the medians: for times (ns, µs, ms) a ratio below 1 means \
         goose is faster; for throughput (MB/s, requests/s) a ratio above 1 means goose is faster.\n\n\
         ![goose/Linux per metric](benchmarks.png)\n\n",
    );
    if !notes.is_empty() {
        text.push_str("## Failures in this run\n\n");
        for note in notes {
            text.push_str(&format!("- {note}\n"));
        }
        text.push('\n');
    }
    text.push_str(METHOD);
    std::fs::write(docs.join("benchmarks.md"), text)?;
    let subtitle = format!("{date}; {runs} runs; {qemu}; {cores} host cores; green: goose better");
    super::chart::draw(&results.metrics, &subtitle, &docs.join("benchmarks.png"))?;
    println!("wrote docs/benchmarks.md and docs/benchmarks.png");
    Ok(())
}

/// A command's standard output, if it ran and succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
