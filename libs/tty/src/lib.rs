//! Linux's N_TTY line discipline as a pure state machine: canonical line
//! editing with echo, signal characters, flow control, VMIN/VTIME reads and
//! output post-processing, driven by the bytes a terminal delivers and the
//! reads and writes programs make. The kernel owns the UART, the timers and
//! the process groups; this crate decides what each byte means.
//!
//! Behaviour follows drivers/tty/n_tty.c (Linux 6.x) byte for byte where a
//! program could tell; `LineDiscipline`'s docs list where goose differs.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

mod ctype;
mod discipline;
mod erase;
mod input_queue;
mod output;
mod read;
mod receive;
pub mod termios;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

pub use discipline::LineDiscipline;
pub use read::{ReadMode, ReadResult, ReadTimer};
pub use termios::*;

/// Size of the input buffer, as Linux's `N_TTY_BUF_SIZE`.
pub const N_TTY_BUF_SIZE: usize = 4096;

/// Signals the line discipline raises (asm-generic/signal.h numbers).
pub const SIGINT: u32 = 2;
pub const SIGQUIT: u32 = 3;
pub const SIGTSTP: u32 = 20;

/// Something the kernel must do because of an input byte, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Write these bytes to the terminal. They are echo, already output
    /// processed; while output is stopped the kernel holds them back.
    Echo(Vec<u8>),
    /// Send this signal to the terminal's foreground process group.
    Signal(u32),
    /// Discard output queued for the terminal but not yet sent
    /// (Linux's `tty_driver_flush_buffer` when a signal character flushes).
    FlushOutput,
    /// Stop sending output (IXON and the VSTOP character).
    StopOutput,
    /// Resume sending output (VSTART, IXANY, or a signal character).
    StartOutput,
}

/// `struct winsize` for TIOCGWINSZ/TIOCSWINSZ. Linux's serial console
/// reports 0 rows and 0 columns until someone sets a size (busybox and most
/// programs then fall back to 24x80 or $LINES/$COLUMNS), and so does goose.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Winsize {
    pub ws_row: u16,
    pub ws_col: u16,
    pub ws_xpixel: u16,
    pub ws_ypixel: u16,
}

const _: () = assert!(size_of::<Winsize>() == 8);

impl Winsize {
    /// The bytes TIOCGWINSZ copies out (little-endian, as on riscv64).
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut bytes = [0; 8];
        for (index, field) in [self.ws_row, self.ws_col, self.ws_xpixel, self.ws_ypixel].iter().enumerate() {
            bytes[index * 2..index * 2 + 2].copy_from_slice(&field.to_le_bytes());
        }
        bytes
    }

    /// The structure TIOCSWINSZ copies in.
    pub fn from_bytes(bytes: &[u8; 8]) -> Winsize {
        let field = |index: usize| u16::from_le_bytes([bytes[index * 2], bytes[index * 2 + 1]]);
        Winsize { ws_row: field(0), ws_col: field(1), ws_xpixel: field(2), ws_ypixel: field(3) }
    }
}
