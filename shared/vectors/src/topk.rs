//! The k best (score, id) pairs seen so far, as a min-heap.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scored {
    pub score: f32,
    pub id: u32,
}

impl Eq for Scored {}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        // Higher score first; the lower id wins a tie, so answers are deterministic.
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.id.cmp(&self.id))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Reverse<Scored>>,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub fn push(&mut self, item: Scored) {
        if self.heap.len() < self.k {
            self.heap.push(Reverse(item));
        } else if self.heap.peek().is_some_and(|worst| item > worst.0) {
            self.heap.pop();
            self.heap.push(Reverse(item));
        }
    }

    /// The k-th best score, once k items are in; below it nothing can enter.
    pub fn threshold(&self) -> f32 {
        if self.heap.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.heap.peek().map_or(f32::NEG_INFINITY, |w| w.0.score)
        }
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        let mut items: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        items.sort_by(|a, b| b.cmp(a));
        items
    }
}
