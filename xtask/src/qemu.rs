//! Running QEMU's `virt` machine: interactively, or with the console
//! captured, a timeout, and the exit status read back.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// One QEMU invocation. Both kernels (goose and Linux) boot with the same
/// flags; only `kernel` differs.
#[derive(Clone)]
pub struct Machine {
    pub kernel: PathBuf,
    pub memory: String,
    pub harts: usize,
    pub append: String,
    pub initrd: Option<PathBuf>,
    /// The network card; `None` boots without one.
    pub network: Option<Network>,
    pub extra: Vec<String>,
}

/// QEMU's user-mode network (slirp: the guest is 10.0.2.15, the host
/// 10.0.2.2) on a virtio-net card.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub port_forwards: Vec<PortForward>,
    /// restrict=on: the guest reaches nothing beyond the forwards.
    pub is_restricted: bool,
}

/// A host TCP port on 127.0.0.1 forwarded to a guest port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortForward {
    pub host_port: u16,
    pub guest_port: u16,
}

impl std::str::FromStr for PortForward {
    type Err = String;

    /// `HOST:GUEST`, or one port for both.
    fn from_str(text: &str) -> Result<Self, String> {
        let port = |s: &str| s.parse::<u16>().map_err(|_| format!("{s:?} is not a port"));
        Ok(match text.split_once(':') {
            Some((host, guest)) => PortForward { host_port: port(host)?, guest_port: port(guest)? },
            None => PortForward { host_port: port(text)?, guest_port: port(text)? },
        })
    }
}

impl Network {
    /// QEMU's arguments: the netdev binds its forwards to 127.0.0.1 only.
    fn qemu_args(&self) -> [String; 4] {
        let mut netdev = String::from("user,id=net0");
        if self.is_restricted {
            netdev.push_str(",restrict=on");
        }
        for forward in &self.port_forwards {
            netdev.push_str(&format!(",hostfwd=tcp:127.0.0.1:{}-:{}", forward.host_port, forward.guest_port));
        }
        ["-netdev".into(), netdev, "-device".into(), "virtio-net-device,netdev=net0".into()]
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it),
/// for a forward.
pub fn free_host_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// What a captured run produced.
pub struct Outcome {
    /// Console output with `\r` removed.
    pub output: String,
    /// QEMU's exit status; `None` if it was killed at the timeout.
    pub status: Option<i32>,
    pub elapsed: Duration,
    /// When each console line arrived, from QEMU's start.
    pub line_times: Vec<(Duration, String)>,
}

impl Machine {
    pub fn new(kernel: &Path) -> Self {
        Machine {
            kernel: kernel.to_path_buf(),
            memory: "512M".into(),
            harts: 4,
            append: String::new(),
            initrd: None,
            network: Some(Network::default()),
            extra: Vec::new(),
        }
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new("qemu-system-riscv64");
        command.args(["-M", "virt", "-bios", "default", "-nographic", "-no-reboot"]);
        command.args(["-m", &self.memory, "-smp", &self.harts.to_string()]);
        command.arg("-kernel").arg(&self.kernel);
        if let Some(initrd) = &self.initrd {
            command.arg("-initrd").arg(initrd);
        }
        let append = format!("console=ttyS0 {}", self.append);
        command.args(["-append", append.trim()]);
        if let Some(network) = &self.network {
            command.args(network.qemu_args());
        }
        command.args(&self.extra);
        command
    }

    /// Starts QEMU with the console on a pipe (stdout) and the given stdin
    /// and stderr.
    pub fn spawn(&self, stdin: Stdio, stderr: Stdio) -> Result<std::process::Child> {
        self.command()
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .context("starting qemu-system-riscv64")
    }

    /// Starts QEMU in the background with its console collected as it
    /// comes, for tests that drive the guest from the host meanwhile.
    pub fn start(&self) -> Result<Running> {
        let start = Instant::now();
        let mut child = self.spawn(Stdio::null(), Stdio::piped())?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                if sender.send(String::from_utf8_lossy(&line).replace('\r', "")).is_err() {
                    break;
                }
                line.clear();
            }
        });
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Ok(Running { child, start, lines, console: String::new(), has_exited: false, errors: Some(errors) })
    }

    /// Runs with the terminal attached; returns QEMU's exit status.
    pub fn run_interactive(&self) -> Result<i32> {
        let status = self.command().status().context("starting qemu-system-riscv64")?;
        Ok(status.code().unwrap_or(1))
    }

    /// Runs with the console captured, killing QEMU after `timeout`.
    pub fn run_captured(&self, timeout: Duration) -> Result<Outcome> {
        self.run_until(timeout, |_| false)
    }

    /// Runs until QEMU exits, `timeout` passes, or `stop` returns true for
    /// a console line (QEMU is then killed and the status is `None`).
    pub fn run_until(&self, timeout: Duration, mut stop: impl FnMut(&str) -> bool) -> Result<Outcome> {
        let start = Instant::now();
        let mut child = self.spawn(Stdio::null(), Stdio::piped())?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (sender, receiver) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout);
            let mut line = Vec::new();
            while lines.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                let text = String::from_utf8_lossy(&line).replace('\r', "");
                if sender.send((start.elapsed(), text)).is_err() {
                    break;
                }
                line.clear();
            }
        });
        let error_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut line_times = Vec::new();
        let mut output = String::new();
        let mut status = None;
        let mut stopped = false;
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            match receiver.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok((at, line)) => {
                    output.push_str(&line);
                    let trimmed = line.trim_end().to_string();
                    if stop(&trimmed) {
                        stopped = true;
                    }
                    line_times.push((at, trimmed));
                    if stopped {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    status = wait(&mut child, timeout.saturating_sub(start.elapsed()))?;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if start.elapsed() >= timeout {
                        break;
                    }
                }
            }
        }
        let elapsed = start.elapsed();
        if status.is_none() {
            kill(&mut child);
        }
        let _ = reader.join();
        let errors = error_reader.join().unwrap_or_default();
        if !errors.trim().is_empty() {
            output.push_str(&format!("[qemu stderr] {errors}"));
        }
        Ok(Outcome { output, status, elapsed, line_times })
    }
}

/// `count` distinct TCP ports on 127.0.0.1 that nothing listens on now
/// (the kernel's picks for port 0, all held until the last is picked).
/// Another program may take one before QEMU does; unlikely on a test
/// machine, and QEMU then fails to start, loudly.
pub fn free_host_ports(count: usize) -> Result<Vec<u16>> {
    let listeners = (0..count)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0"))
        .collect::<Result<Vec<_>>>()?;
    listeners.iter().map(|l| Ok(l.local_addr()?.port())).collect()
}

/// A QEMU started by [`Machine::start`]; dropping it ends QEMU.
pub struct Running {
    child: Child,
    start: Instant,
    lines: mpsc::Receiver<String>,
    console: String,
    has_exited: bool,
    errors: Option<std::thread::JoinHandle<String>>,
}

impl Running {
    /// Reads the console until a line for which `found` holds (returned,
    /// `\n` trimmed), QEMU's exit or `timeout` (then `None`).
    pub fn wait_for_line(
        &mut self,
        timeout: Duration,
        mut found: impl FnMut(&str) -> bool,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while !self.has_exited {
            match self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    self.console.push_str(&line);
                    if found(line.trim_end()) {
                        return Some(line.trim_end().to_string());
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => self.has_exited = true,
                Err(mpsc::RecvTimeoutError::Timeout) => return None,
            }
        }
        None
    }

    /// Everything the console printed so far.
    pub fn console(&mut self) -> &str {
        while let Ok(line) = self.lines.try_recv() {
            self.console.push_str(&line);
        }
        &self.console
    }

    /// The console's last `count` lines, for failure reports.
    pub fn tail(&mut self, count: usize) -> String {
        let lines: Vec<&str> = self.console().lines().collect();
        lines[lines.len().saturating_sub(count)..].join("\n")
    }

    /// How long QEMU has been running.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Ends QEMU (by its PID) and returns the whole console, with what
    /// QEMU itself printed on stderr.
    pub fn stop(mut self) -> String {
        kill(&mut self.child);
        let mut console = self.console().to_string();
        if let Some(errors) = self.errors.take().and_then(|e| e.join().ok()) {
            if !errors.trim().is_empty() {
                console.push_str(&format!("[qemu stderr] {errors}"));
            }
        }
        console
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

fn wait(child: &mut Child, timeout: Duration) -> Result<Option<i32>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status.code().unwrap_or(-1)));
        }
        if start.elapsed() >= timeout {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Ends the QEMU this tool started, by its PID.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
