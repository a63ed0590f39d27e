# Copies between kernel and user memory that survive a fault.
#
# hal_copy_user(dst, src, len) -> bytes not copied (0 on success).
# Every instruction that touches user memory is listed in the .ex_table
# section as (pc, fixup); a page fault at one of them that the kernel
# cannot resolve resumes at the fixup, which returns the count left (a2
# always holds it). sstatus.SUM is set for good at each hart's start.

    .section .text
    .globl hal_copy_user
hal_copy_user:
    or      t0, a0, a1
    andi    t0, t0, 7
    bnez    t0, .Lbytes
.Lwords:
    li      t1, 8
    bltu    a2, t1, .Lbytes
.Lword_load:
    ld      t2, 0(a1)
.Lword_store:
    sd      t2, 0(a0)
    addi    a0, a0, 8
    addi    a1, a1, 8
    addi    a2, a2, -8
    j       .Lwords
.Lbytes:
    beqz    a2, .Ldone
.Lbyte_load:
    lbu     t2, 0(a1)
.Lbyte_store:
    sb      t2, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, 1
    addi    a2, a2, -1
    j       .Lbytes
.Ldone:
    li      a0, 0
    ret
.Lfault:
    mv      a0, a2
    ret  # hal_fill_user(dst, byte, len) -> bytes not written.
    .globl hal_fill_user
hal_fill_user:
    beqz    a2, .Lfill_done
.Lfill_store:
    sb      a1, 0(a0)
    addi    a0, a0, 1
    addi    a2, a2, -1
    j       hal_fill_user
.Lfill_done:
    li      a0, 0
    ret

    .section .ex_table, "a"
    .balign 8
    .dword  .Lword_load, .Lfault
    .dword  .Lword_store, .Lfault
    .dword  .Lbyte_load, .Lfault
    .dword  .Lbyte_store, .Lfault
    .dword  .Lfill_store, .Lfault
