#!/usr/bin/env python3
"""Records what Linux's own N_TTY line discipline does, for the tty crate's tests.

A pty's slave side runs the same N_TTY code as a serial port, so on any Linux
host this types bytes into the master, collects the echo from the master and
reads the slave (non-blocking) until EAGAIN. Run it and compare with the
expected values in src/tests/; they were recorded on Linux 6.18.

    python3 libs/tty/oracle.py
"""
import fcntl
import os
import pty
import select
import termios as T
import time

IUTF8 = 0o40000  # not in Python's termios module
IUCLC = 0o1000


def drain(fd, wait=0.15):
    out = b""
    while select.select([fd], [], [], wait)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        wait = 0.05
    return out


class Pty:
    def __init__(self, iflag=(0, 0), oflag=(0, 0), lflag=(0, 0), cc=None):
        self.master, self.slave = pty.openpty()
        attrs = T.tcgetattr(self.slave)
        for index, (on, off) in ((0, iflag), (1, oflag), (3, lflag)):
            attrs[index] = (attrs[index] | on) & ~off
        for slot, value in (cc or {}).items():
            attrs[6][slot] = value if slot in (T.VMIN, T.VTIME) else bytes([value])
        T.tcsetattr(self.slave, T.TCSANOW, attrs)
        flags = fcntl.fcntl(self.slave, fcntl.F_GETFL)
        fcntl.fcntl(self.slave, fcntl.F_SETFL, flags | os.O_NONBLOCK)

    def type(self, data):
        os.write(self.master, data)
        time.sleep(0.05)
        return drain(self.master)

    def write(self, data):
        os.write(self.slave, data)
        time.sleep(0.05)
        return drain(self.master)

    def reads(self, size=4096):
        out = []
        while len(out) < 8:
            try:
                out.append(os.read(self.slave, size))
            except BlockingIOError:
                out.append("EAGAIN")
                break
        return out


# name, Pty settings, bytes typed (each item one burst; b"$W:..." is program output)
SCENARIOS = [
    ("erase", {}, [b"ab\x7fc\n"]),
    ("intr", {}, [b"abc\x03", b"d\n"]),
    ("quit and susp", {}, [b"a\x1c", b"b\x1a"]),
    ("noflsh", {"lflag": (T.NOFLSH, 0)}, [b"abc\x03d\n"]),
    ("eof on empty line", {}, [b"\x04"]),
    ("eof mid-line", {}, [b"abc\x04"]),
    ("word erase", {}, [b"foo bar  \x17x\n"]),
    ("kill", {}, [b"hello\x15world\n"]),
    ("kill without echoke", {"lflag": (0, T.ECHOKE)}, [b"hello\x15", b"x\n"]),
    ("erase control char", {}, [b"a\x01\x7f\n"]),
    ("erase without echoe", {"lflag": (0, T.ECHOE)}, [b"ab\x7f\n"]),
    ("erase tab", {}, [b"ab\t\x7f\n"]),
    ("erase tab after prompt", {}, [b"$W:$ ", b"ab\t\x7f"]),
    ("iutf8 erase", {"iflag": (IUTF8, 0)}, ["é€".encode() + b"\x7f\x7f", b"x\n"]),
    ("no iutf8 erase", {}, ["é".encode() + b"\x7f", b"x\n"]),
    ("iutf8 word erase", {"iflag": (IUTF8, 0)}, ["héllo wörld".encode() + b"\x17\n"]),
    ("lnext ^C", {}, [b"\x16\x03\n"]),
    ("lnext newline", {}, [b"\x16\n\n"]),
    ("reprint", {}, [b"abc\x12", b"\x01\x12", b"\n"]),
    ("echonl", {"lflag": (T.ECHONL, T.ECHO)}, [b"ab\n"]),
    ("non-canonical newline", {"lflag": (0, T.ICANON)}, [b"\n", b"\r", b"\x7f"]),
    ("inlcr", {"iflag": (T.INLCR, 0)}, [b"a\n\r"]),
    ("istrip", {"iflag": (T.ISTRIP, 0)}, [b"\xe9\n"]),
    ("iuclc", {"iflag": (IUCLC, 0)}, [b"AbC\xc9\n"]),
    ("parmrk", {"iflag": (T.PARMRK, 0)}, [b"\xffa\n"]),
    ("echoprt", {"lflag": (T.ECHOPRT, 0)}, [b"abc\x7f\x7fd\n"]),
    ("eol", {"cc": {T.VEOL: ord(";")}}, [b"ab;cd\n"]),
    ("output", {}, [b"$W:a\nb\tc\rd\x08e"]),
    ("output xtabs", {"oflag": (T.TAB3, 0)}, [b"$W:ab\tc\t\td"]),
    ("output olcuc", {"oflag": (T.OLCUC, 0)}, [b"$W:abc\xe9\xff\xdf"]),
    ("output onocr", {"oflag": (T.ONOCR, 0)}, [b"$W:\rx\r\n\r"]),
]


def main():
    for name, settings, steps in SCENARIOS:
        tty = Pty(**settings)
        echoes = [tty.write(step[3:]) if step.startswith(b"$W:") else tty.type(step) for step in steps]
        print(f"{name}: echo {echoes!r} reads {tty.reads()!r}")


if __name__ == "__main__":
    main()
