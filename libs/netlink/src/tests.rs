//! Requests as busybox's `ip`, Go and glibc send them, and the answers.

use super::message::*;
use super::*;
use abi::Errno;
use alloc::string::ToString;

struct Fake {
    links: Vec<Link>,
    addresses: Vec<Address>,
    routes: Vec<Route>,
    applied: Vec<Change>,
}

impl System for Fake {
    fn links(&self) -> Vec<Link> {
        self.links.clone()
    }
    fn addresses(&self) -> Vec<Address> {
        self.addresses.clone()
    }
    fn routes(&self) -> Vec<Route> {
        self.routes.clone()
    }
    fn apply(&mut self, change: Change) -> Result<(), Errno> {
        if let Change::AddAddress { address, .. } = &change {
            if self.addresses.iter().any(|a| a.address == address.address) {
                return Err(Errno::EEXIST);
            }
        }
        self.applied.push(change);
        Ok(())
    }
}

fn fake() -> Fake {
    let link = |index: u32, name: &str, kind, flags| Link {
        index,
        name: name.to_string(),
        kind,
        flags,
        mtu: if kind == ARPHRD_LOOPBACK { 65536 } else { 1500 },
        hardware: if kind == ARPHRD_LOOPBACK { [0; 6] } else { [0x52, 0x54, 0, 0x12, 0x34, 0x56] },
        queue_length: 1000,
        stats: LinkStats::default(),
    };
    Fake {
        links: vec![
            link(1, "lo", ARPHRD_LOOPBACK, IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP),
            link(
                2,
                "eth0",
                ARPHRD_ETHER,
                IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP,
            ),
        ],
        addresses: vec![
            Address {
                index: 1,
                address: [127, 0, 0, 1],
                prefix: 8,
                scope: RT_SCOPE_HOST,
                label: "lo".into(),
                broadcast: None,
            },
            Address {
                index: 2,
                address: [10, 0, 2, 15],
                prefix: 24,
                scope: 0,
                label: "eth0".into(),
                broadcast: subnet_broadcast([10, 0, 2, 15], 24),
            },
        ],
        routes: vec![Route {
            destination: [0; 4],
            prefix: 0,
            gateway: Some([10, 0, 2, 2]),
            index: 2,
            source: None,
            table: RT_TABLE_MAIN,
            protocol: RTPROT_BOOT,
            scope: RT_SCOPE_UNIVERSE,
            kind: RTN_UNICAST,
        }],
        applied: Vec::new(),
    }
}

fn request(kind: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
    let mut writer = Writer::new(kind, flags, 7, 0);
    writer.raw(payload);
    writer.finish()
}

fn messages(datagrams: &[Vec<u8>]) -> Vec<(Header, Vec<u8>)> {
    datagrams.iter().flat_map(|d| split(d).into_iter().map(|(h, p)| (h, p.to_vec()))).collect()
}

#[test]
fn dumps_links_then_done() {
    let mut system = fake();
    let replies =
        handle(&request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &[0; 16]), 1234, false, &mut system);
    assert_eq!(replies.len(), 1, "a small dump fits one datagram");
    let found = messages(&replies);
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|(h, _)| h.sequence == 7 && h.port == 1234 && h.flags & NLM_F_MULTI != 0));
    assert_eq!(found[2].0.kind, NLMSG_DONE);
    let (header, payload) = &found[1];
    assert_eq!(header.kind, RTM_NEWLINK);
    assert_eq!(u32_at(payload, 4), 2);
    let attributes = attributes(&payload[16..]);
    let name = attributes.iter().find(|(k, _)| *k == 3).unwrap().1;
    assert_eq!(name, b"eth0\0");
    let mtu = attributes.iter().find(|(k, _)| *k == 4).unwrap().1;
    assert_eq!(u32_at(mtu, 0), 1500);
    let mac = attributes.iter().find(|(k, _)| *k == 1).unwrap().1;
    assert_eq!(mac, [0x52, 0x54, 0, 0x12, 0x34, 0x56]);
}

#[test]
fn dumps_ipv4_addresses_with_broadcast() {
    let mut system = fake();
    let replies = handle(
        &request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &[AF_INET, 0, 0, 0, 0, 0, 0, 0]),
        9,
        false,
        &mut system,
    );
    let found = messages(&replies);
    assert_eq!(found.len(), 3);
    let eth0 = &found[1].1;
    assert_eq!(&eth0[..2], &[AF_INET, 24]);
    let attributes = attributes(&eth0[8..]);
    let broadcast = attributes.iter().find(|(k, _)| *k == 4).unwrap().1;
    assert_eq!(broadcast, [10, 0, 2, 255]);
    // An IPv6 dump is empty but still ends with DONE.
    let replies = handle(
        &request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &[10, 0, 0, 0, 0, 0, 0, 0]),
        9,
        false,
        &mut system,
    );
    let found = messages(&replies);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.kind, NLMSG_DONE);
}

#[test]
fn gets_one_link_by_name_or_reports_enodev() {
    let mut system = fake();
    let mut payload = [0u8; 16].to_vec();
    let mut name = Writer::new(0, 0, 0, 0);
    name.string(3, "eth0");
    payload.extend_from_slice(&name.finish()[HEADER_BYTES..]);
    let replies = handle(&request(RTM_GETLINK, NLM_F_REQUEST, &payload), 5, false, &mut system);
    let found = messages(&replies);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.flags & NLM_F_MULTI, 0);
    assert_eq!(u32_at(&found[0].1, 4), 2);

    let mut missing = [0u8; 16];
    missing[4] = 9;
    let replies = handle(&request(RTM_GETLINK, NLM_F_REQUEST, &missing), 5, false, &mut system);
    let found = messages(&replies);
    assert_eq!(found[0].0.kind, NLMSG_ERROR);
    assert_eq!(u32_at(&found[0].1, 0) as i32, -(Errno::ENODEV as i32));
    // The error carries the request back.
    assert_eq!(found[0].1.len(), 4 + HEADER_BYTES + 16);
}

#[test]
fn changes_need_admin_and_are_acknowledged() {
    let mut system = fake();
    let mut up = [0u8; 16];
    up[4] = 2;
    up[8] = IFF_UP as u8;
    up[12] = IFF_UP as u8;
    let replies = handle(&request(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &up), 5, false, &mut system);
    assert_eq!(u32_at(&messages(&replies)[0].1, 0) as i32, -(Errno::EPERM as i32));
    assert!(system.applied.is_empty());

    let replies = handle(&request(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &up), 5, true, &mut system);
    let found = messages(&replies);
    assert_eq!(found[0].0.kind, NLMSG_ERROR);
    assert_eq!(found[0].0.flags, NLM_F_CAPPED);
    assert_eq!(u32_at(&found[0].1, 0), 0);
    assert_eq!(system.applied, [Change::LinkFlags { index: 2, flags: IFF_UP, mask: IFF_UP }]);
}

#[test]
fn adding_an_existing_address_is_refused() {
    let mut system = fake();
    let mut payload = vec![AF_INET, 24, 0, 0, 2, 0, 0, 0];
    let mut local = Writer::new(0, 0, 0, 0);
    local.attribute(2, &[10, 0, 2, 15]);
    payload.extend_from_slice(&local.finish()[HEADER_BYTES..]);
    let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | 0x400;
    let replies = handle(&request(RTM_NEWADDR, flags, &payload), 5, true, &mut system);
    assert_eq!(u32_at(&messages(&replies)[0].1, 0) as i32, -(Errno::EEXIST as i32));
}

#[test]
fn routes_dump_with_gateway_and_unknown_requests_fail() {
    let mut system = fake();
    let replies = handle(
        &request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &[AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        5,
        false,
        &mut system,
    );
    let found = messages(&replies);
    assert_eq!(found.len(), 2);
    let attributes = attributes(&found[0].1[12..]);
    assert!(attributes.iter().any(|(k, v)| *k == 5 && *v == [10, 0, 2, 2]));
    let replies = handle(&request(99, NLM_F_REQUEST, &[0; 16]), 5, true, &mut system);
    assert_eq!(u32_at(&messages(&replies)[0].1, 0) as i32, -(Errno::EOPNOTSUPP as i32));
    // Unprivileged, anything but a GET is EPERM first.
    let replies = handle(&request(99, NLM_F_REQUEST, &[0; 16]), 5, false, &mut system);
    assert_eq!(u32_at(&messages(&replies)[0].1, 0) as i32, -(Errno::EPERM as i32));
}

#[test]
fn malformed_datagrams_are_dropped_not_trusted() {
    let mut system = fake();
    for bad in [
        &[][..],
        &[1, 2, 3],
        &[255, 255, 255, 255, 18, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0],
        &[16, 0, 0, 0, 18, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0],
    ] {
        let replies = handle(bad, 5, true, &mut system);
        assert!(replies.is_empty());
    }
    // A non-dump GETLINK with a short ifinfomsg is EINVAL.
    let replies = handle(&request(RTM_GETLINK, NLM_F_REQUEST, &[0; 4]), 5, false, &mut system);
    assert_eq!(u32_at(&messages(&replies)[0].1, 0) as i32, -(Errno::EINVAL as i32));
}

#[test]
fn long_dumps_split_between_datagrams() {
    let mut system = fake();
    let template = system.links[1].clone();
    for index in 3..60 {
        system.links.push(Link { index, name: alloc::format!("eth{index}"), ..template.clone() });
    }
    let replies = handle(&request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &[0; 16]), 5, false, &mut system);
    assert!(replies.len() > 1);
    assert!(replies.iter().all(|d| d.len() <= DATAGRAM_BYTES));
    assert_eq!(messages(&replies).len(), 60);
}
