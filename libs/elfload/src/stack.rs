//! The initial user stack of a new program, byte for byte as Linux lays it
//! out (fs/exec.c copies the strings, `create_elf_tables` in
//! fs/binfmt_elf.c adds the rest), and the argument-size limits execve
//! enforces first.
//!
//! From `stack_top` down:
//! ```text
//!   8 zero bytes            (exec starts copying one pointer below the top)
//!   execfn + NUL            <- AT_EXECFN
//!   envp strings            env[0] lowest, each NUL-terminated
//!   argv strings            argv[0] lowest   <- arg_start
//!   platform + NUL          <- AT_PLATFORM (only when given)
//!   16 random bytes         <- AT_RANDOM
//!   0..15 bytes of padding
//!   auxv pairs, AT_NULL pair
//!   NULL, envp[envc-1] .. envp[0]
//!   NULL, argv[argc-1] .. argv[0]
//!   argc                    <- sp, 16-byte aligned
//! ```

use crate::auxv::{AT_EXECFN, AT_NULL, AT_PLATFORM, AT_RANDOM};
use crate::ElfError;
use alloc::vec::Vec;

/// The longest single argument or environment string, NUL included:
/// 32 pages (`MAX_ARG_STRLEN`, include/uapi/linux/binfmts.h).
pub const MAX_ARG_STRLEN: usize = 32 * 4096;
/// The least room arguments get whatever the stack limit (`ARG_MAX`).
pub const ARG_MAX: u64 = 32 * 4096;
/// The default stack rlimit, `_STK_LIM` (8 MiB).
pub const DEFAULT_STACK_RLIMIT: u64 = 8 << 20;

/// The bytes to place at `sp..stack_top`, and where things landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackImage {
    /// The initial stack pointer: the address of argc, 16-byte aligned.
    pub sp: u64,
    /// Exactly `stack_top - sp` bytes.
    pub bytes: Vec<u8>,
    /// The argv strings: `mm->arg_start..arg_end` (/proc/PID/cmdline).
    pub arg_start: u64,
    pub arg_end: u64,
    /// The envp strings: `mm->env_start..env_end` (/proc/PID/environ).
    pub env_start: u64,
    pub env_end: u64,
    /// The auxiliary vector as written, without AT_NULL: what Linux keeps
    /// in `mm->saved_auxv` for /proc/PID/auxv.
    pub auxv: Vec<(u64, u64)>,
}

/// Everything that goes on a new program's stack.
#[derive(Clone, Copy, Debug)]
pub struct InitialStack<'a> {
    /// The arguments. An empty list becomes `[""]`, as Linux does since 5.18
    /// so that programs never see argc == 0.
    pub args: &'a [&'a [u8]],
    pub env: &'a [&'a [u8]],
    /// The auxiliary vector without AT_NULL. The values of AT_RANDOM,
    /// AT_EXECFN and AT_PLATFORM are filled in here: give those keys (with
    /// any value) at the place Linux puts them to keep Linux's order; the
    /// ones left out are appended in that order.
    pub auxv: &'a [(u64, u64)],
    /// The 16 bytes AT_RANDOM points at.
    pub random: [u8; 16],
    /// The file name given to execve (AT_EXECFN).
    pub execfn: &'a [u8],
    /// The AT_PLATFORM string. riscv64 Linux has none (`ELF_PLATFORM` is NULL).
    pub platform: Option<&'a [u8]>,
    /// `RLIMIT_STACK`'s soft limit, which bounds the strings' total size.
    pub stack_rlimit: u64,
}

/// Builds the initial stack below `stack_top` with the default 8 MiB stack
/// limit. See [`InitialStack`] for the arguments.
pub fn build_stack(
    stack_top: u64,
    args: &[&[u8]],
    env: &[&[u8]],
    auxv: &[(u64, u64)],
    random16: [u8; 16],
    execfn: &[u8],
    platform: Option<&[u8]>,
) -> Result<StackImage, ElfError> {
    let stack = InitialStack {
        args,
        env,
        auxv,
        random: random16,
        execfn,
        platform,
        stack_rlimit: DEFAULT_STACK_RLIMIT,
    };
    stack.build(stack_top)
}

/// The room for argument and environment strings plus their pointers
/// (`bprm_stack_limits`): a quarter of the stack limit, at most three
/// quarters of 8 MiB, at least [`ARG_MAX`].
pub fn arg_space_limit(stack_rlimit: u64) -> u64 {
    (DEFAULT_STACK_RLIMIT / 4 * 3).min(stack_rlimit / 4).max(ARG_MAX)
}

/// The E2BIG checks execve makes before it loads anything: each string
/// (NUL included) at most [`MAX_ARG_STRLEN`], and all strings plus one
/// pointer per string within [`arg_space_limit`].
pub fn check_arg_limits(
    args: &[&[u8]],
    env: &[&[u8]],
    execfn: &[u8],
    stack_rlimit: u64,
) -> Result<(), ElfError> {
    let strings = args.iter().chain(env).chain(core::iter::once(&execfn));
    let mut string_bytes: u64 = 0;
    for string in strings {
        if string.contains(&0) {
            return Err(ElfError::InteriorNul);
        }
        if string.len() + 1 > MAX_ARG_STRLEN {
            return Err(ElfError::ArgTooLong);
        }
        string_bytes += string.len() as u64 + 1;
    }
    // argc == 0 gets an empty argv[0]: one pointer and one NUL more.
    if args.is_empty() {
        string_bytes += 1;
    }
    let pointers = (args.len().max(1) as u64).saturating_add(env.len() as u64).saturating_mul(8);
    let limit = arg_space_limit(stack_rlimit);
    if pointers >= limit || string_bytes > limit - pointers {
        return Err(ElfError::ArgListTooBig);
    }
    Ok(())
}

impl InitialStack<'_> {
    /// Lays the stack out below `stack_top`. Fails with E2BIG past the
    /// argument limits or when the image does not fit below `stack_top`.
    pub fn build(&self, stack_top: u64) -> Result<StackImage, ElfError> {
        check_arg_limits(self.args, self.env, self.execfn, self.stack_rlimit)?;
        if self.platform.is_some_and(|platform| platform.contains(&0)) {
            return Err(ElfError::InteriorNul);
        }
        let empty: [&[u8]; 1] = [b""];
        let args = if self.args.is_empty() { &empty[..] } else { self.args };
        let total = |strings: &[&[u8]]| strings.iter().map(|string| string.len() as u64 + 1).sum::<u64>();
        let below = |top: u64, size: u64| top.checked_sub(size).ok_or(ElfError::ArgListTooBig);

        let execfn_at = below(below(stack_top, 8)?, self.execfn.len() as u64 + 1)?;
        let env_start = below(execfn_at, total(self.env))?;
        let arg_start = below(env_start, total(args))?;
        let platform_at = match self.platform {
            Some(platform) => Some(below(arg_start, platform.len() as u64 + 1)?),
            None => None,
        };
        let random_at = below(platform_at.unwrap_or(arg_start), 16)?;
        let auxv = self.complete_auxv(random_at, execfn_at, platform_at)?;
        // argc, argv with NULL, envp with NULL, then auxv pairs and AT_NULL.
        let words = 1 + (args.len() + 1) + (self.env.len() + 1) + 2 * (auxv.len() + 1);
        let sp = below(random_at, words as u64 * 8)? & !15;

        let mut image = Image { base: sp, bytes: alloc::vec![0; (stack_top - sp) as usize] };
        image.put(execfn_at, self.execfn);
        let mut word_at = sp;
        let mut push = |image: &mut Image, word: u64| {
            image.put(word_at, &word.to_le_bytes());
            word_at += 8;
        };
        push(&mut image, args.len() as u64);
        for (strings, start) in [(args, arg_start), (self.env, env_start)] {
            let mut string_at = start;
            for string in strings {
                image.put(string_at, string);
                push(&mut image, string_at);
                string_at += string.len() as u64 + 1;
            }
            push(&mut image, 0);
        }
        for &(key, value) in &auxv {
            push(&mut image, key);
            push(&mut image, value);
        }
        push(&mut image, AT_NULL);
        push(&mut image, 0);
        if let (Some(platform), Some(at)) = (self.platform, platform_at) {
            image.put(at, platform);
        }
        image.put(random_at, &self.random);
        Ok(StackImage {
            sp,
            bytes: image.bytes,
            arg_start,
            arg_end: env_start,
            env_start,
            env_end: execfn_at,
            auxv,
        })
    }

    /// The caller's auxiliary vector with the values only the layout knows.
    fn complete_auxv(
        &self,
        random_at: u64,
        execfn_at: u64,
        platform_at: Option<u64>,
    ) -> Result<Vec<(u64, u64)>, ElfError> {
        let ours = [(AT_RANDOM, Some(random_at)), (AT_EXECFN, Some(execfn_at)), (AT_PLATFORM, platform_at)];
        let mut auxv = Vec::with_capacity(self.auxv.len() + ours.len());
        for &(key, value) in self.auxv {
            if key == AT_NULL {
                return Err(ElfError::BadAuxv);
            }
            match ours.iter().find(|(ours_key, _)| *ours_key == key) {
                // AT_PLATFORM given without a platform string is dropped.
                Some((_, filled)) => auxv.extend(filled.map(|filled| (key, filled))),
                None => auxv.push((key, value)),
            }
        }
        for (key, filled) in ours {
            if let Some(filled) = filled {
                if !self.auxv.iter().any(|&(given, _)| given == key) {
                    auxv.push((key, filled));
                }
            }
        }
        Ok(auxv)
    }
}

/// The stack image being written: `bytes[0]` is at address `base`.
struct Image {
    base: u64,
    bytes: Vec<u8>,
}

impl Image {
    /// Writes `data` at `address`; the layout above keeps every write inside
    /// the image, and a NUL follows each string because the image starts
    /// zeroed.
    fn put(&mut self, address: u64, data: &[u8]) {
        let start = (address - self.base) as usize;
        if let Some(target) = self.bytes.get_mut(start..start + data.len()) {
            target.copy_from_slice(data);
        }
    }
}
