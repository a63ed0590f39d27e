//! The line discipline's state and its public face: construction, mode
//! changes (n_tty_set_termios), window size, flow control by tcflow, and the
//! entry points for input and output.

use alloc::vec::Vec;
use core::mem;

use crate::input_queue::InputQueue;
use crate::output::Columns;
use crate::receive::{special_chars, Reaction};
use crate::termios::*;
use crate::{Event, Winsize};

/// One terminal's N_TTY state: termios, the input buffer, the output column
/// and the editing and flow-control state.
///
/// Input: the kernel feeds each received byte to [`receive`](Self::receive)
/// and carries out the returned [`Event`]s in order (echo is returned as
/// `Event::Echo`, never queued inside). Reads go through
/// [`read`](Self::read); writes through
/// [`process_output`](Self::process_output).
///
/// Where goose knowingly differs from Linux:
/// - Linux leaves bytes it has no room for in the driver's flip buffer until
///   a reader makes room. Here a byte that finds the buffer full is dropped,
///   except that IXON's START/STOP (as Linux's lookahead does) and ISIG's
///   signal characters still act. A driver that wants Linux's exact
///   behaviour holds bytes back while [`has_room`](Self::has_room) is false.
/// - Echo is produced at once for every byte instead of being batched in an
///   echo buffer, so a signal character cannot discard echo that an earlier
///   byte produced; `Event::FlushOutput` tells the kernel to drop whatever
///   it still holds.
/// - EXTPROC (pty packet mode) is not implemented, and the break and
///   parity-error flags (IGNBRK, BRKINT, IGNPAR, INPCK) have nothing to act
///   on: the UART reports neither. CREAD is the driver's business, as in
///   Linux's serial core. VDISCARD, IMAXBEL and XCASE do nothing, as in
///   Linux.
#[derive(Clone, Debug)]
pub struct LineDiscipline {
    pub(crate) termios: Termios,
    pub(crate) input: InputQueue,
    pub(crate) columns: Columns,
    /// Bytes that need more than storing and echoing (Linux's `char_map`).
    pub(crate) special_chars: [u64; 4],
    /// The previous byte was VLNEXT: take the next one literally.
    pub(crate) is_literal_next: bool,
    /// An ECHOPRT erase is in progress (`\` printed, `/` not yet).
    pub(crate) is_erasing: bool,
    pub(crate) is_output_stopped: bool,
    /// Output stopped by tcflow(TCOOFF), which only TCOON undoes.
    pub(crate) is_output_stopped_by_tcflow: bool,
    winsize: Winsize,
}

impl Default for LineDiscipline {
    fn default() -> Self {
        LineDiscipline::new(Termios::default_console())
    }
}

impl LineDiscipline {
    pub fn new(termios: Termios) -> LineDiscipline {
        LineDiscipline {
            termios,
            input: InputQueue::default(),
            columns: Columns::default(),
            special_chars: special_chars(&termios),
            is_literal_next: false,
            is_erasing: false,
            is_output_stopped: false,
            is_output_stopped_by_tcflow: false,
            winsize: Winsize::default(),
        }
    }

    pub fn termios(&self) -> &Termios {
        &self.termios
    }

    /// TCSETS: adopts new settings as n_tty_set_termios does. Turning ICANON
    /// off makes the line being edited readable as raw bytes; turning it on
    /// with input pending makes all of it one completed line. Clearing IXON
    /// restarts output stopped by VSTOP, which the returned events say.
    pub fn set_termios(&mut self, new: Termios) -> Vec<Event> {
        let old = mem::replace(&mut self.termios, new);
        if (old.c_lflag ^ new.c_lflag) & ICANON != 0 {
            if new.has_lflag(ICANON) {
                self.input.complete_all();
            } else {
                self.input.forget_lines();
            }
            self.is_erasing = false;
            self.is_literal_next = false;
        }
        self.special_chars = special_chars(&new);
        let mut reaction = Reaction::default();
        if old.has_iflag(IXON) && !new.has_iflag(IXON) {
            self.start_output_for_input(&mut reaction);
        }
        reaction.finish()
    }

    pub fn winsize(&self) -> Winsize {
        self.winsize
    }

    /// TIOCSWINSZ. Returns whether the size changed: Linux then sends
    /// SIGWINCH to the foreground process group.
    pub fn set_winsize(&mut self, winsize: Winsize) -> bool {
        mem::replace(&mut self.winsize, winsize) != winsize
    }

    /// The column the terminal's cursor is at, as far as output tells.
    pub fn column(&self) -> u32 {
        self.columns.column
    }

    /// Whether output is stopped (VSTOP or tcflow(TCOOFF)).
    pub fn is_output_stopped(&self) -> bool {
        self.is_output_stopped
    }

    /// Whether the buffer takes the next byte: Linux stops taking input
    /// 1 byte short of N_TTY_BUF_SIZE, except that a canonical line still
    /// being edited accepts bytes so that erase and newline keep working.
    pub fn has_room(&self) -> bool {
        self.input.room(self.termios.has_iflag(PARMRK)) > 0 || self.is_line_overflowing()
    }

    /// Discards all unread input (TCFLSH, and TCSETSF before the change).
    pub fn flush_input(&mut self) {
        self.input.clear();
        self.is_erasing = false;
    }

    /// tcflow(TCOOFF): stops output until [`tcflow_start`](Self::tcflow_start).
    pub fn tcflow_stop(&mut self) -> Option<Event> {
        if mem::replace(&mut self.is_output_stopped_by_tcflow, true) {
            return None;
        }
        (!mem::replace(&mut self.is_output_stopped, true)).then_some(Event::StopOutput)
    }

    /// tcflow(TCOON): undoes [`tcflow_stop`](Self::tcflow_stop).
    pub fn tcflow_start(&mut self) -> Option<Event> {
        if !mem::replace(&mut self.is_output_stopped_by_tcflow, false) {
            return None;
        }
        mem::replace(&mut self.is_output_stopped, false).then_some(Event::StartOutput)
    }

    /// Handles one byte from the terminal.
    pub fn receive(&mut self, byte: u8) -> Vec<Event> {
        let mut reaction = Reaction::default();
        self.receive_into(byte, &mut reaction);
        reaction.finish()
    }

    /// Handles bytes from the terminal in order; echo of consecutive bytes
    /// comes back as one `Event::Echo`.
    pub fn receive_bytes(&mut self, bytes: &[u8]) -> Vec<Event> {
        let mut reaction = Reaction::default();
        for &byte in bytes {
            self.receive_into(byte, &mut reaction);
        }
        reaction.finish()
    }

    /// Writes program output with OPOST processing into `out`.
    pub fn process_output(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        if !self.termios.has_oflag(OPOST) {
            out.extend_from_slice(bytes);
            return;
        }
        for &byte in bytes {
            self.columns.output_byte(&self.termios, byte, out);
        }
    }
}
