//! A virtio network card's two queues with frames in flight, over
//! virtio-drivers' `VirtIONetRaw`, behind a safe interface.
//!
//! Why not virtio-drivers' `VirtIONet`: its `send` waits until the device
//! has taken each frame. Under QEMU the device handles the transmit queue
//! in its main loop, so every frame cost a round trip between the vCPU and
//! that thread; a 4 KiB HTTP answer is three frames. Here a frame is
//! queued and the call returns; finished frames are taken back on the next
//! send. The raw API is `unsafe` because the device keeps using a buffer
//! after the call: this module owns every buffer it hands to the device
//! until the device gives it back, which is what makes it safe.

use crate::virtio::VirtioHal;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use virtio_drivers::device::net::VirtIONetRaw;
use virtio_drivers::transport::mmio::MmioTransport;

/// Descriptors per queue, and receive buffers kept posted.
pub const QUEUE_SIZE: usize = 64;

/// A receive buffer: the virtio-net header and a 1514-byte frame, rounded
/// up (virtio-drivers asks for at least 1526 bytes).
const RX_BUFFER_SIZE: usize = 2048;

/// The longest virtio-net header (with the legacy layout it is shorter).
const MAX_HEADER: usize = 12;

pub struct NetQueues {
    device: VirtIONetRaw<VirtioHal, MmioTransport<'static>, QUEUE_SIZE>,
    /// `receiving[token]`: the buffer posted under that token.
    receiving: Vec<Option<Box<[u8]>>>,
    /// `sending[token]`: the frame the device is sending under that token.
    sending: Vec<Option<Vec<u8>>>,
}

/// A frame the device received, in the buffer it wrote.
pub struct ReceivedFrame {
    buffer: Box<[u8]>,
    start: usize,
    length: usize,
}

impl ReceivedFrame {
    pub fn bytes(&self) -> &[u8] {
        &self.buffer[self.start..self.start + self.length]
    }
}

/// A frame being built: the device header, then `bytes_mut`.
pub struct TransmitFrame {
    buffer: Vec<u8>,
    header: usize,
}

impl TransmitFrame {
    pub fn bytes(&self) -> &[u8] {
        &self.buffer[self.header..]
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buffer[self.header..]
    }
}

impl NetQueues {
    /// Sets the card up and posts every receive buffer.
    pub fn new(transport: MmioTransport<'static>) -> Result<NetQueues, virtio_drivers::Error> {
        let device = VirtIONetRaw::new(transport)?;
        let mut queues = NetQueues {
            device,
            receiving: (0..QUEUE_SIZE).map(|_| None).collect(),
            sending: (0..QUEUE_SIZE).map(|_| None).collect(),
        };
        for _ in 0..QUEUE_SIZE {
            queues.post(vec![0u8; RX_BUFFER_SIZE].into_boxed_slice())?;
        }
        Ok(queues)
    }

    pub fn mac_address(&self) -> [u8; 6] {
        self.device.mac_address()
    }

    pub fn ack_interrupt(&mut self) {
        self.device.ack_interrupt();
    }

    /// Hands a receive buffer to the device.
    fn post(&mut self, mut buffer: Box<[u8]>) -> Result<(), virtio_drivers::Error> {
        // SAFETY: the buffer is kept in `receiving` under its token and not
        // touched until the device returns that token (`receive`); the
        // heap block does not move when the Box does.
        let token = unsafe { self.device.receive_begin(&mut buffer)? };
        let slot = self.receiving.get_mut(token as usize).ok_or(virtio_drivers::Error::WrongToken)?;
        *slot = Some(buffer);
        Ok(())
    }

    /// A received frame, if the device has filled a buffer.
    pub fn receive(&mut self) -> Option<ReceivedFrame> {
        let token = self.device.poll_receive()?;
        let mut buffer = self.receiving.get_mut(token as usize)?.take()?;
        // SAFETY: `buffer` is the one posted under `token` (taken from its
        // slot), which the device has now finished with.
        match unsafe { self.device.receive_complete(token, &mut buffer) } {
            Ok((start, length)) => Some(ReceivedFrame { buffer, start, length }),
            Err(_) => {
                let _ = self.post(buffer);
                None
            }
        }
    }

    /// Posts a received frame's buffer again.
    pub fn recycle(&mut self, frame: ReceivedFrame) {
        // A buffer that cannot be posted is freed: one fewer in the ring.
        let _ = self.post(frame.buffer);
    }

    /// A zeroed frame of `length` bytes after the device header.
    pub fn new_frame(&self, length: usize) -> TransmitFrame {
        let mut buffer = vec![0u8; MAX_HEADER + length];
        let header = self.device.fill_buffer_header(&mut buffer).unwrap_or(MAX_HEADER);
        buffer.truncate(header + length);
        TransmitFrame { buffer, header }
    }

    /// Takes back the frames the device has sent.
    fn reclaim(&mut self) {
        while let Some(token) = self.device.poll_transmit() {
            let Some(buffer) = self.sending.get_mut(token as usize).and_then(Option::take) else { return };
            // SAFETY: `buffer` is the frame handed over under `token`, now
            // done; it was only kept, never touched, in between.
            let _ = unsafe { self.device.transmit_complete(token, &buffer) };
        }
    }

    /// Queues a frame for the device and returns without waiting. A full
    /// ring drops the frame, as any card does; TCP sends it again.
    pub fn send(&mut self, frame: TransmitFrame) -> bool {
        self.reclaim();
        if !self.device.can_send() {
            return false;
        }
        // SAFETY: the frame's buffer goes into `sending` under its token
        // and stays there untouched until `reclaim` sees that token used.
        match unsafe { self.device.transmit_begin(&frame.buffer) } {
            Ok(token) => match self.sending.get_mut(token as usize) {
                Some(slot) => {
                    *slot = Some(frame.buffer);
                    true
                }
                // Out of range cannot happen (tokens index the queue); the
                // buffer is leaked rather than freed under the device.
                None => {
                    core::mem::forget(frame.buffer);
                    false
                }
            },
            Err(_) => false,
        }
    }
}
