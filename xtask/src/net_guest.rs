//! The guest of the network acceptance tests and `cargo xtask bench net`:
//! Debian's redis-server and nginx, and a Go net/http server
//! (tests/net/http_server.go), started by tests/net/start.sh on either
//! kernel behind QEMU user-network port forwards on the host's 127.0.0.1.
//!
//! One boot serves every check: the script prints a readiness line per
//! server, then `@@@ net started`, and the host drives the servers through
//! the forwards until it kills QEMU.

use crate::corpus::{CorpusTest, Kind};
use crate::file_tree::{FileTree, Node, FIXED_MTIME};
use crate::qemu::{Machine, Running};
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Debian packages the servers come from (with their dependencies);
/// redis-tools, which redis-server depends on, brings redis-cli.
pub const NET_PACKAGES: &[&str] = &["redis-server", "nginx"];
/// The path of the 4 KiB file nginx serves.
pub const FILE_4K_URL_PATH: &str = "/file-4k";
/// Both kernels get this; goose configures eth0 from it, Debian's Linux
/// ignores it (no CONFIG_IP_PNP) and start.sh runs ifconfig instead.
const IP_ARGUMENT: &str = "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off";
/// From QEMU's start to `@@@ net started`: Linux unpacks a ~50 MiB
/// initramfs under TCG, and each server gets 30 s to answer.
const START_TIMEOUT: Duration = Duration::from_secs(180);
const READY: &str = "@@@ net ready ";
const FAILED: &str = "@@@ net failed ";
const STARTED: &str = "@@@ net started";

/// The 4 KiB file's bytes: every byte value, so that any change in
/// transit (a text-mode conversion, a lost or doubled segment) shows.
pub fn file_4k() -> Vec<u8> {
    (0..4096u32).map(|i| (i * 7 + i / 256) as u8).collect()
}

/// The images a net boot needs, prepared once per xtask run.
pub struct NetImage {
    initrd: PathBuf,
}

impl NetImage {
    /// The busybox root file system with [`NET_PACKAGES`] and Linux's
    /// modules (both kernels boot the same image), and an overlay with
    /// start.sh, nginx's configuration and docroot, and the Go server.
    pub fn prepare() -> Result<NetImage> {
        let base = crate::rootfs::build(&crate::rootfs::RootfsOptions {
            extra_packages: NET_PACKAGES.iter().map(|p| p.to_string()).collect(),
            include_linux_modules: true,
            ..Default::default()
        })?;
        let dir = crate::build_dir().join("net");
        std::fs::create_dir_all(&dir)?;
        let mut data = std::fs::read(&base)?;
        // Both kernels read archives concatenated on 4-byte boundaries.
        data.resize(data.len().next_multiple_of(4), 0);
        data.extend_from_slice(&overlay(&dir)?);
        let initrd = dir.join("initrd.cpio");
        std::fs::write(&initrd, data)?;
        Ok(NetImage { initrd })
    }

    /// Boots the kernel in `kernel_image` and waits until start.sh has started every server
    /// (or given up on some: see [`NetGuest::ready`]).
    pub fn boot(&self, kernel_image: &Path) -> Result<NetGuest> {
        let free = crate::qemu::free_host_ports(3)?;
        let ports = Ports { redis: free[0], nginx: free[1], go_http: free[2] };
        let mut machine = Machine::new(kernel_image);
        machine.initrd = Some(self.initrd.clone());
        machine.harts = 2;
        machine.memory = "512M".into();
        let forward = |host_port, guest_port| crate::qemu::PortForward { host_port, guest_port };
        machine.network = Some(crate::qemu::Network {
            port_forwards: vec![
                forward(ports.redis, 6379),
                forward(ports.nginx, 80),
                forward(ports.go_http, 8080),
            ],
            is_restricted: true,
        });
        // Kernel messages would interleave with the script's lines.
        machine.append = format!("quiet loglevel=1 {IP_ARGUMENT} -- /goose-net/start");
        let mut running = machine.start()?;
        let mut ready = BTreeMap::new();
        let started = running.wait_for_line(START_TIMEOUT, |line| {
            if let Some(name) = line.strip_prefix(READY) {
                ready.insert(name.to_string(), Ok(()));
            } else if let Some(rest) = line.strip_prefix(FAILED) {
                let (name, why) = rest.split_once(": ").unwrap_or((rest, "failed"));
                ready.insert(name.to_string(), Err(why.to_string()));
            }
            line == STARTED
        });
        if started.is_none() {
            let elapsed = running.elapsed().as_secs();
            bail!(
                "the guest did not report `{STARTED}` ({elapsed} s after QEMU's start); console ends with:\n{}",
                running.tail(40)
            );
        }
        Ok(NetGuest { running, ports, ready })
    }
}

/// The host ports (on 127.0.0.1) forwarded to each server.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    pub redis: u16,
    pub nginx: u16,
    pub go_http: u16,
}

/// A booted guest with its servers started.
pub struct NetGuest {
    pub running: Running,
    pub ports: Ports,
    /// Per server name: whether start.sh saw it answer, or why not.
    ready: BTreeMap<String, Result<(), String>>,
}

impl NetGuest {
    /// Whether `server` answered in the guest; the reason if not.
    pub fn ready(&self, server: &str) -> Result<(), String> {
        match self.ready.get(server) {
            Some(verdict) => verdict.clone(),
            None => Err(format!("start.sh reported nothing about {server}")),
        }
    }
}

/// The overlay archive under /goose-net.
fn overlay(build: &std::path::Path) -> Result<Vec<u8>> {
    let sources = crate::workspace_root().join("tests/net");
    let mut tree = FileTree::default();
    let mut file = |path: &str, permissions: u32, data: Vec<u8>| {
        tree.insert(path, Node::File { permissions, data }, FIXED_MTIME);
    };
    file("goose-net/start", 0o755, std::fs::read(sources.join("start.sh"))?);
    file("goose-net/nginx.conf", 0o644, std::fs::read(sources.join("nginx.conf"))?);
    file(&format!("goose-net/www{FILE_4K_URL_PATH}"), 0o644, file_4k());
    let server =
        CorpusTest { name: "http_server".into(), source: sources.join("http_server.go"), kind: Kind::Go };
    let binary = crate::program_build::build(&server, build)?;
    file("goose-net/http_server", 0o755, std::fs::read(binary)?);
    tree.to_cpio()
}
