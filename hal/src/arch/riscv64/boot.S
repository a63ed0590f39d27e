# goose's first instructions. The firmware (OpenSBI) jumps here in S-mode
# with the MMU off, a0 = hart id and a1 = physical address of the device
# tree, exactly as it enters Linux. The image starts with the RISC-V Linux
# Image header (Documentation/arch/riscv/boot-image-header.rst), so any
# loader of Linux Images loads goose.

    .section .text.head, "ax"
    .option push
    .option norvc
    .globl _start
_start:
    j       .Lreal_start  # code0
    .word   0  # code1
    .dword  0x200000  # text_offset: load 2 MiB into RAM
    .dword  __image_size  # image_size, including bss
    .dword  0  # flags: little endian
    .word   0x2  # version 0.2
    .word   0  # res1
    .dword  0  # res2
    .ascii  "RISCV\0\0\0"  # magic (deprecated)
    .ascii  "RSC\x05"  # magic2
    .word   0  # res3: no PE/COFF header
    .option pop

.Lreal_start:
    csrw    sie, zero
    csrw    sip, zero
    # The hart lottery: only the first hart here boots. The firmware can
    # send a second hart to the image's entry (seen with OpenSBI 1.1 when a
    # hart_start races with that hart's own firmware start-up); it parks
    # itself in the firmware (SBI HSM hart_stop) so the boot hart can
    # start it again through _secondary_start.
    lla     t0, boot_lottery
    li      t1, 1
    .option push
    .option arch, +a
    amoswap.w t1, t1, (t0)
    .option pop
    bnez    t1, .Lpark
    mv      s0, a0  # hart id
    mv      s1, a1  # device tree
    lla     s2, boot_root_table
    lla     s3, boot_kernel_table  # Direct map: root[256 + i] maps physical gigabyte i, RW, global.
    li      t1, 0
    li      t2, 64
1:  slli    t4, t1, 28  # ppn (i << 18) placed at bit 10
    ori     t4, t4, 0xe7  # V R W G A D
    addi    t5, t1, 256
    slli    t5, t5, 3
    add     t5, t5, s2
    sd      t4, 0(t5)
    addi    t1, t1, 1
    blt     t1, t2, 1b

    # Identity map of the gigabyte we run in, so the instruction after
# the satp write still fetches.
    lla     t0, _start
    mv      s4, t0  # physical load address
    srli    t1, t0, 30
    slli    t4, t1, 28
    ori     t4, t4, 0xcf  # V R W X A D
    slli    t5, t1, 3
    add     t5, t5, s2
    sd      t4, 0(t5)

    # root[510] covers 0xffffffff80000000..; its table maps the kernel
# window: slot 1 + j is the 2 MiB page at load address + j * 2 MiB.
    srli    t4, s3, 12
    slli    t4, t4, 10
    ori     t4, t4, 1
    li      t5, 510 * 8
    add     t5, t5, s2
    sd      t4, 0(t5)
    li      t1, 0
    li      t2, 16
2:  slli    t4, t1, 21
    add     t4, t4, t0
    srli    t4, t4, 12
    slli    t4, t4, 10
    ori     t4, t4, 0xef  # V R W X G A D
    addi    t5, t1, 1
    slli    t5, t5, 3
    add     t5, t5, s3
    sd      t4, 0(t5)
    addi    t1, t1, 1
    blt     t1, t2, 2b

    call    .Lenable_paging
    ld      t0, .Lprimary_high
    jr      t0

# Turns on Sv39 with the boot table (s2 holds its physical address).
.Lenable_paging:
    srli    t4, s2, 12
    li      t5, 8
    slli    t5, t5, 60
    or      t4, t4, t5
    sfence.vma
    csrw    satp, t4
    sfence.vma
    ret

.Lpark:
    li      a7, 0x48534D            # SBI HSM extension
    li      a6, 1                   # hart_stop
    ecall
1:  wfi
    j       1b

    .balign 8
.Lprimary_high:
    .dword  .Lprimary_virtual
.Lsecondary_high:
    .dword  .Lsecondary_virtual

.Lprimary_virtual:
    la      sp, boot_stack_top
    la      t0, __bss_start
    la      t1, __bss_end
3:  bgeu    t0, t1, 4f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       3b
4:  mv      a0, s0
    mv      a1, s1
    mv      a2, s4
    mv      fp, zero
    call    hal_primary_entry
5:  wfi
    j       5b

# Other harts start here through SBI HSM hart_start: MMU off, a0 = hart
# id, a1 = the virtual address of the hart's PerHart block, whose first
# word is the top of the stack it is to use.
    .globl _secondary_start
_secondary_start:
    csrw    sie, zero
    csrw    sip, zero
    mv      s0, a0
    mv      s1, a1
    lla     s2, boot_root_table
    call    .Lenable_paging
    ld      t0, .Lsecondary_high
    jr      t0
.Lsecondary_virtual:
    ld      sp, 0(s1)
    mv      a0, s0
    mv      a1, s1
    mv      fp, zero
    call    hal_secondary_entry
6:  wfi
    j       6b

    .section .data.boot_page_tables, "aw"
    .balign 8
boot_lottery:
    .word   0

    .balign 4096
    .globl boot_root_table
boot_root_table:
    .zero   4096
boot_kernel_table:
    .zero   4096

    # 256 KiB: bringing up the network card (virtio-drivers' VirtIONet::new
    # and the stack around it) takes about 64 KiB of frames at boot, and
    # an overflow here runs silently into the kernel's .data.
    .section .bss.boot_stack, "aw", @nobits
    .balign 16
boot_stack:
    .zero   262144
    .globl boot_stack_top
boot_stack_top:
