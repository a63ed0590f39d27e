//! Random bytes for getrandom, /dev/urandom and AT_RANDOM: a xorshift
//! generator seeded from the timer and mixed per call. Not cryptographic;
//! a virtio-rng or Zkr seed source is the way to make it so.

use core::sync::atomic::{AtomicU64, Ordering};

static STATE: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);

fn next() -> u64 {
    let mut x = STATE.load(Ordering::Relaxed) ^ hal::timer::now().rotate_left(17);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    x.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

pub fn fill(buffer: &mut [u8]) {
    for chunk in buffer.chunks_mut(8) {
        let bytes = next().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}
