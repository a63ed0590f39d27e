//! `cargo xtask net-check` and the `qemu::network_through_virtio_net`
//! test: boots a kernel with a virtio-net card on QEMU's user network and
//! runs tests/net/net_check.c in it. The guest sends UDP and TCP to the
//! host (10.0.2.2 is the host's 127.0.0.1 under slirp), then serves a TCP
//! connection the host makes through a hostfwd on 127.0.0.1, over which
//! the host measures bulk throughput both ways.

use crate::qemu::{Machine, Network, PortForward};
use crate::rootfs::RootfsOptions;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The port the guest program listens on.
const GUEST_PORT: u16 = 8080;
/// Generous for TCG on a loaded machine; a 1 MiB check takes ~3 s.
const TIMEOUT: Duration = Duration::from_secs(120);
/// Host socket waits: longer than the guest's own (20 s) so the guest
/// reports its failure first.
const HOST_WAIT: Duration = Duration::from_secs(30);
/// The line net_check prints once listen() returned.
const READY_LINE: &str = "net_check: listening";

/// Throughput through the hostfwd, in MB/s (10^6 bytes).
pub struct Throughput {
    pub guest_to_host: f64,
    pub host_to_guest: f64,
}

/// Cross-builds net_check (static) unless the binary is newer than its
/// source.
fn build_program() -> Result<PathBuf> {
    let source = crate::workspace_root().join("tests/net/net_check.c");
    let dir = crate::build_dir().join("net");
    std::fs::create_dir_all(&dir)?;
    let output = dir.join("net_check");
    let is_fresh = std::fs::metadata(&output)
        .and_then(|o| Ok(o.modified()? >= std::fs::metadata(&source)?.modified()?))
        .unwrap_or(false);
    if is_fresh {
        return Ok(output);
    }
    crate::setup::ensure_cross_compiler()?;
    let partial = output.with_extension("partial");
    let status = Command::new("riscv64-linux-gnu-gcc")
        .args(["-static", "-O2", "-Wall", "-o"])
        .arg(&partial)
        .arg(&source)
        .status()
        .context("running riscv64-linux-gnu-gcc")?;
    if !status.success() {
        bail!("building {} failed", source.display());
    }
    std::fs::rename(&partial, &output)?;
    Ok(output)
}

/// Answers two datagrams with "udp-pong N" (N: the bytes received),
/// padded with dots to N bytes (a 4000-byte answer reaches the guest as
/// fragments), and
/// one connection's "tcp-ping\n" with "tcp-pong\n", on 127.0.0.1 (ports
/// returned).
fn start_host_peers() -> Result<(u16, u16)> {
    let udp = UdpSocket::bind("127.0.0.1:0")?;
    udp.set_read_timeout(Some(TIMEOUT))?;
    let udp_port = udp.local_addr()?.port();
    std::thread::spawn(move || {
        let mut buffer = [0; 65536];
        for _ in 0..2 {
            if let Ok((length, from)) = udp.recv_from(&mut buffer) {
                let mut answer = format!("udp-pong {length}").into_bytes();
                if answer.len() < length {
                    answer.resize(length, b'.');
                }
                let _ = udp.send_to(&answer, from);
            }
        }
    });
    let tcp = TcpListener::bind("127.0.0.1:0")?;
    let tcp_port = tcp.local_addr()?.port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = tcp.accept() {
            let _ = stream.set_read_timeout(Some(HOST_WAIT));
            let mut request = [0; 9];
            if stream.read_exact(&mut request).is_ok() && &request == b"tcp-ping\n" {
                let _ = stream.write_all(b"tcp-pong\n");
            }
        }
    });
    Ok((udp_port, tcp_port))
}

/// The host side of the served connection: `bytes` from the guest
/// (checking the pattern), then `bytes` to it.
fn exchange(host_port: u16, bytes: usize) -> Result<Throughput> {
    let stream = TcpStream::connect(("127.0.0.1", host_port)).context("connecting to the hostfwd")?;
    stream.set_read_timeout(Some(HOST_WAIT))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(1 << 16, stream);

    let start = Instant::now();
    writer.write_all(format!("SEND {bytes}\n").as_bytes())?;
    let mut received = 0;
    let mut chunk = vec![0; 1 << 16];
    while received < bytes {
        let n = reader.read(&mut chunk[..(bytes - received).min(1 << 16)])?;
        if n == 0 {
            bail!("the guest closed after {received} of {bytes} bytes");
        }
        for (i, byte) in chunk[..n].iter().enumerate() {
            if *byte != b'a' + ((received + i) % 26) as u8 {
                bail!("byte {} is {byte:#x}, not the pattern's", received + i);
            }
        }
        received += n;
    }
    let guest_to_host = bytes as f64 / start.elapsed().as_secs_f64() / 1e6;

    let start = Instant::now();
    writer.write_all(format!("RECV {bytes}\n").as_bytes())?;
    let block = vec![b'x'; 1 << 16];
    let mut sent = 0;
    while sent < bytes {
        let n = (bytes - sent).min(block.len());
        writer.write_all(&block[..n])?;
        sent += n;
    }
    let mut answer = String::new();
    reader.read_line(&mut answer)?;
    if answer.trim() != format!("got {bytes}") {
        bail!("the guest answered {answer:?} to RECV {bytes}");
    }
    let host_to_guest = bytes as f64 / start.elapsed().as_secs_f64() / 1e6;
    writer.write_all(b"QUIT\n")?;
    Ok(Throughput { guest_to_host, host_to_guest })
}

/// Boots `kernel` (Linux's when `is_linux`, whose initramfs then carries
/// its modules) and runs the check with a `bytes`-byte transfer each way.
pub fn run(kernel: &Path, is_linux: bool, bytes: usize) -> Result<Throughput> {
    let program = build_program()?;
    let initrd = crate::rootfs::build(&RootfsOptions {
        extra_files: vec![(program, "/usr/local/bin/net_check".into())],
        include_linux_modules: is_linux,
        ..RootfsOptions::default()
    })?;
    let (udp_port, tcp_port) = start_host_peers()?;
    let host_port = crate::qemu::free_host_port()?;
    let mut machine = Machine::new(kernel);
    machine.initrd = Some(initrd);
    machine.harts = 2;
    machine.network = Some(Network {
        port_forwards: vec![PortForward { host_port, guest_port: GUEST_PORT }],
        is_restricted: false,
    });
    machine.append = format!("quiet -- net_check {udp_port} {tcp_port} {GUEST_PORT}");
    let mut result = None;
    let outcome = machine.run_until(TIMEOUT, |line| {
        if line.contains(READY_LINE) && result.is_none() {
            result = Some(exchange(host_port, bytes));
        }
        false
    })?;
    let fail = |why: String| anyhow::anyhow!("{why}\n--- console ---\n{}---", outcome.output);
    for line in [
        "net_check: udp to 10.0.2.2 ok",
        "net_check: 4000-byte udp to 10.0.2.2 ok",
        "net_check: tcp to 10.0.2.2 ok",
        "net_check: served",
    ] {
        if !outcome.output.contains(line) {
            return Err(fail(format!("console lacks {line:?}")));
        }
    }
    if !outcome.output.contains("goose-init: exit 0") {
        return Err(fail("net_check did not exit 0".into()));
    }
    match result {
        Some(Ok(throughput)) => Ok(throughput),
        Some(Err(error)) => Err(fail(format!("host side: {error:#}"))),
        None => Err(fail(format!("no {READY_LINE:?} line"))),
    }
}

/// `cargo xtask net-check`: runs the check on goose (or Linux) and prints
/// the throughput.
pub fn command(is_linux: bool, megabytes: usize) -> Result<()> {
    let kernel = if is_linux { crate::linux::fetch()?.image } else { crate::kernel_build::build()? };
    let throughput = run(&kernel, is_linux, megabytes * 1_000_000)?;
    println!(
        "{}: {megabytes} MB guest->host {:.2} MB/s, host->guest {:.2} MB/s",
        if is_linux { "linux" } else { "goose" },
        throughput.guest_to_host,
        throughput.host_to_guest
    );
    Ok(())
}
