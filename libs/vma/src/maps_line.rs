//! One line of `/proc/PID/maps`, byte for byte as Linux prints it
//! (fs/proc/task_mmu.c `show_vma_header_prefix` and `show_map_vma`):
//!
//! ```text
//! 00010000-00011000 r-xp 00000000 fe:00 1234                               /bin/true
//! ```
//!
//! The header is `"%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu "`. A named
//! area is then padded with spaces to column 72 (`seq_setwidth(m, 25 +
//! sizeof(void *) * 6 - 1)` on a 64-bit kernel), gets one more space
//! (`seq_pad(m, ' ')`) and its name; a nameless one keeps the header's
//! trailing space. Newlines in the name print as `\012`, as `seq_file_path`
//! escapes them.

use core::fmt;

use crate::area::{Area, Backing};
use crate::flags::Prot;

/// The width Linux pads the header to before a name, on 64-bit.
const NAME_COLUMN: usize = 25 + 8 * 6 - 1;

/// A `/proc/PID/maps` line, without its newline, ready to `Display`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapsLine<'a> {
    pub start: usize,
    pub end: usize,
    pub prot: Prot,
    pub is_shared: bool,
    /// File offset of `start` (0 for anonymous areas).
    pub offset: u64,
    /// Device of the file's filesystem (0:0 for anonymous areas).
    pub dev_major: u32,
    pub dev_minor: u32,
    /// Inode number of the file (0 for anonymous areas).
    pub inode: u64,
    /// The file's path, `[heap]`, `[stack]`, `[vdso]`, or empty for none.
    pub name: &'a str,
}

impl<'a> MapsLine<'a> {
    /// The line for `area`, with what only the kernel knows about its
    /// file: the offset of its start, the device `(major, minor)`, the
    /// inode and the name.
    pub fn new<B: Backing>(area: &Area<B>, offset: u64, dev: (u32, u32), inode: u64, name: &'a str) -> Self {
        MapsLine {
            start: area.start,
            end: area.end,
            prot: area.prot,
            is_shared: area.flags.is_shared(),
            offset,
            dev_major: dev.0,
            dev_minor: dev.1,
            inode,
            name,
        }
    }
}

/// Counts what passes through, to know where the padding ends.
struct Counting<'w, W> {
    inner: &'w mut W,
    written: usize,
}

impl<W: fmt::Write> fmt::Write for Counting<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.written += s.len();
        self.inner.write_str(s)
    }
}

impl fmt::Display for MapsLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        let mut out = Counting { inner: f, written: 0 };
        let [r, w, x] = self.prot.rwx();
        let sharing = if self.is_shared { 's' } else { 'p' };
        write!(
            out,
            "{:08x}-{:08x} {r}{w}{x}{sharing} {:08x} {:02x}:{:02x} {} ",
            self.start, self.end, self.offset, self.dev_major, self.dev_minor, self.inode
        )?;
        if self.name.is_empty() {
            return Ok(());
        }
        for _ in out.written..NAME_COLUMN {
            out.write_char(' ')?;
        }
        out.write_char(' ')?;
        for (i, part) in self.name.split('\n').enumerate() {
            if i > 0 {
                out.write_str("\\012")?;
            }
            out.write_str(part)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::AreaFlags;

    fn line(start: usize, end: usize, prot: Prot, flags: AreaFlags) -> Area<()> {
        Area::new(start, end, prot, flags, ())
    }

    #[test]
    fn anonymous_line_keeps_the_trailing_space() {
        let area = line(0x7000, 0x9000, Prot::READ | Prot::WRITE, AreaFlags::ANONYMOUS);
        let text = MapsLine::new(&area, 0, (0, 0), 0, "").to_string();
        assert_eq!(text, "00007000-00009000 rw-p 00000000 00:00 0 ");
    }

    #[test]
    fn name_starts_at_column_73() {
        let area = line(0x3f_ffdd_e000, 0x3f_ffff_f000, Prot::READ | Prot::WRITE, AreaFlags::ANONYMOUS);
        let text = MapsLine::new(&area, 0, (0, 0), 0, "[stack]").to_string();
        // A 44-byte header, padded to 72, then one more space.
        let expected = format!("3fffdde000-3ffffff000 rw-p 00000000 00:00 0{}[stack]", " ".repeat(30));
        assert_eq!(text, expected);
        assert_eq!(text.find('['), Some(73));
    }

    #[test]
    fn file_line_with_shared_exec_and_big_numbers() {
        let area = line(0x1_0000, 0x1_1000, Prot::READ | Prot::EXEC, AreaFlags::SHARED);
        let text = MapsLine::new(&area, 0x1_2345_6000, (0xfe, 0x1_0001), 123456789, "/bin/t").to_string();
        assert_eq!(
            text,
            format!("00010000-00011000 r-xs 123456000 fe:10001 123456789{}/bin/t", " ".repeat(73 - 51))
        );
    }

    #[test]
    fn long_header_still_gets_one_space_and_escapes_newlines() {
        let area = line(usize::MAX - 0xfff, usize::MAX, Prot::NONE, AreaFlags::empty());
        let text = MapsLine::new(&area, u64::MAX, (0xfff, 0xfffff), u64::MAX, "/a\nb").to_string();
        assert_eq!(
            text,
            "fffffffffffff000-ffffffffffffffff ---p ffffffffffffffff fff:fffff 18446744073709551615  /a\\012b"
        );
    }
}
