//! AF_INET SOCK_STREAM on smoltcp. A listening socket keeps `backlog`
//! smoltcp sockets listening on its port (smoltcp turns a listener into
//! the connection itself); accept hands out an established one and puts a
//! fresh listener in its place.

use super::inet_address;
use super::socket::*;
use super::stack::{self, Stack, Transport, CHANGED};
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicI32, Ordering};
use hal::sync::SpinLock;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint};

/// Per-socket buffers (Linux's defaults are larger and auto-tuned).
const BUFFER_BYTES: usize = 64 * 1024;
const IPPROTO_TCP: i32 = 6;
const MAX_BACKLOG: usize = 128;

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
    /// SO_ERROR: a failure of a non-blocking connect.
    error: AtomicI32,
    is_write_shut: SpinLock<bool>,
    is_read_shut: SpinLock<bool>,
}

fn new_smoltcp_socket() -> tcp::Socket<'static> {
    let receive = tcp::SocketBuffer::new(alloc::vec![0; BUFFER_BYTES]);
    let send = tcp::SocketBuffer::new(alloc::vec![0; BUFFER_BYTES]);
    tcp::Socket::new(receive, send)
}

fn listen_on(stack: &mut Stack, local: IpEndpoint) -> Result<SocketHandle> {
    let mut socket = new_smoltcp_socket();
    let endpoint = IpListenEndpoint {
        addr: if local.addr.is_unspecified() { None } else { Some(local.addr) },
        port: local.port,
    };
    socket.listen(endpoint).map_err(|_| Errno::EINVAL)?;
    Ok(stack.sockets.add(socket))
}

impl TcpSocket {
    pub fn new() -> Arc<TcpSocket> {
        Arc::new(TcpSocket::with_state(State::Idle { local: None }))
    }

    fn with_state(state: State) -> TcpSocket {
        TcpSocket {
            state: SpinLock::new(state),
            error: AtomicI32::new(0),
            is_write_shut: SpinLock::new(false),
            is_read_shut: SpinLock::new(false),
        }
    }

    /// Waits on the stack until `ready` holds, or fails with EAGAIN
    /// (non-blocking) or ERESTARTSYS (a signal).
    fn wait(&self, is_nonblocking: bool, mut ready: impl FnMut(&TcpSocket) -> bool) -> Result<()> {
        if ready(self) {
            return Ok(());
        }
        if is_nonblocking {
            return_errno!(EAGAIN);
        }
        let satisfied = CHANGED.wait_until_or(
            || {
                stack::poll();
                ready(self)
            },
            crate::signal::current_has_pending,
        );
        if !satisfied {
            return_errno!(ERESTARTSYS);
        }
        Ok(())
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
            listeners.iter().position(|handle| {
                let socket = stack.sockets.get::<tcp::Socket>(*handle);
                !matches!(socket.state(), tcp::State::Listen | tcp::State::SynReceived | tcp::State::Closed)
            })
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
        stack::with(|stack| {
            if !stack.is_local_address(endpoint.addr) {
                return_errno!(EADDRNOTAVAIL);
            }
            endpoint.port = stack.take_port(Transport::Tcp, endpoint.port, false)?;
            Ok(())
        })?;
        *local = Some(endpoint);
        Ok(())
    }

    fn listen(&self, backlog: i32) -> Result<()> {
        let mut state = self.state.lock();
        let count = (backlog.max(1) as usize).min(MAX_BACKLOG);
        match &mut *state {
            State::Idle { local } => {
                let local = match local {
                    Some(local) => *local,
                    None => {
                        let port = stack::with(|stack| stack.take_port(Transport::Tcp, 0, false))?;
                        IpEndpoint::new(IpAddress::v4(0, 0, 0, 0), port)
                    }
                };
                let listeners = stack::with(|stack| {
                    (0..count).map(|_| listen_on(stack, local)).collect::<Result<Vec<_>>>()
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
        self.wait(is_nonblocking, |socket| socket.established_listener().is_some())?;
        let mut state = self.state.lock();
        let State::Listening { local, listeners } = &mut *state else { return_errno!(EINVAL) };
        let local = *local;
        let (handle, connection_local, remote) = stack::with(|stack| {
            let index = listeners
                .iter()
                .position(|handle| {
                    let socket = stack.sockets.get::<tcp::Socket>(*handle);
                    !matches!(
                        socket.state(),
                        tcp::State::Listen | tcp::State::SynReceived | tcp::State::Closed
                    )
                })
                .ok_or(Errno::EAGAIN)?;
            let replacement = listen_on(stack, local)?;
            let handle = core::mem::replace(&mut listeners[index], replacement);
            let socket = stack.sockets.get::<tcp::Socket>(handle);
            let connection_local = socket.local_endpoint().unwrap_or(local);
            let remote = socket.remote_endpoint().ok_or(Errno::ECONNABORTED)?;
            // The accepted connection shares the listener's port.
            let _ = stack.take_port(Transport::Tcp, local.port, true);
            Ok::<_, crate::error::Error>((handle, connection_local, remote))
        })?;
        let connection = TcpSocket::with_state(State::Connected { handle, local: connection_local, remote });
        Ok((Arc::new(connection), inet_address::build(Some(remote))))
    }

    fn connect(&self, address: &[u8], is_nonblocking: bool) -> Result<()> {
        let remote = inet_address::parse(address)?;
        {
            let mut state = self.state.lock();
            match &*state {
                State::Idle { local } => {
                    let local = *local;
                    let (handle, local) = stack::with(|stack| {
                        let local = match local {
                            Some(local) => local,
                            None => {
                                let port = stack.take_port(Transport::Tcp, 0, false)?;
                                IpEndpoint::new(IpAddress::v4(0, 0, 0, 0), port)
                            }
                        };
                        let mut socket = new_smoltcp_socket();
                        let listen = IpListenEndpoint {
                            addr: if local.addr.is_unspecified() { None } else { Some(local.addr) },
                            port: local.port,
                        };
                        socket
                            .connect(stack.interface.context(), remote, listen)
                            .map_err(|_| Errno::ENETUNREACH)?;
                        let handle = stack.sockets.add(socket);
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
                    let is_connecting = stack::with(|stack| {
                        stack.sockets.get::<tcp::Socket>(handle).state() == tcp::State::SynSent
                    });
                    if is_connecting {
                        return_errno!(EALREADY);
                    }
                    return_errno!(EISCONN);
                }
            }
        }
        if is_nonblocking {
            if self.connection_state() == Some(tcp::State::Established) {
                return Ok(());
            }
            return_errno!(EINPROGRESS);
        }
        self.wait(false, |socket| socket.connection_state() != Some(tcp::State::SynSent))?;
        match self.connection_state() {
            Some(tcp::State::Closed) | None => return_errno!(ECONNREFUSED),
            _ => Ok(()),
        }
    }

    fn take_error(&self) -> i32 {
        let pending = self.error.swap(0, Ordering::Relaxed);
        if pending != 0 {
            return pending;
        }
        // A non-blocking connect that was refused shows here (connect(2)).
        let state = self.state.lock();
        if let State::Connected { handle, .. } = &*state {
            let is_refused = stack::with(|stack| {
                let socket = stack.sockets.get::<tcp::Socket>(*handle);
                socket.state() == tcp::State::Closed && socket.remote_endpoint().is_none()
            });
            if is_refused {
                return Errno::ECONNREFUSED as i32;
            }
        }
        0
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
        let handle = match &*self.state.lock() {
            State::Connected { handle, .. } => *handle,
            // Linux's tcp_sendmsg: EPIPE on a socket never connected.
            _ => return_errno!(EPIPE),
        };
        if *self.is_write_shut.lock() {
            return_errno!(EPIPE);
        }
        let mut sent = 0;
        loop {
            let outcome = stack::with(|stack| {
                let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
                match socket.state() {
                    tcp::State::SynSent | tcp::State::SynReceived => Ok(0),
                    _ if !socket.may_send() => Err(Errno::EPIPE),
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
            let is_nonblocking = flags.is_nonblocking;
            if let Err(error) = self.wait(is_nonblocking, |_| {
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
        let handle = match &*self.state.lock() {
            State::Connected { handle, .. } => *handle,
            _ => return_errno!(ENOTCONN),
        };
        let readable = |_: &TcpSocket| {
            stack::with(|stack| {
                let socket = stack.sockets.get::<tcp::Socket>(handle);
                socket.can_recv() || !socket.may_recv()
            })
        };
        if !*self.is_read_shut.lock() && !buffer.is_empty() {
            self.wait(flags.is_nonblocking, readable)?;
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
                // Reset by the peer.
                Err(tcp::RecvError::InvalidState) if socket.state() == tcp::State::Closed => Ok(0),
                Err(tcp::RecvError::InvalidState) => Err(Errno::ENOTCONN),
            }
        })?;
        Ok(Received { count, full_length: count, ..Received::default() })
    }

    fn shutdown(&self, how: Shutdown) -> Result<()> {
        let handle = match &*self.state.lock() {
            State::Connected { handle, .. } => *handle,
            _ => return_errno!(ENOTCONN),
        };
        if how.has_write() {
            *self.is_write_shut.lock() = true;
            stack::with(|stack| stack.sockets.get_mut::<tcp::Socket>(handle).close());
        }
        if how.has_read() {
            *self.is_read_shut.lock() = true;
        }
        CHANGED.wake_all();
        Ok(())
    }

    fn readiness(&self) -> Readiness {
        let state = self.state.lock();
        match &*state {
            State::Idle { .. } => Readiness { writable: true, hang_up: true, ..Readiness::default() },
            State::Listening { listeners, .. } => {
                let listeners = listeners.clone();
                drop(state);
                let readable = stack::with(|stack| {
                    listeners.iter().any(|handle| {
                        let socket = stack.sockets.get::<tcp::Socket>(*handle);
                        !matches!(
                            socket.state(),
                            tcp::State::Listen | tcp::State::SynReceived | tcp::State::Closed
                        )
                    })
                });
                Readiness { readable, ..Readiness::default() }
            }
            State::Connected { handle, .. } => {
                let handle = *handle;
                drop(state);
                stack::with(|stack| {
                    let socket = stack.sockets.get::<tcp::Socket>(handle);
                    let is_connecting = socket.state() == tcp::State::SynSent;
                    Readiness {
                        readable: socket.can_recv() || (!is_connecting && !socket.may_recv()),
                        writable: socket.can_send() || (!is_connecting && !socket.may_send()),
                        hang_up: socket.state() == tcp::State::Closed,
                        error: socket.state() == tcp::State::Closed && socket.remote_endpoint().is_none(),
                    }
                })
            }
        }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&CHANGED), None]
    }

    fn release(&self) {
        let state = core::mem::replace(&mut *self.state.lock(), State::Idle { local: None });
        stack::with(|stack| match state {
            State::Idle { local } => {
                if let Some(local) = local {
                    stack.release_port(Transport::Tcp, local.port);
                }
            }
            State::Listening { local, listeners } => {
                for handle in listeners {
                    stack.remove(handle);
                }
                stack.release_port(Transport::Tcp, local.port);
            }
            State::Connected { handle, local, .. } => {
                // smoltcp finishes the close (FIN, TIME-WAIT) on its own;
                // the stack frees the socket once it is closed.
                stack.orphan_tcp(handle);
                stack.release_port(Transport::Tcp, local.port);
            }
        });
        CHANGED.wake_all();
    }
}

/// Whether a connected socket's peer address may be reported (always,
/// once recorded: smoltcp keeps it until the socket is closed).
fn self_is_connected(_remote: IpEndpoint) -> bool {
    true
}
