//! The `ip=` parameter, read as Linux's ipconfig reads it
//! (Documentation/admin-guide/nfs/nfsroot.rst):
//! `ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>:<dns0>:<dns1>:<ntp0>`,
//! every field optional, or one word: `off`/`none` (no configuration) or
//! an autoconfiguration protocol (`on`, `any`, `dhcp`, `bootp`, `rarp`,
//! `both`).

use alloc::format;
use alloc::string::{String, ToString};
use core::net::Ipv4Addr;

/// What `ip=` asks of the network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IpConfig {
    /// `ip=off` or `ip=none`: leave the interface unconfigured.
    Off,
    /// A static address (the autoconf field is empty, `off` or `none`).
    Static(StaticIp),
    /// Autoconfiguration by the named protocol (DHCP and friends), on
    /// `device` if one was named.
    Auto { protocol: String, device: Option<String> },
}

/// A static IPv4 configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticIp {
    pub address: Ipv4Addr,
    /// The netmask as a prefix length (`255.255.255.0` is 24).
    pub prefix_len: u8,
    pub gateway: Option<Ipv4Addr>,
    /// The NFS server (`<server-ip>`); goose only reports it.
    pub server: Option<Ipv4Addr>,
    pub hostname: Option<String>,
    /// The interface (`eth0`); `None` means the first one.
    pub device: Option<String>,
    pub dns: [Option<Ipv4Addr>; 2],
}

impl StaticIp {
    /// QEMU's user networking (slirp): the guest is 10.0.2.15/24 and the
    /// host's gateway 10.0.2.2 (QEMU's documentation, "Network options").
    pub fn qemu_user() -> StaticIp {
        StaticIp {
            address: Ipv4Addr::new(10, 0, 2, 15),
            prefix_len: 24,
            gateway: Some(Ipv4Addr::new(10, 0, 2, 2)),
            server: None,
            hostname: None,
            device: None,
            dns: [Some(Ipv4Addr::new(10, 0, 2, 3)), None],
        }
    }
}

const AUTOCONF_PROTOCOLS: &[&str] = &["on", "any", "dhcp", "bootp", "rarp", "both"];

impl IpConfig {
    /// Parses the value of `ip=`. An error names the field that is wrong;
    /// the caller decides the fallback.
    pub fn parse(text: &str) -> Result<IpConfig, String> {
        if text == "off" || text == "none" {
            return Ok(IpConfig::Off);
        }
        if AUTOCONF_PROTOCOLS.contains(&text) {
            return Ok(IpConfig::Auto { protocol: text.to_string(), device: None });
        }
        let mut fields = text.split(':');
        let mut next = || fields.next().filter(|field| !field.is_empty());
        let client = next().map(|f| address("client-ip", f)).transpose()?;
        let server = next().map(|f| address("server-ip", f)).transpose()?;
        let gateway = next().map(|f| address("gw-ip", f)).transpose()?;
        let netmask = next().map(|f| address("netmask", f)).transpose()?;
        let hostname = next().map(String::from);
        let device = next().map(String::from);
        let autoconf = next();
        let dns = [
            next().map(|f| address("dns0-ip", f)).transpose()?,
            next().map(|f| address("dns1-ip", f)).transpose()?,
        ];
        match autoconf {
            None | Some("off" | "none") => {}
            Some(protocol) if AUTOCONF_PROTOCOLS.contains(&protocol) => {
                return Ok(IpConfig::Auto { protocol: protocol.to_string(), device });
            }
            Some(other) => return Err(format!("autoconf {other:?} is not off, none or a protocol")),
        }
        let Some(address) = client else {
            // Linux's ipconfig autoconfigures when no address is given
            // even with autoconf off; there is nothing static to set.
            return Err("no client-ip and autoconf off".to_string());
        };
        let prefix_len = match netmask {
            Some(mask) => prefix_length(mask).ok_or_else(|| format!("netmask {mask} is not contiguous"))?,
            None => classful_prefix(address),
        };
        Ok(IpConfig::Static(StaticIp { address, prefix_len, gateway, server, hostname, device, dns }))
    }
}

fn address(field: &str, text: &str) -> Result<Ipv4Addr, String> {
    text.parse().map_err(|_| format!("{field} {text:?} is not an IPv4 address"))
}

/// The prefix length of a contiguous netmask.
fn prefix_length(mask: Ipv4Addr) -> Option<u8> {
    let bits = u32::from(mask);
    let ones = bits.leading_ones();
    (bits.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
}

/// The netmask Linux's ipconfig assumes when none is given: the address's
/// class (inet_make_mask over IN_CLASSA/B/C in ic_defaults).
fn classful_prefix(address: Ipv4Addr) -> u8 {
    match address.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_static(text: &str) -> StaticIp {
        match IpConfig::parse(text) {
            Ok(IpConfig::Static(config)) => config,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn off_and_none() {
        assert_eq!(IpConfig::parse("off"), Ok(IpConfig::Off));
        assert_eq!(IpConfig::parse("none"), Ok(IpConfig::Off));
    }

    #[test]
    fn full_static_form() {
        let config = parse_static("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:goose:eth0:off:10.0.2.3");
        assert_eq!(config.address, Ipv4Addr::new(10, 0, 2, 15));
        assert_eq!(config.server, Some(Ipv4Addr::new(10, 0, 2, 2)));
        assert_eq!(config.gateway, Some(Ipv4Addr::new(10, 0, 2, 2)));
        assert_eq!(config.prefix_len, 24);
        assert_eq!(config.hostname.as_deref(), Some("goose"));
        assert_eq!(config.device.as_deref(), Some("eth0"));
        assert_eq!(config.dns, [Some(Ipv4Addr::new(10, 0, 2, 3)), None]);
    }

    #[test]
    fn empty_fields_are_absent() {
        let config = parse_static("10.0.2.15::10.0.2.2:255.255.255.0::eth0:off");
        assert_eq!(config.server, None);
        assert_eq!(config.hostname, None);
        assert_eq!(config.gateway, Some(Ipv4Addr::new(10, 0, 2, 2)));
        let bare = parse_static("192.168.1.7");
        assert_eq!(bare.gateway, None);
        assert_eq!(bare.device, None);
    }

    #[test]
    fn missing_netmask_is_classful() {
        assert_eq!(parse_static("10.1.2.3").prefix_len, 8);
        assert_eq!(parse_static("172.16.0.1").prefix_len, 16);
        assert_eq!(parse_static("192.168.0.1").prefix_len, 24);
    }

    #[test]
    fn netmask_to_prefix() {
        assert_eq!(parse_static("10.0.0.1:::255.255.255.255").prefix_len, 32);
        assert_eq!(parse_static("10.0.0.1:::0.0.0.0").prefix_len, 0);
        assert_eq!(parse_static("10.0.0.1:::255.255.240.0").prefix_len, 20);
        assert!(IpConfig::parse("10.0.0.1:::255.0.255.0").is_err());
    }

    #[test]
    fn autoconf_words_and_fields() {
        assert_eq!(IpConfig::parse("dhcp"), Ok(IpConfig::Auto { protocol: "dhcp".into(), device: None }));
        assert_eq!(
            IpConfig::parse(":::::eth1:dhcp"),
            Ok(IpConfig::Auto { protocol: "dhcp".into(), device: Some("eth1".into()) })
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for text in
            ["", ":::", "10.0.2", "10.0.2.15:x", "10.0.2.15::::h:eth0:maybe", "300.0.0.1", "::::::off"]
        {
            assert!(IpConfig::parse(text).is_err(), "{text}");
        }
        // More fields than Linux knows are ignored, as Linux does.
        assert!(IpConfig::parse("10.0.2.15::::::off:::::::").is_ok());
    }

    #[test]
    fn qemu_user_default() {
        let config = StaticIp::qemu_user();
        assert_eq!(config.address, Ipv4Addr::new(10, 0, 2, 15));
        assert_eq!(config.prefix_len, 24);
        assert_eq!(config.gateway, Some(Ipv4Addr::new(10, 0, 2, 2)));
    }
}
