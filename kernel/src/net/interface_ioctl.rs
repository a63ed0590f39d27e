//! The SIOC* interface ioctls every socket answers (dev_ioctl, devinet_ioctl,
//! ip_rt_ioctl): what busybox's ifconfig and route and older programs use
//! instead of netlink. They read and change `net::interfaces`.

use super::interfaces;
use crate::error::Result;
use crate::mm::user::{read_bytes, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::UserAddr;
use abi::Errno;
use alloc::vec::Vec;
use netlink::{Address, Change, Link, Route};

const SIOCADDRT: u32 = 0x890b;
const SIOCDELRT: u32 = 0x890c;
const SIOCGIFNAME: u32 = 0x8910;
const SIOCGIFCONF: u32 = 0x8912;
const SIOCGIFFLAGS: u32 = 0x8913;
const SIOCSIFFLAGS: u32 = 0x8914;
const SIOCGIFADDR: u32 = 0x8915;
const SIOCSIFADDR: u32 = 0x8916;
const SIOCGIFDSTADDR: u32 = 0x8917;
const SIOCGIFBRDADDR: u32 = 0x8919;
const SIOCSIFBRDADDR: u32 = 0x891a;
const SIOCGIFNETMASK: u32 = 0x891b;
const SIOCSIFNETMASK: u32 = 0x891c;
const SIOCGIFMETRIC: u32 = 0x891d;
const SIOCGIFMTU: u32 = 0x8921;
const SIOCSIFMTU: u32 = 0x8922;
const SIOCGIFHWADDR: u32 = 0x8927;
const SIOCGIFINDEX: u32 = 0x8933;
const SIOCGIFTXQLEN: u32 = 0x8942;
const SIOCGIFMAP: u32 = 0x8970;

/// sizeof(struct ifreq): a 16-byte name and a 24-byte union.
const IFREQ_BYTES: usize = 40;
const NAME_BYTES: usize = 16;
const AF_INET: u16 = 2;
/// rtentry.rt_flags.
const RTF_GATEWAY: u16 = 0x2;

/// Whether `command` is one of these (the socket layer tries the
/// family's own ioctls first).
pub fn is_interface_ioctl(command: u32) -> bool {
    (0x890b..=0x8970).contains(&command)
}

/// A struct ifreq from user memory.
struct Request {
    at: UserAddr,
    bytes: [u8; IFREQ_BYTES],
}

impl Request {
    fn read(at: UserAddr) -> Result<Request> {
        let mut bytes = [0; IFREQ_BYTES];
        read_bytes(at, &mut bytes)?;
        Ok(Request { at, bytes })
    }

    fn name(&self) -> &[u8] {
        let name = &self.bytes[..NAME_BYTES];
        name.split(|&b| b == 0).next().unwrap_or(&[])
    }

    /// An alias ("lo:1") names its link's label: dev_ioctl cuts it at the
    /// colon.
    fn is_alias(&self) -> bool {
        self.name().contains(&b':')
    }

    fn link(&self) -> Result<Link> {
        let name = self.name().split(|&b| b == b':').next().unwrap_or(&[]);
        interfaces::links()
            .into_iter()
            .find(|link| link.name.as_bytes() == name)
            .ok_or_else(|| Errno::ENODEV.into())
    }

    fn int(&self) -> i32 {
        i32::from_ne_bytes([self.bytes[16], self.bytes[17], self.bytes[18], self.bytes[19]])
    }

    /// The IPv4 address of the sockaddr_in in the union.
    fn ipv4(&self) -> Result<[u8; 4]> {
        if u16::from_ne_bytes([self.bytes[16], self.bytes[17]]) != AF_INET {
            return_errno!(EINVAL);
        }
        Ok([self.bytes[20], self.bytes[21], self.bytes[22], self.bytes[23]])
    }

    /// Writes `union` after the name, back to user memory.
    fn answer(&mut self, union: &[u8]) -> Result<isize> {
        self.bytes[NAME_BYTES..].fill(0);
        self.bytes[NAME_BYTES..NAME_BYTES + union.len()].copy_from_slice(union);
        write_bytes(self.at, &self.bytes)?;
        Ok(0)
    }
}

fn sockaddr_in(address: [u8; 4]) -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[0..2].copy_from_slice(&AF_INET.to_ne_bytes());
    bytes[4..8].copy_from_slice(&address);
    bytes
}

fn netmask(prefix: u8) -> [u8; 4] {
    if prefix == 0 {
        [0; 4]
    } else {
        (u32::MAX << (32 - prefix)).to_be_bytes()
    }
}

/// The first IPv4 address of a link (what devinet_ioctl reports).
fn primary_address(link: &Link) -> Option<Address> {
    interfaces::addresses().into_iter().find(|a| a.index == link.index)
}

fn require_admin() -> Result<()> {
    let is_admin = crate::process::current().is_some_and(|p| p.credentials.lock().is_root());
    if !is_admin {
        return_errno!(EPERM);
    }
    Ok(())
}

fn apply(change: Change) -> Result<isize> {
    interfaces::apply(change)?;
    Ok(0)
}

/// The classful prefix an address gets before a netmask is set
/// (inet_abc_len).
fn classful_prefix(address: [u8; 4]) -> u8 {
    match address[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

/// Replaces `link`'s primary address with `address`/`prefix`.
fn replace_address(link: &Link, address: [u8; 4], prefix: u8) -> Result<isize> {
    if let Some(old) = primary_address(link) {
        interfaces::apply(Change::RemoveAddress(old))?;
    }
    let broadcast =
        if link.kind == netlink::ARPHRD_LOOPBACK { None } else { netlink::subnet_broadcast(address, prefix) };
    let scope = if address[0] == 127 { netlink::RT_SCOPE_HOST } else { netlink::RT_SCOPE_UNIVERSE };
    let label = link.name.clone();
    let new = Address { index: link.index, address, prefix, scope, label, broadcast };
    apply(Change::AddAddress { address: new, is_exclusive: false })
}

/// SIOCGIFCONF: an ifreq with the IPv4 address of each configured
/// interface, or only the length needed when the buffer is null.
fn interface_list(argument: UserAddr) -> Result<isize> {
    let length: i32 = read_val(argument)?;
    let buffer: u64 = read_val(argument.add(8))?;
    let links = interfaces::links();
    let entries: Vec<[u8; IFREQ_BYTES]> = interfaces::addresses()
        .into_iter()
        .filter_map(|address| {
            let link = links.iter().find(|l| l.index == address.index)?;
            let mut entry = [0; IFREQ_BYTES];
            let name = link.name.as_bytes();
            entry[..name.len().min(NAME_BYTES - 1)].copy_from_slice(&name[..name.len().min(NAME_BYTES - 1)]);
            entry[NAME_BYTES..NAME_BYTES + 16].copy_from_slice(&sockaddr_in(address.address));
            Some(entry)
        })
        .collect();
    if buffer == 0 {
        write_val(argument, &((entries.len() * IFREQ_BYTES) as i32))?;
        return Ok(0);
    }
    let room = (length.max(0) as usize) / IFREQ_BYTES;
    let mut written = 0;
    for entry in entries.iter().take(room) {
        write_bytes(UserAddr(buffer as usize + written), entry)?;
        written += IFREQ_BYTES;
    }
    write_val(argument, &(written as i32))?;
    Ok(0)
}

/// SIOCADDRT/SIOCDELRT with a struct rtentry: default routes through a
/// gateway (what `route add default gw` sends); others are link routes
/// the addresses already give.
fn change_route(command: u32, argument: UserAddr) -> Result<isize> {
    require_admin()?;
    let mut entry = [0u8; 64];
    read_bytes(argument, &mut entry)?;
    let field = |at: usize| -> Result<[u8; 4]> {
        if u16::from_ne_bytes([entry[at], entry[at + 1]]) != AF_INET {
            return_errno!(EAFNOSUPPORT);
        }
        Ok([entry[at + 4], entry[at + 5], entry[at + 6], entry[at + 7]])
    };
    let destination = field(8)?;
    let mask = field(40).unwrap_or([0; 4]);
    let flags = u16::from_ne_bytes([entry[56], entry[57]]);
    let gateway = if flags & RTF_GATEWAY != 0 { Some(field(24)?) } else { None };
    let route = Route {
        destination,
        prefix: u32::from_be_bytes(mask).count_ones() as u8,
        gateway,
        index: 0,
        source: None,
        table: netlink::RT_TABLE_MAIN,
        protocol: netlink::RTPROT_BOOT,
        scope: netlink::RT_SCOPE_UNIVERSE,
        kind: netlink::RTN_UNICAST,
    };
    apply(if command == SIOCADDRT {
        Change::AddRoute { route, is_exclusive: true }
    } else {
        Change::RemoveRoute(route)
    })
}

pub fn ioctl(command: u32, argument: usize) -> Result<isize> {
    let argument = UserAddr(argument);
    match command {
        SIOCGIFCONF => return interface_list(argument),
        SIOCADDRT | SIOCDELRT => return change_route(command, argument),
        _ => {}
    }
    let mut request = Request::read(argument)?;
    if command == SIOCGIFNAME {
        let index = request.int();
        let link = interfaces::links().into_iter().find(|l| l.index as i32 == index).ok_or(Errno::ENODEV)?;
        let name = link.name.as_bytes();
        request.bytes[..NAME_BYTES].fill(0);
        request.bytes[..name.len().min(NAME_BYTES - 1)]
            .copy_from_slice(&name[..name.len().min(NAME_BYTES - 1)]);
        write_bytes(argument, &request.bytes)?;
        return Ok(0);
    }
    let link = request.link()?;
    match command {
        SIOCGIFFLAGS => request.answer(&(link.flags as u16).to_ne_bytes()),
        SIOCGIFINDEX => request.answer(&link.index.to_ne_bytes()),
        SIOCGIFMTU => request.answer(&link.mtu.to_ne_bytes()),
        SIOCGIFMETRIC => request.answer(&0i32.to_ne_bytes()),
        SIOCGIFTXQLEN => request.answer(&link.queue_length.to_ne_bytes()),
        SIOCGIFMAP => request.answer(&[0; 24]),
        SIOCGIFHWADDR => {
            let mut hardware = [0u8; 16];
            hardware[0..2].copy_from_slice(&link.kind.to_ne_bytes());
            hardware[2..8].copy_from_slice(&link.hardware);
            request.answer(&hardware)
        }
        SIOCGIFADDR | SIOCGIFDSTADDR | SIOCGIFBRDADDR | SIOCGIFNETMASK => {
            // Aliases have no addresses of their own here.
            let address =
                primary_address(&link).filter(|_| !request.is_alias()).ok_or(Errno::EADDRNOTAVAIL)?;
            let value = match command {
                SIOCGIFNETMASK => netmask(address.prefix),
                SIOCGIFBRDADDR => address.broadcast.unwrap_or([0; 4]),
                _ => address.address,
            };
            request.answer(&sockaddr_in(value))
        }
        SIOCSIFFLAGS => {
            require_admin()?;
            let flags = u16::from_ne_bytes([request.bytes[16], request.bytes[17]]) as u32;
            apply(Change::LinkFlags { index: link.index, flags, mask: netlink::IFF_UP })
        }
        SIOCSIFADDR => {
            require_admin()?;
            let address = request.ipv4()?;
            replace_address(&link, address, classful_prefix(address))
        }
        SIOCSIFNETMASK => {
            require_admin()?;
            let mask = u32::from_be_bytes(request.ipv4()?);
            if mask.leading_ones() != mask.count_ones() {
                return_errno!(EINVAL);
            }
            let address = primary_address(&link).ok_or(Errno::EADDRNOTAVAIL)?;
            replace_address(&link, address.address, mask.count_ones() as u8)
        }
        SIOCSIFBRDADDR | SIOCSIFMTU => {
            // Accepted: the broadcast follows the netmask, and smoltcp's
            // MTU is the device's.
            require_admin()?;
            Ok(0)
        }
        _ => return_errno!(ENOTTY),
    }
}
