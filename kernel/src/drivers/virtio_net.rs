//! The virtio network card (virtio spec 1.2 §5.1) as a source and sink of
//! Ethernet frames, over `virtio-drivers`' `VirtIONet`.
//!
//! Receive: `RX_QUEUE_SIZE` buffers stay posted to the device; a filled
//! one is lent out as it is (the device wrote the frame there, nothing is
//! copied) and posted again when the stack has read it. Transmit: the
//! stack writes the frame straight into a `TxBuffer`, which the device
//! reads in place. So no frame is copied by the driver.
//!
//! Transmission waits for the device to take the frame (virtio-drivers'
//! `send`): QEMU's virtio-net moves it out on the notify, so the wait is
//! short, and it spares goose a queue of frames in flight. That is the
//! next thing to change if transmit throughput matters.

use hal::virtio::VirtioHal;
use virtio_drivers::device::net::{RxBuffer, TxBuffer, VirtIONet};
use virtio_drivers::transport::mmio::MmioTransport;
use virtio_drivers::transport::DeviceType;

/// Receive buffers kept posted (and the transmit ring's size): a power of
/// two no larger than QEMU's queue size (256 for virtio-mmio).
const QUEUE_SIZE: usize = 64;

/// One receive buffer: the 12-byte virtio-net header and a 1514-byte
/// Ethernet frame, rounded up (virtio-drivers asks at least 1526).
const RX_BUFFER_SIZE: usize = 2048;

/// An Ethernet frame carries at most this many bytes (header included,
/// no FCS): the MTU smoltcp sees.
pub const FRAME_SIZE: usize = 1514;

pub struct VirtioNet {
    device: VirtIONet<VirtioHal, MmioTransport<'static>, QUEUE_SIZE>,
    irq: Option<u32>,
}

impl VirtioNet {
    /// The first virtio-net device in the device tree, initialised with its
    /// receive buffers posted, or `None` if there is none or it fails.
    pub fn probe() -> Option<VirtioNet> {
        let found = hal::virtio::take(DeviceType::Network)?;
        match VirtIONet::new(found.transport, RX_BUFFER_SIZE) {
            Ok(device) => {
                let mac = device.mac_address();
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
                Some(VirtioNet { device, irq: found.irq })
            }
            Err(error) => {
                log::warn!("virtio-net at {:#x}: {error:?}, not used", found.base);
                None
            }
        }
    }

    pub fn mac_address(&self) -> [u8; 6] {
        self.device.mac_address()
    }

    /// The PLIC source of the device's interrupt.
    pub fn irq(&self) -> Option<u32> {
        self.irq
    }

    /// Acknowledges the device's interrupt (the line is level-triggered and
    /// stays raised until this).
    pub fn ack_interrupt(&mut self) {
        self.device.ack_interrupt();
    }

    /// A received frame, if the device has filled a buffer.
    pub fn receive(&mut self) -> Option<ReceivedFrame> {
        match self.device.receive() {
            Ok(buffer) => Some(ReceivedFrame(buffer)),
            Err(virtio_drivers::Error::NotReady) => None,
            Err(error) => {
                log::warn!("virtio-net receive: {error:?}");
                None
            }
        }
    }

    /// Posts a receive buffer back to the device.
    pub fn recycle(&mut self, frame: ReceivedFrame) {
        if let Err(error) = self.device.recycle_rx_buffer(frame.0) {
            // The buffer is freed; the ring has one fewer to fill.
            log::warn!("virtio-net recycle: {error:?}");
        }
    }

    /// A zeroed buffer for a frame of `len` bytes.
    pub fn new_frame(&self, len: usize) -> TransmitFrame {
        TransmitFrame(self.device.new_tx_buffer(len))
    }

    /// Sends a frame; a frame the device refuses is dropped (as a full
    /// ring drops one on any NIC) and counted by the caller's protocol.
    pub fn send(&mut self, frame: TransmitFrame) {
        if let Err(error) = self.device.send(frame.0) {
            log::debug!("virtio-net send: {error:?}, frame dropped");
        }
    }
}

/// A frame the device received, in the buffer it wrote.
pub struct ReceivedFrame(RxBuffer);

impl ReceivedFrame {
    pub fn bytes(&self) -> &[u8] {
        self.0.packet()
    }
}

/// A frame being built for transmission, in the buffer the device reads.
pub struct TransmitFrame(TxBuffer);

impl TransmitFrame {
    pub fn bytes(&self) -> &[u8] {
        self.0.packet()
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.0.packet_mut()
    }
}
