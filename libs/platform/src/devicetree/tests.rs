//! Device trees built in the test (shaped like QEMU virt's) and the
//! machine descriptions expected from them, including broken ones.

use super::*;
use vm_fdt::{FdtReserveEntry, FdtWriter};

/// What to put into a synthetic virt-like tree.
struct Shape {
    harts: u32,
    ram: (u64, u64),
    bootargs: Option<&'static str>,
    initrd: Option<(u64, u64)>,
    memory_reg: Option<Vec<u32>>,
    timebase: Option<u32>,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            harts: 4,
            ram: (0x8000_0000, 512 << 20),
            bootargs: Some("console=ttyS0 loglevel=debug"),
            initrd: None,
            memory_reg: None,
            timebase: Some(10_000_000),
        }
    }
}

fn cells64(value: u64) -> [u32; 2] {
    [(value >> 32) as u32, value as u32]
}

fn build(shape: &Shape) -> Vec<u8> {
    let reserve = [FdtReserveEntry::new(0x8000_0000, 0x4_0000).unwrap()];
    let mut w = FdtWriter::new_with_mem_reserv(&reserve).unwrap();
    let root = w.begin_node("").unwrap();
    w.property_u32("#address-cells", 2).unwrap();
    w.property_u32("#size-cells", 2).unwrap();
    w.property_string("compatible", "riscv-virtio").unwrap();

    let chosen = w.begin_node("chosen").unwrap();
    if let Some(args) = shape.bootargs {
        w.property_string("bootargs", args).unwrap();
    }
    if let Some((start, end)) = shape.initrd {
        w.property_array_u32("linux,initrd-start", &cells64(start)).unwrap();
        w.property_array_u32("linux,initrd-end", &cells64(end)).unwrap();
    }
    w.end_node(chosen).unwrap();

    let memory = w.begin_node(&format!("memory@{:x}", shape.ram.0)).unwrap();
    w.property_string("device_type", "memory").unwrap();
    match &shape.memory_reg {
        Some(raw) => w.property_array_u32("reg", raw).unwrap(),
        None => w.property_array_u64("reg", &[shape.ram.0, shape.ram.1]).unwrap(),
    }
    w.end_node(memory).unwrap();

    let cpus = w.begin_node("cpus").unwrap();
    w.property_u32("#address-cells", 1).unwrap();
    w.property_u32("#size-cells", 0).unwrap();
    if let Some(tb) = shape.timebase {
        w.property_u32("timebase-frequency", tb).unwrap();
    }
    for hart in 0..shape.harts {
        let cpu = w.begin_node(&format!("cpu@{hart}")).unwrap();
        w.property_string("device_type", "cpu").unwrap();
        w.property_u32("reg", hart).unwrap();
        w.property_string("status", "okay").unwrap();
        w.property_string("riscv,isa", "rv64imafdch_zicsr_zifencei_sstc").unwrap();
        let intc = w.begin_node("interrupt-controller").unwrap();
        w.property_string("compatible", "riscv,cpu-intc").unwrap();
        w.property_u32("phandle", 100 + hart).unwrap();
        w.end_node(intc).unwrap();
        w.end_node(cpu).unwrap();
    }
    w.end_node(cpus).unwrap();

    let soc = w.begin_node("soc").unwrap();
    w.property_u32("#address-cells", 2).unwrap();
    w.property_u32("#size-cells", 2).unwrap();
    w.property_string("compatible", "simple-bus").unwrap();
    let serial = w.begin_node("serial@10000000").unwrap();
    w.property_string("compatible", "ns16550a").unwrap();
    w.property_array_u64("reg", &[0x1000_0000, 0x100]).unwrap();
    w.property_u32("interrupts", 10).unwrap();
    w.end_node(serial).unwrap();
    for slot in [2u64, 1] {
        let virtio = w.begin_node(&format!("virtio_mmio@{:x}", 0x1000_0000 + slot * 0x1000)).unwrap();
        w.property_string("compatible", "virtio,mmio").unwrap();
        w.property_array_u64("reg", &[0x1000_0000 + slot * 0x1000, 0x1000]).unwrap();
        w.property_u32("interrupts", slot as u32).unwrap();
        w.end_node(virtio).unwrap();
    }
    let plic = w.begin_node("plic@c000000").unwrap();
    w.property_string_list("compatible", vec!["sifive,plic-1.0.0".into(), "riscv,plic0".into()]).unwrap();
    w.property_array_u64("reg", &[0xc00_0000, 0x60_0000]).unwrap();
    w.property_u32("riscv,ndev", 0x60).unwrap();
    let mut pairs = Vec::new();
    for hart in 0..shape.harts {
        pairs.extend([100 + hart, 11, 100 + hart, 9]);
    }
    w.property_array_u32("interrupts-extended", &pairs).unwrap();
    w.end_node(plic).unwrap();
    let test = w.begin_node("test@100000").unwrap();
    w.property_string_list("compatible", vec!["sifive,test1".into(), "sifive,test0".into()]).unwrap();
    w.property_array_u64("reg", &[0x10_0000, 0x1000]).unwrap();
    w.end_node(test).unwrap();
    w.end_node(soc).unwrap();

    w.end_node(root).unwrap();
    w.finish().unwrap()
}

#[test]
fn reads_a_virt_like_machine() {
    let info = parse(&build(&Shape::default())).unwrap();
    assert_eq!(info.memory, vec![Region::new(0x8000_0000, 512 << 20)]);
    assert_eq!(info.reserved, vec![Region::new(0x8000_0000, 0x4_0000)]);
    assert_eq!(info.harts.len(), 4);
    assert_eq!(info.harts[3], Hart { id: 3, intc_phandle: Some(103), has_sstc: true });
    assert_eq!(info.timebase_hz, 10_000_000);
    assert_eq!(info.bootargs, "console=ttyS0 loglevel=debug");
    let uart = info.uart.unwrap();
    assert_eq!(uart.device.region, Region::new(0x1000_0000, 0x100));
    assert_eq!(uart.device.irq, Some(10));
    let plic = info.plic.unwrap();
    assert_eq!(plic.source_count, 0x60);
    assert_eq!(plic.supervisor_contexts, vec![(0, 1), (1, 3), (2, 5), (3, 7)]);
    assert_eq!(info.test_device, Some(Region::new(0x10_0000, 0x1000)));
    let slots: Vec<_> = info.virtio_mmio.iter().map(|d| (d.region.start, d.irq)).collect();
    assert_eq!(slots, vec![(0x1000_1000, Some(1)), (0x1000_2000, Some(2))]);
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
}

#[test]
fn reads_two_gib_one_hart() {
    let shape = Shape { harts: 1, ram: (0x8000_0000, 2 << 30), ..Shape::default() };
    let info = parse(&build(&shape)).unwrap();
    assert_eq!(info.memory, vec![Region::new(0x8000_0000, 2 << 30)]);
    assert_eq!(info.harts.len(), 1);
}

#[test]
fn initrd_inside_ram_is_kept() {
    let shape = Shape { initrd: Some((0x8400_0000, 0x8410_0000)), ..Shape::default() };
    let info = parse(&build(&shape)).unwrap();
    assert_eq!(info.initrd, Some(Region::new(0x8400_0000, 0x10_0000)));
}

#[test]
fn initrd_outside_ram_is_dropped_with_a_warning() {
    let shape = Shape { initrd: Some((0x1_0000_0000, 0x1_0010_0000)), ..Shape::default() };
    let info = parse(&build(&shape)).unwrap();
    assert_eq!(info.initrd, None);
    assert!(info.warnings.iter().any(|w| w.contains("outside RAM")));
}

#[test]
fn reversed_initrd_is_ignored() {
    let shape = Shape { initrd: Some((0x8410_0000, 0x8400_0000)), ..Shape::default() };
    let info = parse(&build(&shape)).unwrap();
    assert_eq!(info.initrd, None);
}

#[test]
fn missing_bootargs_is_empty() {
    let info = parse(&build(&Shape { bootargs: None, ..Shape::default() })).unwrap();
    assert_eq!(info.bootargs, "");
}

#[test]
fn malformed_memory_reg_is_an_error() {
    let shape = Shape { memory_reg: Some(vec![0, 0x8000_0000, 0]), ..Shape::default() };
    assert_eq!(parse(&build(&shape)).unwrap_err(), ParseError::NoMemory);
}

#[test]
fn missing_timebase_defaults_with_a_warning() {
    let info = parse(&build(&Shape { timebase: None, ..Shape::default() })).unwrap();
    assert_eq!(info.timebase_hz, DEFAULT_TIMEBASE_HZ);
    assert!(info.warnings.iter().any(|w| w.contains("timebase")));
}

#[test]
fn garbage_is_not_a_device_tree() {
    assert_eq!(parse(&[0u8; 64]).unwrap_err(), ParseError::NotADeviceTree);
    assert_eq!(parse(&[]).unwrap_err(), ParseError::NotADeviceTree);
    let mut blob = build(&Shape::default());
    blob.truncate(20);
    assert_eq!(parse(&blob).unwrap_err(), ParseError::NotADeviceTree);
}

#[test]
fn isa_string_extensions() {
    assert!(isa_has_sstc("rv64imafdch_zicsr_sstc"));
    assert!(!isa_has_sstc("rv64imafdc_zicsr"));
    assert!(!isa_has_sstc("rv64sstc"));
}
