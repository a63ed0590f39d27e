//! A minimal RV64IM assembler: the handful of instructions the vDSO uses,
//! encoded as the RISC-V unprivileged ISA (volume I, chapter "RV32I Base
//! Integer Instruction Set", instruction formats R/I/S/B/U), with labels
//! for forward and backward branches. Only 32-bit encodings, no
//! compressed ones: the code is a few dozen instructions.

use alloc::vec::Vec;

/// An integer register, by its ABI name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Reg {
    Zero = 0,
    Ra = 1,
    T0 = 5,
    T1 = 6,
    T2 = 7,
    A0 = 10,
    A1 = 11,
    A2 = 12,
    A3 = 13,
    A4 = 14,
    A5 = 15,
    A6 = 16,
    A7 = 17,
    T3 = 28,
    T4 = 29,
    T5 = 30,
    T6 = 31,
}

/// A place in the code a branch can name before it is bound.
#[derive(Clone, Copy, Debug)]
pub struct Label(usize);

/// The conditional branches (funct3 of the BRANCH opcode).
#[derive(Clone, Copy, Debug)]
#[repr(u32)]
enum Condition {
    Equal = 0,
    NotEqual = 1,
    LessUnsigned = 6,
    GreaterEqualUnsigned = 7,
}

const OP: u32 = 0x33;
const OP_IMM: u32 = 0x13;
const OP_IMM_32: u32 = 0x1b;
const LOAD: u32 = 0x03;
const STORE: u32 = 0x23;
const BRANCH: u32 = 0x63;
const JALR: u32 = 0x67;
const LUI: u32 = 0x37;
const AUIPC: u32 = 0x17;
const SYSTEM: u32 = 0x73;
const MISC_MEM: u32 = 0x0f;
/// The `time` CSR (privileged spec, table "Allocation of RISC-V CSR
/// addresses"): user-readable when scounteren.TM is set.
const CSR_TIME: u32 = 0xc01;

fn r_type(funct7: u32, rs2: Reg, rs1: Reg, funct3: u32, rd: Reg, opcode: u32) -> u32 {
    funct7 << 25 | (rs2 as u32) << 20 | (rs1 as u32) << 15 | funct3 << 12 | (rd as u32) << 7 | opcode
}

fn i_type(immediate: i32, rs1: Reg, funct3: u32, rd: Reg, opcode: u32) -> u32 {
    debug_assert!((-2048..2048).contains(&immediate));
    ((immediate as u32) & 0xfff) << 20 | (rs1 as u32) << 15 | funct3 << 12 | (rd as u32) << 7 | opcode
}

fn s_type(immediate: i32, rs2: Reg, rs1: Reg, funct3: u32) -> u32 {
    debug_assert!((-2048..2048).contains(&immediate));
    let imm = immediate as u32;
    (imm >> 5 & 0x7f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | funct3 << 12
        | (imm & 0x1f) << 7
        | STORE
}

fn b_type(offset: i32, rs2: Reg, rs1: Reg, funct3: u32) -> u32 {
    let imm = offset as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | funct3 << 12
        | (imm >> 1 & 0xf) << 8
        | (imm >> 11 & 1) << 7
        | BRANCH
}

fn u_type(upper: i32, rd: Reg, opcode: u32) -> u32 {
    (upper as u32) << 12 | (rd as u32) << 7 | opcode
}

/// Splits a 32-bit value into the `lui`/`auipc` upper part and the
/// sign-extended 12-bit rest, so that `upper << 12 + lower == value`.
fn split_hi_lo(value: i32) -> (i32, i32) {
    let lower = (value << 20) >> 20;
    let upper = (value.wrapping_sub(lower)) >> 12;
    (upper & 0xf_ffff, lower)
}

/// Code being assembled: instruction words, labels and the branches still
/// waiting for theirs.
pub struct Assembler {
    /// Where the first instruction lands, in bytes from the image start
    /// (pc-relative addresses are computed from it).
    origin: usize,
    words: Vec<u32>,
    labels: Vec<Option<usize>>,
    /// (index of the branch word, its label, its condition and registers)
    pending: Vec<(usize, Label, Condition, Reg, Reg)>,
}

impl Assembler {
    pub fn new(origin: usize) -> Assembler {
        Assembler { origin, words: Vec::new(), labels: Vec::new(), pending: Vec::new() }
    }

    /// The image offset of the next instruction.
    pub fn here(&self) -> usize {
        self.origin + self.words.len() * 4
    }

    pub fn new_label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }

    /// Binds `label` to the next instruction.
    pub fn bind(&mut self, label: Label) {
        self.labels[label.0] = Some(self.words.len());
    }

    /// The instruction words, every branch resolved. Panics on a label
    /// never bound: that is a bug in the code generator, caught by its
    /// tests, never by input.
    pub fn finish(mut self) -> Vec<u32> {
        for &(at, label, condition, rs1, rs2) in &self.pending {
            let target = self.labels[label.0].expect("branch to an unbound label");
            let offset = (target as i32 - at as i32) * 4;
            assert!((-4096..4096).contains(&offset), "branch out of range");
            self.words[at] = b_type(offset, rs2, rs1, condition as u32);
        }
        self.pending.clear();
        self.words
    }

    fn emit(&mut self, word: u32) {
        self.words.push(word);
    }

    fn branch(&mut self, condition: Condition, rs1: Reg, rs2: Reg, label: Label) {
        self.pending.push((self.words.len(), label, condition, rs1, rs2));
        self.emit(0);
    }

    pub fn beq(&mut self, rs1: Reg, rs2: Reg, label: Label) {
        self.branch(Condition::Equal, rs1, rs2, label);
    }
    pub fn bne(&mut self, rs1: Reg, rs2: Reg, label: Label) {
        self.branch(Condition::NotEqual, rs1, rs2, label);
    }
    pub fn bltu(&mut self, rs1: Reg, rs2: Reg, label: Label) {
        self.branch(Condition::LessUnsigned, rs1, rs2, label);
    }
    pub fn bgeu(&mut self, rs1: Reg, rs2: Reg, label: Label) {
        self.branch(Condition::GreaterEqualUnsigned, rs1, rs2, label);
    }

    pub fn add(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(0, rs2, rs1, 0, rd, OP));
    }
    pub fn sub(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(0x20, rs2, rs1, 0, rd, OP));
    }
    pub fn and(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(0, rs2, rs1, 7, rd, OP));
    }
    pub fn srl(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(0, rs2, rs1, 5, rd, OP));
    }
    /// The M extension: funct7 1.
    pub fn mul(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(1, rs2, rs1, 0, rd, OP));
    }
    /// The upper 64 bits of the unsigned 128-bit product.
    pub fn mulhu(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(1, rs2, rs1, 3, rd, OP));
    }
    pub fn divu(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(1, rs2, rs1, 5, rd, OP));
    }
    pub fn remu(&mut self, rd: Reg, rs1: Reg, rs2: Reg) {
        self.emit(r_type(1, rs2, rs1, 7, rd, OP));
    }

    pub fn addi(&mut self, rd: Reg, rs1: Reg, immediate: i32) {
        self.emit(i_type(immediate, rs1, 0, rd, OP_IMM));
    }
    pub fn andi(&mut self, rd: Reg, rs1: Reg, immediate: i32) {
        self.emit(i_type(immediate, rs1, 7, rd, OP_IMM));
    }
    /// Logical shift right by 0..63 (RV64I: a 6-bit shamt, funct6 0).
    pub fn srli(&mut self, rd: Reg, rs1: Reg, shift: u32) {
        debug_assert!(shift < 64);
        self.emit(i_type(shift as i32, rs1, 5, rd, OP_IMM));
    }
    /// Loads any 32-bit signed constant (sign-extended to 64 bits), as the
    /// `li` pseudo-instruction does: `addi`, or `lui` + `addiw`.
    pub fn li(&mut self, rd: Reg, value: i32) {
        if (-2048..2048).contains(&value) {
            self.addi(rd, Reg::Zero, value);
            return;
        }
        let (upper, lower) = split_hi_lo(value);
        self.emit(u_type(upper, rd, LUI));
        if lower != 0 {
            self.emit(i_type(lower, rd, 0, rd, OP_IMM_32));
        }
    }
    /// `rd = address of image offset `target`` (may be before the image):
    /// `auipc` + `addi`, position independent.
    pub fn load_address(&mut self, rd: Reg, target: isize) {
        let offset = i32::try_from(target - self.here() as isize).expect("address out of auipc range");
        let (upper, lower) = split_hi_lo(offset);
        self.emit(u_type(upper, rd, AUIPC));
        self.addi(rd, rd, lower);
    }

    pub fn ld(&mut self, rd: Reg, offset: i32, base: Reg) {
        self.emit(i_type(offset, base, 3, rd, LOAD));
    }
    pub fn sw(&mut self, source: Reg, offset: i32, base: Reg) {
        self.emit(s_type(offset, source, base, 2));
    }
    pub fn sd(&mut self, source: Reg, offset: i32, base: Reg) {
        self.emit(s_type(offset, source, base, 3));
    }

    /// `rdtime rd`: `csrrs rd, time, zero`.
    pub fn rdtime(&mut self, rd: Reg) {
        self.emit((CSR_TIME << 20) | (Reg::Zero as u32) << 15 | 2 << 12 | (rd as u32) << 7 | SYSTEM);
    }
    /// `fence r, r`: earlier loads complete before later ones (the
    /// sequence-lock reads).
    pub fn fence_read_read(&mut self) {
        const PREDECESSOR_R: u32 = 0b0010;
        const SUCCESSOR_R: u32 = 0b0010;
        self.emit((PREDECESSOR_R << 4 | SUCCESSOR_R) << 20 | MISC_MEM);
    }
    pub fn ecall(&mut self) {
        self.emit(SYSTEM);
    }
    /// `ret`: `jalr zero, 0(ra)`.
    pub fn ret(&mut self) {
        self.emit(i_type(0, Reg::Ra, 0, Reg::Zero, JALR));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected words from GNU as (riscv64-linux-gnu-as -march=rv64im),
    /// recorded once.
    #[test]
    fn encodings_match_the_gnu_assembler() {
        let mut asm = Assembler::new(0);
        asm.li(Reg::A7, 139); // 0: addi a7, zero, 139
        asm.ecall(); // 4
        asm.ret(); // 8
        asm.li(Reg::A3, 1_000_000_000); // 12: lui a3, 0x3b9ad ; addiw a3, a3, -1536
        asm.add(Reg::A4, Reg::A4, Reg::T6); // 20
        asm.sub(Reg::A3, Reg::Zero, Reg::A3); // 24: neg a3, a3
        asm.and(Reg::T6, Reg::T6, Reg::A3); // 28
        asm.srl(Reg::T1, Reg::T1, Reg::A0); // 32
        asm.mul(Reg::A5, Reg::A5, Reg::A3); // 36
        asm.divu(Reg::A4, Reg::T4, Reg::T5); // 40
        asm.remu(Reg::A5, Reg::T4, Reg::T5); // 44
        asm.andi(Reg::T4, Reg::T3, 1); // 48
        asm.ld(Reg::T5, 8, Reg::T2); // 52
        asm.sd(Reg::A5, 8, Reg::A1); // 56
        asm.sw(Reg::Zero, 4, Reg::A1); // 60
        asm.rdtime(Reg::T4); // 64
        asm.fence_read_read(); // 68
        asm.load_address(Reg::T2, -0x2000); // 72: auipc t2, 0xffffe ; addi t2, t2, -72
        asm.li(Reg::T1, 0x8f3); // 80: lui t1, 0x1 ; addiw t1, t1, -1805
        asm.mulhu(Reg::A4, Reg::A4, Reg::A3); // 88
        asm.srli(Reg::A4, Reg::A5, 9); // 92
        asm.srli(Reg::A4, Reg::A4, 11); // 96
        asm.mul(Reg::A7, Reg::A4, Reg::A3); // 100
        asm.ld(Reg::A6, 40, Reg::T2); // 104
        let words = asm.finish();
        let expected = [
            0x08b00893, 0x00000073, 0x00008067, 0x3b9ad6b7, 0xa006869b, 0x01f70733, 0x40d006b3, 0x00dfffb3,
            0x00a35333, 0x02d787b3, 0x03eed733, 0x03eef7b3, 0x001e7e93, 0x0083bf03, 0x00f5b423, 0x0005a223,
            0xc0102ef3, 0x0220000f, 0xffffe397, 0xfb838393, 0x00001337, 0x8f33031b, 0x02d73733, 0x0097d713,
            0x00b75713, 0x02d708b3, 0x0283b803,
        ];
        assert_eq!(words.len(), expected.len());
        for (index, (&got, &want)) in words.iter().zip(&expected).enumerate() {
            assert_eq!(got, want, "word {index}: {got:#010x} != {want:#010x}");
        }
    }

    #[test]
    fn branches_resolve_both_ways() {
        let mut asm = Assembler::new(0);
        let back = asm.new_label();
        let forward = asm.new_label();
        asm.bind(back);
        asm.bne(Reg::A3, Reg::T3, back); // 0: bne a3, t3, 0
        asm.beq(Reg::T1, Reg::Zero, forward); // 4: beqz t1, 16
        asm.bgeu(Reg::A0, Reg::T0, back); // 8: bgeu a0, t0, 0
        asm.bltu(Reg::A5, Reg::A3, forward); // 12: bltu a5, a3, 16
        asm.bind(forward);
        let words = asm.finish();
        assert_eq!(words, [0x01c69063, 0x00030663, 0xfe557ce3, 0x00d7e263]);
    }
}
