//! Output post-processing (OPOST) and the column it tracks, after Linux's
//! `do_output_char`, plus the echo forms N_TTY writes on input: `^X` for
//! control characters, and the backspacing that erases what was echoed.

use alloc::vec::Vec;

use crate::ctype::{is_control, is_utf8_continuation, to_upper};
use crate::termios::*;

/// Where the cursor is, as far as the line discipline can tell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    /// The cursor's column on the terminal.
    pub column: u32,
    /// The column where the line being edited began: tab erase counts from
    /// it (Linux's `canon_column`).
    pub canon_column: u32,
}

impl Columns {
    /// Writes one byte with OPOST processing (the caller checked OPOST):
    /// ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS and the column they move.
    /// Linux ignores the delay flags (NLDLY, CRDLY, ...) and so does goose.
    pub fn output_byte(&mut self, termios: &Termios, byte: u8, out: &mut Vec<u8>) {
        let mut byte = byte;
        match byte {
            b'\n' => {
                if termios.has_oflag(ONLRET) {
                    self.column = 0;
                }
                if termios.has_oflag(ONLCR) {
                    self.column = 0;
                    self.canon_column = 0;
                    out.extend_from_slice(b"\r\n");
                    return;
                }
                self.canon_column = self.column;
            }
            b'\r' => {
                if termios.has_oflag(ONOCR) && self.column == 0 {
                    return;
                }
                if termios.has_oflag(OCRNL) {
                    byte = b'\n';
                    if termios.has_oflag(ONLRET) {
                        self.column = 0;
                        self.canon_column = 0;
                    }
                } else {
                    self.column = 0;
                    self.canon_column = 0;
                }
            }
            b'\t' => {
                let spaces = 8 - (self.column & 7);
                self.column = self.column.wrapping_add(spaces);
                if termios.c_oflag & TABDLY == XTABS {
                    out.extend(core::iter::repeat_n(b' ', spaces as usize));
                    return;
                }
            }
            0x08 => self.column = self.column.saturating_sub(1),
            _ if !is_control(byte) => {
                if termios.has_oflag(OLCUC) {
                    byte = to_upper(byte);
                }
                // Only the first byte of a UTF-8 sequence takes a column.
                if !(termios.has_iflag(IUTF8) && is_utf8_continuation(byte)) {
                    self.column = self.column.wrapping_add(1);
                }
            }
            _ => {}
        }
        out.push(byte);
    }

    /// Echoes a byte as it is: through OPOST when it is on, else untouched
    /// (and then, as in Linux, without moving the column).
    pub fn echo_raw(&mut self, termios: &Termios, byte: u8, out: &mut Vec<u8>) {
        if termios.has_oflag(OPOST) {
            self.output_byte(termios, byte, out);
        } else {
            out.push(byte);
        }
    }

    /// Echoes an input byte: with ECHOCTL a control character other than tab
    /// shows as `^X` (DEL as `^?`), two columns wide and never post-processed.
    pub fn echo_char(&mut self, termios: &Termios, byte: u8, out: &mut Vec<u8>) {
        if byte == 0xff {
            // Linux passes 0xff, its echo-buffer escape, straight through.
            out.push(byte);
            self.column = self.column.wrapping_add(1);
        } else if termios.has_lflag(ECHOCTL) && is_control(byte) && byte != b'\t' {
            out.extend_from_slice(&[b'^', byte ^ 0x40]);
            self.column = self.column.wrapping_add(2);
        } else {
            self.echo_raw(termios, byte, out);
        }
    }

    /// Echoes `\b \b`, which rubs out one column.
    pub fn rub_out(&mut self, termios: &Termios, out: &mut Vec<u8>) {
        for byte in *b"\x08 \x08" {
            self.echo_raw(termios, byte, out);
        }
    }

    /// Moves back over an erased tab. `columns` counts the columns the line
    /// used after the previous tab (`after_tab`) or from the line's start,
    /// which began at `canon_column`.
    pub fn erase_tab(&mut self, columns: u32, after_tab: bool, out: &mut Vec<u8>) {
        let columns = if after_tab { columns } else { columns.wrapping_add(self.canon_column) };
        for _ in 0..8 - (columns & 7) {
            out.push(0x08);
            self.column = self.column.saturating_sub(1);
        }
    }

    /// Notes that the line being edited starts at the cursor.
    pub fn mark_line_start(&mut self) {
        self.canon_column = self.column;
    }

    /// Moves the column back one without output (ECHOPRT's multi-byte echo).
    pub fn move_back(&mut self) {
        self.column = self.column.saturating_sub(1);
    }
}
