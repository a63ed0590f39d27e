//! IPPROTO_TCP and IPPROTO_IP options of an AF_INET stream socket
//! (net/ipv4/tcp.c's do_tcp_setsockopt and do_tcp_getsockopt,
//! ip_sockglue.c), their ranges and Linux's defaults, and how they map
//! onto a smoltcp socket.

use super::socket::OptionValue;
use crate::error::Result;
use crate::return_errno;
use alloc::vec::Vec;
use smoltcp::socket::tcp;
use smoltcp::time::Duration;

pub const IPPROTO_IP: i32 = 0;
pub const IPPROTO_TCP: i32 = 6;

const IP_TOS: i32 = 1;
const IP_TTL: i32 = 2;

const TCP_NODELAY: i32 = 1;
const TCP_MAXSEG: i32 = 2;
const TCP_CORK: i32 = 3;
const TCP_KEEPIDLE: i32 = 4;
const TCP_KEEPINTVL: i32 = 5;
const TCP_KEEPCNT: i32 = 6;
const TCP_SYNCNT: i32 = 7;
const TCP_LINGER2: i32 = 8;
const TCP_DEFER_ACCEPT: i32 = 9;
const TCP_WINDOW_CLAMP: i32 = 10;
const TCP_INFO: i32 = 11;
const TCP_QUICKACK: i32 = 12;
const TCP_CONGESTION: i32 = 13;
const TCP_USER_TIMEOUT: i32 = 18;
const TCP_FASTOPEN: i32 = 23;
const TCP_NOTSENT_LOWAT: i32 = 25;
const TCP_FASTOPEN_CONNECT: i32 = 30;

/// TCP_MSS_DEFAULT, TCP_MIN_MSS and MAX_TCP_WINDOW (include/net/tcp.h).
const MSS_DEFAULT: i32 = 536;
const MSS_MIN: i32 = 88;
const MSS_MAX: i32 = 32767;
/// MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT.
const KEEP_IDLE_MAX: i32 = 32767;
const KEEP_COUNT_MAX: i32 = 127;
/// sysctl_ip_default_ttl.
const DEFAULT_TTL: u8 = 64;
/// INET_ECN_MASK: the low bits of IP_TOS a stream socket keeps.
const ECN_MASK: i32 = 3;
/// sizeof(struct tcp_info) on Linux 6.x.
const TCP_INFO_LENGTH: usize = 248;

/// The protocol options of one TCP socket; an accepted one inherits its
/// listener's.
#[derive(Clone, Debug)]
pub struct TcpOptions {
    pub no_delay: bool,
    pub cork: bool,
    pub quick_ack: bool,
    pub keep_idle_s: i32,
    pub keep_interval_s: i32,
    pub keep_count: i32,
    pub syn_count: i32,
    pub linger2_s: i32,
    /// TCP_DEFER_ACCEPT as a count of SYN-ACK retransmissions.
    pub defer_accept_retransmits: u8,
    pub window_clamp: i32,
    pub user_timeout_ms: i32,
    pub fast_open_queue: i32,
    pub fast_open_connect: bool,
    pub not_sent_low_water: i32,
    /// TCP_MAXSEG asked for, 0 when none.
    pub max_segment: i32,
    pub type_of_service: i32,
    pub time_to_live: u8,
}

impl Default for TcpOptions {
    fn default() -> Self {
        TcpOptions {
            no_delay: false,
            cork: false,
            quick_ack: true,
            keep_idle_s: 7200,
            keep_interval_s: 75,
            keep_count: 9,
            syn_count: 6,
            linger2_s: 60,
            defer_accept_retransmits: 0,
            window_clamp: 0,
            user_timeout_ms: 0,
            fast_open_queue: 0,
            fast_open_connect: false,
            not_sent_low_water: -1,
            max_segment: 0,
            type_of_service: 0,
            time_to_live: DEFAULT_TTL,
        }
    }
}

/// TCP_DEFER_ACCEPT's seconds as SYN-ACK retransmissions of a 1 s timeout
/// doubling up to 120 s (secs_to_retrans), and back (retrans_to_secs).
fn seconds_to_retransmits(seconds: i32) -> u8 {
    let (mut timeout, mut period, mut count) = (1, 1, 0u8);
    if seconds > 0 {
        count = 1;
        while seconds > period && count < 255 {
            count += 1;
            timeout = (timeout * 2).min(120);
            period += timeout;
        }
    }
    count
}

fn retransmits_to_seconds(count: u8) -> i32 {
    if count == 0 {
        return 0;
    }
    let (mut timeout, mut period) = (1, 1);
    for _ in 1..count {
        timeout = (timeout * 2).min(120);
        period += timeout;
    }
    period
}

impl TcpOptions {
    /// setsockopt(2) at IPPROTO_TCP or IPPROTO_IP: EINVAL for a short
    /// value or one out of range, ENOPROTOOPT for an unknown name.
    pub fn set(&mut self, level: i32, name: i32, value: OptionValue) -> Result<()> {
        if level == IPPROTO_TCP && name == TCP_CONGESTION {
            // Any known algorithm is accepted; smoltcp picks its own.
            return Ok(());
        }
        let int = value.int()?;
        let in_range = |low: i32, high: i32| -> Result<i32> {
            if !(low..=high).contains(&int) {
                return_errno!(EINVAL);
            }
            Ok(int)
        };
        match (level, name) {
            (IPPROTO_TCP, TCP_NODELAY) => self.no_delay = int != 0,
            (IPPROTO_TCP, TCP_CORK) => self.cork = int != 0,
            (IPPROTO_TCP, TCP_QUICKACK) => self.quick_ack = int != 0,
            (IPPROTO_TCP, TCP_KEEPIDLE) => self.keep_idle_s = in_range(1, KEEP_IDLE_MAX)?,
            (IPPROTO_TCP, TCP_KEEPINTVL) => self.keep_interval_s = in_range(1, KEEP_IDLE_MAX)?,
            (IPPROTO_TCP, TCP_KEEPCNT) => self.keep_count = in_range(1, KEEP_COUNT_MAX)?,
            (IPPROTO_TCP, TCP_SYNCNT) => self.syn_count = in_range(1, KEEP_COUNT_MAX)?,
            (IPPROTO_TCP, TCP_LINGER2) => self.linger2_s = int.min(120),
            (IPPROTO_TCP, TCP_DEFER_ACCEPT) => self.defer_accept_retransmits = seconds_to_retransmits(int),
            (IPPROTO_TCP, TCP_WINDOW_CLAMP) => self.window_clamp = int.max(0),
            (IPPROTO_TCP, TCP_USER_TIMEOUT) => self.user_timeout_ms = in_range(0, i32::MAX)?,
            (IPPROTO_TCP, TCP_FASTOPEN) => self.fast_open_queue = in_range(0, i32::MAX)?,
            (IPPROTO_TCP, TCP_FASTOPEN_CONNECT) => self.fast_open_connect = int != 0,
            (IPPROTO_TCP, TCP_NOTSENT_LOWAT) => self.not_sent_low_water = int,
            (IPPROTO_TCP, TCP_MAXSEG) => {
                if int != 0 && !(MSS_MIN..=MSS_MAX).contains(&int) {
                    return_errno!(EINVAL);
                }
                self.max_segment = int;
            }
            (IPPROTO_IP, IP_TOS) => {
                self.type_of_service = (int & !ECN_MASK) | (self.type_of_service & ECN_MASK)
            }
            (IPPROTO_IP, IP_TTL) => {
                self.time_to_live = match int {
                    -1 => DEFAULT_TTL,
                    1..=255 => int as u8,
                    _ => return_errno!(EINVAL),
                }
            }
            _ => return_errno!(ENOPROTOOPT),
        }
        Ok(())
    }

    /// getsockopt(2) at IPPROTO_TCP or IPPROTO_IP; `info` builds
    /// TCP_INFO from the connection.
    pub fn get(&self, level: i32, name: i32, state: u8) -> Result<Vec<u8>> {
        let value = match (level, name) {
            (IPPROTO_TCP, TCP_NODELAY) => self.no_delay as i32,
            (IPPROTO_TCP, TCP_CORK) => self.cork as i32,
            (IPPROTO_TCP, TCP_QUICKACK) => self.quick_ack as i32,
            (IPPROTO_TCP, TCP_KEEPIDLE) => self.keep_idle_s,
            (IPPROTO_TCP, TCP_KEEPINTVL) => self.keep_interval_s,
            (IPPROTO_TCP, TCP_KEEPCNT) => self.keep_count,
            (IPPROTO_TCP, TCP_SYNCNT) => self.syn_count,
            (IPPROTO_TCP, TCP_LINGER2) => self.linger2_s,
            (IPPROTO_TCP, TCP_DEFER_ACCEPT) => retransmits_to_seconds(self.defer_accept_retransmits),
            (IPPROTO_TCP, TCP_WINDOW_CLAMP) => self.window_clamp,
            (IPPROTO_TCP, TCP_USER_TIMEOUT) => self.user_timeout_ms,
            (IPPROTO_TCP, TCP_FASTOPEN) => self.fast_open_queue,
            (IPPROTO_TCP, TCP_FASTOPEN_CONNECT) => self.fast_open_connect as i32,
            (IPPROTO_TCP, TCP_NOTSENT_LOWAT) => self.not_sent_low_water,
            (IPPROTO_TCP, TCP_MAXSEG) if self.max_segment != 0 => self.max_segment,
            (IPPROTO_TCP, TCP_MAXSEG) => MSS_DEFAULT,
            (IPPROTO_TCP, TCP_CONGESTION) => return Ok(b"cubic\0\0\0\0\0\0\0\0\0\0\0".to_vec()),
            (IPPROTO_TCP, TCP_INFO) => return Ok(self.info(state)),
            (IPPROTO_IP, IP_TOS) => self.type_of_service,
            (IPPROTO_IP, IP_TTL) => self.time_to_live as i32,
            _ => return_errno!(ENOPROTOOPT),
        };
        Ok(value.to_ne_bytes().to_vec())
    }

    /// struct tcp_info: the state (Linux's TCP_* numbering), the
    /// options and the MSS; the counters smoltcp does not keep are 0.
    fn info(&self, state: u8) -> Vec<u8> {
        let mut info = alloc::vec![0u8; TCP_INFO_LENGTH];
        info[0] = state;
        let mss = if self.max_segment != 0 { self.max_segment } else { MSS_DEFAULT } as u32;
        // tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss (offsets 8..24).
        info[8..12].copy_from_slice(&1_000_000u32.to_ne_bytes());
        info[16..20].copy_from_slice(&mss.to_ne_bytes());
        info[20..24].copy_from_slice(&mss.to_ne_bytes());
        info
    }

    /// Applies the options smoltcp has to a socket.
    pub fn apply(&self, socket: &mut tcp::Socket<'static>, is_keep_alive: bool) {
        socket.set_nagle_enabled(!self.no_delay);
        socket.set_hop_limit(Some(self.time_to_live));
        let keep_alive = is_keep_alive.then(|| Duration::from_secs(self.keep_interval_s.max(1) as u64));
        socket.set_keep_alive(keep_alive);
        let timeout = (self.user_timeout_ms > 0).then(|| Duration::from_millis(self.user_timeout_ms as u64));
        socket.set_timeout(timeout);
    }
}

/// Linux's TCP_* state number of a smoltcp state (include/net/tcp_states.h).
pub fn linux_state(state: tcp::State) -> u8 {
    match state {
        tcp::State::Established => 1,
        tcp::State::SynSent => 2,
        tcp::State::SynReceived => 3,
        tcp::State::FinWait1 => 4,
        tcp::State::FinWait2 => 5,
        tcp::State::TimeWait => 6,
        tcp::State::Closed => 7,
        tcp::State::CloseWait => 8,
        tcp::State::LastAck => 9,
        tcp::State::Listen => 10,
        tcp::State::Closing => 11,
    }
}
