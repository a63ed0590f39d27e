//! Host tests: round trips through the writer and reader, archives laid out
//! by hand, and malformed input (every truncation, corrupted fields, random
//! damage) that must come back as errors, never panics.

use crate::{Entry, Error, FileType, Metadata, Reader, WriteError, Writer, HEADER_LEN};
use alloc::string::String;
use alloc::vec::Vec;

fn sample() -> Vec<u8> {
    let mut writer = Writer::new();
    writer.directory("etc", Metadata::root(0o755, 1_700_000_000)).unwrap();
    writer.file("etc/hostname", Metadata::root(0o644, 7), b"goose\n").unwrap();
    writer.symlink("bin", Metadata::root(0o777, 0), "usr/bin").unwrap();
    writer.char_device("dev/console", Metadata::root(0o600, 0), 5, 1).unwrap();
    let meta = Metadata { permissions: 0o4755, uid: 1000, gid: 100, mtime: 0xdead_beef };
    writer.file("usr/bin/su", meta, &[0xff; 13]).unwrap();
    writer.file("empty", Metadata::root(0o600, 0), b"").unwrap();
    writer.finish()
}

fn read_all(input: &[u8]) -> Result<Vec<Entry<'_>>, Error> {
    Reader::new(input).collect()
}

/// A header with the given magic and fields, as bytes.
fn header(magic: &str, fields: [u32; 13]) -> Vec<u8> {
    let mut text = String::from(magic);
    for field in fields {
        text.push_str(&alloc::format!("{field:08X}"));
    }
    text.into_bytes()
}

/// Appends one hand-made entry, padding as the format requires.
fn push_entry(archive: &mut Vec<u8>, magic: &str, mode: u32, name: &[u8], data: &[u8], check: u32) {
    let fields = [1, mode, 0, 0, 1, 0, data.len() as u32, 0, 0, 0, 0, name.len() as u32 + 1, check];
    archive.extend_from_slice(&header(magic, fields));
    archive.extend_from_slice(name);
    archive.push(0);
    while !archive.len().is_multiple_of(4) {
        archive.push(0);
    }
    archive.extend_from_slice(data);
    while !archive.len().is_multiple_of(4) {
        archive.push(0);
    }
}

#[test]
fn round_trip() {
    let archive = sample();
    assert!(archive.len().is_multiple_of(4));
    let entries = read_all(&archive).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name_str().unwrap()).collect();
    assert_eq!(names, ["etc", "etc/hostname", "bin", "dev/console", "usr/bin/su", "empty"]);
    assert_eq!(entries[0].file_type(), Some(FileType::Directory));
    assert_eq!(entries[0].mtime, 1_700_000_000);
    assert_eq!(entries[1].data, b"goose\n");
    assert_eq!(entries[1].mode, 0o100644);
    assert_eq!(entries[2].file_type(), Some(FileType::Symlink));
    assert_eq!(entries[2].data, b"usr/bin");
    assert_eq!(entries[3].file_type(), Some(FileType::CharDevice));
    assert_eq!((entries[3].rdev_major, entries[3].rdev_minor), (5, 1));
    assert_eq!(entries[4].permissions(), 0o4755);
    assert_eq!((entries[4].uid, entries[4].gid, entries[4].mtime), (1000, 100, 0xdead_beef));
    assert_eq!(entries[4].data, &[0xff; 13]);
    assert!(entries[5].data.is_empty());
    let mut inodes: Vec<u32> = entries.iter().map(|e| e.ino).collect();
    inodes.dedup();
    assert_eq!(inodes.len(), entries.len(), "every entry has its own inode");
}

#[test]
fn empty_archive_is_just_a_trailer() {
    let archive = Writer::new().finish();
    assert_eq!(read_all(&archive).unwrap(), []);
    assert_eq!(read_all(&[]), Err(Error::MissingTrailer { offset: 0 }));
}

#[test]
fn concatenated_archives_with_zero_padding() {
    let mut input = sample();
    input.extend_from_slice(&[0; 512]);
    input.extend_from_slice(&sample());
    input.extend_from_slice(&[0; 3]);
    assert_eq!(read_all(&input).unwrap().len(), 12);
}

#[test]
fn garbage_after_trailer() {
    let mut input = sample();
    input.extend_from_slice(b"\0\0\0\0junk");
    let end = input.len() - 4;
    assert_eq!(read_all(&input), Err(Error::TrailingGarbage { offset: end }));
    // A header that would start unaligned is refused, as Linux does.
    let mut input = sample();
    input.push(0);
    input.extend_from_slice(&sample());
    assert!(matches!(read_all(&input), Err(Error::TrailingGarbage { .. })));
}

#[test]
fn crc_format_checks_regular_files() {
    let mut good = Vec::new();
    push_entry(&mut good, "070702", 0o100644, b"a", b"\x01\x02\xff", 0x102);
    push_entry(&mut good, "070702", 0o120777, b"l", b"a", 0);
    push_entry(&mut good, "070702", 0, b"TRAILER!!!", b"", 0);
    assert_eq!(read_all(&good).unwrap().len(), 2);
    let mut bad = Vec::new();
    push_entry(&mut bad, "070702", 0o100644, b"a", b"\x01\x02\xff", 0x103);
    assert!(matches!(read_all(&bad), Err(Error::BadChecksum { .. })));
}

#[test]
fn lowercase_and_uppercase_hex_are_accepted() {
    let mut upper = Vec::new();
    push_entry(&mut upper, "070701", 0o100755, b"abc", b"xyz", 0);
    push_entry(&mut upper, "070701", 0, b"TRAILER!!!", b"", 0);
    let entries = read_all(&upper).unwrap();
    assert_eq!(entries[0].mode, 0o100755);
    let lower = sample();
    assert!(read_all(&lower).is_ok());
}

#[test]
fn every_truncation_is_an_error() {
    let archive = sample();
    for length in 0..archive.len() {
        let result = read_all(&archive[..length]);
        assert!(result.is_err(), "truncated to {length} bytes: {result:?}");
    }
}

#[test]
fn bad_headers() {
    let mut archive = sample();
    archive[0] = b'x';
    assert_eq!(read_all(&archive), Err(Error::BadMagic { offset: 0 }));
    let mut old_format = sample();
    old_format[..6].copy_from_slice(b"070707");
    assert_eq!(read_all(&old_format), Err(Error::BadMagic { offset: 0 }));
    for field in 0..13 {
        let mut archive = sample();
        archive[6 + field * 8 + 3] = b'g';
        assert!(matches!(read_all(&archive), Err(Error::BadHexField { .. })), "field {field}");
        let mut archive = sample();
        archive[6 + field * 8] = b' ';
        assert!(matches!(read_all(&archive), Err(Error::BadHexField { .. })), "field {field}");
    }
}

#[test]
fn bad_sizes_and_names() {
    let name_size_at = 6 + 11 * 8;
    let file_size_at = 6 + 6 * 8;
    let cases: [(usize, &[u8; 8]); 5] = [
        (name_size_at, b"00000000"),
        (name_size_at, b"FFFFFFFF"),
        (name_size_at, b"00001001"),
        (file_size_at, b"FFFFFFFF"),
        (file_size_at, b"7FFFFFFF"),
    ];
    for (at, value) in cases {
        let mut archive = sample();
        archive[at..at + 8].copy_from_slice(value);
        let result = read_all(&archive);
        assert!(result.is_err(), "{}: {result:?}", core::str::from_utf8(value).unwrap());
    }
    // A name without its NUL, and a name with a NUL inside.
    let mut archive = Vec::new();
    push_entry(&mut archive, "070701", 0o100644, b"ab", b"", 0);
    archive[HEADER_LEN + 2] = b'c';
    assert_eq!(read_all(&archive), Err(Error::BadName { offset: HEADER_LEN }));
    let mut archive = Vec::new();
    push_entry(&mut archive, "070701", 0o100644, b"a\0b", b"", 0);
    assert_eq!(read_all(&archive), Err(Error::BadName { offset: HEADER_LEN }));
}

#[test]
fn writer_refuses_bad_input() {
    let mut writer = Writer::new();
    let meta = Metadata::root(0o644, 0);
    assert_eq!(writer.file("", meta, b""), Err(WriteError::BadName));
    assert_eq!(writer.file("a\0b", meta, b""), Err(WriteError::BadName));
    assert_eq!(writer.file("TRAILER!!!", meta, b""), Err(WriteError::BadName));
    assert_eq!(writer.file(&"x".repeat(5000), meta, b""), Err(WriteError::BadName));
    assert_eq!(writer.file("a", Metadata::root(0o10644, 0), b""), Err(WriteError::BadPermissions));
    assert_eq!(writer.symlink("a", meta, ""), Err(WriteError::BadName));
    assert!(writer.is_empty());
}

/// xorshift64*: a deterministic source of test cases without dependencies.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Random archives survive the round trip; damaged copies of them are read
/// without panicking (what they yield is not predicted, only that it ends).
#[test]
fn random_archives_and_damage() {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for _ in 0..300 {
        let mut writer = Writer::new();
        let mut expected = Vec::new();
        for index in 0..random.below(6) {
            let name = alloc::format!("d{}/f{index}{}", random.below(100), "n".repeat(random.below(9)));
            let data: Vec<u8> = (0..random.below(40)).map(|_| random.next() as u8).collect();
            writer.file(&name, Metadata::root(0o644, random.next() as u32), &data).unwrap();
            expected.push((name, data));
        }
        let archive = writer.finish();
        let entries = read_all(&archive).unwrap();
        let got: Vec<(String, Vec<u8>)> =
            entries.iter().map(|e| (String::from(e.name_str().unwrap()), e.data.to_vec())).collect();
        assert_eq!(got, expected);

        for _ in 0..50 {
            let mut damaged = archive.clone();
            for _ in 0..1 + random.below(3) {
                let at = random.below(damaged.len());
                damaged[at] = match random.below(4) {
                    0 => random.next() as u8,
                    1 => b"0123456789abcdefF"[random.below(17)],
                    2 => 0,
                    _ => damaged[at] ^ 1,
                };
            }
            let cut = random.below(damaged.len() + 1);
            for input in [&damaged[..], &damaged[..cut]] {
                let count = Reader::new(input).take(1000).count();
                assert!(count < 1000, "reader did not end");
                let _ = read_all(input);
            }
        }
    }
}
