//! The initial stack: built images parsed back, exact addresses, the E2BIG
//! limits, and byte-for-byte agreement with stacks the host's Linux kernel
//! built.

mod common;

use common::*;
use elfload::auxv::*;
use elfload::{
    arg_space_limit, build_stack, check_arg_limits, ElfError, InitialStack, StackImage, MAX_ARG_STRLEN,
};
use std::process::Command;

/// A stack image read the way a C runtime reads it.
#[derive(Debug)]
struct Parsed {
    args: Vec<Vec<u8>>,
    arg_pointers: Vec<u64>,
    env: Vec<Vec<u8>>,
    env_pointers: Vec<u64>,
    auxv: Vec<(u64, u64)>,
    /// The address just past the AT_NULL pair.
    auxv_end: u64,
}

struct Memory<'a> {
    base: u64,
    bytes: &'a [u8],
}

impl Memory<'_> {
    fn word(&self, address: u64) -> u64 {
        let at = (address - self.base) as usize;
        u64::from_le_bytes(self.bytes[at..at + 8].try_into().unwrap())
    }
    fn bytes(&self, address: u64, len: usize) -> &[u8] {
        let at = (address - self.base) as usize;
        &self.bytes[at..at + len]
    }
    fn c_string(&self, address: u64) -> Vec<u8> {
        let at = (address - self.base) as usize;
        self.bytes[at..].iter().take_while(|&&b| b != 0).copied().collect()
    }
    fn parse(&self, sp: u64) -> Parsed {
        let argc = self.word(sp);
        let mut at = sp + 8;
        let pointers = |at: &mut u64| {
            let mut list = Vec::new();
            loop {
                let pointer = self.word(*at);
                *at += 8;
                if pointer == 0 {
                    return list;
                }
                list.push(pointer);
            }
        };
        let arg_pointers = pointers(&mut at);
        let env_pointers = pointers(&mut at);
        assert_eq!(arg_pointers.len() as u64, argc);
        let mut auxv = Vec::new();
        loop {
            let (key, value) = (self.word(at), self.word(at + 8));
            at += 16;
            if key == AT_NULL {
                break;
            }
            auxv.push((key, value));
        }
        Parsed {
            args: arg_pointers.iter().map(|&p| self.c_string(p)).collect(),
            env: env_pointers.iter().map(|&p| self.c_string(p)).collect(),
            arg_pointers,
            env_pointers,
            auxv,
            auxv_end: at,
        }
    }
}

fn memory(image: &StackImage) -> Memory<'_> {
    Memory { base: image.sp, bytes: &image.bytes }
}

fn value(auxv: &[(u64, u64)], key: u64) -> Option<u64> {
    auxv.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

const TOP: u64 = 0x3f_ffff_f000;
const RANDOM: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

#[test]
fn layout_parses_back() {
    let args: [&[u8]; 3] = [b"prog", b"-v", b""];
    let env: [&[u8]; 2] = [b"HOME=/root", b"PATH=/bin"];
    let auxv = [(AT_PHDR, 0x10040), (AT_PAGESZ, 4096), (AT_RANDOM, 0), (AT_ENTRY, 0x10100), (AT_EXECFN, 0)];
    let image = build_stack(TOP, &args, &env, &auxv, RANDOM, b"/bin/prog", None).unwrap();
    assert_eq!(image.sp % 16, 0);
    assert_eq!(image.bytes.len() as u64, TOP - image.sp);
    let memory = memory(&image);
    let parsed = memory.parse(image.sp);
    assert_eq!(parsed.args, args);
    assert_eq!(parsed.env, env);
    // Our values went in where the placeholders were, in the caller's order.
    let random_at = value(&parsed.auxv, AT_RANDOM).unwrap();
    let execfn_at = value(&parsed.auxv, AT_EXECFN).unwrap();
    assert_eq!(
        parsed.auxv,
        [
            (AT_PHDR, 0x10040),
            (AT_PAGESZ, 4096),
            (AT_RANDOM, random_at),
            (AT_ENTRY, 0x10100),
            (AT_EXECFN, execfn_at)
        ]
    );
    assert_eq!(image.auxv, parsed.auxv);
    assert_eq!(memory.bytes(random_at, 16), RANDOM);
    assert_eq!(memory.c_string(execfn_at), b"/bin/prog");
    // From the top: 8 zero bytes, execfn, envp strings, argv strings, random.
    assert_eq!(memory.bytes(TOP - 8, 8), [0; 8]);
    assert_eq!(execfn_at, TOP - 8 - 10);
    let strings: Vec<u64> = parsed.arg_pointers.iter().chain(&parsed.env_pointers).copied().collect();
    let mut expected_at = image.arg_start;
    for (pointer, string) in strings.iter().zip(args.iter().chain(&env)) {
        assert_eq!(*pointer, expected_at, "strings are packed in order");
        expected_at += string.len() as u64 + 1;
    }
    assert_eq!((image.arg_end, image.env_start), (parsed.env_pointers[0], parsed.env_pointers[0]));
    assert_eq!((expected_at, image.env_end), (execfn_at, execfn_at));
    assert_eq!(random_at, image.arg_start - 16);
    // auxv ends below the random bytes, at most 15 bytes of padding away.
    assert!(parsed.auxv_end <= random_at && random_at - parsed.auxv_end < 16);
}

#[test]
fn exact_addresses() {
    let top = 0x1000_0000;
    let image = build_stack(top, &[b"a"], &[], &[], [0; 16], b"e", None).unwrap();
    // "e\0" at top-10, "a\0" at top-12, random at top-28, then 10 words
    // (argc, argv, NULL, NULL, two auxv pairs, AT_NULL pair) rounded down.
    assert_eq!(image.env_end, top - 10);
    assert_eq!(image.arg_start, top - 12);
    assert_eq!(image.sp, (top - 28 - 80) & !15);
    let parsed = memory(&image).parse(image.sp);
    assert_eq!(parsed.auxv, [(AT_RANDOM, top - 28), (AT_EXECFN, top - 10)]);
}

#[test]
fn platform_string_and_order() {
    let image =
        build_stack(TOP, &[b"x"], &[], &[(AT_HWCAP, 0x112d)], RANDOM, b"x", Some(b"riscv64")).unwrap();
    let memory = memory(&image);
    let parsed = memory.parse(image.sp);
    let platform_at = value(&parsed.auxv, AT_PLATFORM).unwrap();
    assert_eq!(
        parsed.auxv.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [AT_HWCAP, AT_RANDOM, AT_EXECFN, AT_PLATFORM]
    );
    assert_eq!(memory.c_string(platform_at), b"riscv64");
    assert_eq!(platform_at, image.arg_start - 8);
    assert_eq!(value(&parsed.auxv, AT_RANDOM), Some(platform_at - 16));
    // Without a platform string an AT_PLATFORM placeholder is dropped.
    let image = build_stack(TOP, &[b"x"], &[], &[(AT_PLATFORM, 0)], RANDOM, b"x", None).unwrap();
    assert_eq!(value(&memory_of(&image).auxv, AT_PLATFORM), None);
}

fn memory_of(image: &StackImage) -> Parsed {
    memory(image).parse(image.sp)
}

#[test]
fn argc_zero_gets_an_empty_argv0() {
    let image = build_stack(TOP, &[], &[b"A=1"], &[], RANDOM, b"/bin/true", None).unwrap();
    let parsed = memory_of(&image);
    assert_eq!(parsed.args, [b""]);
    assert_eq!(parsed.env, [b"A=1"]);
}

#[test]
fn argument_limits() {
    assert_eq!(arg_space_limit(8 << 20), 2 << 20);
    assert_eq!(arg_space_limit(u64::MAX), 6 << 20);
    assert_eq!(arg_space_limit(0), 128 << 10);
    let longest = vec![b'x'; MAX_ARG_STRLEN - 1];
    let too_long = vec![b'x'; MAX_ARG_STRLEN];
    assert_eq!(check_arg_limits(&[&longest], &[], b"p", 8 << 20), Ok(()));
    assert_eq!(check_arg_limits(&[&too_long], &[], b"p", 8 << 20), Err(ElfError::ArgTooLong));
    assert_eq!(check_arg_limits(&[b"p"], &[&too_long], b"p", 8 << 20), Err(ElfError::ArgTooLong));
    assert_eq!(check_arg_limits(&[b"p"], &[], &too_long, 8 << 20), Err(ElfError::ArgTooLong));
    assert_eq!(ElfError::ArgTooLong.errno(), abi::Errno::E2BIG);
    // Twenty strings of 120 KiB: over 2 MiB, under 6 MiB.
    let big = vec![b'y'; 120 << 10];
    let many: Vec<&[u8]> = vec![&big; 20];
    assert_eq!(check_arg_limits(&many, &[], b"p", 8 << 20), Err(ElfError::ArgListTooBig));
    assert_eq!(check_arg_limits(&many, &[], b"p", u64::MAX), Ok(()));
    // The pointers count too: n empty strings take 9n bytes, and with
    // "p" as argv[0] and execfn, 14562 of them just fit the 128 KiB floor.
    let empties: Vec<&[u8]> = vec![b""; 14563];
    assert_eq!(check_arg_limits(&[b"p"], &empties[1..], b"p", 0), Ok(()));
    assert_eq!(check_arg_limits(&[b"p"], &empties, b"p", 0), Err(ElfError::ArgListTooBig));
    // build checks them too, with the stack limit it is given.
    let stack = InitialStack {
        args: &many,
        env: &[],
        auxv: &[],
        random: RANDOM,
        execfn: b"p",
        platform: None,
        stack_rlimit: 8 << 20,
    };
    assert_eq!(stack.build(TOP), Err(ElfError::ArgListTooBig));
    let image = InitialStack { stack_rlimit: u64::MAX, ..stack }.build(TOP).unwrap();
    assert_eq!(memory_of(&image).args.len(), 20);
}

#[test]
fn bad_inputs() {
    assert_eq!(build_stack(TOP, &[b"a\0b"], &[], &[], RANDOM, b"p", None), Err(ElfError::InteriorNul));
    assert_eq!(build_stack(TOP, &[b"a"], &[], &[], RANDOM, b"p", Some(b"x\0")), Err(ElfError::InteriorNul));
    assert_eq!(build_stack(TOP, &[b"a"], &[], &[(AT_NULL, 0)], RANDOM, b"p", None), Err(ElfError::BadAuxv));
    // A stack top too low to hold the image.
    assert_eq!(build_stack(64, &[b"a"], &[], &[], RANDOM, b"p", None), Err(ElfError::ArgListTooBig));
    assert!(build_stack(256, &[b"a"], &[], &[], RANDOM, b"p", None).is_ok());
}

/// Has the host kernel exec the dumper with `args` and `env` (randomization
/// off) and returns its stack pointer, stack top and stack bytes.
fn host_stack(
    dumper: &std::path::Path,
    mode: &str,
    args: &[&str],
    env: &[(&str, String)],
) -> (u64, u64, Vec<u8>) {
    let output = Command::new(dumper)
        .arg(mode)
        .arg(dumper)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("running the dumper");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    let mut header = lines.next().expect("dumper output").split(' ');
    let mut number = || u64::from_str_radix(header.next().unwrap(), 16).unwrap();
    let (sp, top) = (number(), number());
    let hex = lines.next().unwrap().as_bytes();
    let bytes = hex
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect();
    (sp, top, bytes)
}

/// Rebuilds what the host kernel built, from the same strings and auxv.
fn rebuild_and_compare(sp: u64, top: u64, observed: &[u8]) -> Parsed {
    let memory = Memory { base: sp, bytes: observed };
    let parsed = memory.parse(sp);
    let random = memory.bytes(value(&parsed.auxv, AT_RANDOM).unwrap(), 16).try_into().unwrap();
    let execfn = memory.c_string(value(&parsed.auxv, AT_EXECFN).unwrap());
    let platform = value(&parsed.auxv, AT_PLATFORM).map(|at| memory.c_string(at));
    let placeholders: Vec<(u64, u64)> = parsed
        .auxv
        .iter()
        .map(
            |&(key, value)| {
                if [AT_RANDOM, AT_EXECFN, AT_PLATFORM].contains(&key) {
                    (key, 0)
                } else {
                    (key, value)
                }
            },
        )
        .collect();
    let args: Vec<&[u8]> = parsed.args.iter().map(Vec::as_slice).collect();
    let args = if args == [b""] { Vec::new() } else { args };
    let env: Vec<&[u8]> = parsed.env.iter().map(Vec::as_slice).collect();
    let image = build_stack(top, &args, &env, &placeholders, random, &execfn, platform.as_deref()).unwrap();
    assert_eq!(image.sp, sp, "initial sp");
    assert!(image.bytes == observed, "stack bytes differ from the host kernel's");
    parsed
}

/// An environment whose strings end 16-byte aligned below the top when the
/// other strings take `other_strings` bytes. x86-64 rounds the end of the
/// strings down to 16 bytes (its `arch_align_stack`), which riscv64 does
/// not do: with this padding the rounding is a no-op.
fn aligned_env(other_strings: usize) -> Vec<(&'static str, String)> {
    let mut env = vec![("LANG", "C.UTF-8".to_string()), ("EMPTY", String::new())];
    let size: usize = env.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() + "PAD=".len() + 1;
    env.push(("PAD", "p".repeat((16 - (other_strings + size) % 16) % 16)));
    env
}

#[test]
fn agrees_with_the_host_kernel() {
    let dir = scratch_dir("stack");
    let Some(dumper) = host_dumper(&dir) else { return };
    let path = dumper.to_str().unwrap();
    let args = ["alpha", "", "with space", "\u{e9}t\u{e9}"];
    let execfn_and_top = 8 + path.len() + 1;
    let argv_size = path.len() + 1 + args.iter().map(|a| a.len() + 1).sum::<usize>();
    let (sp, top, observed) =
        host_stack(&dumper, "--exec-norandom", &args, &aligned_env(execfn_and_top + argv_size));
    if sp == 0 || observed.is_empty() {
        eprintln!("note: the host kernel's stack could not be read: skipping");
        return;
    }
    let parsed = rebuild_and_compare(sp, top, &observed);
    assert_eq!(parsed.args.len(), 5);
    assert_eq!(parsed.args[0], path.as_bytes());
    assert_eq!(parsed.env.len(), 3);
    // argc == 0: Linux inserts an empty argv[0].
    let (sp, top, observed) = host_stack(&dumper, "--exec-noargs", &[], &aligned_env(execfn_and_top + 1));
    let parsed = rebuild_and_compare(sp, top, &observed);
    assert_eq!(parsed.args, [b""]);
    let _ = std::fs::remove_dir_all(&dir);
}
