//! AF_INET SOCK_STREAM on smoltcp. A listening socket keeps `backlog`
//! smoltcp sockets listening on its port (smoltcp turns a listener into
//! the connection itself); accept hands out an established one and puts a
//! fresh listener in its place. The socket's own wait queue is watched
//! by the stack for every smoltcp socket behind it, so only changes of
//! this socket wake its waiters.

use super::inet_address;
use super::inet_tcp_options::{linux_state, TcpOptions, IPPROTO_IP, IPPROTO_TCP};
use super::proc_sockets::{InetEntry, Table, LISTEN};
use super::socket::*;
use super::stack::{self, Binding, PortUse, Stack, Transport};
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use hal::sync::SpinLock;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint};

/// Per-socket buffers (Linux's defaults are larger and auto-tuned).
const BUFFER_BYTES: usize = 64 * 1024;
/// SOMAXCONN.
const MAX_BACKLOG: usize = 4096;
/// Smoltcp listeners kept per listening socket at most: each holds its
/// 128 KiB of buffers from the start, so a backlog of 511 (redis's and
/// nginx's default) mirrored one to one would take 64 MiB of kernel heap
/// per server. 16 is 2 MiB, and accept replaces each one it takes.
const MAX_LISTENERS: usize = 16;
/// net.ipv4.tcp_wmem[1] and tcp_rmem[1]: SO_SNDBUF/SO_RCVBUF of a new
/// TCP socket.
const DEFAULT_SEND_BUFFER: usize = 16384;
const DEFAULT_RECEIVE_BUFFER: usize = 131072;

enum State {
    /// Not listening or connected; `local` once bound.
    Idle {
        local: Option<IpEndpoint>,
    },
    Listening {
        local: IpEndpoint,
        listeners: Vec<SocketHandle>,
    },
    /// Connecting or connected (or done: the smoltcp socket says which).
    Connected {
        handle: SocketHandle,
        local: IpEndpoint,
        remote: IpEndpoint,
    },
}

pub struct TcpSocket {
    state: SpinLock<State>,
    /// SO_ERROR kept here when there is no connection to keep it.
    error: AtomicI32,
    is_write_shut: AtomicBool,
    is_read_shut: AtomicBool,
    /// Whether a connect reported the connection (Linux's SS_CONNECTED):
    /// after a non-blocking connect, the next connect answers 0 once.
    is_connect_reported: AtomicBool,
    options: SocketOptions,
    protocol_options: SpinLock<TcpOptions>,
    /// Woken by the stack when one of this socket's smoltcp sockets
    /// changed (see `stack::Stack::watch`).
    waiters: Arc<WaitQueue>,
    /// This socket's hold on its port.
    binding_id: u64,
}

/// A smoltcp socket with its buffers; ENOBUFS when memory for them
/// cannot be had, not a kernel panic.
fn new_smoltcp_socket() -> Result<tcp::Socket<'static>> {
    let buffer = || -> Result<tcp::SocketBuffer<'static>> {
        Ok(tcp::SocketBuffer::new(super::socket_buffer(BUFFER_BYTES, 0)?))
    };
    Ok(tcp::Socket::new(buffer()?, buffer()?))
}

fn listen_on(stack: &mut Stack, local: IpEndpoint, socket_ops: &TcpSocket) -> Result<SocketHandle> {
    let mut socket = new_smoltcp_socket()?;
    socket_ops.apply_options(&mut socket);
    let endpoint = IpListenEndpoint {
        addr: if local.addr.is_unspecified() { None } else { Some(local.addr) },
        port: local.port,
    };
    socket.listen(endpoint).map_err(|_| Errno::EINVAL)?;
    let handle = stack.sockets.add(socket);
    stack.watch(handle, Transport::Tcp, &socket_ops.waiters);
    Ok(handle)
}

impl TcpSocket {
    pub fn new() -> Arc<TcpSocket> {
        let options = SocketOptions::new(DEFAULT_SEND_BUFFER, DEFAULT_RECEIVE_BUFFER);
        Arc::new(TcpSocket::with_state(State::Idle { local: None }, options, TcpOptions::default()))
    }

    fn with_state(state: State, options: SocketOptions, protocol_options: TcpOptions) -> TcpSocket {
        TcpSocket {
            state: SpinLock::new(state),
            error: AtomicI32::new(0),
            is_write_shut: AtomicBool::new(false),
            is_read_shut: AtomicBool::new(false),
            is_connect_reported: AtomicBool::new(false),
            options,
            protocol_options: SpinLock::new(protocol_options),
            waiters: Arc::new(WaitQueue::new()),
            binding_id: stack::new_binding_id(),
        }
    }

    /// This socket's hold on a port at `address`, in `state`.
    fn binding(&self, address: IpAddress, state: PortUse) -> Binding {
        let options = self.options.get();
        Binding {
            id: self.binding_id,
            address,
            reuse_address: options.reuse_address,
            reuse_port: options.reuse_port,
            state,
        }
    }

    fn apply_options(&self, socket: &mut tcp::Socket<'static>) {
        let is_keep_alive = self.options.get().keep_alive;
        self.protocol_options.lock().apply(socket, is_keep_alive);
    }

    /// Waits for `ready`, as a blocking call waits with `timeout_ns`
    /// (EAGAIN when non-blocking or timed out).
    fn wait(
        &self,
        is_nonblocking: bool,
        timeout_ns: Option<u64>,
        mut ready: impl FnMut(&TcpSocket) -> bool,
    ) -> Result<()> {
        wait_on(&self.waiters, is_nonblocking, timeout_ns, || {
            stack::poll();
            ready(self)
        })
    }

    /// The connection's smoltcp handle, if connected.
    fn handle(&self) -> Option<SocketHandle> {
        match &*self.state.lock() {
            State::Connected { handle, .. } => Some(*handle),
            _ => None,
        }
    }

    /// The connection's smoltcp state, if connected.
    fn connection_state(&self) -> Option<tcp::State> {
        let state = self.state.lock();
        match &*state {
            State::Connected { handle, .. } => {
                Some(stack::with(|stack| stack.sockets.get::<tcp::Socket>(*handle).state()))
            }
            _ => None,
        }
    }

    /// A listener that completed its handshake, if any.
    fn established_listener(&self) -> Option<usize> {
        let state = self.state.lock();
        let State::Listening { listeners, .. } = &*state else { return None };
        stack::with(|stack| {
            listeners
                .iter()
                .position(|handle| is_acceptable(stack.sockets.get::<tcp::Socket>(*handle).state()))
        })
    }
}

impl SocketOps for TcpSocket {
    fn domain(&self) -> u16 {
        AF_INET
    }
    fn socket_type(&self) -> i32 {
        SOCK_STREAM
    }
    fn protocol(&self) -> i32 {
        IPPROTO_TCP
    }

    fn bind(&self, address: &[u8]) -> Result<()> {
        let mut endpoint = inet_address::parse(address)?;
        let mut state = self.state.lock();
        let State::Idle { local } = &mut *state else { return_errno!(EINVAL) };
        if local.is_some() {
            return_errno!(EINVAL);
        }
        let binding = self.binding(endpoint.addr, PortUse::Bound);
        stack::with(|stack| {
            if !stack.is_local_address(endpoint.addr) {
                return_errno!(EADDRNOTAVAIL);
            }
            endpoint.port = stack.take_port(Transport::Tcp, endpoint.port, binding)?;
            Ok(())
        })?;
        *local = Some(endpoint);
        Ok(())
    }

    fn listen(&self, backlog: i32) -> Result<()> {
        let mut state = self.state.lock();
        // The accept queue holds backlog + 1 connections (sk_acceptq_is_full).
        let count = (backlog.clamp(0, MAX_BACKLOG as i32) as usize + 1).min(MAX_LISTENERS);
        match &mut *state {
            State::Idle { local } => {
                let any = IpAddress::v4(0, 0, 0, 0);
                let local = *local;
                let (local, listeners) = stack::with(|stack| {
                    let local = match local {
                        Some(local) => {
                            let listening = PortUse::Listening;
                            stack.change_port_use(Transport::Tcp, local.port, self.binding_id, listening)?;
                            local
                        }
                        None => {
                            let port =
                                stack.take_port(Transport::Tcp, 0, self.binding(any, PortUse::Listening))?;
                            IpEndpoint::new(any, port)
                        }
                    };
                    let mut listeners = Vec::with_capacity(count);
                    for _ in 0..count {
                        match listen_on(stack, local, self) {
                            Ok(handle) => listeners.push(handle),
                            Err(error) => {
                                listeners.into_iter().for_each(|handle| stack.remove(handle));
                                return Err(error);
                            }
                        }
                    }
                    stack.listening_count += 1;
                    Ok::<_, crate::error::Error>((local, listeners))
                })?;
                *state = State::Listening { local, listeners };
                Ok(())
            }
            // A second listen() changes the backlog (Linux); kept as is.
            State::Listening { .. } => Ok(()),
            State::Connected { .. } => return_errno!(EINVAL),
        }
    }

    fn is_listening(&self) -> bool {
        matches!(*self.state.lock(), State::Listening { .. })
    }

    fn accept(&self, is_nonblocking: bool) -> Result<(Arc<dyn SocketOps>, Vec<u8>)> {
        if !self.is_listening() {
            return_errno!(EINVAL);
        }
        let timeout = self.options.receive_timeout_ns();
        loop {
            self.wait(is_nonblocking, timeout, |socket| socket.established_listener().is_some())?;
            let mut state = self.state.lock();
            let State::Listening { local, listeners } = &mut *state else { return_errno!(EINVAL) };
            let local = *local;
            let connection = TcpSocket::with_state(
                State::Idle { local: None },
                self.options.inherited(),
                self.protocol_options.lock().clone(),
            );
            let accepted = stack::with(|stack| {
                let Some(index) = listeners
                    .iter()
                    .position(|handle| is_acceptable(stack.sockets.get::<tcp::Socket>(*handle).state()))
                else {
                    return Ok(None);
                };
                let replacement = listen_on(stack, local, self)?;
                let handle = core::mem::replace(&mut listeners[index], replacement);
                let socket = stack.sockets.get::<tcp::Socket>(handle);
                let connection_local = socket.local_endpoint().unwrap_or(local);
                let Some(remote) = socket.remote_endpoint() else {
                    // Reset before it was accepted: Linux skips it.
                    stack.remove(handle);
                    return Ok(None);
                };
                // The connection holds the listener's port too.
                let binding = connection.binding(connection_local.addr, PortUse::Connected);
                stack.inherit_port(Transport::Tcp, local.port, binding);
                stack.watch(handle, Transport::Tcp, &connection.waiters);
                Ok::<_, crate::error::Error>(Some((handle, connection_local, remote)))
            })?;
            drop(state);
            if let Some((handle, connection_local, remote)) = accepted {
                connection.is_connect_reported.store(true, Ordering::Release);
                *connection.state.lock() = State::Connected { handle, local: connection_local, remote };
                return Ok((Arc::new(connection), inet_address::build(Some(remote))));
            }
        }
    }

    fn connect(&self, address: &[u8], is_nonblocking: bool) -> Result<()> {
        let remote = inet_address::parse(address)?;
        {
            let mut state = self.state.lock();
            match &*state {
                State::Idle { local } => {
                    let local = *local;
                    let (handle, local) = stack::with(|stack| {
                        // First: a failure here leaves no port taken.
                        let mut socket = new_smoltcp_socket()?;
                        let any = IpAddress::v4(0, 0, 0, 0);
                        let local = match local {
                            Some(local) => {
                                let connected = PortUse::Connected;
                                stack.change_port_use(
                                    Transport::Tcp,
                                    local.port,
                                    self.binding_id,
                                    connected,
                                )?;
                                local
                            }
                            None => {
                                let binding = self.binding(any, PortUse::Connected);
                                let port = stack.take_port(Transport::Tcp, 0, binding)?;
                                IpEndpoint::new(any, port)
                            }
                        };
                        self.apply_options(&mut socket);
                        let listen = IpListenEndpoint {
                            addr: if local.addr.is_unspecified() { None } else { Some(local.addr) },
                            port: local.port,
                        };
                        socket
                            .connect(stack.interface.context(), remote, listen)
                            .map_err(|_| Errno::ENETUNREACH)?;
                        let handle = stack.sockets.add(socket);
                        stack.watch(handle, Transport::Tcp, &self.waiters);
                        let source = stack.interface.get_source_address(&remote.addr);
                        let local = IpEndpoint::new(source.unwrap_or(local.addr), local.port);
                        Ok::<_, crate::error::Error>((handle, local))
                    })?;
                    *state = State::Connected { handle, local, remote };
                }
                State::Listening { .. } => return_errno!(EINVAL),
                State::Connected { handle, .. } => {
                    let handle = *handle;
                    drop(state);
                    let (tcp_state, error) = stack::with(|stack| {
                        (stack.sockets.get::<tcp::Socket>(handle).state(), stack.take_error(handle))
                    });
                    return match (tcp_state, error) {
                        (tcp::State::SynSent, _) => return_errno!(EALREADY),
                        // A refused non-blocking connect reports it here once.
                        (_, Some(errno)) => Err(errno.into()),
                        (tcp::State::Closed, None) => return_errno!(ECONNABORTED),
                        _ if self.is_connect_reported.swap(true, Ordering::AcqRel) => return_errno!(EISCONN),
                        _ => Ok(()),
                    };
                }
            }
        }
        // Linux answers EINPROGRESS whenever it would have to wait, even
        // when loopback completes the handshake at once.
        if is_nonblocking {
            return_errno!(EINPROGRESS);
        }
        let timeout = self.options.send_timeout_ns();
        match self.wait(false, timeout, |socket| socket.connection_state() != Some(tcp::State::SynSent)) {
            Err(error) if error.errno == Errno::EAGAIN => return_errno!(EINPROGRESS),
            result => result?,
        }
        let Some(handle) = self.handle() else { return_errno!(ECONNREFUSED) };
        match stack::with(|stack| stack.take_error(handle)) {
            Some(errno) => Err(errno.into()),
            None => {
                self.is_connect_reported.store(true, Ordering::Release);
                Ok(())
            }
        }
    }

    fn inet_entries(&self) -> Vec<(Table, InetEntry)> {
        let state = self.state.lock();
        let entry = |local, remote, state, tx_queue, rx_queue, is_unaccepted| InetEntry {
            local,
            remote,
            state,
            tx_queue,
            rx_queue,
            is_unaccepted,
        };
        let entries = match &*state {
            // Neither hashed as listening nor established on Linux.
            State::Idle { .. } => Vec::new(),
            State::Listening { local, listeners } => stack::with(|stack| {
                let mut pending = Vec::new();
                for &handle in listeners.iter().filter(|&&handle| stack.is_watched_by(handle, &self.waiters))
                {
                    let socket = stack.sockets.get::<tcp::Socket>(handle);
                    if socket.state() != tcp::State::Listen {
                        let (Some(local), remote) = (socket.local_endpoint(), socket.remote_endpoint())
                        else {
                            continue;
                        };
                        let state = linux_state(socket.state());
                        pending.push(entry(
                            local,
                            remote,
                            state,
                            socket.send_queue(),
                            socket.recv_queue(),
                            true,
                        ));
                    }
                }
                let mut entries = Vec::from([entry(*local, None, LISTEN, 0, pending.len(), false)]);
                entries.extend(pending);
                entries
            }),
            State::Connected { handle, local, remote } => stack::with(|stack| {
                let (state, tx_queue, rx_queue) = if stack.is_watched_by(*handle, &self.waiters) {
                    let socket = stack.sockets.get::<tcp::Socket>(*handle);
                    (linux_state(socket.state()), socket.send_queue(), socket.recv_queue())
                } else {
                    (linux_state(tcp::State::Closed), 0, 0)
                };
                Vec::from([entry(*local, Some(*remote), state, tx_queue, rx_queue, false)])
            }),
        };
        entries.into_iter().map(|entry| (Table::Tcp, entry)).collect()
    }

    fn take_error(&self) -> i32 {
        let pending = self.error.swap(0, Ordering::Relaxed);
        if pending != 0 {
            return pending;
        }
        match self.handle() {
            Some(handle) => stack::with(|stack| stack.take_error(handle)).map_or(0, |errno| errno as i32),
            None => 0,
        }
    }

    fn local_address(&self) -> Result<Vec<u8>> {
        let state = self.state.lock();
        Ok(inet_address::build(match &*state {
            State::Idle { local } => *local,
            State::Listening { local, .. } => Some(*local),
            State::Connected { local, .. } => Some(*local),
        }))
    }

    fn peer_address(&self) -> Result<Vec<u8>> {
        let state = self.state.lock();
        match &*state {
            State::Connected { remote, .. } if self_is_connected(*remote) => {
                Ok(inet_address::build(Some(*remote)))
            }
            _ => return_errno!(ENOTCONN),
        }
    }

    fn send(
        &self,
        data: &[u8],
        _destination: Option<&[u8]>,
        _control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize> {
        // Linux's tcp_sendmsg: EPIPE on a socket never connected.
        let Some(handle) = self.handle() else { return_errno!(EPIPE) };
        if self.is_write_shut.load(Ordering::Acquire) {
            return_errno!(EPIPE);
        }
        let timeout = self.options.send_timeout_ns();
        let mut sent = 0;
        loop {
            let outcome = stack::with(|stack| {
                let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
                match socket.state() {
                    tcp::State::SynSent | tcp::State::SynReceived => Ok(0),
                    // A pending error (a reset) is reported first, once;
                    // after it, EPIPE (sk_stream_error).
                    _ if !socket.may_send() => Err(stack.take_error(handle).unwrap_or(Errno::EPIPE)),
                    _ => Ok(socket.send_slice(&data[sent..]).unwrap_or(0)),
                }
            });
            match outcome {
                Ok(count) => sent += count,
                Err(errno) if sent == 0 => return Err(errno.into()),
                Err(_) => return Ok(sent),
            }
            if sent == data.len() || data.is_empty() {
                return Ok(sent);
            }
            if let Err(error) = self.wait(flags.is_nonblocking, timeout, |_| {
                stack::with(|stack| {
                    let socket = stack.sockets.get::<tcp::Socket>(handle);
                    socket.can_send() || !socket.may_send()
                })
            }) {
                if sent > 0 {
                    return Ok(sent);
                }
                return Err(error);
            }
        }
    }

    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        let Some(handle) = self.handle() else { return_errno!(ENOTCONN) };
        let readable = |_: &TcpSocket| {
            stack::with(|stack| {
                let socket = stack.sockets.get::<tcp::Socket>(handle);
                socket.can_recv() || !socket.may_recv()
            })
        };
        if !self.is_read_shut.load(Ordering::Acquire) && !buffer.is_empty() {
            self.wait(flags.is_nonblocking, self.options.receive_timeout_ns(), readable)?;
        }
        let count = stack::with(|stack| {
            let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
            let result = if flags.flags & MSG_PEEK != 0 {
                socket.peek_slice(buffer)
            } else {
                socket.recv_slice(buffer)
            };
            match result {
                Ok(count) => Ok(count),
                Err(tcp::RecvError::Finished) => Ok(0),
                // Reset by the peer: ECONNRESET once, then end of file.
                Err(tcp::RecvError::InvalidState) if socket.state() == tcp::State::Closed => {
                    stack.take_error(handle).map_or(Ok(0), Err)
                }
                Err(tcp::RecvError::InvalidState) => Err(Errno::ENOTCONN),
            }
        })?;
        Ok(Received { count, full_length: count, ..Received::default() })
    }

    fn shutdown(&self, how: Shutdown) -> Result<()> {
        let Some(handle) = self.handle() else { return_errno!(ENOTCONN) };
        if how.has_write() {
            self.is_write_shut.store(true, Ordering::Release);
            stack::with(|stack| stack.sockets.get_mut::<tcp::Socket>(handle).close());
        }
        if how.has_read() {
            self.is_read_shut.store(true, Ordering::Release);
        }
        self.waiters.wake_all();
        Ok(())
    }

    fn options(&self) -> &SocketOptions {
        &self.options
    }

    fn socket_option_changed(&self, _name: i32) {
        if let Some(handle) = self.handle() {
            stack::with(|stack| self.apply_options(stack.sockets.get_mut::<tcp::Socket>(handle)));
        }
    }

    fn set_option(&self, level: i32, name: i32, value: OptionValue) -> Result<()> {
        if level != IPPROTO_TCP && level != IPPROTO_IP {
            return_errno!(ENOPROTOOPT);
        }
        self.protocol_options.lock().set(level, name, value)?;
        self.socket_option_changed(name);
        Ok(())
    }

    fn get_option(&self, level: i32, name: i32) -> Result<Vec<u8>> {
        if level != IPPROTO_TCP && level != IPPROTO_IP {
            return_errno!(ENOPROTOOPT);
        }
        let state = match self.connection_state() {
            Some(state) => linux_state(state),
            None if self.is_listening() => linux_state(tcp::State::Listen),
            None => linux_state(tcp::State::Closed),
        };
        self.protocol_options.lock().get(level, name, state)
    }

    fn readiness(&self) -> Readiness {
        let state = self.state.lock();
        match &*state {
            State::Idle { .. } => Readiness { writable: true, hang_up: true, ..Readiness::default() },
            State::Listening { listeners, .. } => {
                let listeners = listeners.clone();
                drop(state);
                // The listeners were copied out of the lock: skip any that
                // a concurrent accept or close has taken since.
                let readable = stack::with(|stack| {
                    listeners.iter().any(|handle| {
                        stack.is_watched_by(*handle, &self.waiters)
                            && is_acceptable(stack.sockets.get::<tcp::Socket>(*handle).state())
                    })
                });
                Readiness { readable, ..Readiness::default() }
            }
            State::Connected { handle, .. } => {
                let handle = *handle;
                drop(state);
                let is_read_shut = self.is_read_shut.load(Ordering::Acquire);
                let is_write_shut = self.is_write_shut.load(Ordering::Acquire);
                stack::with(|stack| {
                    if !stack.is_watched_by(handle, &self.waiters) {
                        // Closed meanwhile (the handle was copied out of
                        // the lock): nothing more will come.
                        return Readiness {
                            readable: true,
                            writable: true,
                            hang_up: true,
                            ..Readiness::default()
                        };
                    }
                    let socket = stack.sockets.get::<tcp::Socket>(handle);
                    let tcp_state = socket.state();
                    let is_connecting = matches!(tcp_state, tcp::State::SynSent | tcp::State::SynReceived);
                    let is_closed = tcp_state == tcp::State::Closed;
                    // tcp_poll: RCV_SHUTDOWN after the peer's FIN, a reset
                    // or shutdown(SHUT_RD); SEND_SHUTDOWN after our FIN.
                    let is_receive_shut = is_read_shut || (!is_connecting && !socket.may_recv());
                    let is_send_shut = is_write_shut || is_closed;
                    Readiness {
                        readable: socket.can_recv() || is_receive_shut,
                        writable: !is_connecting && (is_send_shut || socket.can_send()),
                        hang_up: is_closed || (is_receive_shut && is_send_shut),
                        error: stack.pending_error(handle).is_some(),
                        read_hang_up: is_receive_shut,
                    }
                })
            }
        }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.waiters), None]
    }

    fn release(&self) {
        let state = core::mem::replace(&mut *self.state.lock(), State::Idle { local: None });
        let linger = self.options.get().linger;
        let id = self.binding_id;
        stack::with(|stack| match state {
            State::Idle { local } => {
                if let Some(local) = local {
                    stack.release_port(Transport::Tcp, local.port, id);
                }
            }
            State::Listening { local, listeners } => {
                // Connections not yet accepted are reset (inet_csk_listen_stop).
                for handle in listeners {
                    if stack.sockets.get::<tcp::Socket>(handle).state() == tcp::State::Listen {
                        stack.remove(handle);
                    } else {
                        stack.orphan_tcp(handle, local.port, id, true);
                    }
                }
                stack.listening_count -= 1;
                stack.release_port(Transport::Tcp, local.port, id);
            }
            State::Connected { handle, local, .. } => {
                // smoltcp finishes the close (FIN); the stack frees the
                // socket once closed, or keeps only its port in TIME-WAIT.
                // SO_LINGER with a zero time resets instead (tcp_close).
                let is_abortive = linger.0 && linger.1 == 0;
                stack.orphan_tcp(handle, local.port, id, is_abortive);
            }
        });
        self.waiters.wake_all();
    }
}

/// Whether a connected socket's peer address may be reported (always,
/// once recorded: smoltcp keeps it until the socket is closed).
fn self_is_connected(_remote: IpEndpoint) -> bool {
    true
}

/// Whether a listener's smoltcp socket holds a connection to accept, or
/// one reset before it was accepted, which accept then replaces.
fn is_acceptable(state: tcp::State) -> bool {
    !matches!(state, tcp::State::Listen | tcp::State::SynReceived)
}
