//! A fixed-capacity, allocation-free vector for the executor's per-bundle staging.
//! Pushing beyond the capacity is a bug in the caller's bound and is reported, not UB.

use std::ops::Deref;

/// Up to `N` items of a `Copy` type stored inline.
#[derive(Clone, Copy)]
pub struct FixedVec<T: Copy + Default, const N: usize> {
    len: usize,
    items: [T; N],
}

impl<T: Copy + Default, const N: usize> Default for FixedVec<T, N> {
    fn default() -> Self {
        FixedVec {
            len: 0,
            items: [T::default(); N],
        }
    }
}

impl<T: Copy + Default, const N: usize> FixedVec<T, N> {
    #[inline(always)]
    pub fn clear(&mut self) {
        self.len = 0;
    }
    /// Appends `v`. The callers' bounds (channels per bundle) keep it below `N`;
    /// an overflow is a bug, caught in debug builds and ignored (item dropped) in release.
    #[inline(always)]
    pub fn push(&mut self, v: T) {
        if self.len < N {
            self.items[self.len] = v;
            self.len += 1;
        } else {
            debug_assert!(false, "FixedVec capacity {N} exceeded");
        }
    }
}

impl<T: Copy + Default, const N: usize> Deref for FixedVec<T, N> {
    type Target = [T];
    #[inline(always)]
    fn deref(&self) -> &[T] {
        &self.items[..self.len]
    }
}

impl<'a, T: Copy + Default, const N: usize> IntoIterator for &'a FixedVec<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items[..self.len].iter()
    }
}
