//! `cargo xtask syscall-table`: regenerates docs/syscalls.md, one row per
//! riscv64 syscall number with its status, handler, notes and the corpus
//! tests that make the call.
//!
//! Names come from libs/abi/src/syscall_nr.rs, handlers from the lines
//! `nr name => handler : arity,` of kernel/src/syscall/table.rs, and the
//! `partial` statuses and notes from docs/syscalls.md itself (they are
//! written by hand and kept). Coverage is measured, not guessed from the
//! sources: goose boots once per corpus test with `loglevel=trace`, which
//! logs every syscall as `[pid:tid] name(args) = result`, and the calls
//! made by the test's processes are read back from the console.

use crate::corpus::{self, CorpusTest};
use crate::qemu::Machine;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Where the table goes, relative to the workspace.
const DOC: &str = "docs/syscalls.md";

/// One traced boot may take this long; a test that hangs goose still
/// contributes the calls it made before.
const TRACED_BOOT_TIMEOUT: Duration = Duration::from_secs(120);

/// A syscall goose dispatches: `nr name => handler : arity,`.
#[derive(Debug, PartialEq, Eq)]
pub struct Handler {
    pub name: String,
    pub handler: String,
}

/// What docs/syscalls.md says of one number, kept across regenerations.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DocEntry {
    pub status: String,
    pub notes: String,
}

/// `cargo xtask syscall-table`.
pub fn run() -> Result<()> {
    crate::setup::ensure_build_tools()?;
    crate::setup::ensure_qemu()?;
    let root = crate::workspace_root();
    let read =
        |path: &str| std::fs::read_to_string(root.join(path)).with_context(|| format!("reading {path}"));
    let names = parse_syscall_names(&read("libs/abi/src/syscall_nr.rs")?);
    let handlers = parse_handlers(&read("kernel/src/syscall/table.rs")?);
    let doc = parse_doc(&read(DOC).unwrap_or_default());
    if names.is_empty() || handlers.is_empty() {
        bail!("found no syscall names or no handlers: has the format of syscall_nr.rs or table.rs changed?");
    }
    let tests = corpus::discover(None)?;
    let coverage = measure(&tests)?;
    let test_names: Vec<String> = tests.iter().map(|t| t.name.clone()).collect();
    let text = render(&names, &handlers, &doc, &coverage, &test_names);
    std::fs::write(root.join(DOC), text)?;
    println!("wrote {DOC}");
    Ok(())
}

/// Boots goose once per test with the syscall trace on; returns, per
/// syscall name, the tests that made the call.
fn measure(tests: &[CorpusTest]) -> Result<BTreeMap<String, BTreeSet<String>>> {
    // Private copies of the image and the initrd: other runs of the xtask
    // may rewrite the shared ones while QEMU starts.
    let dir = crate::build_dir().join("syscall-table");
    std::fs::create_dir_all(&dir)?;
    let image = dir.join("goose.Image");
    std::fs::copy(corpus::kernel_image(corpus::Kernel::Goose)?, &image)?;
    let base = std::fs::read(crate::rootfs::build(&crate::rootfs::RootfsOptions {
        extra_packages: corpus::CORPUS_PACKAGES.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    })?)?;
    let mut coverage: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for test in tests {
        let start = Instant::now();
        let mut initrd = base.clone();
        // Concatenated archives start on a 4-byte boundary.
        initrd.resize(initrd.len().next_multiple_of(4), 0);
        initrd.extend_from_slice(&corpus::overlay_archive(core::slice::from_ref(test), false)?);
        let initrd_path = dir.join("initrd.cpio");
        std::fs::write(&initrd_path, initrd)?;
        let mut machine = Machine::new(&image);
        machine.initrd = Some(initrd_path);
        machine.harts = 2;
        machine.append = "loglevel=trace -- /goose-tests/run".into();
        // A second boot when the first did not finish: a hang that comes
        // and goes should not drop the test's calls from the table.
        let mut attempts = 0;
        let (calls, finished) = loop {
            attempts += 1;
            let outcome = machine.run_until(TRACED_BOOT_TIMEOUT, |line| line.contains("@@@ corpus done"))?;
            let finished = outcome.output.contains(&format!("{}{} ", corpus::END, test.name));
            if !finished {
                let tail: Vec<&str> = outcome.output.lines().rev().take(10).collect();
                let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
                println!(
                    "{}: traced boot {attempts} did not finish; its console ends with:\n{tail}",
                    test.name
                );
            }
            if finished || attempts == 2 {
                break (test_syscalls(&outcome.output, &test.name), finished);
            }
        };
        println!(
            "{}: {} syscalls{} ({:.1} s)",
            test.name,
            calls.len(),
            if finished { "" } else { ", did not finish" },
            start.elapsed().as_secs_f64()
        );
        for call in calls {
            coverage.entry(call).or_default().insert(test.name.clone());
        }
    }
    Ok(coverage)
}

/// `(number, name)` pairs from the abi crate's `(17, "getcwd"),` lines.
pub fn parse_syscall_names(source: &str) -> Vec<(usize, String)> {
    let mut names: Vec<(usize, String)> = source
        .lines()
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('(')?.strip_suffix("),")?;
            let (number, name) = inner.split_once(',')?;
            let name = name.trim().strip_prefix('"')?.strip_suffix('"')?;
            Some((number.trim().parse().ok()?, name.to_string()))
        })
        .collect();
    names.sort();
    names
}

/// The handlers of the kernel's table, from its `17 getcwd => fs::getcwd
/// : 2,` lines.
pub fn parse_handlers(source: &str) -> BTreeMap<usize, Handler> {
    source
        .lines()
        .filter_map(|line| {
            let (left, right) = line.trim().split_once("=>")?;
            let (number, name) = left.trim().split_once(char::is_whitespace)?;
            let (handler, arity) = right.trim().strip_suffix(',')?.rsplit_once(':')?;
            arity.trim().parse::<u8>().ok()?;
            let entry = Handler { name: name.trim().to_string(), handler: handler.trim().to_string() };
            Some((number.parse().ok()?, entry))
        })
        .collect()
}

/// The status and notes of each numbered row of a docs/syscalls.md table
/// (whatever its columns, found by the header's names).
pub fn parse_doc(text: &str) -> BTreeMap<usize, DocEntry> {
    let mut entries = BTreeMap::new();
    let mut columns: Option<(usize, usize)> = None;
    for line in text.lines().filter(|l| l.trim_start().starts_with('|')) {
        let cells = table_cells(line);
        if let (Some(status), Some(notes)) =
            (cells.iter().position(|c| c == "status"), cells.iter().position(|c| c == "notes"))
        {
            columns = Some((status, notes));
            continue;
        }
        let (Some((status, notes)), Some(Ok(number))) = (columns, cells.first().map(|c| c.parse::<usize>()))
        else {
            continue;
        };
        let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
        entries.insert(number, DocEntry { status: cell(status), notes: cell(notes) });
    }
    entries
}

/// The cells of a Markdown table row, trimmed, with `\|` unescaped.
fn table_cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let line = line.strip_suffix('|').filter(|l| !l.ends_with('\\')).unwrap_or(line);
    let mut cells = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().expect("one cell").push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("one cell").push(c),
        }
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// One line of the syscall trace: the process and the call, with its
/// result when the line is the one logged after the handler ran (the one
/// logged before ends in ` ...`).
#[derive(Debug, PartialEq, Eq)]
pub struct TraceLine<'a> {
    pub pid: u32,
    pub name: &'a str,
    pub result: Option<i64>,
}

/// Finds `[pid:tid] name(...) = result` or `[pid:tid] name ...` in a
/// console line, anywhere in it (user output without a newline may come
/// before).
pub fn parse_trace_line(line: &str) -> Option<TraceLine<'_>> {
    line.match_indices('[').find_map(|(at, _)| {
        let rest = &line[at + 1..];
        let (pid, rest) = rest.split_once(':')?;
        let (tid, rest) = rest.split_once("] ")?;
        let pid = pid.parse().ok()?;
        tid.parse::<u32>().ok()?;
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (name, tail) = rest.split_at(end);
        if name.is_empty() {
            return None;
        }
        if tail.starts_with(" ...") {
            return Some(TraceLine { pid, name, result: None });
        }
        let (_, result) = tail.strip_prefix('(')?.rsplit_once(") = ")?;
        Some(TraceLine { pid, name, result: Some(result.trim().parse().ok()?) })
    })
}

/// The names of the syscalls the test `test` made, from the console of a
/// traced boot that ran it.
///
/// After the runner's `@@@ begin` line, the runner shell is the process
/// that clones without having been cloned there; its children are the
/// test, counted from their successful execve on (before it they are the
/// shell setting up redirections), with all their descendants.
pub fn test_syscalls(console: &str, test: &str) -> BTreeSet<String> {
    let begin = format!("{}{test}", corpus::BEGIN);
    let lines: Vec<TraceLine> =
        console.lines().skip_while(|l| l.trim_end() != begin).skip(1).filter_map(parse_trace_line).collect();
    let is_clone = |l: &TraceLine| matches!(l.name, "clone" | "clone3") && l.result.is_some_and(|r| r > 0);
    let parent_of: HashMap<u32, u32> =
        lines.iter().filter(|l| is_clone(l)).map(|l| (l.result.unwrap_or(0) as u32, l.pid)).collect();
    let Some(runner) = lines.iter().find(|l| is_clone(l) && !parent_of.contains_key(&l.pid)).map(|l| l.pid)
    else {
        return BTreeSet::new();
    };
    // The child of the runner a process descends from, if any.
    let root_of = |mut pid: u32| -> Option<u32> {
        for _ in 0..parent_of.len() + 1 {
            let parent = *parent_of.get(&pid)?;
            if parent == runner {
                return Some(pid);
            }
            pid = parent;
        }
        None
    };
    let mut has_executed = HashSet::new();
    let mut names = BTreeSet::new();
    for line in &lines {
        let Some(root) = root_of(line.pid) else { continue };
        if line.pid == root && !has_executed.contains(&root) {
            if line.name == "execve" && line.result == Some(0) {
                has_executed.insert(root);
            }
            continue;
        }
        names.insert(line.name.to_string());
    }
    names
}

/// docs/syscalls.md.
fn render(
    names: &[(usize, String)],
    handlers: &BTreeMap<usize, Handler>,
    doc: &BTreeMap<usize, DocEntry>,
    coverage: &BTreeMap<String, BTreeSet<String>>,
    tests: &[String],
) -> String {
    let mut rows = String::new();
    let (mut implemented, mut partial, mut exercised) = (0, 0, 0);
    let mut untested = Vec::new();
    for (number, name) in names {
        let kept = doc.get(number);
        let (status, handler) = match handlers.get(number) {
            Some(h) if kept.is_some_and(|d| d.status == "partial") => ("partial", format!("`{}`", h.handler)),
            Some(h) => ("implemented", format!("`{}`", h.handler)),
            None => ("missing", String::new()),
        };
        let used_by = coverage.get(name);
        match status {
            "implemented" => implemented += 1,
            "partial" => partial += 1,
            _ => {}
        }
        if status != "missing" {
            if used_by.is_some() {
                exercised += 1;
            } else {
                untested.push(name.as_str());
            }
        }
        // Every name, even when every test makes the call, so that a
        // test's coverage can be found with grep.
        let tests_cell = used_by
            .map(|users| users.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let notes = kept.map(|d| d.notes.replace('|', "\\|")).unwrap_or_default();
        rows.push_str(&format!("| {number} | {name} | {status} | {handler} | {tests_cell} | {notes} |\n"));
    }
    let untested = if untested.is_empty() { String::from("none") } else { untested.join(", ") };
    format!(
        "# System calls\n\n\
         Linux riscv64 numbers (asm-generic). Every number not listed as implemented returns `-ENOSYS` \
         and is logged once by name.\n\n\
         Generated by `cargo xtask syscall-table` from `libs/abi/src/syscall_nr.rs` (names), \
         `kernel/src/syscall/table.rs` (handlers) and this file (the `partial` statuses and the notes \
         are written by hand here and kept). The tests column lists the corpus tests (`tests/corpus`) \
         that made the call on goose, measured by booting goose on each test with `loglevel=trace` and \
         reading the syscall log; calls made before the test program starts (by the shell that runs \
         it) do not count.\n\n\
         {implemented} implemented and {partial} partial of {total} numbers; {exercised} of those \
         {handled} are exercised by the {count} corpus tests. Implemented but exercised by no test: \
         {untested}.\n\n\
         | nr | syscall | status | handler | tests | notes |\n\
         | --- | --- | --- | --- | --- | --- |\n\
         {rows}",
        total = names.len(),
        handled = implemented + partial,
        count = tests.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_abi_names() {
        let source = "pub const SYSCALL_NAMES: &[(usize, &str)] = &[\n    (17, \"getcwd\"),\n    \
                      (0, \"io_setup\"),\n];\n/// (1, \"not\"), in a comment\n";
        assert_eq!(parse_syscall_names(source), vec![(0, "io_setup".into()), (17, "getcwd".into())]);
    }

    #[test]
    fn parses_the_kernel_table() {
        let source = "macro_rules! syscall_table {\n    ($($number:literal $name:ident => $handler:path : \
                      $arity:tt,)*) => {\n}\nsyscall_table! {\n    17 getcwd => fs::getcwd : 2,\n    \
                      94 exit_group => process::exit : 1,\n}\n";
        let handlers = parse_handlers(source);
        assert_eq!(handlers.len(), 2, "{handlers:?}");
        assert_eq!(handlers[&17], Handler { name: "getcwd".into(), handler: "fs::getcwd".into() });
        assert_eq!(handlers[&94].handler, "process::exit");
    }

    #[test]
    fn keeps_statuses_and_notes_of_either_table_layout() {
        let old = "| nr | syscall | status | handler | notes |\n| --- | --- | --- | --- | --- |\n\
                   | 39 | umount2 | partial | `fs::umount2` | always EINVAL |\n| 41 | pivot_root | missing | | |\n";
        let doc = parse_doc(old);
        assert_eq!(doc[&39], DocEntry { status: "partial".into(), notes: "always EINVAL".into() });
        assert_eq!(doc[&41], DocEntry { status: "missing".into(), notes: String::new() });
        let new =
            "| nr | syscall | status | handler | tests | notes |\n| --- | --- | --- | --- | --- | --- |\n\
                   | 25 | fcntl | partial | `fs::fcntl` | c_fd_ops | F_GETFL \\| F_SETFL only |\n";
        assert_eq!(parse_doc(new)[&25].notes, "F_GETFL | F_SETFL only");
    }

    #[test]
    fn reads_trace_lines_anywhere_in_a_line() {
        let done = parse_trace_line("[    1.500000] [12:12] openat(0xffffff9c, 0x1000, 0x0, 0x0) = -2");
        assert_eq!(done, Some(TraceLine { pid: 12, name: "openat", result: Some(-2) }));
        let entry = parse_trace_line("partial output[    1.500000] [7:7] exit_group ...");
        assert_eq!(entry, Some(TraceLine { pid: 7, name: "exit_group", result: None }));
        assert_eq!(parse_trace_line("[    1.500000] pid 3: fault at 0x10 (Read), pc 0x1"), None);
        assert_eq!(parse_trace_line("write(1, \"[1:2] x\") = 3"), None);
    }

    #[test]
    fn attributes_calls_to_the_test_and_its_children() {
        let console = "\
[ 0.1] [5:5] clone(0x11, 0x0, 0x0, 0x0) = 6
[ 0.2] [5:5] wait4(0x6, 0x0, 0x0, 0x0) = 6
@@@ begin c_x
[ 1.0] [5:5] write(0x1, 0x0, 0xd, 0x0) = 13
[ 1.1] [9:9] openat(0xffffff9c, 0x0, 0x0, 0x0) = 0
[ 1.2] [5:5] clone(0x11, 0x0, 0x0, 0x0) = 9
[ 1.3] [9:9] execve(0x0, 0x0, 0x0, 0x0) = 0
[ 1.4] [9:9] brk(0x0, 0x0, 0x0, 0x0) = 4096
[ 1.5] [9:9] clone(0x11, 0x0, 0x0, 0x0) = 10
[ 1.6] [10:10] execve(0x0, 0x0, 0x0, 0x0) = 0
[ 1.7] [10:10] exit_group ...
[ 1.8] [9:9] wait4(0xa, 0x0, 0x0, 0x0) = 10
[ 1.9] [5:5] wait4(0x9, 0x0, 0x0, 0x0) = 9
@@@ end c_x 0
[ 2.0] [5:5] write(0x1, 0x0, 0xd, 0x0) = 13
[ 2.1] [1:1] reboot(0x0, 0x0, 0x0, 0x0) = 0
";
        let names: Vec<String> = test_syscalls(console, "c_x").into_iter().collect();
        assert_eq!(names, ["brk", "clone", "execve", "exit_group", "wait4"]);
        assert!(test_syscalls(console, "c_y").is_empty());
    }

    #[test]
    fn renders_statuses_handlers_and_coverage() {
        let names =
            vec![(23, "dup".to_string()), (39, "umount2".to_string()), (41, "pivot_root".to_string())];
        let mut handlers = BTreeMap::new();
        handlers.insert(23, Handler { name: "dup".into(), handler: "fs::dup".into() });
        handlers.insert(39, Handler { name: "umount2".into(), handler: "fs::umount2".into() });
        let mut doc = BTreeMap::new();
        doc.insert(39, DocEntry { status: "partial".into(), notes: "always EINVAL".into() });
        let mut coverage = BTreeMap::new();
        coverage.insert("dup".to_string(), BTreeSet::from(["a".to_string(), "b".to_string()]));
        coverage.insert("pivot_root".to_string(), BTreeSet::from(["b".to_string()]));
        let text = render(&names, &handlers, &doc, &coverage, &["a".to_string(), "b".to_string()]);
        assert!(text.contains("| 23 | dup | implemented | `fs::dup` | a, b |  |\n"));
        assert!(text.contains("| 39 | umount2 | partial | `fs::umount2` |  | always EINVAL |\n"));
        assert!(text.contains("| 41 | pivot_root | missing |  | b |  |\n"));
        assert!(text.contains("1 implemented and 1 partial of 3 numbers; 1 of those 2 are exercised"));
        assert!(text.contains("exercised by no test: umount2."));
        assert_eq!(parse_doc(&text)[&39].notes, "always EINVAL");
    }
}
