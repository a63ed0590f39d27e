//! Tests of the line discipline. Expected echo and read bytes are Linux
//! 6.18's own: its N_TTY driven through a pty (whose slave runs the same line
//! discipline a serial port does). `oracle.py` at the crate's root replays
//! the main cases; the overflow, VMIN/VTIME, poll and ICANON-switch cases
//! were recorded the same way. Event order and the full-buffer cases marked
//! as goose's own follow this crate's API, not a recording.

mod echo;
mod editing;
mod flow;
mod output;
mod overflow;
mod reading;
mod signals;
mod termios_layout;

use alloc::vec::Vec;

use crate::*;

/// A discipline with Linux's default console settings changed by `change`.
fn discipline_with(change: impl FnOnce(&mut Termios)) -> LineDiscipline {
    let mut termios = Termios::default_console();
    change(&mut termios);
    LineDiscipline::new(termios)
}

/// The echo in `events`, concatenated.
fn echo_of(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .flat_map(|event| match event {
            Event::Echo(bytes) => bytes.clone(),
            _ => Vec::new(),
        })
        .collect()
}

/// Types `bytes` and returns their echo, checking nothing else happened.
fn type_in(discipline: &mut LineDiscipline, bytes: &[u8]) -> Vec<u8> {
    let events = discipline.receive_bytes(bytes);
    assert!(events.iter().all(|event| matches!(event, Event::Echo(_))), "{events:?}");
    echo_of(&events)
}

/// Reads with a buffer of `len` bytes; `None` when the read would block.
fn read_some(discipline: &mut LineDiscipline, len: usize) -> Option<Vec<u8>> {
    let mut buf = alloc::vec![0; len];
    match discipline.read(&mut buf) {
        ReadResult::Ready(count) => Some(buf[..count].to_vec()),
        ReadResult::WouldBlock => None,
    }
}

/// What successive 4096-byte reads return until one would block (canonical
/// mode, where that always happens).
fn read_lines(discipline: &mut LineDiscipline) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    while let Some(line) = read_some(discipline, N_TTY_BUF_SIZE) {
        lines.push(line);
        assert!(lines.len() < 100, "reads never block");
    }
    lines
}
