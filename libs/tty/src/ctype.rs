//! Character classes as the Linux kernel's own `ctype` (lib/ctype.c) sees a
//! byte: ASCII plus Latin-1, with 128–159 in no class at all. N_TTY decides
//! echo forms, word erase and case mapping with these, so goose must too.

/// `iscntrl`: 0–31 and DEL. Bytes 128–159 are not control characters here.
pub(crate) fn is_control(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7f
}

/// `isalnum`: ASCII letters and digits, and the Latin-1 letters 192–255
/// except × (215) and ÷ (247). UTF-8 lead bytes mostly fall in that range,
/// which is why word erase treats non-ASCII text as part of a word.
pub(crate) fn is_alphanumeric(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || is_latin1_letter(byte)
}

fn is_latin1_letter(byte: u8) -> bool {
    byte >= 0xc0 && byte != 0xd7 && byte != 0xf7
}

/// `tolower`: ASCII and the Latin-1 capitals 192–222 (not ×).
pub(crate) fn to_lower(byte: u8) -> u8 {
    if byte.is_ascii_uppercase() || (is_latin1_letter(byte) && byte <= 0xde) {
        byte + 32
    } else {
        byte
    }
}

/// `toupper`: ASCII and the kernel's Latin-1 "lower case" 223–255 (not ÷).
/// Like the kernel this maps ß (223) to 191 and ÿ (255) to 223.
pub(crate) fn to_upper(byte: u8) -> u8 {
    if byte.is_ascii_lowercase() || (is_latin1_letter(byte) && byte >= 0xdf) {
        byte - 32
    } else {
        byte
    }
}

/// A UTF-8 continuation byte (10xxxxxx).
pub(crate) fn is_utf8_continuation(byte: u8) -> bool {
    byte & 0xc0 == 0x80
}
