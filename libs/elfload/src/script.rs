//! The `#!` line of an interpreter script, parsed as Linux 6.x's
//! fs/binfmt_script.c parses it, and the argument list it produces.
//!
//! Linux looks only at the first [`BINPRM_BUF_SIZE`] bytes of the file
//! (zero-padded when the file is shorter). The line ends at the first
//! newline; without one in the buffer, the interpreter path must still be
//! followed by a space, tab or NUL there, or the path may have been cut off
//! and the script is refused. Spaces and tabs (only those: a `\r` stays part
//! of the line) around the line are dropped; the interpreter runs to the
//! first space, tab or NUL; everything after the following spaces and tabs
//! is one optional argument, spaces included, up to the line's end or a NUL.

use crate::ElfError;
use alloc::vec::Vec;

/// How much of a file Linux reads to recognize its format (`BINPRM_BUF_SIZE`).
pub const BINPRM_BUF_SIZE: usize = 256;

/// An interpreter line: `#!interpreter argument`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// The interpreter's path, to resolve and execute instead.
    pub interpreter: Vec<u8>,
    /// The optional single argument after it.
    pub argument: Option<Vec<u8>>,
}

impl Script {
    /// The new argument list, as `load_script` splices it: the interpreter
    /// path, the optional argument, the script's `filename` (the path given
    /// to execve, which replaces the old argv\[0\]), then `args[1..]`.
    pub fn new_args<'a>(&'a self, filename: &'a [u8], args: &[&'a [u8]]) -> Vec<&'a [u8]> {
        let mut new_args = Vec::with_capacity(args.len() + 2);
        new_args.push(self.interpreter.as_slice());
        if let Some(argument) = &self.argument {
            new_args.push(argument.as_slice());
        }
        new_args.push(filename);
        new_args.extend(args.iter().skip(1));
        new_args
    }
}

/// Recognizes a `#!` script from the start of a file: pass its first
/// [`BINPRM_BUF_SIZE`] bytes, or the whole file if it is shorter (later
/// bytes are ignored). `None` when the file does not start with `#!`;
/// `Some(Err(BadScript))` (ENOEXEC) when the line names no interpreter or
/// the name may have been truncated.
pub fn is_script(prefix: &[u8]) -> Option<Result<Script, ElfError>> {
    if !prefix.starts_with(b"#!") {
        return None;
    }
    let mut buffer = [0u8; BINPRM_BUF_SIZE];
    let length = prefix.len().min(BINPRM_BUF_SIZE);
    buffer[..length].copy_from_slice(&prefix[..length]);
    Some(parse_line(&buffer))
}

fn is_space_or_tab(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn is_terminator(byte: u8) -> bool {
    is_space_or_tab(byte) || byte == 0
}

/// The first index in `first..=last` whose byte satisfies `test`.
fn find(buffer: &[u8], first: usize, last: usize, test: impl Fn(u8) -> bool) -> Option<usize> {
    (first..=last).find(|&index| buffer.get(index).copied().is_some_and(&test))
}

/// The parsing of `load_script`, by indices into the zero-padded buffer.
fn parse_line(buffer: &[u8; BINPRM_BUF_SIZE]) -> Result<Script, ElfError> {
    let last = BINPRM_BUF_SIZE - 1;
    // The line ends at the first newline, looked for like `strnchr`, which
    // stops at a NUL.
    let newline = buffer.iter().take_while(|&&byte| byte != 0).position(|&byte| byte == b'\n');
    let mut end = match newline {
        Some(index) => index,
        None => {
            // No newline: something must follow the interpreter path in the
            // buffer, or it may have been truncated.
            let name = find(buffer, 2, last, |byte| !is_space_or_tab(byte)).ok_or(ElfError::BadScript)?;
            find(buffer, name, last, is_terminator).ok_or(ElfError::BadScript)?;
            last
        }
    };
    // `end` >= 2, and the bytes before index 2 are "#!": this stops there.
    while end > 2 && is_space_or_tab(buffer[end - 1]) {
        end -= 1;
    }
    let name = match find(buffer, 2, end, |byte| !is_space_or_tab(byte)) {
        Some(name) if name != end => name,
        _ => return Err(ElfError::BadScript),
    };
    let separator = find(buffer, name, end, is_terminator);
    let argument = match separator {
        Some(separator) if buffer[separator] != 0 => {
            find(buffer, separator, end, |byte| !is_space_or_tab(byte))
        }
        _ => None,
    };
    let name_end = separator.unwrap_or(end);
    let argument = argument.map(|start| {
        // A C string: it stops at a NUL inside the line, or at the line's end.
        let stop = find(buffer, start, end, |byte| byte == 0).unwrap_or(end).min(end);
        buffer[start..stop].to_vec()
    });
    Ok(Script { interpreter: buffer[name..name_end].to_vec(), argument })
}
