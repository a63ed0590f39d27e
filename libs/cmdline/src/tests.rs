//! Command lines as QEMU's `-append` passes them, good and bad.

use super::*;

#[test]
fn reads_known_keys() {
    let line = CommandLine::parse("console=ttyS0 loglevel=7 init=/bin/sh ip=dhcp goose.test=panic");
    assert_eq!(line.consoles, ["ttyS0"]);
    assert_eq!(line.log_level, Some(LogLevel::Debug));
    assert_eq!(line.init.as_deref(), Some("/bin/sh"));
    assert_eq!(line.ip.as_deref(), Some("dhcp"));
    assert_eq!(line.test.as_deref(), Some("panic"));
    assert!(line.warnings.is_empty());
}

#[test]
fn level_names_and_flags() {
    assert_eq!(CommandLine::parse("loglevel=trace").log_level, Some(LogLevel::Trace));
    assert_eq!(CommandLine::parse("quiet").log_level, Some(LogLevel::Warn));
    assert_eq!(CommandLine::parse("loglevel=0").log_level, Some(LogLevel::Error));
    assert_eq!(CommandLine::parse("").log_level, None);
}

#[test]
fn bad_level_warns_and_keeps_default() {
    let line = CommandLine::parse("loglevel=loud");
    assert_eq!(line.log_level, None);
    assert_eq!(line.warnings.len(), 1);
}

#[test]
fn unknown_words_go_to_init_like_linux() {
    let line = CommandLine::parse("console=ttyS0 single FOO=bar foo.bar=1 -- -x \"two words\"");
    assert_eq!(line.init_args, ["single", "-x", "two words"]);
    assert_eq!(line.init_env, ["FOO=bar"]);
    assert_eq!(line.warnings.len(), 3);
}

#[test]
fn quoted_values_keep_spaces() {
    let line = CommandLine::parse("init=\"/bin/my init\"  loglevel=4");
    assert_eq!(line.init.as_deref(), Some("/bin/my init"));
    assert_eq!(line.log_level, Some(LogLevel::Warn));
}

#[test]
fn rdinit_is_init_when_init_is_absent() {
    assert_eq!(CommandLine::parse("rdinit=/init").init.as_deref(), Some("/init"));
    assert_eq!(CommandLine::parse("rdinit=/init init=/sbin/init").init.as_deref(), Some("/sbin/init"));
}

#[test]
fn linux_only_words_are_accepted_quietly() {
    let line = CommandLine::parse("root=/dev/vda rw earlycon");
    assert!(line.warnings.is_empty());
    assert!(line.init_args.is_empty());
}

#[test]
fn unbalanced_quote_runs_to_the_end() {
    assert_eq!(split_words("a=\"b c"), ["a=b c"]);
    assert_eq!(split_words("  \t "), Vec::<String>::new());
    assert_eq!(split_words("x=\"\""), ["x="]);
}
