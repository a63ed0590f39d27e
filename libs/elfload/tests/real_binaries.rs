//! Real riscv64 executables: compiled at test time with Debian's cross gcc
//! (gcc-riscv64-linux-gnu) when it is installed, plus the cross toolchain's
//! own ld.so and libc, checked against what binutils' readelf reports.
//! Skipped, with a note, when the toolchain is missing.

mod common;

use common::*;
use elfload::{plan, plan_from, ElfError, ElfKind, FloatAbi, LoadPlan, Placement, Prot, PAGE_SIZE};
use std::path::Path;
use std::process::Command;

const HELLO: &str = r#"
#include <stdio.h>
static char buffer[20000];
int initialized = 42;
int main(int argc, char **argv) {
    buffer[argc] = 1;
    printf("hello %s %d\n", argv[0], initialized + buffer[1]);
    return 0;
}
"#;

/// One PT_LOAD as readelf prints it.
#[derive(Debug, PartialEq)]
struct ReadelfLoad {
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    prot: Prot,
}

/// The LOAD lines and the interpreter from `readelf -lW`.
fn readelf(readelf: &Path, file: &Path) -> (Vec<ReadelfLoad>, Option<String>) {
    let output = Command::new(readelf).arg("-lW").arg(file).output().expect("running readelf");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut loads = Vec::new();
    let mut interpreter = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("[Requesting program interpreter: ") {
            interpreter = rest.strip_suffix(']').map(str::to_string);
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.first() != Some(&"LOAD") {
            continue;
        }
        let hex = |index: usize| u64::from_str_radix(fields[index].trim_start_matches("0x"), 16).unwrap();
        // LOAD offset vaddr paddr filesz memsz flags... align
        let flags = fields[6..fields.len() - 1].concat();
        let prot =
            Prot { read: flags.contains('R'), write: flags.contains('W'), execute: flags.contains('E') };
        loads.push(ReadelfLoad { offset: hex(1), vaddr: hex(2), filesz: hex(4), memsz: hex(5), prot });
    }
    (loads, interpreter)
}

/// Plans `file` every way and checks what holds for any real executable.
fn plan_real(file: &Path) -> LoadPlan {
    let bytes = std::fs::read(file).unwrap();
    let whole = plan_from(&bytes[..]).unwrap_or_else(|error| panic!("{}: {error:?}", file.display()));
    // Read 4 KiB first, then whatever `NeedBytes` asks for (libc.so.6 keeps
    // its PT_INTERP path a megabyte into the file).
    let mut prefix = 4096.min(bytes.len());
    let by_prefix = loop {
        match plan(&bytes[..prefix]) {
            Err(ElfError::NeedBytes(needed)) if needed as usize <= bytes.len() => prefix = needed as usize,
            other => break other,
        }
    };
    assert_eq!(by_prefix, Ok(whole.clone()), "{}", file.display());
    assert_eq!(whole.float_abi(), FloatAbi::Double, "Debian riscv64 is lp64d");
    assert!(!whole.stack_exec);
    assert!(whole.phdr_vaddr.is_some(), "the headers are mapped in the first segment");
    for segment in &whole.segments {
        assert!(segment.file_range().end <= bytes.len() as u64, "segment data inside the file");
        let pages = segment.pages(0);
        if segment.filesz > 0 {
            assert_eq!(
                pages.file_pages_offset + (segment.vaddr - pages.file_pages.start),
                segment.file_offset
            );
        }
        assert_eq!(pages.bss_pages.end % PAGE_SIZE, 0);
    }
    if let Some(readelf_path) = tool("riscv64-linux-gnu-readelf").or_else(|| tool("readelf")) {
        let (loads, interpreter) = readelf(&readelf_path, file);
        let ours: Vec<ReadelfLoad> = whole
            .segments
            .iter()
            .map(|s| ReadelfLoad {
                offset: s.file_offset,
                vaddr: s.vaddr,
                filesz: s.filesz,
                memsz: s.memsz,
                prot: s.prot,
            })
            .collect();
        assert_eq!(ours, loads, "{}", file.display());
        let our_interpreter = whole.interpreter.as_ref().map(|path| String::from_utf8(path.clone()).unwrap());
        assert_eq!(our_interpreter, interpreter);
    } else {
        eprintln!("note: no readelf: segments not cross-checked");
    }
    whole
}

#[test]
fn compiled_programs() {
    let Some(gcc) = tool("riscv64-linux-gnu-gcc") else {
        eprintln!(
            "note: riscv64-linux-gnu-gcc not installed (apt-get install gcc-riscv64-linux-gnu): skipping"
        );
        return;
    };
    let dir = scratch_dir("real");
    if let Some(file) = compile(&gcc, &dir, "static", HELLO, &["-static", "-O1"]) {
        let plan = plan_real(&file);
        assert_eq!((plan.kind, plan.interpreter.as_deref()), (ElfKind::Exec, None));
        assert_eq!(plan.placement(), Placement::Fixed);
        assert!(plan.segments.iter().any(|s| s.memsz - s.filesz > 20000), "the buffer is bss");
    }
    if let Some(file) = compile(&gcc, &dir, "dynamic", HELLO, &["-O1", "-pie", "-fPIE"]) {
        let plan = plan_real(&file);
        assert_eq!((plan.kind, plan.interpreter.as_deref()), (ElfKind::Dyn, Some(INTERP)));
        let Placement::Bias(bias) = plan.placement() else { panic!("a PIE program goes at ELF_ET_DYN_BASE") };
        assert_eq!(plan.check_bias(bias), Ok(()));
        assert_eq!(bias + plan.min_vaddr, 0x2a_aaaa_a000);
    }
    if let Some(file) = compile(&gcc, &dir, "dynamic-no-pie", HELLO, &["-O1", "-no-pie"]) {
        let plan = plan_real(&file);
        assert_eq!((plan.kind, plan.interpreter.as_deref()), (ElfKind::Exec, Some(INTERP)));
    }
    // Debian's cross libc has no rcrt1.o: static-pie may not link.
    if let Some(file) = compile(&gcc, &dir, "static-pie", HELLO, &["-O1", "-static-pie"]) {
        let plan = plan_real(&file);
        assert_eq!((plan.kind, plan.interpreter.as_deref()), (ElfKind::Dyn, None));
        assert!(matches!(plan.placement(), Placement::Anywhere { .. }));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn toolchain_loader_and_libc() {
    let lib = Path::new("/usr/riscv64-linux-gnu/lib");
    let loader = lib.join("ld-linux-riscv64-lp64d.so.1");
    if !loader.exists() {
        eprintln!("note: no riscv64 cross libc in {}: skipping", lib.display());
        return;
    }
    // The loader run as an interpreter: ET_DYN, no PT_INTERP, mmap'ed anywhere.
    let plan = plan_real(&loader);
    assert_eq!((plan.kind, plan.interpreter.as_deref()), (ElfKind::Dyn, None));
    let Placement::Anywhere { span, align } = plan.placement() else { panic!("ld.so goes anywhere") };
    let base = 0x3f_f7f0_0000;
    let bias = plan.load_bias_for(base);
    assert_eq!(plan.check_bias(bias), Ok(()));
    assert_eq!((bias + plan.min_vaddr, base % align, span % PAGE_SIZE), (base, 0, 0));
    let libc = std::fs::canonicalize(lib.join("libc.so.6")).unwrap();
    assert_eq!(plan_real(&libc).kind, ElfKind::Dyn);
}
