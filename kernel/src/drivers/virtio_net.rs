//! The virtio network card (virtio spec 1.2 §5.1) as a source and sink of
//! Ethernet frames, over hal's `NetQueues` (virtio-drivers' raw device).
//!
//! Receive: `QUEUE_SIZE` buffers stay posted to the device; a filled one
//! is lent out as it is (the device wrote the frame there, nothing is
//! copied) and posted again when the stack has read it. Transmit: the
//! stack writes the frame straight into the buffer the device reads, and
//! the send returns at once, with the frame in flight; sent frames are
//! taken back on later sends. So no frame is copied by the driver.

use hal::virtio_net::NetQueues;
pub use hal::virtio_net::{ReceivedFrame, TransmitFrame};
use virtio_drivers::transport::DeviceType;

/// An Ethernet frame carries at most this many bytes (header included,
/// no FCS): the MTU smoltcp sees.
pub const FRAME_SIZE: usize = 1514;

pub struct VirtioNet {
    queues: NetQueues,
    irq: Option<u32>,
}

impl VirtioNet {
    /// The first virtio-net device in the device tree, initialised with its
    /// receive buffers posted, or `None` if there is none or it fails.
    pub fn probe() -> Option<VirtioNet> {
        let found = hal::virtio::take(DeviceType::Network)?;
        match NetQueues::new(found.transport) {
            Ok(queues) => {
                let mac = queues.mac_address();
                log::info!(
                    "virtio-net at {:#x}, irq {:?}, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                    found.base,
                    found.irq,
                    mac[0],
                    mac[1],
                    mac[2],
                    mac[3],
                    mac[4],
                    mac[5]
                );
                Some(VirtioNet { queues, irq: found.irq })
            }
            Err(error) => {
                log::warn!("virtio-net at {:#x}: {error:?}, not used", found.base);
                None
            }
        }
    }

    pub fn mac_address(&self) -> [u8; 6] {
        self.queues.mac_address()
    }

    /// The PLIC source of the device's interrupt.
    pub fn irq(&self) -> Option<u32> {
        self.irq
    }

    /// Acknowledges the device's interrupt (the line is level-triggered and
    /// stays raised until this).
    pub fn ack_interrupt(&mut self) {
        self.queues.ack_interrupt();
    }

    /// A received frame, if the device has filled a buffer.
    pub fn receive(&mut self) -> Option<ReceivedFrame> {
        self.queues.receive()
    }

    /// Posts a receive buffer back to the device.
    pub fn recycle(&mut self, frame: ReceivedFrame) {
        self.queues.recycle(frame);
    }

    /// A zeroed buffer for a frame of `len` bytes.
    pub fn new_frame(&self, len: usize) -> TransmitFrame {
        self.queues.new_frame(len)
    }

    /// Sends a frame; a frame the device refuses (a full ring) is dropped,
    /// as a full ring drops one on any NIC, and TCP sends it again.
    /// Whether it went.
    pub fn send(&mut self, frame: TransmitFrame) -> bool {
        let is_sent = self.queues.send(frame);
        if !is_sent {
            log::debug!("virtio-net: transmit ring full, frame dropped");
        }
        is_sent
    }
}
