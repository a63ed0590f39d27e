//! The zero-copy newc reader: an iterator over the entries of a byte slice
//! that borrows names and data from it, checks every length against the
//! input, and stops at the first error.

use crate::{Entry, Error, FileType, HEADER_LEN, MAX_NAME_LEN, TRAILER_NAME};

/// Iterates over the entries of one or more concatenated newc archives.
/// Trailer entries are not yielded. After an error the iterator ends.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    input: &'a [u8],
    offset: usize,
    state: State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The next bytes must be a header.
    InArchive,
    /// A trailer was read: NUL padding, the end, or another archive follows.
    AfterTrailer,
    Done,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, offset: 0, state: State::InArchive }
    }

    /// Offset of the next header in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    fn next_entry(&mut self) -> Result<Option<Entry<'a>>, Error> {
        loop {
            if self.state == State::AfterTrailer {
                // As init/initramfs.c does: skip NULs between archives; a
                // following archive must start 4-byte aligned.
                let rest = &self.input[self.offset..];
                let zeros = rest.iter().take_while(|&&b| b == 0).count();
                self.offset += zeros;
                if self.offset == self.input.len() {
                    return Ok(None);
                }
                if !self.offset.is_multiple_of(4) || self.input[self.offset] != b'0' {
                    return Err(Error::TrailingGarbage { offset: self.offset });
                }
                self.state = State::InArchive;
            }
            if self.offset == self.input.len() {
                return Err(Error::MissingTrailer { offset: self.offset });
            }
            let (entry, next) = parse_entry(self.input, self.offset)?;
            self.offset = next;
            if entry.name == TRAILER_NAME {
                self.state = State::AfterTrailer;
                continue;
            }
            return Ok(Some(entry));
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Entry<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Done {
            return None;
        }
        match self.next_entry() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => {
                self.state = State::Done;
                None
            }
            Err(error) => {
                self.state = State::Done;
                Some(Err(error))
            }
        }
    }
}

impl core::iter::FusedIterator for Reader<'_> {}

/// Rounds `value` up to a multiple of 4.
fn align4(value: usize, at: usize) -> Result<usize, Error> {
    value.checked_add(3).map(|v| v & !3).ok_or(Error::Overflow { offset: at })
}

/// One 8-digit hexadecimal header field.
fn hex_field(bytes: &[u8], at: usize) -> Result<u32, Error> {
    let mut value: u32 = 0;
    for &byte in bytes {
        let digit = (byte as char).to_digit(16).ok_or(Error::BadHexField { offset: at })?;
        value = (value << 4) | digit;
    }
    Ok(value)
}

/// Parses the entry whose header starts at `start`; returns it and the
/// offset just past its data padding.
fn parse_entry(input: &[u8], start: usize) -> Result<(Entry<'_>, usize), Error> {
    let header = start
        .checked_add(HEADER_LEN)
        .and_then(|end| input.get(start..end))
        .ok_or(Error::TruncatedHeader { offset: start })?;
    let is_crc = match &header[..6] {
        b"070701" => false,
        b"070702" => true,
        _ => return Err(Error::BadMagic { offset: start }),
    };
    let mut fields = [0u32; 13];
    for (index, field) in fields.iter_mut().enumerate() {
        let at = start + 6 + index * 8;
        *field = hex_field(&header[6 + index * 8..14 + index * 8], at)?;
    }
    let [ino, mode, uid, gid, nlink, mtime, file_size, dev_major, dev_minor, rdev_major, rdev_minor, name_size, check] =
        fields;

    let name_start = start + HEADER_LEN;
    let name_size = name_size as usize;
    if name_size == 0 || name_size > MAX_NAME_LEN {
        return Err(Error::BadNameSize { offset: start });
    }
    let name_end = name_start.checked_add(name_size).ok_or(Error::Overflow { offset: name_start })?;
    let name_with_nul = input.get(name_start..name_end).ok_or(Error::TruncatedName { offset: name_start })?;
    let (nul, name) = name_with_nul.split_last().ok_or(Error::BadNameSize { offset: start })?;
    if *nul != 0 || name.contains(&0) {
        return Err(Error::BadName { offset: name_start });
    }
    let data_start = align4(name_end, name_end)?;
    if data_start > input.len() {
        return Err(Error::TruncatedName { offset: name_end });
    }
    let data_end =
        data_start.checked_add(file_size as usize).ok_or(Error::Overflow { offset: data_start })?;
    let data = input.get(data_start..data_end).ok_or(Error::TruncatedData { offset: data_start })?;
    // Linux checks the sum of regular files only (init/initramfs.c).
    let is_regular = FileType::from_mode(mode) == Some(FileType::Regular);
    if is_crc && is_regular && data.iter().fold(0u32, |sum, &b| sum.wrapping_add(b as u32)) != check {
        return Err(Error::BadChecksum { offset: data_start });
    }
    // Padding is skipped unread, as Linux does; the last entry's padding
    // may be cut off at the end of the input.
    let next = align4(data_end, data_end)?.min(input.len());
    let entry =
        Entry { name, ino, mode, uid, gid, nlink, mtime, dev_major, dev_minor, rdev_major, rdev_minor, data };
    Ok((entry, next))
}
