//! The kernel command line (`/chosen/bootargs`), read the way Linux reads it:
//! space-separated `key=value` words with double quotes allowed around values,
//! everything after `--` and every word goose does not know going to init.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub mod ip;

/// How much the kernel logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// Accepts Linux's numeric console levels (0–7; `7` shows debug
    /// messages, and goose takes `8` for trace) and the level names.
    pub fn parse(text: &str) -> Option<LogLevel> {
        Some(match text {
            "0" | "1" | "2" | "3" | "error" => LogLevel::Error,
            "4" | "warn" | "warning" => LogLevel::Warn,
            "5" | "6" | "info" => LogLevel::Info,
            "7" | "debug" => LogLevel::Debug,
            "8" | "trace" => LogLevel::Trace,
            _ => return None,
        })
    }
}

/// The parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// `loglevel=`; `quiet` means warnings and errors only, `debug` means
    /// debug, as on Linux.
    pub log_level: Option<LogLevel>,
    /// `init=`: the first program to run (`rdinit=` is taken as the same
    /// when `init=` is absent, since goose's root is always the initramfs).
    pub init: Option<String>,
    /// `console=` values, in order.
    pub consoles: Vec<String>,
    /// `ip=`: network configuration, read by the network stack.
    pub ip: Option<String>,
    /// `goose.test=`: switches that exist only for the test suite (for
    /// instance `panic`, which panics deliberately after boot).
    pub test: Option<String>,
    /// Words passed to init as arguments (after `--`, or unknown words
    /// without `=`).
    pub init_args: Vec<String>,
    /// Unknown `key=value` words, passed to init as its environment.
    pub init_env: Vec<String>,
    /// Problems to log: each was skipped with a safe default.
    pub warnings: Vec<String>,
}

/// Parameters Linux takes that goose has no use for; they are accepted
/// quietly instead of being handed to init.
const IGNORED: &[&str] = &["root", "rw", "ro", "earlycon", "rootwait", "panic", "nokaslr"];

/// Splits `text` into words on white space, keeping double-quoted runs
/// together and removing the quotes (`a="b c"` is the word `a=b c`).
pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut has_word = false;
    for ch in text.chars() {
        match ch {
            '"' => {
                in_quotes = !in_quotes;
                has_word = true;
            }
            c if c.is_ascii_whitespace() && !in_quotes => {
                if has_word {
                    words.push(core::mem::take(&mut current));
                    has_word = false;
                }
            }
            c => {
                current.push(c);
                has_word = true;
            }
        }
    }
    if has_word {
        words.push(current);
    }
    words
}

impl CommandLine {
    /// Parses a command line. Unknown or malformed words never fail the
    /// parse: they become warnings, init arguments or init environment.
    pub fn parse(text: &str) -> CommandLine {
        let mut line = CommandLine::default();
        let mut rdinit = None;
        let mut words = split_words(text).into_iter();
        for word in words.by_ref() {
            if word == "--" {
                break;
            }
            if let Some(path) = word.strip_prefix("rdinit=") {
                rdinit = Some(String::from(path));
                continue;
            }
            line.take_word(word);
        }
        line.init_args.extend(words);
        if line.init.is_none() {
            line.init = rdinit;
        }
        line
    }

    fn take_word(&mut self, word: String) {
        let (key, value) = match word.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (word.as_str(), None),
        };
        match (key, value) {
            ("loglevel", Some(level)) => match LogLevel::parse(level) {
                Some(level) => self.log_level = Some(level),
                None => self.warnings.push(format!("loglevel={level} is not a level, ignored")),
            },
            ("quiet", None) => self.log_level = Some(LogLevel::Warn),
            ("debug", None) => self.log_level = Some(LogLevel::Debug),
            ("init", Some(path)) => self.init = Some(String::from(path)),
            ("console", Some(console)) => self.consoles.push(String::from(console)),
            ("ip", Some(ip)) => self.ip = Some(String::from(ip)),
            ("goose.test", Some(switch)) => self.test = Some(String::from(switch)),
            (key, _) if IGNORED.contains(&key) => {}
            (key, _) if key.contains('.') => {
                // Linux takes dotted words as module parameters and drops
                // unknown ones with a message; goose does the same.
                self.warnings.push(format!("unknown parameter {word}, ignored"));
            }
            (_, Some(_)) => {
                self.warnings.push(format!("unknown parameter {word}, passed to init's environment"));
                self.init_env.push(word);
            }
            (_, None) => {
                self.warnings.push(format!("unknown parameter {word}, passed to init"));
                self.init_args.push(word);
            }
        }
    }
}

#[cfg(test)]
mod tests;
