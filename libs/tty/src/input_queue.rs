//! The input buffer: completed lines (or, outside canonical mode, raw bytes)
//! followed by the line being edited, bounded at N_TTY_BUF_SIZE bytes like
//! Linux's `read_buf`, with the line ends Linux keeps in `read_flags`.

use alloc::collections::VecDeque;

use crate::N_TTY_BUF_SIZE;

/// What Linux stores for VEOF: a flagged line end holding this byte ends the
/// line without being read (`__DISABLED_CHAR`).
pub(crate) const EOF_MARK: u8 = 0;

/// Unread input. Positions count every byte ever stored, so line ends stay
/// valid while the front is consumed.
#[derive(Clone, Debug, Default)]
pub(crate) struct InputQueue {
    bytes: VecDeque<u8>,
    /// Position of `bytes[0]` (Linux's `read_tail`).
    tail: usize,
    /// Positions of the bytes that end completed lines, oldest first. The
    /// last one bounds the completed lines (Linux's `canon_head`).
    line_ends: VecDeque<usize>,
}

impl InputQueue {
    /// Bytes stored, completed or not (Linux's `read_cnt`).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Bytes in completed lines, line ends and EOF marks included.
    pub fn completed_len(&self) -> usize {
        self.line_ends.back().map_or(0, |&end| end + 1 - self.tail)
    }

    pub fn has_completed_line(&self) -> bool {
        !self.line_ends.is_empty()
    }

    /// The line being edited: everything after the last completed line.
    pub fn current_line(&self) -> impl DoubleEndedIterator<Item = u8> + '_ {
        self.bytes.range(self.completed_len()..).copied()
    }

    pub fn current_line_len(&self) -> usize {
        self.len() - self.completed_len()
    }

    /// The byte `back` places before the end of the line being edited
    /// (0 is the last byte).
    pub fn current_line_byte(&self, back: usize) -> u8 {
        self.bytes[self.len() - 1 - back]
    }

    /// Free space as Linux's `n_tty_receive_buf_common` counts it: one byte
    /// is kept back, and with PARMRK each byte may need three.
    pub fn room(&self, is_parity_marked: bool) -> isize {
        let free = (N_TTY_BUF_SIZE - self.len()) as isize;
        let free = if is_parity_marked { (free + 2) / 3 } else { free };
        free - 1
    }

    pub fn push(&mut self, byte: u8) {
        self.bytes.push_back(byte);
    }

    /// Stores `byte` as the end of a line, completing it.
    pub fn push_line_end(&mut self, byte: u8) {
        self.line_ends.push_back(self.tail + self.bytes.len());
        self.bytes.push_back(byte);
    }

    /// Removes the last byte of the line being edited.
    pub fn pop_current(&mut self) -> Option<u8> {
        if self.current_line_len() == 0 {
            return None;
        }
        self.bytes.pop_back()
    }

    /// Forgets the line being edited.
    pub fn kill_current(&mut self) {
        self.bytes.truncate(self.completed_len());
    }

    pub fn clear(&mut self) {
        self.tail += self.bytes.len();
        self.bytes.clear();
        self.line_ends.clear();
    }

    /// Forgets where lines end: outside canonical mode all input is raw.
    pub fn forget_lines(&mut self) {
        self.line_ends.clear();
    }

    /// On entering canonical mode with input pending, Linux makes all of it
    /// one completed line ending at its last byte (n_tty_set_termios).
    pub fn complete_all(&mut self) {
        self.line_ends.clear();
        if !self.bytes.is_empty() {
            self.line_ends.push_back(self.tail + self.bytes.len() - 1);
        }
    }

    /// Bytes a reader would get from the completed lines (FIONREAD in
    /// canonical mode): EOF marks are not counted.
    pub fn completed_data_len(&self) -> usize {
        let marks = self.line_ends.iter().filter(|&&end| self.bytes[end - self.tail] == EOF_MARK).count();
        self.completed_len() - marks
    }

    /// Canonical read: copies the first completed line, or as much of it as
    /// fits, into `buf` and returns how many bytes were copied (0 for a line
    /// holding only an EOF mark). An EOF mark ending the line is consumed but
    /// never copied, even when the line filled `buf` exactly (Linux's
    /// `canon_skip_eof`). Returns `None` without a completed line.
    pub fn read_line(&mut self, buf: &mut [u8]) -> Option<usize> {
        let end = *self.line_ends.front()?;
        let line_len = end + 1 - self.tail;
        if buf.len() >= line_len {
            let is_eof = self.bytes[line_len - 1] == EOF_MARK;
            let copied = if is_eof { line_len - 1 } else { line_len };
            self.copy_out(&mut buf[..copied]);
            self.consume(line_len - copied);
            return Some(copied);
        }
        let copied = buf.len();
        self.copy_out(buf);
        if copied > 0 && copied + 1 == line_len && self.bytes[0] == EOF_MARK {
            self.consume(1);
        }
        Some(copied)
    }

    /// Non-canonical read: copies as many bytes as fit.
    pub fn read_raw(&mut self, buf: &mut [u8]) -> usize {
        let copied = buf.len().min(self.bytes.len());
        self.copy_out(&mut buf[..copied]);
        copied
    }

    /// Moves the front bytes into `buf`, which they fill.
    fn copy_out(&mut self, buf: &mut [u8]) {
        let count = buf.len();
        for (slot, byte) in buf.iter_mut().zip(self.bytes.drain(..count)) {
            *slot = byte;
        }
        self.advance_tail(count);
    }

    /// Drops `count` front bytes.
    fn consume(&mut self, count: usize) {
        self.bytes.drain(..count);
        self.advance_tail(count);
    }

    fn advance_tail(&mut self, count: usize) {
        self.tail += count;
        while self.line_ends.front().is_some_and(|&end| end < self.tail) {
            self.line_ends.pop_front();
        }
    }
}
