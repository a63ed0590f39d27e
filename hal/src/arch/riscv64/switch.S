# Kernel thread switch and first entry.
#
# hal_switch(from: *mut SwitchContext, to: *const SwitchContext) saves the
# callee-saved registers of the running thread into `from` and resumes the
# thread saved in `to`. tp is not switched: it always points at the PerHart
# block of the hart running the code, whichever thread that is.

    .section .text
    .globl hal_switch
hal_switch:
    sd      ra, 0(a0)
    sd      sp, 8(a0)
    sd      s0, 16(a0)
    sd      s1, 24(a0)
    sd      s2, 32(a0)
    sd      s3, 40(a0)
    sd      s4, 48(a0)
    sd      s5, 56(a0)
    sd      s6, 64(a0)
    sd      s7, 72(a0)
    sd      s8, 80(a0)
    sd      s9, 88(a0)
    sd      s10, 96(a0)
    sd      s11, 104(a0)
    ld      ra, 0(a1)
    ld      sp, 8(a1)
    ld      s0, 16(a1)
    ld      s1, 24(a1)
    ld      s2, 32(a1)
    ld      s3, 40(a1)
    ld      s4, 48(a1)
    ld      s5, 56(a1)
    ld      s6, 64(a1)
    ld      s7, 72(a1)
    ld      s8, 80(a1)
    ld      s9, 88(a1)
    ld      s10, 96(a1)
    ld      s11, 104(a1)
    ret

# A new thread's first switch lands here with s1 = entry function and
# s2 = its argument (task.rs). fp is zero so backtraces stop here.
    .globl hal_thread_trampoline
hal_thread_trampoline:
    mv      fp, zero
    mv      a0, s1
    mv      a1, s2
    call    hal_thread_start
1:  wfi
    j       1b
