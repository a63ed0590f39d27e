//! The SOL_SOCKET options Linux keeps in `struct sock` for every family
//! (net/core/sock.c's sk_setsockopt and sk_getsockopt). Each family's
//! socket embeds a [`SocketOptions`] and hands it out through
//! `SocketOps::options`, so setsockopt/getsockopt at SOL_SOCKET answer
//! alike for AF_UNIX and AF_INET; the family reads what it honours
//! (timeouts, buffer sizes, SO_REUSEADDR, keep-alive) and is told of a
//! change through `SocketOps::socket_option_changed`.

use super::socket::SocketOps;
use crate::error::Result;
use crate::mm::user::read_val;
use crate::return_errno;
use crate::syscall::UserAddr;
use alloc::vec::Vec;
use hal::sync::SpinLock;

pub const SO_DEBUG: i32 = 1;
pub const SO_REUSEADDR: i32 = 2;
pub const SO_DONTROUTE: i32 = 5;
pub const SO_BROADCAST: i32 = 6;
pub const SO_SNDBUF: i32 = 7;
pub const SO_RCVBUF: i32 = 8;
pub const SO_KEEPALIVE: i32 = 9;
pub const SO_OOBINLINE: i32 = 10;
pub const SO_NO_CHECK: i32 = 11;
pub const SO_PRIORITY: i32 = 12;
pub const SO_LINGER: i32 = 13;
pub const SO_REUSEPORT: i32 = 15;
pub const SO_PASSCRED: i32 = 16;
pub const SO_RCVLOWAT: i32 = 18;
pub const SO_SNDLOWAT: i32 = 19;
/// SO_RCVTIMEO_OLD and SO_SNDTIMEO_OLD: on 64-bit targets the same
/// struct timeval as the _NEW ones (asm-generic/socket.h).
pub const SO_RCVTIMEO: i32 = 20;
pub const SO_SNDTIMEO: i32 = 21;
pub const SO_BINDTODEVICE: i32 = 25;
pub const SO_TIMESTAMP: i32 = 29;
pub const SO_SNDBUFFORCE: i32 = 32;
pub const SO_RCVBUFFORCE: i32 = 33;
pub const SO_MARK: i32 = 36;
pub const SO_RCVTIMEO_NEW: i32 = 66;
pub const SO_SNDTIMEO_NEW: i32 = 67;

/// net.core.wmem_max and rmem_max: the most SO_SNDBUF/SO_RCVBUF may ask.
pub const BUFFER_MAX: usize = 212992;
/// SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF on 64-bit Linux.
pub const SEND_BUFFER_MIN: usize = 4608;
pub const RECEIVE_BUFFER_MIN: usize = 2304;
/// IFNAMSIZ.
const INTERFACE_NAME_MAX: usize = 16;
const NS_PER_SECOND: u64 = 1_000_000_000;

/// The buffer size SO_SNDBUF/SO_RCVBUF set for a request: Linux clamps
/// the value, taken as unsigned (so a negative one asks for the most), to
/// the maximum and doubles it for bookkeeping (sock.c).
pub fn requested_buffer(requested: i32, minimum: usize) -> usize {
    ((requested as u32 as usize).min(BUFFER_MAX) * 2).max(minimum)
}

/// The values, as one family-independent record.
#[derive(Clone, Debug)]
pub struct Values {
    pub reuse_address: bool,
    pub reuse_port: bool,
    pub keep_alive: bool,
    pub broadcast: bool,
    pub out_of_band_inline: bool,
    pub pass_credentials: bool,
    pub dont_route: bool,
    pub debug: bool,
    pub timestamp: bool,
    /// SO_LINGER: (l_onoff, l_linger in seconds).
    pub linger: (bool, i32),
    /// SO_SNDBUF and SO_RCVBUF as getsockopt reports them (doubled).
    pub send_buffer: usize,
    pub receive_buffer: usize,
    /// SO_RCVTIMEO and SO_SNDTIMEO; None waits forever.
    pub receive_timeout_ns: Option<u64>,
    pub send_timeout_ns: Option<u64>,
    pub receive_low_water: i32,
    pub priority: i32,
    pub mark: i32,
    /// SO_BINDTODEVICE's interface name, empty when unbound.
    pub device: Vec<u8>,
}

/// A socket's SOL_SOCKET options.
pub struct SocketOptions {
    values: SpinLock<Values>,
}

impl SocketOptions {
    /// Defaults of a new socket with these buffer sizes (the family's:
    /// tcp_wmem/tcp_rmem for TCP, wmem_default/rmem_default otherwise).
    pub fn new(send_buffer: usize, receive_buffer: usize) -> SocketOptions {
        SocketOptions {
            values: SpinLock::new(Values {
                reuse_address: false,
                reuse_port: false,
                keep_alive: false,
                broadcast: false,
                out_of_band_inline: false,
                pass_credentials: false,
                dont_route: false,
                debug: false,
                timestamp: false,
                linger: (false, 0),
                send_buffer,
                receive_buffer,
                receive_timeout_ns: None,
                send_timeout_ns: None,
                receive_low_water: 1,
                priority: 0,
                mark: 0,
                device: Vec::new(),
            }),
        }
    }

    /// A copy for an accepted connection (sk_clone_lock copies the sock).
    pub fn inherited(&self) -> SocketOptions {
        SocketOptions { values: SpinLock::new(self.get()) }
    }

    pub fn get(&self) -> Values {
        self.values.lock().clone()
    }

    pub fn update(&self, change: impl FnOnce(&mut Values)) {
        change(&mut self.values.lock());
    }

    pub fn receive_timeout_ns(&self) -> Option<u64> {
        self.values.lock().receive_timeout_ns
    }

    pub fn send_timeout_ns(&self) -> Option<u64> {
        self.values.lock().send_timeout_ns
    }
}

/// A struct timeval as SO_RCVTIMEO/SO_SNDTIMEO take it (sock_set_timeout):
/// EINVAL when short, EDOM for microseconds out of range; zero means
/// forever and a negative time means do not wait.
fn read_timeout(address: UserAddr, length: u32) -> Result<Option<u64>> {
    if (length as usize) < 16 {
        return_errno!(EINVAL);
    }
    let [seconds, microseconds]: [i64; 2] = read_val(address)?;
    if !(0..1_000_000).contains(&microseconds) {
        return_errno!(EDOM);
    }
    if seconds < 0 {
        return Ok(Some(0));
    }
    if seconds == 0 && microseconds == 0 {
        return Ok(None);
    }
    Ok(Some((seconds as u64).saturating_mul(NS_PER_SECOND).saturating_add(microseconds as u64 * 1000)))
}

/// setsockopt(2) at SOL_SOCKET, in sk_setsockopt's order: the device
/// name first, then EINVAL for a value shorter than an int, EFAULT, and
/// ENOPROTOOPT for an unknown name.
pub fn set(socket: &dyn SocketOps, name: i32, address: UserAddr, length: u32) -> Result<()> {
    let options = socket.options();
    if name == SO_BINDTODEVICE {
        if (length as i32) < 0 {
            return_errno!(EINVAL);
        }
        let mut device = alloc::vec![0u8; (length as usize).min(INTERFACE_NAME_MAX - 1)];
        crate::mm::user::read_bytes(address, &mut device)?;
        if let Some(end) = device.iter().position(|&byte| byte == 0) {
            device.truncate(end);
        }
        // The one interface every goose has; others do not exist.
        if !device.is_empty() && device != b"lo" {
            return_errno!(ENODEV);
        }
        options.update(|values| values.device = device);
        return Ok(());
    }
    if (length as i32) < 4 {
        return_errno!(EINVAL);
    }
    let value: i32 = read_val(address)?;
    let is_set = value != 0;
    match name {
        SO_DEBUG => options.update(|v| v.debug = is_set),
        SO_REUSEADDR => options.update(|v| v.reuse_address = is_set),
        SO_REUSEPORT => {
            // Linux 6.x: only internet sockets can share a port.
            if is_set && !matches!(socket.domain(), super::socket::AF_INET | super::socket::AF_INET6) {
                return_errno!(EOPNOTSUPP);
            }
            options.update(|v| v.reuse_port = is_set)
        }
        SO_KEEPALIVE => options.update(|v| v.keep_alive = is_set),
        SO_BROADCAST => options.update(|v| v.broadcast = is_set),
        SO_OOBINLINE => options.update(|v| v.out_of_band_inline = is_set),
        SO_PASSCRED => options.update(|v| v.pass_credentials = is_set),
        SO_DONTROUTE => options.update(|v| v.dont_route = is_set),
        SO_TIMESTAMP => options.update(|v| v.timestamp = is_set),
        SO_NO_CHECK => {}
        SO_SNDBUF | SO_SNDBUFFORCE => {
            options.update(|v| v.send_buffer = requested_buffer(value, SEND_BUFFER_MIN))
        }
        SO_RCVBUF | SO_RCVBUFFORCE => {
            options.update(|v| v.receive_buffer = requested_buffer(value, RECEIVE_BUFFER_MIN))
        }
        SO_LINGER => {
            if (length as usize) < 8 {
                return_errno!(EINVAL);
            }
            let [on, seconds]: [i32; 2] = read_val(address)?;
            options.update(|v| v.linger = (on != 0, seconds));
        }
        SO_RCVTIMEO | SO_RCVTIMEO_NEW => {
            let timeout = read_timeout(address, length)?;
            options.update(|v| v.receive_timeout_ns = timeout);
        }
        SO_SNDTIMEO | SO_SNDTIMEO_NEW => {
            let timeout = read_timeout(address, length)?;
            options.update(|v| v.send_timeout_ns = timeout);
        }
        // A negative low-water mark is "as much as possible", 0 is 1.
        SO_RCVLOWAT => {
            options.update(|v| v.receive_low_water = if value < 0 { i32::MAX } else { value.max(1) })
        }
        // SO_SNDLOWAT cannot be changed (socket(7)).
        SO_SNDLOWAT => return_errno!(ENOPROTOOPT),
        // Priorities past 6 need CAP_NET_ADMIN, which root has.
        SO_PRIORITY => {
            if !(0..=6).contains(&value) && !is_privileged() {
                return_errno!(EPERM);
            }
            options.update(|v| v.priority = value)
        }
        SO_MARK => {
            if !is_privileged() {
                return_errno!(EPERM);
            }
            options.update(|v| v.mark = value)
        }
        _ => return_errno!(ENOPROTOOPT),
    }
    socket.socket_option_changed(name);
    Ok(())
}

fn is_privileged() -> bool {
    crate::process::current().is_some_and(|p| p.credentials.lock().euid == 0)
}

/// getsockopt(2) at SOL_SOCKET for the options kept here; None for a
/// name these options do not know.
pub fn get(socket: &dyn SocketOps, name: i32) -> Option<Vec<u8>> {
    let values = socket.options().get();
    let int = |value: i32| Some(value.to_ne_bytes().to_vec());
    let timeval = |timeout: Option<u64>| {
        let ns = timeout.unwrap_or(0);
        let pair = [(ns / NS_PER_SECOND) as i64, (ns % NS_PER_SECOND / 1000) as i64];
        Some(pair.iter().flat_map(|half| half.to_ne_bytes()).collect())
    };
    match name {
        SO_DEBUG => int(values.debug as i32),
        SO_REUSEADDR => int(values.reuse_address as i32),
        SO_REUSEPORT => int(values.reuse_port as i32),
        SO_KEEPALIVE => int(values.keep_alive as i32),
        SO_BROADCAST => int(values.broadcast as i32),
        SO_OOBINLINE => int(values.out_of_band_inline as i32),
        SO_PASSCRED => int(values.pass_credentials as i32),
        SO_DONTROUTE => int(values.dont_route as i32),
        SO_TIMESTAMP => int(values.timestamp as i32),
        SO_NO_CHECK => int(0),
        SO_SNDBUF => int(values.send_buffer as i32),
        SO_RCVBUF => int(values.receive_buffer as i32),
        SO_LINGER => {
            let pair = [values.linger.0 as i32, values.linger.1];
            Some(pair.iter().flat_map(|half| half.to_ne_bytes()).collect())
        }
        SO_RCVTIMEO | SO_RCVTIMEO_NEW => timeval(values.receive_timeout_ns),
        SO_SNDTIMEO | SO_SNDTIMEO_NEW => timeval(values.send_timeout_ns),
        SO_RCVLOWAT => int(values.receive_low_water),
        SO_SNDLOWAT => int(1),
        SO_PRIORITY => int(values.priority),
        SO_MARK => int(values.mark),
        // An unbound socket reports an empty name (sock_getbindtodevice).
        SO_BINDTODEVICE if values.device.is_empty() => Some(Vec::new()),
        SO_BINDTODEVICE => {
            let mut name = values.device.clone();
            name.push(0);
            Some(name)
        }
        _ => None,
    }
}
