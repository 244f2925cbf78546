//! The f32 rows of an index: all in memory, or read on demand while a large index file is still
//! arriving (a cold start searches once everything but its f32 rows is in; see
//! [`VectorIndex::open_lazily`]).

use std::ops::Range;
use std::sync::OnceLock;

use crate::quantize::encode_row;
use crate::{IndexError, VectorIndex};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rows {
    /// Every row, in storage order, `dim` values each.
    Whole(Vec<f32>),
    /// One cell per storage position, each filled once, after its check.
    Lazy(Box<[OnceLock<Box<[f32]>>]>),
}

impl Rows {
    pub fn lazy(count: usize) -> Self {
        Self::Lazy((0..count).map(|_| OnceLock::new()).collect())
    }

    /// The row stored at `position`; `None` past the end or not read yet.
    pub fn get(&self, position: usize, dim: usize) -> Option<&[f32]> {
        match self {
            Self::Whole(values) => {
                let start = position.checked_mul(dim)?;
                values.get(start..start.checked_add(dim)?)
            }
            Self::Lazy(cells) => cells.get(position)?.get().map(|row| &**row),
        }
    }
}

impl VectorIndex {
    /// Whether every f32 row is in memory.
    pub fn is_complete(&self) -> bool {
        match &self.vectors {
            Rows::Whole(_) => true,
            Rows::Lazy(cells) => cells.iter().all(|c| c.get().is_some()),
        }
    }

    /// Where row `id`'s f32 values are in the index file.
    pub fn row_bytes(&self, id: usize) -> Option<Range<usize>> {
        let layout = self.layout()?;
        let start = layout
            .header
            .checked_add(self.position_of(id)?.checked_mul(layout.row_bytes)?)?;
        Some(start..start.checked_add(layout.row_bytes)?)
    }

    /// Fills row `id` of a lazily opened index from the bytes at [`VectorIndex::row_bytes`],
    /// once it is checked: encoding the row again must give exactly its stored int8 codes,
    /// scale and error, so a row damaged in the store (or another file's) is refused rather
    /// than ranked. Filling a row that is in already does nothing.
    pub fn fill_row(&self, id: usize, bytes: &[u8]) -> Result<(), IndexError> {
        let Rows::Lazy(cells) = &self.vectors else {
            return Ok(());
        };
        let position = self
            .position_of(id)
            .ok_or_else(|| IndexError::Inconsistent(format!("no row {id}")))?;
        let Some(cell) = cells.get(position) else {
            return Err(IndexError::Inconsistent(format!("no row {id}")));
        };
        if cell.get().is_some() {
            return Ok(());
        }
        if bytes.len() != self.dim * 4 {
            return Err(IndexError::RowMismatch(id));
        }
        let row: Box<[f32]> = bytes
            .chunks_exact(4)
            .map(|c| <[u8; 4]>::try_from(c).map_or(f32::NAN, f32::from_le_bytes))
            .collect();
        let mut codes = Vec::with_capacity(self.dim);
        let (scale, error) = encode_row(&row, &mut codes);
        let start = position * self.dim;
        let stored = self.codes.codes.get(start..start + self.dim);
        let same = row.iter().all(|x| x.is_finite())
            && stored == Some(codes.as_slice())
            && self.codes.scales.get(position) == Some(&scale)
            && self.codes.errors.get(position) == Some(&error);
        if !same {
            return Err(IndexError::RowMismatch(id));
        }
        // A concurrent search may have filled it meanwhile, with the same values.
        let _ = cell.set(row);
        Ok(())
    }
}
