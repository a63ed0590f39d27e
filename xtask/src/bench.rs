//! `cargo xtask bench`: the same benchmarks on Debian's Linux and on goose
//! in one run, the kernels alternating boot by boot, reported as one table
//! of medians with their spread (and, for a full run, docs/benchmarks.md
//! and docs/benchmarks.png). Benchmarks, never tests: nothing here
//! asserts a time.
//!
//! Both kernels boot with identical QEMU flags and the same initramfs:
//! the busybox root file system with Linux's modules (goose's rcS skips
//! them) and an overlay holding tests/bench's programs. Only -kernel
//! differs.

mod chart;
mod console;
mod net;
mod report;
mod results;

use crate::corpus::{CorpusTest, Kernel, Kind};
use crate::file_tree::{FileTree, Node, FIXED_MTIME};
use crate::qemu::Machine;
use anyhow::{bail, Result};
use console::Console;
use results::{parse_line, Reading, Results};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// The first user program prints this (tests/bench/init_marker.c).
const INIT_MARKER: &str = "@@@ bench init";
/// The runner prints this after the last microbenchmark.
const DONE_MARKER: &str = "@@@ bench done";
/// Seconds one microbenchmark may run in the guest before it is killed.
const BENCH_TIMEOUT_SECONDS: u64 = 60;
/// A boot to the shell prompt that takes longer has failed.
const BOOT_TIMEOUT: Duration = Duration::from_secs(60);
/// Silence longer than a microbenchmark's timeout: the guest itself is stuck.
const MICRO_IDLE_TIMEOUT: Duration = Duration::from_secs(BENCH_TIMEOUT_SECONDS + 30);
/// A whole microbenchmark boot (about 10 s when nothing hangs).
const MICRO_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The parts `cargo xtask bench [PART]` runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Host wall clock from QEMU's start to init and to the shell prompt.
    Boot,
    /// tests/bench/microbench.c, in the guest.
    Micro,
    /// redis-server and nginx in the guest, driven from the host (net.rs).
    Net,
}

pub fn run(what: Option<&str>, runs: usize, only: Option<&str>) -> Result<()> {
    let kernels: &[Kernel] = match only {
        None => &[Kernel::Goose, Kernel::Linux],
        Some("goose") => &[Kernel::Goose],
        Some("linux") => &[Kernel::Linux],
        Some(other) => bail!("unknown kernel {other:?} (try: goose, linux)"),
    };
    let parts: &[Part] = match what {
        None => &[Part::Boot, Part::Micro, Part::Net],
        Some("boot") => &[Part::Boot],
        Some("micro") => &[Part::Micro],
        Some("net") => &[Part::Net],
        Some(other) => bail!("unknown benchmark {other:?} (try: boot, micro, net, or nothing for all)"),
    };
    let runs = runs.max(1);
    let guest = Guest::prepare()?;
    let net_image = if parts.contains(&Part::Net) {
        crate::host_clients::ensure_installed()?;
        Some(crate::net_guest::NetImage::prepare()?)
    } else {
        None
    };
    let mut bench = Bench::default();
    for run in 1..=runs {
        for &part in parts {
            // goose, Linux, goose, Linux...: slow drifts of the host's load
            // fall on both kernels alike.
            for &kernel in kernels {
                eprint!("bench: run {run}/{runs}, {} {}: ", name(kernel), part_name(part));
                match part {
                    Part::Boot => bench.boot(&guest, kernel, run)?,
                    Part::Micro => bench.micro(&guest, kernel, run)?,
                    Part::Net => {
                        bench.net(&guest, net_image.as_ref().expect("prepared for Net"), kernel, run)
                    }
                }
            }
        }
    }
    bench.mark_missing_as_failed();
    let rows = bench.results.rows();
    println!("\n{}", results::text_table(&rows));
    println!("Cells: median (min–max) over {runs} runs. goose/Linux below 1: goose is faster (times);");
    println!("above 1: goose is faster (MB/s, requests/s).");
    let notes = bench.notes();
    for note in &notes {
        println!("note: {note}");
    }
    if what.is_none() && only.is_none() {
        report::write(&bench.results, &notes, runs, &guest)?;
    }
    Ok(())
}

fn name(kernel: Kernel) -> &'static str {
    match kernel {
        Kernel::Goose => "goose",
        Kernel::Linux => "Linux",
    }
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Boot => "boot",
        Part::Micro => "micro",
        Part::Net => "net",
    }
}

/// What every boot needs: both kernel images (copied, so a rebuild during
/// the run changes nothing) and the initramfs.
pub struct Guest {
    goose: PathBuf,
    linux: PathBuf,
    initrd: PathBuf,
    /// `package=version` of Debian's kernel.
    pub linux_package: String,
}

impl Guest {
    fn prepare() -> Result<Guest> {
        let dir = crate::build_dir().join("bench");
        std::fs::create_dir_all(&dir)?;
        let goose = dir.join("goose.Image");
        std::fs::copy(crate::corpus::kernel_image(Kernel::Goose)?, &goose)?;
        let kernel = crate::linux::fetch()?;
        let linux = dir.join("linux.Image");
        std::fs::copy(&kernel.image, &linux)?;
        let base = crate::rootfs::build(&crate::rootfs::RootfsOptions {
            include_linux_modules: true,
            ..Default::default()
        })?;
        let mut data = std::fs::read(&base)?;
        // Both kernels read archives concatenated on 4-byte boundaries.
        data.resize(data.len().next_multiple_of(4), 0);
        data.extend_from_slice(&overlay(&dir)?);
        let initrd = dir.join("initrd.cpio");
        std::fs::write(&initrd, data)?;
        Ok(Guest { goose, linux, initrd, linux_package: kernel.package })
    }

    /// The kernel image for `kernel`.
    fn image(&self, kernel: Kernel) -> &std::path::Path {
        match kernel {
            Kernel::Goose => &self.goose,
            Kernel::Linux => &self.linux,
        }
    }

    /// The machine for `kernel`, running `command` after /init's setup, or
    /// the interactive shell.
    fn machine(&self, kernel: Kernel, command: Option<&str>) -> Machine {
        let mut machine = Machine::new(self.image(kernel));
        machine.initrd = Some(self.initrd.clone());
        machine.harts = 2;
        // Kernel messages would interleave with the results: emergencies only.
        machine.append = "quiet loglevel=1 rdinit=/goose-bench/init-marker".to_string();
        if let Some(command) = command {
            machine.append.push_str(&format!(" -- {command}"));
        }
        machine
    }
}

/// The overlay archive: tests/bench's programs and the runner script.
fn overlay(build: &std::path::Path) -> Result<Vec<u8>> {
    let mut tree = FileTree::default();
    for (program, path) in
        [("microbench", "goose-bench/microbench"), ("init_marker", "goose-bench/init-marker")]
    {
        let source = crate::workspace_root().join(format!("tests/bench/{program}.c"));
        let test = CorpusTest { name: program.to_string(), source, kind: Kind::C };
        let binary = crate::program_build::build(&test, build)?;
        tree.insert(path, Node::File { permissions: 0o755, data: std::fs::read(binary)? }, FIXED_MTIME);
    }
    // One process per benchmark, each under a timeout: one that hangs or
    // crashes costs only its own row.
    let runner = format!(
        "#!/bin/sh\n# Runs each microbenchmark; written by cargo xtask bench.\ncd /tmp\n\
         for name in $(/goose-bench/microbench --list); do\n\
         \x20   timeout -s KILL {BENCH_TIMEOUT_SECONDS} /goose-bench/microbench \"$name\" </dev/null 2>&1 \
         || echo \"bench-exit $name $?\"\ndone\necho '{DONE_MARKER}'\n"
    );
    tree.insert("goose-bench/run", Node::File { permissions: 0o755, data: runner.into_bytes() }, FIXED_MTIME);
    tree.to_cpio()
}

/// Results so far, and what went wrong.
#[derive(Default)]
struct Bench {
    results: Results,
    /// Each microbenchmark boot's kernel and the metrics it reported.
    micro_boots: Vec<(Kernel, BTreeSet<String>)>,
    /// Failure descriptions and the runs they happened in.
    failures: BTreeMap<String, BTreeSet<usize>>,
}

impl Bench {
    fn boot(&mut self, guest: &Guest, kernel: Kernel, run: usize) -> Result<()> {
        let machine = guest.machine(kernel, None);
        let console = console::capture(&machine, BOOT_TIMEOUT, BOOT_TIMEOUT, console::ends_with_prompt)?;
        let init = console.first_seen(INIT_MARKER);
        let prompt = console.stopped_at;
        let ms = |at: Option<Duration>| at.map_or(Reading::Failed, |d| Reading::Value(d.as_secs_f64() * 1e3));
        self.results.record(kernel, "boot_init_ms", ms(init));
        self.results.record(kernel, "boot_prompt_ms", ms(prompt));
        let shown = |at: Option<Duration>| at.map_or("fail".into(), |d| format!("{} ms", d.as_millis()));
        eprintln!("init {}, prompt {}", shown(init), shown(prompt));
        if prompt.is_none() {
            self.failed(kernel, run, "boot to the shell prompt", &console);
        }
        Ok(())
    }

    fn micro(&mut self, guest: &Guest, kernel: Kernel, run: usize) -> Result<()> {
        let machine = guest.machine(kernel, Some("/goose-bench/run"));
        let done = |bytes: &[u8]| bytes.windows(DONE_MARKER.len()).any(|w| w == DONE_MARKER.as_bytes());
        let console = console::capture(&machine, MICRO_TIMEOUT, MICRO_IDLE_TIMEOUT, done)?;
        let mut reported = BTreeSet::new();
        for line in console.text().lines().map(str::trim) {
            if let Some((metric, reading)) = parse_line(line) {
                self.results.record(kernel, &metric, reading);
                reported.insert(metric);
            } else if line.starts_with("microbench: ") {
                self.note(kernel, run, line.to_string());
            } else if let Some(rest) = line.strip_prefix("bench-exit ") {
                let (program, status) = rest.split_once(' ').unwrap_or((rest, "?"));
                let why = match status {
                    "137" => format!("killed at the {BENCH_TIMEOUT_SECONDS} s timeout"),
                    status => format!("exit status {status}"),
                };
                self.note(kernel, run, format!("`microbench {program}`: {why}"));
            }
        }
        eprintln!("{} results", reported.len());
        if console.stopped_at.is_none() {
            self.failed(kernel, run, "microbenchmarks", &console);
        }
        self.micro_boots.push((kernel, reported));
        Ok(())
    }

    /// A boot that never got to its end: noted, and its console's end shown.
    fn failed(&mut self, kernel: Kernel, run: usize, what: &str, console: &Console) {
        let why = console.ended_by.clone().unwrap_or_default();
        eprintln!(
            "bench: {} {what} did not finish ({why}); console ends with:\n{}",
            name(kernel),
            console.tail(30)
        );
        self.note(kernel, run, format!("{what} did not finish: {why}"));
    }

    fn note(&mut self, kernel: Kernel, run: usize, text: String) {
        self.failures.entry(format!("{}: {text}", name(kernel))).or_default().insert(run);
    }

    /// A metric some boot reported but another did not (it hung, or the
    /// kernel died) failed in that boot.
    fn mark_missing_as_failed(&mut self) {
        let all: BTreeSet<String> =
            self.micro_boots.iter().flat_map(|(_, seen)| seen.iter().cloned()).collect();
        for (kernel, seen) in &self.micro_boots {
            for metric in all.difference(seen) {
                self.results.record(*kernel, metric, Reading::Failed);
            }
        }
    }

    /// One line per distinct failure, with the runs it happened in.
    fn notes(&self) -> Vec<String> {
        self.failures
            .iter()
            .map(|(text, runs)| {
                let runs: Vec<String> = runs.iter().map(usize::to_string).collect();
                let plural = if runs.len() == 1 { "" } else { "s" };
                format!("{text} (run{plural} {})", runs.join(", "))
            })
            .collect()
    }
}
