//! The vDSO's functions as machine code, with the names and behaviour of
//! Linux riscv64's (arch/riscv/kernel/vdso): each returns what the system
//! call would, 0 or a negative errno in a0, and the time functions fall
//! back to the real `ecall` for what they do not compute themselves.
//!
//! They compute exactly what goose's system calls return
//! (kernel/src/syscall/system.rs): CLOCK_MONOTONIC is
//! `floor(ticks * 10^9 / frequency)` nanoseconds, the realtime clocks add
//! the boot wall-clock offset, and the coarse clocks read the same as the
//! precise ones. When a tick is a whole number of nanoseconds (QEMU's
//! 10 MHz timebase: 100), the conversion is one multiplication, and the
//! split into seconds a multiply-high by the reciprocal of 10^9: no
//! division, which TCG charges tens of nanoseconds for. Otherwise it is
//! `(ticks / f) * 10^9 + (ticks % f) * 10^9 / f`. Both equal the
//! kernel's 128-bit product divided by `f` for any `f <= MAX_TIMEBASE_HZ`.
//!
//! Only caller-saved registers are used and no stack: Go calls these on
//! small system stacks.

use crate::data_page as data;
use crate::riscv_asm::{Assembler, Reg::*};
use alloc::vec::Vec;

/// System call numbers (asm-generic, as riscv64 uses them).
const SYS_CLOCK_GETTIME: i32 = 113;
const SYS_CLOCK_GETRES: i32 = 114;
const SYS_RT_SIGRETURN: i32 = 139;
const SYS_GETCPU: i32 = 168;
const SYS_GETTIMEOFDAY: i32 = 169;
const SYS_RISCV_HWPROBE: i32 = 258;
const SYS_RISCV_FLUSH_ICACHE: i32 = 259;

/// Clock ids computed here, one bit each: REALTIME 0, MONOTONIC 1,
/// MONOTONIC_RAW 4, REALTIME_COARSE 5, MONOTONIC_COARSE 6, BOOTTIME 7,
/// TAI 11. The CPU-time clocks and the alarm clocks take the system call.
const COMPUTED_CLOCKS: i32 = 1 << 0 | 1 << 1 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 11;
/// The computed clocks that count from the epoch (TAI reads as REALTIME:
/// no TAI offset is ever set, as on a fresh Linux).
const REALTIME_CLOCKS: i32 = 1 << 0 | 1 << 5 | 1 << 11;
/// The coarse clocks, whose resolution is the scheduler tick.
const COARSE_CLOCKS: i32 = 1 << 5 | 1 << 6;
/// One past the highest computed clock id.
const CLOCK_LIMIT: i32 = 12;
const NS_PER_SEC: i32 = 1_000_000_000;
const NS_PER_USEC: i32 = 1000;

/// One exported function: its name and where its code is.
pub struct Function {
    pub name: &'static str,
    /// Bytes from the image start.
    pub offset: usize,
    pub size: usize,
}

/// Assembles every function at image offset `origin`, with the data page
/// at image offset `data_page` (negative: [vvar] lies below the code).
pub fn assemble(origin: usize, data_page: isize) -> (Vec<u32>, Vec<Function>) {
    let mut asm = Assembler::new(origin);
    let mut functions = Vec::new();
    let mut add = |asm: &mut Assembler, name: &'static str, body: &dyn Fn(&mut Assembler)| {
        let offset = asm.here();
        body(asm);
        functions.push(Function { name, offset, size: asm.here() - offset });
    };
    add(&mut asm, "__vdso_rt_sigreturn", &|asm| {
        asm.li(A7, SYS_RT_SIGRETURN);
        asm.ecall();
    });
    add(&mut asm, "__vdso_clock_gettime", &|asm| clock_gettime(asm, data_page));
    add(&mut asm, "__vdso_gettimeofday", &|asm| gettimeofday(asm, data_page));
    add(&mut asm, "__vdso_clock_getres", &|asm| clock_getres(asm, data_page));
    add(&mut asm, "__vdso_getcpu", &|asm| system_call(asm, SYS_GETCPU));
    add(&mut asm, "__vdso_flush_icache", &|asm| system_call(asm, SYS_RISCV_FLUSH_ICACHE));
    add(&mut asm, "__vdso_riscv_hwprobe", &|asm| system_call(asm, SYS_RISCV_HWPROBE));
    (asm.finish(), functions)
}

/// `li a7, number; ecall; ret`: the arguments are already in a0..a5.
fn system_call(asm: &mut Assembler, number: i32) {
    asm.li(A7, number);
    asm.ecall();
    asm.ret();
}

/// t1 = 1 if clock a0 is in `set` (a0 < CLOCK_LIMIT checked before).
fn clock_in(asm: &mut Assembler, set: i32) {
    asm.li(T1, set);
    asm.srl(T1, T1, A0);
    asm.andi(T1, T1, 1);
}

/// Reads a consistent snapshot: t4 = ticks, t5 = frequency, t6 and a2 =
/// realtime offset (seconds, nanoseconds), a6 = nanoseconds per tick or
/// 0, with t2 = the data page.
/// Branches to `fallback` if the page says to use the system call.
fn read_snapshot(asm: &mut Assembler, data_page: isize, fallback: crate::riscv_asm::Label) {
    asm.load_address(T2, data_page);
    let retry = asm.new_label();
    asm.bind(retry);
    asm.ld(T3, data::SEQUENCE as i32, T2);
    asm.andi(T4, T3, 1);
    asm.bne(T4, Zero, retry);
    asm.fence_read_read();
    asm.rdtime(T4);
    asm.ld(T5, data::TIMEBASE_HZ as i32, T2);
    asm.ld(T6, data::REALTIME_OFFSET_SEC as i32, T2);
    asm.ld(A2, data::REALTIME_OFFSET_NSEC as i32, T2);
    asm.ld(A6, data::NS_PER_TICK as i32, T2);
    asm.fence_read_read();
    asm.ld(A3, data::SEQUENCE as i32, T2);
    asm.bne(A3, T3, retry);
    asm.beq(T5, Zero, fallback);
}

/// From a snapshot: a4 = seconds, a5 = nanoseconds (< 10^9), counting
/// the offset in t6/a2 (zero it for the monotonic clocks); a3 = 10^9.
fn seconds_and_nanoseconds(asm: &mut Assembler) {
    let by_division = asm.new_label();
    let converted = asm.new_label();
    asm.beq(A6, Zero, by_division);
    // Whole nanoseconds per tick: ns = ticks * a6, seconds = ns / 10^9.
    asm.mul(A5, T4, A6);
    asm.srli(A4, A5, 9);
    asm.ld(A3, data::DIVIDE_BY_1E9 as i32, T2);
    asm.mulhu(A4, A4, A3);
    asm.srli(A4, A4, 11);
    asm.li(A3, NS_PER_SEC);
    asm.mul(A7, A4, A3);
    asm.sub(A5, A5, A7);
    asm.beq(Zero, Zero, converted);
    asm.bind(by_division);
    asm.divu(A4, T4, T5);
    asm.remu(A5, T4, T5);
    asm.li(A3, NS_PER_SEC);
    asm.mul(A5, A5, A3);
    asm.divu(A5, A5, T5);
    asm.bind(converted);
    asm.add(A4, A4, T6);
    asm.add(A5, A5, A2);
    let normalized = asm.new_label();
    asm.bltu(A5, A3, normalized);
    asm.sub(A5, A5, A3);
    asm.addi(A4, A4, 1);
    asm.bind(normalized);
}

/// clock_gettime(a0 = clock, a1 = struct timespec *).
fn clock_gettime(asm: &mut Assembler, data_page: isize) {
    let fallback = asm.new_label();
    asm.li(T0, CLOCK_LIMIT);
    asm.bgeu(A0, T0, fallback);
    clock_in(asm, COMPUTED_CLOCKS);
    asm.beq(T1, Zero, fallback);
    read_snapshot(asm, data_page, fallback);
    // The offset only for the realtime clocks: mask = -(is realtime).
    clock_in(asm, REALTIME_CLOCKS);
    asm.sub(T1, Zero, T1);
    asm.and(T6, T6, T1);
    asm.and(A2, A2, T1);
    seconds_and_nanoseconds(asm);
    asm.sd(A4, 0, A1);
    asm.sd(A5, 8, A1);
    asm.li(A0, 0);
    asm.ret();
    asm.bind(fallback);
    system_call(asm, SYS_CLOCK_GETTIME);
}

/// gettimeofday(a0 = struct timeval *, a1 = struct timezone *): either may
/// be NULL; the time zone is always zero, as goose's system call says.
fn gettimeofday(asm: &mut Assembler, data_page: isize) {
    let fallback = asm.new_label();
    let zone = asm.new_label();
    let done = asm.new_label();
    asm.beq(A0, Zero, zone);
    read_snapshot(asm, data_page, fallback);
    seconds_and_nanoseconds(asm);
    asm.li(A3, NS_PER_USEC);
    asm.divu(A5, A5, A3);
    asm.sd(A4, 0, A0);
    asm.sd(A5, 8, A0);
    asm.bind(zone);
    asm.beq(A1, Zero, done);
    asm.sw(Zero, 0, A1);
    asm.sw(Zero, 4, A1);
    asm.bind(done);
    asm.li(A0, 0);
    asm.ret();
    asm.bind(fallback);
    system_call(asm, SYS_GETTIMEOFDAY);
}

/// clock_getres(a0 = clock, a1 = struct timespec * or NULL): 1 ns, or the
/// tick for the coarse clocks.
fn clock_getres(asm: &mut Assembler, data_page: isize) {
    let fallback = asm.new_label();
    let done = asm.new_label();
    let fine = asm.new_label();
    asm.li(T0, CLOCK_LIMIT);
    asm.bgeu(A0, T0, fallback);
    clock_in(asm, COMPUTED_CLOCKS);
    asm.beq(T1, Zero, fallback);
    asm.load_address(T2, data_page);
    asm.ld(T5, data::TIMEBASE_HZ as i32, T2);
    asm.beq(T5, Zero, fallback);
    asm.beq(A1, Zero, done);
    asm.li(A2, 1);
    clock_in(asm, COARSE_CLOCKS);
    asm.beq(T1, Zero, fine);
    asm.ld(A2, data::COARSE_RESOLUTION_NS as i32, T2);
    asm.bind(fine);
    asm.sd(Zero, 0, A1);
    asm.sd(A2, 8, A1);
    asm.bind(done);
    asm.li(A0, 0);
    asm.ret();
    asm.bind(fallback);
    system_call(asm, SYS_CLOCK_GETRES);
}
