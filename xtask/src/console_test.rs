//! A boot test typed at the console: the interactive shell of the default
//! initramfs, driven keystroke by keystroke (line editing, ^C, ^Z, jobs,
//! fg), the way a person at the terminal would. Each step waits for what
//! the console must show before the next keys go in.

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys to type once the console shows `after` (counted from the end of
/// the previous step's match).
struct Step {
    after: &'static str,
    keys: &'static [u8],
}

const PROMPT: &str = "# ";

const STEPS: &[Step] = &[
    Step { after: PROMPT, keys: b"echo ab\x7fc\n" },
    Step { after: "ac", keys: b"sleep 30\n" },
    Step { after: "sleep 30", keys: b"\x1a" },
    Step { after: "Stopped", keys: b"jobs\n" },
    Step { after: "Stopped", keys: b"fg\n" },
    Step { after: "sleep 30", keys: b"\x03" },
    Step { after: PROMPT, keys: b"echo status $?\n" },
    Step { after: "status 130", keys: b"exit 3\n" },
];

/// Boots goose on the default initramfs, types the steps, and checks the
/// shell's answers and its exit status.
pub fn job_control_at_the_console(image: &std::path::Path) -> Result<(), String> {
    run(image).map_err(|error| format!("{error:#}"))?
}

fn run(image: &std::path::Path) -> Result<Result<(), String>> {
    let initrd = crate::rootfs::build(&crate::rootfs::RootfsOptions::default())?;
    let mut machine = crate::qemu::Machine::new(image);
    machine.initrd = Some(initrd);
    machine.harts = 2;
    machine.append = "quiet".into();
    let mut child = machine.spawn(Stdio::piped(), Stdio::null())?;
    let mut stdin = child.stdin.take().context("piped stdin")?;
    let mut stdout = child.stdout.take().context("piped stdout")?;
    let console = Arc::new(Mutex::new(String::new()));
    let sink = console.clone();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(count) = stdout.read(&mut buffer) {
            if count == 0 {
                break;
            }
            sink.lock().map(|mut s| s.push_str(&String::from_utf8_lossy(&buffer[..count]))).ok();
        }
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut seen = 0;
    let mut verdict = Ok(());
    for (index, step) in STEPS.iter().enumerate() {
        match wait_for(&console, step.after, seen, deadline) {
            Some(end) => seen = end,
            None => {
                verdict = Err(format!("step {index}: the console never showed {:?}", step.after));
                break;
            }
        }
        // The shell reads keys only once it waits for them; a pause lets
        // a just-started program settle (as a person types).
        std::thread::sleep(Duration::from_millis(300));
        stdin.write_all(step.keys)?;
        stdin.flush()?;
    }
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = reader.join();
    let text = console.lock().map(|s| s.clone()).unwrap_or_default();
    if verdict.is_ok() && status != Some(3) {
        verdict = Err(format!("exit status {status:?}, expected 3"));
    }
    Ok(verdict.map_err(|why| {
        let tail: Vec<&str> = text.lines().rev().take(25).collect();
        format!("{why}; console ends with:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
    }))
}

/// Waits until `needle` appears after byte `from` of the console; returns
/// where it ends.
fn wait_for(console: &Mutex<String>, needle: &str, from: usize, deadline: Instant) -> Option<usize> {
    while Instant::now() < deadline {
        if let Ok(text) = console.lock() {
            if let Some(at) = text.get(from..).and_then(|rest| rest.find(needle)) {
                return Some(from + at + needle.len());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}
