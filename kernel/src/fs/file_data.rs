//! A tmpfs file's bytes, in pages of RAM rather than on the kernel heap:
//! a file can grow as long as there are free pages (ENOSPC after), holes
//! read as zeros and cost nothing, and the pages are ready to be mapped
//! into address spaces.

use crate::error::Result;
use alloc::vec::Vec;
use hal::memory::page::Page;

const PAGE_SIZE: usize = 4096;

#[derive(Default)]
pub struct FileData {
    /// Page n holds bytes [n * 4096, (n + 1) * 4096); None is a hole.
    pages: Vec<Option<Page>>,
    length: usize,
}

impl FileData {
    pub fn from_bytes(bytes: &[u8]) -> Result<FileData> {
        let mut data = FileData::default();
        data.write(0, bytes)?;
        Ok(data)
    }

    pub fn len(&self) -> usize {
        self.length
    }

    /// Copies from `offset` into `buffer`; returns the count (0 at or past
    /// the end).
    pub fn read(&self, offset: usize, buffer: &mut [u8]) -> usize {
        let end = offset.saturating_add(buffer.len()).min(self.length);
        let mut at = offset;
        while at < end {
            let (index, within) = (at / PAGE_SIZE, at % PAGE_SIZE);
            let count = (PAGE_SIZE - within).min(end - at);
            let target = &mut buffer[at - offset..at - offset + count];
            match self.pages.get(index).and_then(Option::as_ref) {
                Some(page) => page.read(within, target),
                None => target.fill(0),
            }
            at += count;
        }
        end.saturating_sub(offset)
    }

    /// Writes `bytes` at `offset`, growing the file; ENOSPC when pages run
    /// out (what was written before stays).
    pub fn write(&mut self, offset: usize, bytes: &[u8]) -> Result<usize> {
        let end = offset.checked_add(bytes.len()).ok_or(abi::Errno::EFBIG)?;
        let last_page = end.div_ceil(PAGE_SIZE);
        if last_page > self.pages.len() {
            self.pages.try_reserve(last_page - self.pages.len()).map_err(|_| abi::Errno::ENOSPC)?;
            self.pages.resize_with(last_page, || None);
        }
        let mut at = offset;
        while at < end {
            let (index, within) = (at / PAGE_SIZE, at % PAGE_SIZE);
            let count = (PAGE_SIZE - within).min(end - at);
            let slot = &mut self.pages[index];
            if slot.is_none() {
                match Page::alloc_zeroed() {
                    Some(page) => *slot = Some(page),
                    None => {
                        self.length = self.length.max(at);
                        return Err(abi::Errno::ENOSPC.into());
                    }
                }
            }
            if let Some(page) = slot {
                page.write(within, &bytes[at - offset..at - offset + count]);
            }
            at += count;
        }
        self.length = self.length.max(end);
        Ok(bytes.len())
    }

    /// Sets the length: pages past it are freed, the tail of the last one
    /// zeroed (so growing again shows zeros), growth is a hole.
    pub fn truncate(&mut self, length: usize) -> Result<()> {
        if length < self.length {
            let within = length % PAGE_SIZE;
            if within != 0 {
                if let Some(Some(page)) = self.pages.get(length / PAGE_SIZE) {
                    page.zero(within, PAGE_SIZE - within);
                }
            }
            self.pages.truncate(length.div_ceil(PAGE_SIZE));
        } else {
            let pages = length.div_ceil(PAGE_SIZE);
            if pages > self.pages.len() {
                self.pages.try_reserve(pages - self.pages.len()).map_err(|_| abi::Errno::ENOSPC)?;
                self.pages.resize_with(pages, || None);
            }
        }
        self.length = length;
        Ok(())
    }

    /// Another reference to the page holding bytes [index * 4096, ...),
    /// None for a hole or past the end.
    pub fn page(&self, index: usize) -> Option<Page> {
        self.pages.get(index).and_then(Clone::clone)
    }

    /// The page at `index`, allocated (zeroed) if it is a hole, for a
    /// shared mapping whose writes must land in the file. The length does
    /// not change. None when out of pages.
    pub fn page_or_alloc(&mut self, index: usize) -> Option<Page> {
        if index >= self.pages.len() {
            self.pages.try_reserve(index + 1 - self.pages.len()).ok()?;
            self.pages.resize_with(index + 1, || None);
        }
        if self.pages[index].is_none() {
            self.pages[index] = Some(Page::alloc_zeroed()?);
        }
        self.pages[index].clone()
    }

    /// Pages in use (st_blocks counts them).
    pub fn resident_pages(&self) -> usize {
        self.pages.iter().filter(|p| p.is_some()).count()
    }
}
