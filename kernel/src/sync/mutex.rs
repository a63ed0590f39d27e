//! A mutex for long critical sections (address spaces, file tables). It
//! leaves interrupts on while held; a task that finds it taken yields the
//! hart and tries again, so a holder that is preempted does not make
//! others spin through their whole time slice.

use spin::MutexGuard;

pub struct Mutex<T: ?Sized> {
    inner: spin::Mutex<T>,
}

impl<T> Mutex<T> {
    pub const fn new(value: T) -> Self {
        Mutex { inner: spin::Mutex::new(value) }
    }
}

impl<T: ?Sized> Mutex<T> {
    pub fn lock(&self) -> MutexGuard<'_, T> {
        loop {
            if let Some(guard) = self.inner.try_lock() {
                return guard;
            }
            crate::sched::yield_now();
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}
