//! execve: replacing a process's program. Static and static-PIE ELF
//! executables are loaded here (dynamic ones need the interpreter, which
//! comes with file-backed mappings); `#!` scripts run their interpreter.
//!
//! The ELF headers are read by hand with every offset checked, so a
//! malformed file is ENOEXEC and never a kernel panic.

use super::Thread;
use crate::error::Result;
use crate::fs::path::{resolve, Start};
use crate::fs::tmpfs::Inode;
use crate::mm::space::AddressSpace;
use crate::mm::vm::{AreaKind, Protection, Vm, PAGE_SIZE, STACK_SIZE, STACK_TOP};
use crate::return_errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::arch::user_context::reg;
use hal::UserContext;

const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const EM_RISCV: u16 = 243;
/// Where a position-independent executable goes (Linux's ELF_ET_DYN_BASE
/// for Sv39: two thirds of the user address space).
const DYN_BASE: usize = 0x2a_aaaa_a000;
/// How many `#!` interpreters may chain.
const MAX_SCRIPT_DEPTH: usize = 4;

struct Segment {
    virtual_address: usize,
    memory_size: usize,
    offset: usize,
    file_size: usize,
    protection: Protection,
}

fn u16_at(data: &[u8], at: usize) -> Result<u16> {
    Ok(u16::from_le_bytes(data.get(at..at + 2).ok_or(abi::Errno::ENOEXEC)?.try_into().unwrap_or([0; 2])))
}
fn u32_at(data: &[u8], at: usize) -> Result<u32> {
    Ok(u32::from_le_bytes(data.get(at..at + 4).ok_or(abi::Errno::ENOEXEC)?.try_into().unwrap_or([0; 4])))
}
fn u64_at(data: &[u8], at: usize) -> Result<usize> {
    Ok(u64::from_le_bytes(data.get(at..at + 8).ok_or(abi::Errno::ENOEXEC)?.try_into().unwrap_or([0; 8]))
        as usize)
}

/// A parsed executable: entry, segments, where its program headers are.
struct Program {
    is_position_independent: bool,
    entry: usize,
    segments: Vec<Segment>,
    phdr: Option<usize>,
    program_header_offset: usize,
    program_header_count: usize,
    /// PT_INTERP: the dynamic linker's path.
    interpreter: Option<Vec<u8>>,
}

/// Parses the ELF header and program headers in `data` (the start of a
/// file of `file_length` bytes).
fn parse(data: &[u8], file_length: usize) -> Result<Program> {
    if data.get(..4) != Some(b"\x7fELF") || data.get(4) != Some(&2) || data.get(5) != Some(&1) {
        return_errno!(ENOEXEC);
    }
    let kind = u16_at(data, 16)?;
    if !(kind == 2 || kind == 3) || u16_at(data, 18)? != EM_RISCV {
        return_errno!(ENOEXEC);
    }
    let entry = u64_at(data, 24)?;
    let program_header_offset = u64_at(data, 32)?;
    let entry_size = usize::from(u16_at(data, 54)?);
    let program_header_count = usize::from(u16_at(data, 56)?);
    if entry_size != 56 || program_header_count == 0 || program_header_count > 256 {
        return_errno!(ENOEXEC);
    }
    let mut segments = Vec::new();
    let mut phdr = None;
    let mut interpreter = None;
    for index in 0..program_header_count {
        let at = program_header_offset.checked_add(index * 56).ok_or(abi::Errno::ENOEXEC)?;
        let kind = u32_at(data, at)?;
        let flags = u32_at(data, at + 4)?;
        let offset = u64_at(data, at + 8)?;
        let virtual_address = u64_at(data, at + 16)?;
        let file_size = u64_at(data, at + 32)?;
        let memory_size = u64_at(data, at + 40)?;
        match kind {
            PT_INTERP => {
                // A NUL-terminated path in the headers' first pages.
                let path = offset.checked_add(file_size).and_then(|end| data.get(offset..end));
                let path = path.filter(|p| p.len() > 1 && p.len() <= 4096).ok_or(abi::Errno::ENOEXEC)?;
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                interpreter = Some(path[..end].to_vec());
            }
            PT_PHDR => phdr = Some(virtual_address),
            PT_LOAD => {
                let fits = offset.checked_add(file_size).is_some_and(|end| end <= file_length)
                    && file_size <= memory_size
                    && virtual_address.checked_add(memory_size).is_some_and(|end| end < DYN_BASE)
                    && offset % PAGE_SIZE == virtual_address % PAGE_SIZE;
                if !fits {
                    return_errno!(ENOEXEC);
                }
                let protection =
                    Protection { read: flags & 4 != 0, write: flags & 2 != 0, execute: flags & 1 != 0 };
                segments.push(Segment { virtual_address, memory_size, offset, file_size, protection });
            }
            _ => {}
        }
    }
    if segments.is_empty() {
        return_errno!(ENOEXEC);
    }
    Ok(Program {
        is_position_independent: kind == 3,
        entry,
        segments,
        phdr,
        program_header_offset,
        program_header_count,
        interpreter,
    })
}

/// What the new program starts with.
pub struct Image {
    pub vm: Vm,
    /// The program file's inode (its areas are named after it).
    pub program_inode: u64,
    pub entry: usize,
    pub stack_pointer: usize,
}

/// Builds the address space of `data` with argv/envp on its stack.
/// The stack area of a new program: RLIMIT_STACK, within goose's fixed
/// 8 MiB stack region and at least 128 KiB (Linux also keeps room for
/// the arguments whatever the limit).
fn stack_size(limit: u64) -> usize {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    (limit & !(PAGE_SIZE - 1)).clamp(128 << 10, STACK_SIZE)
}

/// The areas of one PT_LOAD segment, as Linux lays them out: the file's
/// pages, then .bss past the last of them as anonymous memory.
fn map_segment_areas(vm: &mut Vm, inode: &Inode, segment: &Segment, bias: usize) -> usize {
    let start = (bias + segment.virtual_address) & !(PAGE_SIZE - 1);
    let end = (bias + segment.virtual_address + segment.memory_size).div_ceil(PAGE_SIZE) * PAGE_SIZE;
    let file_end =
        ((bias + segment.virtual_address + segment.file_size).div_ceil(PAGE_SIZE) * PAGE_SIZE).min(end);
    let kind = AreaKind::File { inode: inode.number, offset: segment.offset & !(PAGE_SIZE - 1) };
    if file_end > start {
        vm.map(start, file_end, segment.protection, false, kind);
    }
    if end > file_end.max(start) {
        vm.map(file_end.max(start), end, segment.protection, false, AreaKind::Anonymous);
    }
    end
}

/// The first bytes of `inode`, enough for the ELF and program headers.
fn read_headers(inode: &Inode) -> Result<Vec<u8>> {
    const MAX_HEADERS: usize = 64 << 10;
    let length = (inode.size() as usize).min(MAX_HEADERS);
    let mut data = alloc::vec![0u8; length];
    let read = inode.read_at(0, &mut data)?;
    data.truncate(read);
    Ok(data)
}

/// Maps one PT_LOAD segment: whole pages of the file are shared with it
/// (copy-on-write where the segment is writable), the page where the file
/// part ends and .bss begins is a private copy with its tail zeroed, and
/// the rest of .bss comes as zero pages on demand.
fn map_segment(vm: &mut Vm, inode: &Inode, segment: &Segment, bias: usize) -> Result<()> {
    let start = (bias + segment.virtual_address) & !(PAGE_SIZE - 1);
    let file_start = segment.offset & !(PAGE_SIZE - 1);
    let file_end = segment.offset + segment.file_size;
    let has_bss = segment.memory_size > segment.file_size;
    let mut page_address = start;
    let mut file_offset = file_start;
    while file_offset < file_end {
        let whole = file_offset + PAGE_SIZE <= file_end;
        match inode.file_page(file_offset / PAGE_SIZE) {
            Some(page) if whole || !has_bss => vm.map_file_page(page_address, page)?,
            _ => {
                // A partial page before .bss, or a hole: a private copy.
                let count = (file_end - file_offset).min(PAGE_SIZE);
                let mut bytes = alloc::vec![0u8; count];
                inode.read_at(file_offset as u64, &mut bytes)?;
                vm.write_direct(page_address, &bytes)?;
            }
        }
        page_address += PAGE_SIZE;
        file_offset += PAGE_SIZE;
    }
    Ok(())
}

/// Maps the dynamic linker (a position-independent ELF) just below the
/// mmap region, as Linux puts ld.so among the mappings; returns its base
/// and entry point.
fn load_interpreter(vm: &mut Vm, inode: &Inode, path: &[u8]) -> Result<(usize, usize)> {
    vm.name_file(inode.number, path);
    let headers = read_headers(inode)?;
    let interpreter = parse(&headers, inode.size() as usize)?;
    if !interpreter.is_position_independent || interpreter.interpreter.is_some() {
        return_errno!(ELIBBAD);
    }
    let span = interpreter.segments.iter().map(|s| s.virtual_address + s.memory_size).max().unwrap_or(0);
    let base = crate::mm::vm::MMAP_BASE
        .checked_sub(span.div_ceil(PAGE_SIZE) * PAGE_SIZE)
        .ok_or(abi::Errno::ENOMEM)?
        & !0xffff;
    for segment in &interpreter.segments {
        map_segment_areas(vm, inode, segment, base);
        map_segment(vm, inode, segment, base)?;
    }
    Ok((base, base + interpreter.entry))
}

/// Finds the dynamic linker by path: its inode and its canonical path.
type OpenInterpreter<'a> = dyn Fn(&[u8]) -> Result<(Arc<Inode>, Vec<u8>)> + 'a;

fn load(
    inode: &Inode,
    path: &[u8],
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    stack_limit: u64,
    open: &OpenInterpreter,
) -> Result<Image> {
    let headers = read_headers(inode)?;
    let program = parse(&headers, inode.size() as usize)?;
    let bias = if program.is_position_independent { DYN_BASE } else { 0 };
    let mut vm = Vm::new()?;
    vm.name_file(inode.number, path);
    let mut highest = 0;
    for segment in &program.segments {
        let end = map_segment_areas(&mut vm, inode, segment, bias);
        map_segment(&mut vm, inode, segment, bias)?;
        highest = highest.max(end);
    }
    vm.heap_start = highest;
    vm.heap_end = highest;
    let (interpreter_base, entry) = match &program.interpreter {
        Some(interpreter_path) => {
            let (interpreter, name) = open(interpreter_path)?;
            load_interpreter(&mut vm, &interpreter, &name)?
        }
        None => (0, bias + program.entry),
    };
    let read_write = Protection { read: true, write: true, execute: false };
    vm.map(STACK_TOP - stack_size(stack_limit), STACK_TOP, read_write, false, AreaKind::Stack);
    let vdso = crate::mm::vdso::map(&mut vm)?;
    let phdr = match program.phdr {
        Some(address) => bias + address,
        None => {
            let holder = program.segments.iter().find(|s| {
                s.offset <= program.program_header_offset
                    && program.program_header_offset < s.offset + s.file_size
            });
            holder.map_or(0, |s| bias + s.virtual_address + (program.program_header_offset - s.offset))
        }
    };
    let auxv = [
        (33, vdso),                        // AT_SYSINFO_EHDR (first, as Linux's ARCH_DLINFO)
        (3, phdr),                         // AT_PHDR
        (4, 56),                           // AT_PHENT
        (5, program.program_header_count), // AT_PHNUM
        (6, PAGE_SIZE),                    // AT_PAGESZ
        (7, interpreter_base),             // AT_BASE
        (8, 0),                            // AT_FLAGS
        (9, bias + program.entry),         // AT_ENTRY
        (11, 0),                           // AT_UID
        (12, 0),                           // AT_EUID
        (13, 0),                           // AT_GID
        (14, 0),                           // AT_EGID
        (16, HWCAP_IMAFDC),                // AT_HWCAP
        (17, 100),                         // AT_CLKTCK
        (23, 0),                           // AT_SECURE
    ];
    let stack_pointer = build_stack(&mut vm, path, argv, envp, &auxv)?;
    Ok(Image { vm, entry, stack_pointer, program_inode: inode.number })
}

/// AT_HWCAP for RV64IMAFDC: one bit per base extension letter.
const HWCAP_IMAFDC: usize = {
    let letters = *b"imafdc";
    let mut bits = 0;
    let mut i = 0;
    while i < letters.len() {
        bits |= 1 << (letters[i] - b'a');
        i += 1;
    }
    bits
};

/// Lays out Linux's initial stack: strings at the top, then 16 random
/// bytes, then (16-byte aligned) argc, argv, envp and auxv.
fn build_stack(
    vm: &mut Vm,
    path: &[u8],
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    auxv: &[(usize, usize)],
) -> Result<usize> {
    let mut top = STACK_TOP;
    let mut push = |vm: &mut Vm, bytes: &[u8]| -> Result<usize> {
        top -= bytes.len();
        vm.write_direct(top, bytes)?;
        Ok(top)
    };
    let with_nul = |bytes: &[u8]| {
        let mut v = bytes.to_vec();
        v.push(0);
        v
    };
    let execfn = push(vm, &with_nul(path))?;
    let mut env_pointers = Vec::new();
    for string in envp.iter().rev() {
        env_pointers.push(push(vm, &with_nul(string))?);
    }
    env_pointers.reverse();
    let mut arg_pointers = Vec::new();
    for string in argv.iter().rev() {
        arg_pointers.push(push(vm, &with_nul(string))?);
    }
    arg_pointers.reverse();
    let mut random = [0u8; 16];
    crate::random::fill(&mut random);
    let random_at = push(vm, &random)?;
    let mut words: Vec<usize> = Vec::new();
    words.push(argv.len());
    words.extend(&arg_pointers);
    words.push(0);
    words.extend(&env_pointers);
    words.push(0);
    for &(key, value) in auxv {
        words.extend([key, value]);
    }
    words.extend([25, random_at, 31, execfn, 0, 0]); // AT_RANDOM, AT_EXECFN, AT_NULL
    let size = words.len() * 8;
    let sp = (top - size) & !15;
    if sp < STACK_TOP - STACK_SIZE / 4 {
        return_errno!(E2BIG);
    }
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    vm.write_direct(sp, &bytes)?;
    Ok(sp)
}

/// Runs `path` in the calling process. On success the caller's registers
/// are replaced; on failure nothing changed.
pub fn execute(
    thread: &Arc<Thread>,
    user: &mut UserContext,
    path: &[u8],
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> Result<()> {
    let process = &thread.process;
    let (mut path, mut argv) = (path.to_vec(), argv);
    let mut depth = 0;
    let image = loop {
        let fs = process.fs.lock().clone();
        let inode = resolve(&Start { root: &fs.root, directory: &fs.cwd }, &path, true)?;
        if inode.is_directory() {
            return_errno!(EACCES);
        }
        if inode.mode() & 0o111 == 0 || inode.mode() & abi::mode::S_IFMT != abi::mode::S_IFREG {
            return_errno!(EACCES);
        }
        let mut head = [0u8; 256];
        let head_length = inode.read_at(0, &mut head)?;
        let data = &head[..head_length];
        if data.starts_with(b"#!") {
            depth += 1;
            if depth > MAX_SCRIPT_DEPTH {
                return_errno!(ELOOP);
            }
            let line_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len()).min(256);
            let line = &data[2..line_end];
            let line: &[u8] = line.trim_ascii();
            let (interpreter, argument) = match line.iter().position(|b| b.is_ascii_whitespace()) {
                Some(i) => (&line[..i], Some(line[i..].trim_ascii())),
                None => (line, None),
            };
            if interpreter.is_empty() {
                return_errno!(ENOEXEC);
            }
            let mut new_argv = alloc::vec![interpreter.to_vec()];
            new_argv.extend(argument.filter(|a| !a.is_empty()).map(<[u8]>::to_vec));
            new_argv.push(path.clone());
            new_argv.extend(argv.into_iter().skip(1));
            argv = new_argv;
            path = interpreter.to_vec();
            continue;
        }
        let stack_limit = thread.process.limits.lock().current(super::limits::RLIMIT_STACK);
        let open = |interpreter: &[u8]| -> Result<(Arc<Inode>, Vec<u8>)> {
            let start = Start { root: &fs.root, directory: &fs.cwd };
            let inode = resolve(&start, interpreter, true)?;
            if inode.mode() & abi::mode::S_IFMT != abi::mode::S_IFREG {
                return_errno!(EACCES);
            }
            let name =
                crate::fs::path::canonical(&start, interpreter).unwrap_or_else(|_| interpreter.to_vec());
            Ok((inode, name))
        };
        break load(&inode, &path, &argv, &envp, stack_limit, &open)?;
    };
    // The point of no return: the old program is gone from here on.
    end_other_threads(thread);
    process.did_exec.store(true, core::sync::atomic::Ordering::Release);
    *thread.alt_stack.lock() = None;
    *process.command_line.lock() = argv.iter().flat_map(|a| a.iter().copied().chain([0])).collect();
    let base = path.rsplit(|&b| b == b'/').next().unwrap_or(&path);
    let mut comm = [0u8; 16];
    comm[..base.len().min(15)].copy_from_slice(&base[..base.len().min(15)]);
    *thread.name.lock() = comm;
    let fs = process.fs.lock().clone();
    let executable = crate::fs::path::canonical(&Start { root: &fs.root, directory: &fs.cwd }, &path)
        .unwrap_or(path.clone());
    let mut image = image;
    image.vm.name_file(image.program_inode, &executable);
    *process.executable.lock() = executable;
    // The old program's robust futexes and clear_child_tid word (a vfork
    // child's, in memory its parent still uses) are let go first.
    super::futex::release_robust_list(thread);
    thread.robust_list.store(0, core::sync::atomic::Ordering::Relaxed);
    let clear = thread.clear_child_tid.swap(0, core::sync::atomic::Ordering::Relaxed);
    if clear != 0 && crate::mm::user::write_val(crate::syscall::UserAddr(clear), &0u32).is_ok() {
        super::futex::wake_address(process, clear, 1);
    }
    crate::mm::space::deactivate();
    let old = process.set_vm(Some(AddressSpace::new(image.vm)));
    drop(old);
    super::exit::release_vfork_parent(process);
    process.files.lock().close_for_exec();
    crate::time::posix_timer::delete_all(process);
    {
        let mut actions = process.signals.actions.lock();
        for action in actions.iter_mut() {
            if action.handler != abi::signal::SIG_IGN {
                *action = abi::signal::KernelSigaction::default();
            }
        }
    }
    *user = UserContext::default();
    user.pc = image.entry;
    user.regs[reg::SP] = image.stack_pointer;
    Ok(())
}

/// execve in a process with several threads: the others are killed and
/// waited for, and the caller goes on as the only thread, with the
/// process's id as its thread id (Linux's de_thread).
fn end_other_threads(thread: &Arc<Thread>) {
    use core::sync::atomic::Ordering;
    let process = &thread.process;
    if process.live_threads.load(Ordering::Acquire) <= 1 {
        return;
    }
    process.exec_thread.store(thread.tid(), Ordering::Release);
    super::exit::kill_other_threads(thread);
    process.thread_exited.wait_until(|| process.live_threads.load(Ordering::Acquire) <= 1);
    process.exec_thread.store(0, Ordering::Release);
    if thread.tid() != process.pid {
        thread.become_leader();
    }
}
