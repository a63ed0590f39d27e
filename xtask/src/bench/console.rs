//! QEMU's console captured as raw bytes, each piece stamped with the host
//! time it arrived. A shell prompt ends without a newline, so the
//! line-based capture of `qemu::Machine::run_until` never sees it.

use crate::qemu::Machine;
use anyhow::Result;
use std::io::Read;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a captured boot printed, and when.
#[derive(Debug, Default)]
pub struct Console {
    bytes: Vec<u8>,
    /// (end offset in `bytes`, arrival time from QEMU's start) per piece.
    arrivals: Vec<(usize, Duration)>,
    /// When `stop` held, if it did.
    pub stopped_at: Option<Duration>,
    /// Why the capture ended without `stop` holding.
    pub ended_by: Option<String>,
}

impl Console {
    fn push(&mut self, at: Duration, piece: &[u8]) {
        self.bytes.extend_from_slice(piece);
        self.arrivals.push((self.bytes.len(), at));
    }

    /// When `text` was first complete on the console, from QEMU's start.
    pub fn first_seen(&self, text: &str) -> Option<Duration> {
        let needle = text.as_bytes();
        let start = self.bytes.windows(needle.len()).position(|w| w == needle)?;
        let end = start + needle.len();
        self.arrivals.iter().find(|(offset, _)| *offset >= end).map(|(_, at)| *at)
    }

    /// Everything printed, `\r` removed.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).replace('\r', "")
    }

    /// The last `count` lines, for error messages.
    pub fn tail(&self, count: usize) -> String {
        let text = self.text();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(count)..].join("\n")
    }
}

/// Boots `machine` until `stop` holds for everything printed so far, no
/// output comes for `idle_timeout`, `timeout` passes, or QEMU exits.
/// QEMU is then killed (by its PID: only the process started here).
pub fn capture(
    machine: &Machine,
    timeout: Duration,
    idle_timeout: Duration,
    mut stop: impl FnMut(&[u8]) -> bool,
) -> Result<Console> {
    let start = Instant::now();
    let mut child = machine.spawn(Stdio::null(), Stdio::piped())?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let (sender, receiver) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(count @ 1..) = stdout.read(&mut buffer) {
            if sender.send((start.elapsed(), buffer[..count].to_vec())).is_err() {
                break;
            }
        }
    });
    let error_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut console = Console::default();
    let mut last_output = Instant::now();
    loop {
        let left =
            timeout.saturating_sub(start.elapsed()).min(idle_timeout.saturating_sub(last_output.elapsed()));
        match receiver.recv_timeout(left) {
            Ok((at, piece)) => {
                console.push(at, &piece);
                last_output = Instant::now();
                if stop(&console.bytes) {
                    console.stopped_at = Some(at);
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                console.ended_by = Some("QEMU exited".into());
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                console.ended_by = Some(if start.elapsed() >= timeout {
                    format!("timed out after {} s", timeout.as_secs())
                } else {
                    format!("no output for {} s", idle_timeout.as_secs())
                });
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    let errors = error_reader.join().unwrap_or_default();
    if !errors.trim().is_empty() {
        console.push(start.elapsed(), format!("\n[qemu stderr] {errors}").as_bytes());
    }
    Ok(console)
}

/// Whether the console ends with a shell prompt: a last line such as
/// `root@goose:~# ` (xtask/rootfs/etc/profile sets PS1 to `\u@\h:\w\$ `),
/// maybe followed by the cursor-position query busybox's line editing
/// sends (`ESC [6n`).
pub fn ends_with_prompt(bytes: &[u8]) -> bool {
    let last_line = bytes.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    let last_line = without_escapes(&String::from_utf8_lossy(last_line));
    let last_line = last_line.trim_start_matches('\r');
    last_line.ends_with("# ") && last_line.contains('@') && last_line.contains(':')
}

/// `text` without its terminal control sequences (ECMA-48 CSI: ESC `[`,
/// parameter bytes, one final byte from `@` to `~`).
fn without_escapes(text: &str) -> String {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            plain.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_when_text_completed() {
        let mut console = Console::default();
        let ms = Duration::from_millis;
        console.push(ms(10), b"boot\n@@@ be");
        console.push(ms(20), b"nch init\nroot@goose:~");
        console.push(ms(30), b"# ");
        assert_eq!(console.first_seen("boot"), Some(ms(10)));
        assert_eq!(console.first_seen("@@@ bench init"), Some(ms(20)));
        assert_eq!(console.first_seen("~# "), Some(ms(30)));
        assert_eq!(console.first_seen("missing"), None);
        assert_eq!(console.tail(1), "root@goose:~# ");
    }

    #[test]
    fn recognises_prompts() {
        assert!(ends_with_prompt(b"@@@ bench init\r\nroot@goose:~# "));
        assert!(ends_with_prompt(b"root@(none):/root# "));
        assert!(ends_with_prompt(b"init\nroot@goose:~# \x1b[6n"));
        assert!(!ends_with_prompt(b"root@goose:~# \x1b[6nls"));
        assert!(!ends_with_prompt(b"root@goose:~# \nls\n"));
        assert!(!ends_with_prompt(b"# comment "));
        assert!(!ends_with_prompt(b""));
    }
}
