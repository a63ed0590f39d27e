//! Sockets. AF_UNIX lives here (`unix_*`); the syscall entry points in
//! `syscalls` find the socket behind a descriptor and call it.

pub mod message_syscalls;
pub mod syscalls;
pub mod unix_connection;
pub mod unix_socket;
