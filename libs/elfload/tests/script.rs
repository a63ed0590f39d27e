//! `#!` lines: the rules of fs/binfmt_script.c case by case, then the same
//! lines executed by the host's Linux kernel as the oracle.

mod common;

use common::*;
use elfload::{is_script, ElfError, Script, BINPRM_BUF_SIZE};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn parsed(prefix: &[u8]) -> Option<Result<(String, Option<String>), ElfError>> {
    is_script(prefix).map(|result| {
        result.map(|script| {
            let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
            (text(&script.interpreter), script.argument.as_deref().map(text))
        })
    })
}

fn ok(interpreter: &str, argument: Option<&str>) -> Option<Result<(String, Option<String>), ElfError>> {
    Some(Ok((interpreter.to_string(), argument.map(str::to_string))))
}

#[test]
fn not_scripts() {
    for prefix in [&b""[..], b"#", b"#/bin/sh\n", b" #!/bin/sh\n", b"\x7fELF", b"!#/bin/sh"] {
        assert_eq!(is_script(prefix), None);
    }
}

#[test]
fn ordinary_lines() {
    assert_eq!(parsed(b"#!/bin/sh\necho hi\n"), ok("/bin/sh", None));
    assert_eq!(parsed(b"#! /bin/sh -e\n"), ok("/bin/sh", Some("-e")));
    // The argument is everything after the first blanks, kept as one.
    assert_eq!(parsed(b"#!/usr/bin/env python3 -u -x  \n"), ok("/usr/bin/env", Some("python3 -u -x")));
    assert_eq!(parsed(b"#! \t /bin/sh\t \t-x\t\n"), ok("/bin/sh", Some("-x")));
    assert_eq!(parsed(b"#!/bin/sh   \n"), ok("/bin/sh", None));
    // No newline at all: the file's end (NUL padding) ends the line.
    assert_eq!(parsed(b"#!/bin/sh"), ok("/bin/sh", None));
    assert_eq!(parsed(b"#!/bin/sh -x"), ok("/bin/sh", Some("-x")));
}

#[test]
fn only_spaces_and_tabs_are_blanks() {
    // A DOS line end keeps its \r, so Linux looks for "/bin/sh\r".
    assert_eq!(parsed(b"#!/bin/sh\r\n"), ok("/bin/sh\r", None));
    assert_eq!(parsed(b"#!/bin/sh -e\r\n"), ok("/bin/sh", Some("-e\r")));
    assert_eq!(parsed(b"#!/bin/sh\x0b-e\n"), ok("/bin/sh\x0b-e", None));
}

#[test]
fn nul_bytes_end_strings() {
    assert_eq!(parsed(b"#!/bin/sh\0 -x\n"), ok("/bin/sh", None));
    assert_eq!(parsed(b"#!/bin/sh -x\0y z\n"), ok("/bin/sh", Some("-x")));
    // Linux finds "no interpreter" only for blanks: a NUL right after "#!"
    // gives the empty path, which then fails to execute (Linux 6.18 says
    // EACCES).
    assert_eq!(parsed(b"#!"), ok("", None));
    assert_eq!(parsed(b"#!\0/bin/sh\n"), ok("", None));
}

#[test]
fn missing_interpreter() {
    for line in [&b"#!\n"[..], b"#!   \n", b"#! \t \n"] {
        assert_eq!(parsed(line), Some(Err(ElfError::BadScript)));
    }
    let blanks = [b' '; 300];
    assert_eq!(parsed(&[&b"#!"[..], &blanks].concat()), Some(Err(ElfError::BadScript)));
    assert_eq!(ElfError::BadScript.errno(), abi::Errno::ENOEXEC);
}

#[test]
fn long_lines() {
    // The interpreter path runs past the buffer: it may be truncated.
    let long_path = [&b"#!/"[..], &[b'a'; 300]].concat();
    assert_eq!(parsed(&long_path), Some(Err(ElfError::BadScript)));
    // The path fits with a blank after it: the argument is cut at byte 255.
    let long_argument = [&b"#!/bin/sh "[..], &[b'y'; 300], b"\n"].concat();
    assert_eq!(parsed(&long_argument), ok("/bin/sh", Some(&"y".repeat(BINPRM_BUF_SIZE - 1 - 10))));
    // The last byte of the buffer (index 255) still counts as the blank
    // after the path; a path filling the buffer up to it may be truncated.
    let edge = [&b"#!/"[..], &[b'b'; 252], b" x\n"].concat();
    assert_eq!(edge.iter().position(|&b| b == b' '), Some(BINPRM_BUF_SIZE - 1));
    assert_eq!(parsed(&edge), ok(&format!("/{}", "b".repeat(252)), None));
    let truncated = [&b"#!/"[..], &[b'b'; 253], b" x\n"].concat();
    assert_eq!(parsed(&truncated), Some(Err(ElfError::BadScript)));
    let fits = [&b"#!/"[..], &[b'b'; 251], b" x\n"].concat();
    assert_eq!(parsed(&fits), ok(&format!("/{}", "b".repeat(251)), None));
}

#[test]
fn new_args_replace_argv0() {
    let script = Script { interpreter: b"/bin/sh".to_vec(), argument: Some(b"-e x".to_vec()) };
    let args: [&[u8]; 3] = [b"name", b"one", b"two"];
    assert_eq!(script.new_args(b"./run.sh", &args), [&b"/bin/sh"[..], b"-e x", b"./run.sh", b"one", b"two"]);
    let script = Script { interpreter: b"/bin/sh".to_vec(), argument: None };
    assert_eq!(script.new_args(b"/x", &[]), [&b"/bin/sh"[..], b"/x"]);
}

/// Runs `script_path` through the host kernel with two extra arguments;
/// the interpreter (the dumper) reports its argv.
fn host_exec(dumper: &Path, script_path: &Path) -> Result<Vec<Vec<u8>>, i32> {
    let output = Command::new(dumper)
        .arg("--exec")
        .arg(script_path)
        .args(["x1", "x 2"])
        .env_clear()
        .env("DUMP_MODE", "argv")
        .output()
        .expect("running the dumper");
    let stdout = output.stdout;
    if let Some(errno) = stdout.strip_prefix(b"ERRNO ") {
        return Err(String::from_utf8_lossy(errno).parse().unwrap());
    }
    let mut args: Vec<Vec<u8>> = stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
    args.pop(); // the empty piece after the last NUL
    Ok(args)
}

#[test]
fn agrees_with_the_host_kernel() {
    let dir = scratch_dir("script");
    let Some(dumper) = host_dumper(&dir) else { return };
    let d = dumper.to_str().unwrap().to_string();
    assert!(d.starts_with('/') && d.len() < 150, "scratch path {d} too long for these lines");
    // The same interpreter spelled with extra slashes, ending at byte `end`.
    // (`end` 256 fills the whole buffer, so Linux must refuse it.)
    let padded_to = |end: usize| format!("{}{}", "/".repeat(end - 2 - d.len()), d);
    let mut lines: Vec<Vec<u8>> = [
        format!("#!{d}\n"),
        format!("#!{d} -e\n"),
        format!("#! \t {d}  a b  c \t\n"),
        format!("#!{d}\targ\r\n"),
        format!("#!{d}"),
        format!("#!{d} -x\0ignored\n"),
        format!("#!{d}\0junk\n"),
        format!("#!{d} {}\n", "y".repeat(300)),
        format!("#!{} z\n", padded_to(255)),
        format!("#!{} z\n", padded_to(254)),
        format!("#!{} z\n", padded_to(256)),
        format!("#!{}\n", padded_to(255)),
        format!("#!{}", padded_to(255)),
        format!("#!{}\r\n", d),
        "#!\n".to_string(),
        "#!  \t\n".to_string(),
        "#!".to_string(),
        format!("#!{}", " ".repeat(300)),
        format!("#!/{}", "a".repeat(300)),
        "#!/nonexistent/interpreter arg\n".to_string(),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    lines.push([b"#!".as_slice(), d.as_bytes(), b" \xff\xfe\n"].concat());
    for (index, line) in lines.iter().enumerate() {
        let path = dir.join(format!("s{index}"));
        std::fs::write(&path, line).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path_bytes = path.to_str().unwrap().as_bytes();
        let host = host_exec(&dumper, &path);
        let ours = is_script(line).expect("every line starts with #!");
        let shown = String::from_utf8_lossy(line);
        match (&ours, &host) {
            (Ok(script), Ok(host_args)) => {
                let args: [&[u8]; 3] = [path_bytes, b"x1", b"x 2"];
                assert_eq!(script.new_args(path_bytes, &args), *host_args, "line {shown:?}");
            }
            (Err(error), Err(errno)) => assert_eq!(error.errno() as i32, *errno, "line {shown:?}"),
            // A path that is not the dumper fails to execute (ENOENT, or
            // EACCES for the empty path) where our parse succeeded.
            (Ok(script), Err(_)) if !script.interpreter.ends_with(d.as_bytes()) => {}
            _ => panic!("line {shown:?}: ours {ours:?}, host {host:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
