//! User memory: address spaces and the copies in and out of them.

pub mod space;
pub mod user;
pub mod vm;
