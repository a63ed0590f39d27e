//! The input side: what each received byte does under the current termios
//! (n_tty_receive_buf and its helpers), in Linux's order: flow control,
//! signals, CR/NL mapping, canonical editing, then echo and storage.

use alloc::vec::Vec;
use core::mem;

use crate::ctype::to_lower;
use crate::discipline::LineDiscipline;
use crate::input_queue::EOF_MARK;
use crate::termios::*;
use crate::{Event, SIGINT, SIGQUIT, SIGTSTP};

/// Events and echo gathered while handling input, kept in order.
#[derive(Default)]
pub(crate) struct Reaction {
    events: Vec<Event>,
    pub echo: Vec<u8>,
}

impl Reaction {
    fn event(&mut self, event: Event) {
        self.end_echo();
        self.events.push(event);
    }

    fn end_echo(&mut self) {
        if !self.echo.is_empty() {
            self.events.push(Event::Echo(mem::take(&mut self.echo)));
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Event> {
        self.end_echo();
        self.events
    }
}

impl LineDiscipline {
    /// A canonical line with no completed line before it: Linux lets such a
    /// line take input past the limit so that editing keys keep working.
    pub(crate) fn is_line_overflowing(&self) -> bool {
        self.termios.has_lflag(ICANON) && !self.input.has_completed_line()
    }

    /// Handles one received byte, adding what it causes to `reaction`.
    pub(crate) fn receive_into(&mut self, byte: u8, reaction: &mut Reaction) {
        let room = self.input.room(self.termios.has_iflag(PARMRK));
        if room <= 0 {
            if !self.is_line_overflowing() {
                self.receive_without_room(byte, reaction);
                return;
            }
            // A full line keeps taking input, each byte replacing the last
            // one stored, so a line holds at most 4095 bytes and its end.
            if room < 0 {
                self.input.pop_current();
            }
        }
        let byte = self.strip_and_fold(byte);
        if mem::take(&mut self.is_literal_next) {
            self.receive_plain(byte, reaction);
        } else if self.special_chars[usize::from(byte >> 6)] & (1 << (byte & 63)) != 0 {
            self.receive_special(byte, reaction);
        } else {
            self.receive_plain(byte, reaction);
        }
    }

    /// ISTRIP and IUCLC, applied before anything looks at a byte.
    fn strip_and_fold(&self, byte: u8) -> u8 {
        let byte = if self.termios.has_iflag(ISTRIP) { byte & 0x7f } else { byte };
        if self.termios.has_iflag(IUCLC) && self.termios.has_lflag(IEXTEN) {
            to_lower(byte)
        } else {
            byte
        }
    }

    /// A byte for a full buffer: flow control and signals act, the rest is
    /// dropped.
    fn receive_without_room(&mut self, byte: u8, reaction: &mut Reaction) {
        let byte = self.strip_and_fold(byte);
        if !self.is_literal_next && !self.receive_flow_control(byte, reaction) {
            self.receive_signal(byte, reaction);
        }
    }

    /// A byte nothing special applies to: echo it and store it.
    fn receive_plain(&mut self, byte: u8, reaction: &mut Reaction) {
        self.restart_on_any_byte(reaction);
        if self.termios.has_lflag(ECHO) {
            self.finish_erasing(reaction);
            if self.input.current_line_len() == 0 {
                self.columns.mark_line_start();
            }
            self.columns.echo_char(&self.termios, byte, &mut reaction.echo);
        }
        self.store(byte);
    }

    /// A byte in the special set: flow control, signals, CR/NL mapping and
    /// canonical editing, in Linux's order.
    fn receive_special(&mut self, byte: u8, reaction: &mut Reaction) {
        if self.receive_flow_control(byte, reaction) || self.receive_signal(byte, reaction) {
            return;
        }
        self.restart_on_any_byte(reaction);
        let mut byte = byte;
        if byte == b'\r' {
            if self.termios.has_iflag(IGNCR) {
                return;
            }
            if self.termios.has_iflag(ICRNL) {
                byte = b'\n';
            }
        } else if byte == b'\n' && self.termios.has_iflag(INLCR) {
            byte = b'\r';
        }
        if self.termios.has_lflag(ICANON) && self.receive_canonical(byte, reaction) {
            return;
        }
        if self.termios.has_lflag(ECHO) {
            self.finish_erasing(reaction);
            if byte == b'\n' {
                self.columns.echo_raw(&self.termios, b'\n', &mut reaction.echo);
            } else {
                if self.input.current_line_len() == 0 {
                    self.columns.mark_line_start();
                }
                self.columns.echo_char(&self.termios, byte, &mut reaction.echo);
            }
        }
        self.store(byte);
    }

    /// Canonical editing keys and line ends. Returns whether `byte` was one.
    fn receive_canonical(&mut self, byte: u8, reaction: &mut Reaction) -> bool {
        let termios = self.termios;
        let is_extended = termios.has_lflag(IEXTEN);
        let is_echo = termios.has_lflag(ECHO);
        if termios.is_char(VERASE, byte)
            || termios.is_char(VKILL, byte)
            || (is_extended && termios.is_char(VWERASE, byte))
        {
            self.erase(byte, reaction);
        } else if is_extended && termios.is_char(VLNEXT, byte) {
            self.is_literal_next = true;
            if is_echo {
                self.finish_erasing(reaction);
                if termios.has_lflag(ECHOCTL) {
                    // `^` then backspace: the quoted byte's echo overwrites it.
                    self.columns.echo_raw(&termios, b'^', &mut reaction.echo);
                    self.columns.echo_raw(&termios, 0x08, &mut reaction.echo);
                }
            }
        } else if is_extended && is_echo && termios.is_char(VREPRINT, byte) {
            self.finish_erasing(reaction);
            self.columns.echo_char(&termios, byte, &mut reaction.echo);
            self.columns.echo_raw(&termios, b'\n', &mut reaction.echo);
            let line: Vec<u8> = self.input.current_line().collect();
            for byte in line {
                self.columns.echo_char(&termios, byte, &mut reaction.echo);
            }
        } else if byte == b'\n' {
            if is_echo || termios.has_lflag(ECHONL) {
                self.columns.echo_raw(&termios, b'\n', &mut reaction.echo);
            }
            self.input.push_line_end(b'\n');
        } else if termios.is_char(VEOF, byte) {
            // Not echoed and not read: it only ends the line.
            self.input.push_line_end(EOF_MARK);
        } else if termios.is_char(VEOL, byte) || (is_extended && termios.is_char(VEOL2, byte)) {
            if is_echo {
                if self.input.current_line_len() == 0 {
                    self.columns.mark_line_start();
                }
                self.columns.echo_char(&termios, byte, &mut reaction.echo);
            }
            if byte == 0xff && termios.has_iflag(PARMRK) {
                self.input.push(byte);
            }
            self.input.push_line_end(byte);
        } else {
            return false;
        }
        true
    }

    /// IXON's START and STOP characters. Returns whether `byte` was one.
    fn receive_flow_control(&mut self, byte: u8, reaction: &mut Reaction) -> bool {
        if !self.termios.has_iflag(IXON) {
            return false;
        }
        if self.termios.is_char(VSTART, byte) {
            self.start_output_for_input(reaction);
        } else if self.termios.is_char(VSTOP, byte) {
            if !mem::replace(&mut self.is_output_stopped, true) {
                reaction.event(Event::StopOutput);
            }
        } else {
            return false;
        }
        true
    }

    /// ISIG's INTR, QUIT and SUSP characters: signal the foreground group,
    /// flush unless NOFLSH, restart output, echo. Returns whether `byte` was one.
    fn receive_signal(&mut self, byte: u8, reaction: &mut Reaction) -> bool {
        let termios = self.termios;
        if !termios.has_lflag(ISIG) {
            return false;
        }
        let signal = match byte {
            _ if termios.is_char(VINTR, byte) => SIGINT,
            _ if termios.is_char(VQUIT, byte) => SIGQUIT,
            _ if termios.is_char(VSUSP, byte) => SIGTSTP,
            _ => return false,
        };
        reaction.event(Event::Signal(signal));
        if !termios.has_lflag(NOFLSH) {
            reaction.event(Event::FlushOutput);
            self.flush_input();
        }
        if termios.has_iflag(IXON) {
            self.start_output_for_input(reaction);
        }
        if termios.has_lflag(ECHO) {
            self.columns.echo_char(&termios, byte, &mut reaction.echo);
        }
        true
    }

    /// IXANY: any byte restarts output that VSTOP stopped.
    fn restart_on_any_byte(&mut self, reaction: &mut Reaction) {
        if self.termios.has_iflag(IXON) && self.termios.has_iflag(IXANY) {
            self.start_output_for_input(reaction);
        }
    }

    /// Linux's `start_tty`: restarts output unless tcflow stopped it.
    pub(crate) fn start_output_for_input(&mut self, reaction: &mut Reaction) {
        if self.is_output_stopped && !self.is_output_stopped_by_tcflow {
            self.is_output_stopped = false;
            reaction.event(Event::StartOutput);
        }
    }

    /// Stores a data byte; PARMRK doubles 0xff so it cannot look like a mark.
    fn store(&mut self, byte: u8) {
        if byte == 0xff && self.termios.has_iflag(PARMRK) {
            self.input.push(byte);
        }
        self.input.push(byte);
    }

    /// ECHOPRT: closes a `\...` erase with `/`.
    pub(crate) fn finish_erasing(&mut self, reaction: &mut Reaction) {
        if mem::take(&mut self.is_erasing) {
            self.columns.echo_raw(&self.termios, b'/', &mut reaction.echo);
        }
    }
}

/// The bytes that need more than store-and-echo under `termios`, as Linux's
/// n_tty_set_termios builds `char_map`. A disabled (0) slot adds nothing.
pub(crate) fn special_chars(termios: &Termios) -> [u64; 4] {
    let mut chars = Vec::new();
    if termios.has_iflag(IGNCR) || termios.has_iflag(ICRNL) {
        chars.push(b'\r');
    }
    if termios.has_iflag(INLCR) {
        chars.push(b'\n');
    }
    let cc = |slot: usize| termios.c_cc[slot];
    if termios.has_lflag(ICANON) {
        chars.extend([cc(VERASE), cc(VKILL), cc(VEOF), b'\n', cc(VEOL)]);
        if termios.has_lflag(IEXTEN) {
            chars.extend([cc(VWERASE), cc(VLNEXT), cc(VEOL2)]);
            if termios.has_lflag(ECHO) {
                chars.push(cc(VREPRINT));
            }
        }
    }
    if termios.has_iflag(IXON) {
        chars.extend([cc(VSTART), cc(VSTOP)]);
    }
    if termios.has_lflag(ISIG) {
        chars.extend([cc(VINTR), cc(VQUIT), cc(VSUSP)]);
    }
    let mut map = [0u64; 4];
    for byte in chars.into_iter().filter(|&byte| byte != 0) {
        map[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }
    map
}
