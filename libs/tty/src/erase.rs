//! Canonical erasing: VERASE takes back one character (a whole UTF-8
//! sequence under IUTF8), VWERASE a word, VKILL the line, each echoed the
//! way Linux's `eraser` does under ECHOE, ECHOK, ECHOKE, ECHOCTL and ECHOPRT.

use alloc::vec::Vec;

use crate::ctype::{is_alphanumeric, is_control, is_utf8_continuation};
use crate::discipline::LineDiscipline;
use crate::receive::Reaction;
use crate::termios::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum EraseKind {
    Character,
    Word,
    Line,
}

impl LineDiscipline {
    /// Handles an erase, word-erase or kill character in canonical mode.
    pub(crate) fn erase(&mut self, byte: u8, reaction: &mut Reaction) {
        let termios = self.termios;
        if self.input.current_line_len() == 0 {
            return;
        }
        let kind = if byte == termios.c_cc[VERASE] {
            EraseKind::Character
        } else if byte == termios.c_cc[VWERASE] {
            EraseKind::Word
        } else {
            EraseKind::Line
        };
        let is_echo = termios.has_lflag(ECHO);
        if kind == EraseKind::Line {
            if !is_echo {
                self.input.kill_current();
                return;
            }
            // Without all of ECHOK, ECHOKE and ECHOE the line is not rubbed
            // out on screen: the kill character is echoed instead, followed
            // by a newline under ECHOK.
            if !(termios.has_lflag(ECHOK) && termios.has_lflag(ECHOKE) && termios.has_lflag(ECHOE)) {
                self.input.kill_current();
                self.finish_erasing(reaction);
                self.columns.echo_char(&termios, termios.c_cc[VKILL], &mut reaction.echo);
                if termios.has_lflag(ECHOK) {
                    self.columns.echo_raw(&termios, b'\n', &mut reaction.echo);
                }
                return;
            }
        }

        let mut word_bytes_seen = 0;
        while self.input.current_line_len() > 0 {
            let Some(length) = self.last_character_length() else {
                break; // never erase part of a character
            };
            let first = self.input.current_line_byte(length - 1);
            if kind == EraseKind::Word {
                // Linux's word: letters, digits and `_` (BSD's ALTWERASE).
                if is_alphanumeric(first) || first == b'_' {
                    word_bytes_seen += 1;
                } else if word_bytes_seen > 0 {
                    break;
                }
            }
            let mut erased: Vec<u8> = (0..length).map(|_| self.input.pop_current().unwrap_or(0)).collect();
            erased.reverse();
            if is_echo {
                self.echo_erased(kind, &erased, reaction);
            }
            if kind == EraseKind::Character {
                break;
            }
        }
        if self.input.current_line_len() == 0 && is_echo {
            self.finish_erasing(reaction);
        }
    }

    /// Bytes in the last character of the line being edited: 1, or under
    /// IUTF8 a lead byte and its continuations. `None` when the line holds
    /// only continuation bytes.
    fn last_character_length(&self) -> Option<usize> {
        let line_len = self.input.current_line_len();
        let is_utf8 = self.termios.has_iflag(IUTF8);
        let mut length = 1;
        while is_utf8 && is_utf8_continuation(self.input.current_line_byte(length - 1)) {
            if length == line_len {
                return None;
            }
            length += 1;
        }
        Some(length)
    }

    /// Echoes the erasing of one character (`erased`, its bytes in order).
    fn echo_erased(&mut self, kind: EraseKind, erased: &[u8], reaction: &mut Reaction) {
        let termios = self.termios;
        let first = erased[0];
        let echo = &mut reaction.echo;
        if termios.has_lflag(ECHOPRT) {
            // Hardcopy style: `\` then each erased character, `/` at the end.
            if !self.is_erasing {
                self.columns.echo_raw(&termios, b'\\', echo);
                self.is_erasing = true;
            }
            self.columns.echo_char(&termios, first, echo);
            for &byte in &erased[1..] {
                self.columns.echo_raw(&termios, byte, echo);
                self.columns.move_back();
            }
        } else if kind == EraseKind::Character && !termios.has_lflag(ECHOE) {
            self.columns.echo_char(&termios, termios.c_cc[VERASE], echo);
        } else if first == b'\t' {
            let (columns, after_tab) = self.columns_since_tab();
            self.columns.erase_tab(columns, after_tab, echo);
        } else {
            let is_ctl = termios.has_lflag(ECHOCTL);
            // A control character echoed as ^X takes two columns; one echoed
            // raw took none that goose could know of.
            if is_control(first) && is_ctl {
                self.columns.rub_out(&termios, echo);
            }
            if !is_control(first) || is_ctl {
                self.columns.rub_out(&termios, echo);
            }
        }
    }

    /// Columns the line being edited took since its last tab (`true`) or
    /// from its start (`false`), for rubbing out a tab.
    fn columns_since_tab(&self) -> (u32, bool) {
        let is_ctl = self.termios.has_lflag(ECHOCTL);
        let is_utf8 = self.termios.has_iflag(IUTF8);
        let mut columns = 0u32;
        for byte in self.input.current_line().rev() {
            if byte == b'\t' {
                return (columns, true);
            } else if is_control(byte) {
                if is_ctl {
                    columns += 2;
                }
            } else if !(is_utf8 && is_utf8_continuation(byte)) {
                columns += 1;
            }
        }
        (columns, false)
    }
}
