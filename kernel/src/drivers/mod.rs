//! Device drivers that sit on top of hal's transports (the MMIO and DMA
//! underneath them are hal's).

pub mod virtio_net;
