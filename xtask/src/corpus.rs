//! The conformance corpus: shell scripts and C, Go and Rust programs under
//! tests/corpus that print deterministic descriptions of behavior. Linux's
//! output, recorded by `cargo xtask golden`, is the expected output; `cargo
//! xtask test` runs the same corpus on goose and compares byte for byte.
//!
//! All tests of a run go into one initramfs overlay (concatenated after the
//! base root file system) with a runner script, and one boot runs them all,
//! each under a timeout, between marker lines on the console.

use crate::file_tree::{FileTree, Node, FIXED_MTIME};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Debian packages the corpus tests use besides busybox: dynamically
/// linked programs, run by both kernels from the same image.
pub const CORPUS_PACKAGES: &[&str] = &["bash", "lua5.4", "python3", "sqlite3"];

/// Seconds one test may run before the runner kills it.
const TEST_TIMEOUT_SECONDS: u32 = 30;
pub const BEGIN: &str = "@@@ begin ";
pub const END: &str = "@@@ end ";

/// One test of the corpus.
pub struct CorpusTest {
    pub name: String,
    pub source: PathBuf,
    pub kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `NAME.sh`, run by busybox sh.
    Shell,
    /// `NAME.c`, `NAME.go`, `NAME.rs`: one source file, cross-built into a
    /// static program (program_build.rs).
    C,
    Go,
    Rust,
}

pub fn corpus_dir() -> PathBuf {
    crate::workspace_root().join("tests/corpus")
}

pub fn golden_dir() -> PathBuf {
    crate::workspace_root().join("tests/golden")
}

/// The tests in tests/corpus whose names contain `filter`, sorted.
pub fn discover(filter: Option<&str>) -> Result<Vec<CorpusTest>> {
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).context("reading tests/corpus")? {
        let path = entry?.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("sh") => Kind::Shell,
            Some("c") => Kind::C,
            Some("go") => Kind::Go,
            Some("rs") => Kind::Rust,
            _ => continue,
        };
        let name = path.file_stem().and_then(|s| s.to_str()).context("test name")?.to_string();
        if filter.is_none_or(|f| name.contains(f)) {
            tests.push(CorpusTest { name, source: path, kind });
        }
    }
    tests.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tests)
}

/// The overlay archive holding the tests and their runner.
pub fn overlay(tests: &[CorpusTest]) -> Result<PathBuf> {
    let path = crate::build_dir().join("corpus").join("overlay.cpio");
    std::fs::write(&path, overlay_archive(tests, true)?)?;
    Ok(path)
}

/// The bytes of [`overlay`]'s archive. With `is_timed`, the runner starts
/// each test under busybox `timeout`; without, the test is the runner
/// shell's own child (what a syscall trace wants: no `timeout` process in
/// between), and only the boot's timeout bounds it.
pub fn overlay_archive(tests: &[CorpusTest], is_timed: bool) -> Result<Vec<u8>> {
    let build = crate::build_dir().join("corpus");
    std::fs::create_dir_all(&build)?;
    let mut tree = FileTree::default();
    let mut runner = String::from("#!/bin/sh\n# Runs the conformance corpus; written by cargo xtask.\n");
    runner.push_str("export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LC_ALL=C\n");
    for test in tests {
        let program = match test.kind {
            Kind::Shell => {
                let data = std::fs::read(&test.source)?;
                tree.insert(
                    &format!("goose-tests/{}.sh", test.name),
                    Node::File { permissions: 0o755, data },
                    FIXED_MTIME,
                );
                format!("/bin/sh /goose-tests/{}.sh", test.name)
            }
            Kind::C | Kind::Go | Kind::Rust => {
                let binary = crate::program_build::build(test, &build)?;
                tree.insert(
                    &format!("goose-tests/{}", test.name),
                    Node::File { permissions: 0o755, data: std::fs::read(binary)? },
                    FIXED_MTIME,
                );
                format!("/goose-tests/{}", test.name)
            }
        };
        let timeout =
            if is_timed { format!("timeout -s KILL {TEST_TIMEOUT_SECONDS} ") } else { String::new() };
        // Each test starts in a fresh empty directory with nothing on stdin.
        runner.push_str(&format!(
            "mkdir -p /tmp/t/{name} && cd /tmp/t/{name}\necho '{BEGIN}{name}'\n\
             {timeout}{program} </dev/null 2>&1\necho \"{END}{name} $?\"\n",
            name = test.name
        ));
    }
    runner.push_str("echo '@@@ corpus done'\n");
    tree.insert("goose-tests/run", Node::File { permissions: 0o755, data: runner.into_bytes() }, FIXED_MTIME);
    tree.to_cpio()
}

/// Which kernel runs the corpus.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kernel {
    Goose,
    Linux,
}

/// Boots `kernel` once on the corpus and returns each test's output, plus
/// the whole console for diagnostics.
pub fn run(kernel: Kernel, tests: &[CorpusTest]) -> Result<(BTreeMap<String, String>, String)> {
    let image = kernel_image(kernel)?;
    // Linux needs its virtio and ext4 modules in the image; goose's test
    // runs skip the large download (rcS ignores the modules on goose).
    let base = crate::rootfs::build(&crate::rootfs::RootfsOptions {
        include_linux_modules: kernel == Kernel::Linux,
        extra_packages: CORPUS_PACKAGES.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    })?;
    let initrd = crate::run::concatenate(&base, &std::fs::read(overlay(tests)?)?)?;
    let mut machine = crate::qemu::Machine::new(&image);
    machine.initrd = Some(initrd);
    machine.harts = 2;
    // Kernel messages would interleave with test output: only emergencies.
    machine.append = "quiet loglevel=1 -- /goose-tests/run".into();
    let timeout = std::time::Duration::from_secs(60 + 10 * tests.len() as u64);
    let outcome = machine.run_until(timeout, |line| line.contains("@@@ corpus done"))?;
    Ok((split_results(&outcome.output), outcome.output))
}

/// The image QEMU's -kernel loads for `kernel`: goose built from this
/// tree, or Debian's kernel (fetched once, then cached).
pub(crate) fn kernel_image(kernel: Kernel) -> Result<PathBuf> {
    match kernel {
        Kernel::Goose => crate::kernel_build::build(),
        Kernel::Linux => Ok(crate::linux::fetch()?.image),
    }
}

/// `cargo xtask golden`: records Linux's output as the expected output.
pub fn record_golden(filter: Option<&str>) -> Result<()> {
    let tests = discover(filter)?;
    let (results, console) = run(Kernel::Linux, &tests)?;
    std::fs::create_dir_all(golden_dir())?;
    for test in &tests {
        match results.get(&test.name) {
            Some(output) => {
                std::fs::write(golden_dir().join(format!("{}.out", test.name)), output)?;
                println!("golden {} ({} lines)", test.name, output.lines().count());
            }
            None => bail!("Linux did not finish {}:\n{console}", test.name),
        }
    }
    Ok(())
}

/// Runs the corpus on goose and compares with the golden outputs; returns
/// (name, Ok or a readable failure) per test.
pub fn check_on_goose(filter: Option<&str>) -> Result<Vec<(String, Result<(), String>)>> {
    let tests = discover(filter)?;
    if tests.is_empty() {
        return Ok(Vec::new());
    }
    let expected_failures = listed("tests/expected-failures.txt");
    let flaky = listed("tests/flaky-on-goose.txt");
    let mut verdicts = Vec::new();
    for test in &tests {
        // One boot per test: a test that hangs or crashes goose takes no
        // other test down with it.
        let (results, console) = run(Kernel::Goose, core::slice::from_ref(test))?;
        let golden = std::fs::read_to_string(golden_dir().join(format!("{}.out", test.name)));
        let verdict = match (golden, results.get(&test.name)) {
            (Err(_), _) => Err(String::from("  no golden output: run `cargo xtask golden`")),
            (Ok(_), None) => {
                let tail: Vec<&str> = console.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Err(format!("  did not finish (crash or hang); console ends with:\n{}", tail.join("\n")))
            }
            (Ok(expected), Some(actual)) if expected == *actual => Ok(()),
            (Ok(expected), Some(actual)) => {
                Err(format!("  differs from Linux (- Linux, + goose):\n{}", diff(&expected, actual)))
            }
        };
        if flaky.contains(&test.name) {
            let outcome = if verdict.is_ok() { "passed" } else { "failed" };
            println!("test corpus::{} ... {outcome}, ignored: listed in tests/flaky-on-goose.txt", test.name);
            continue;
        }
        let verdict = match (verdict, expected_failures.contains(&test.name)) {
            (Ok(()), true) => Err(String::from(
                "  passes but is listed in tests/expected-failures.txt: take it off the list",
            )),
            (Err(_), true) => Ok(()),
            (verdict, false) => verdict,
        };
        verdicts.push((format!("corpus::{}", test.name), verdict));
    }
    Ok(verdicts)
}

/// The test names a list file under the workspace holds.
fn listed(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(crate::workspace_root().join(path)).unwrap_or_default();
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

/// Splits a console transcript into each test's output, ending with a
/// line `[exit N]`. Tests that never finished are missing.
pub fn split_results(console: &str) -> BTreeMap<String, String> {
    let mut results = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in console.lines() {
        if let Some(name) = line.strip_prefix(BEGIN) {
            current = Some((name.trim().to_string(), String::new()));
        } else if let Some(rest) = line.strip_prefix(END) {
            if let Some((name, mut output)) = current.take() {
                let status = rest.rsplit(' ').next().unwrap_or("?");
                output.push_str(&format!("[exit {status}]\n"));
                results.insert(name, output);
            }
        } else if let Some((_, output)) = current.as_mut() {
            output.push_str(line);
            output.push('\n');
        }
    }
    results
}

/// A readable line diff of expected against actual output.
pub fn diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut text = String::new();
    for i in 0..expected.len().max(actual.len()) {
        match (expected.get(i), actual.get(i)) {
            (Some(e), Some(a)) if e == a => text.push_str(&format!("   {e}\n")),
            (e, a) => {
                if let Some(e) = e {
                    text.push_str(&format!(" - {e}\n"));
                }
                if let Some(a) = a {
                    text.push_str(&format!(" + {a}\n"));
                }
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_console_into_tests() {
        let console =
            "boot noise\n@@@ begin a\nhello\n@@@ end a 0\n@@@ begin b\nx\n@@@ end b 137\n@@@ begin c\nhung";
        let results = split_results(console);
        assert_eq!(results["a"], "hello\n[exit 0]\n");
        assert_eq!(results["b"], "x\n[exit 137]\n");
        assert!(!results.contains_key("c"));
    }

    #[test]
    fn diff_marks_changed_lines() {
        assert_eq!(diff("a\nb\n", "a\nc\n"), "   a\n - b\n + c\n");
    }
}
