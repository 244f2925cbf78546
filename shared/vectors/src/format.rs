//! The index file, little-endian throughout:
//!
//! ```text
//! magic      8 bytes  "VSVECIDX"
//! version    u32      FORMAT_VERSION
//! embedder   u16 length, then UTF-8 name
//! dim        u32
//! metric     u8       0 = cosine (unit vectors, inner product)
//! count      u64      rows
//! checksum   u32      CRC-32 of the header before it, body_len and the body
//! body_len   u64
//! body:
//!   vectors  count·dim f32
//!   codes    count·dim i8
//!   scales   count f32           code → value: code · scale
//!   errors   count f32           ‖x − x̃‖, bounds the int8 score's error
//!   lists    u32                 inverted-file lists, 0 when there is none; if not 0:
//!     nprobe     u32
//!     centroids  lists·dim f32
//!     offsets    (lists + 1) u32, ascending, last = count: list l is stored at
//!                positions offsets[l]..offsets[l + 1]
//!     ids        count u32: the row number stored at each position (a permutation)
//! (with an inverted file, vectors, codes, scales and errors are stored list by list)
//!   metadata u64 length, then bytes
//! ```
//!
//! Reading checks every length against the bytes present before allocating, so a hostile
//! header cannot make it allocate more than the file's size.

use crate::ivf::Ivf;
use crate::quantize::Codes;
use crate::rows::Rows;
use crate::{IndexError, VectorIndex};

pub const MAGIC: [u8; 8] = *b"VSVECIDX";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Cosine,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cosine => "cosine",
        }
    }
}

/// Where an index file's sections begin: the store splits a file at these offsets, so its f32
/// rows are parts of their own that a cold start can leave for later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileLayout {
    /// The header's length: where the body, and in it the f32 rows, begin.
    pub header: usize,
    /// Where the f32 rows end and the rest of the body (codes onwards) begins.
    pub rows_end: usize,
    /// The bytes of one f32 row.
    pub row_bytes: usize,
}

impl FileLayout {
    /// The layout of a file of `count` rows of `dim` by `embedder`; `None` when it overflows.
    pub fn of(embedder: &str, dim: usize, count: usize) -> Option<Self> {
        // magic, version, name length, name, dim, metric, count, checksum, body length.
        let header = 8 + 4 + 2 + embedder.len() + 4 + 1 + 8 + 4 + 8;
        let row_bytes = dim.checked_mul(4)?;
        Some(Self {
            header,
            rows_end: header.checked_add(count.checked_mul(row_bytes)?)?,
            row_bytes,
        })
    }
}

/// An index file's header.
struct Header {
    embedder: String,
    dim: usize,
    metric: Metric,
    count: usize,
    /// The bytes the checksum covers before the body length.
    checked: usize,
    checksum: u32,
    body_len: usize,
}

impl Header {
    fn read(r: &mut Reader<'_>) -> Result<Self, IndexError> {
        let start = r.0.len();
        if r.take(8, "magic")? != MAGIC {
            return Err(IndexError::NotAnIndex);
        }
        let version = r.u32("version")?;
        if version != FORMAT_VERSION {
            return Err(IndexError::Version(version));
        }
        let name_len = usize::from(r.u16("embedder name")?);
        let embedder = std::str::from_utf8(r.take(name_len, "embedder name")?)
            .map_err(|_| IndexError::Inconsistent("the embedder name is not UTF-8".into()))?
            .to_owned();
        let dim = r.u32("dimension")? as usize;
        let metric = match r.u8("metric")? {
            0 => Metric::Cosine,
            other => return Err(IndexError::Inconsistent(format!("unknown metric {other}"))),
        };
        let count = usize::try_from(r.u64("count")?)
            .ok()
            .filter(|c| u32::try_from(*c).is_ok())
            .ok_or_else(|| IndexError::Inconsistent("too many rows".into()))?;
        let checked = start - r.0.len();
        let checksum = r.u32("checksum")?;
        let body_len =
            usize::try_from(r.u64("body length")?).map_err(|_| IndexError::Truncated("body"))?;
        if dim == 0 {
            return Err(IndexError::Inconsistent("dimension 0".into()));
        }
        Ok(Self {
            embedder,
            dim,
            metric,
            count,
            checked,
            checksum,
            body_len,
        })
    }

    fn cells(&self) -> Result<usize, IndexError> {
        self.count
            .checked_mul(self.dim)
            .ok_or_else(|| IndexError::Inconsistent("rows × dimension overflows".into()))
    }
}

/// The body after the f32 rows.
struct Rest {
    codes: Codes,
    ivf: Option<Ivf>,
    metadata: Vec<u8>,
}

impl Rest {
    fn read(r: &mut Reader<'_>, count: usize, dim: usize) -> Result<Self, IndexError> {
        let cells = count
            .checked_mul(dim)
            .ok_or(IndexError::Truncated("codes"))?;
        let codes = r
            .take(cells, "codes")?
            .iter()
            .map(|b| i8::from_le_bytes([*b]))
            .collect();
        let scales = r.f32s(count, "scales")?;
        let errors = r.f32s(count, "errors")?;
        if [&scales, &errors]
            .iter()
            .any(|v| v.iter().any(|x| !x.is_finite()))
        {
            return Err(IndexError::Inconsistent(
                "a value is not a finite number".into(),
            ));
        }
        let lists = r.u32("lists")? as usize;
        let ivf = if lists == 0 {
            None
        } else {
            let nprobe = r.u32("nprobe")?;
            let centroids = r.f32s(
                lists
                    .checked_mul(dim)
                    .ok_or(IndexError::Truncated("centroids"))?,
                "centroids",
            )?;
            let offsets = r.u32s(lists + 1, "list offsets")?;
            let ids = r.u32s(count, "list ids")?;
            let ordered = offsets.windows(2).all(|w| w.first() <= w.get(1));
            let mut seen = vec![false; count];
            let permutation = ids.iter().all(|id| {
                seen.get_mut(*id as usize)
                    .is_some_and(|s| !std::mem::replace(s, true))
            });
            if offsets.first() != Some(&0)
                || offsets.last().map(|l| *l as usize) != Some(count)
                || !ordered
                || !permutation
                || nprobe == 0
                || centroids.iter().any(|x| !x.is_finite())
            {
                return Err(IndexError::Inconsistent("the inverted file's lists".into()));
            }
            Some(Ivf {
                dim,
                centroids,
                offsets,
                ids,
                nprobe,
            })
        };
        let metadata_len = usize::try_from(r.u64("metadata length")?)
            .map_err(|_| IndexError::Truncated("metadata"))?;
        let metadata = r.take(metadata_len, "metadata")?.to_vec();
        if !r.0.is_empty() {
            return Err(IndexError::Inconsistent("bytes after the metadata".into()));
        }
        Ok(Self {
            codes: Codes {
                codes,
                scales,
                errors,
            },
            ivf,
            metadata,
        })
    }
}

impl VectorIndex {
    /// The file; an index opened lazily has it only once every row is in.
    pub fn to_bytes(&self) -> Result<Vec<u8>, IndexError> {
        let cells = self.len() * self.dim;
        let mut body = Vec::with_capacity(cells * 5 + self.metadata.len() + 64);
        for position in 0..self.len() {
            let row = self.stored_vector(position).ok_or(IndexError::Incomplete)?;
            row.iter()
                .for_each(|x| body.extend_from_slice(&x.to_le_bytes()));
        }
        body.extend(self.codes.codes.iter().map(|c| c.to_le_bytes()[0]));
        for values in [&self.codes.scales, &self.codes.errors] {
            values
                .iter()
                .for_each(|x| body.extend_from_slice(&x.to_le_bytes()));
        }
        match &self.ivf {
            None => body.extend_from_slice(&0u32.to_le_bytes()),
            Some(ivf) => {
                body.extend_from_slice(&(ivf.lists() as u32).to_le_bytes());
                body.extend_from_slice(&ivf.nprobe.to_le_bytes());
                ivf.centroids
                    .iter()
                    .for_each(|x| body.extend_from_slice(&x.to_le_bytes()));
                for values in [&ivf.offsets, &ivf.ids] {
                    values
                        .iter()
                        .for_each(|x| body.extend_from_slice(&x.to_le_bytes()));
                }
            }
        }
        body.extend_from_slice(&(self.metadata.len() as u64).to_le_bytes());
        body.extend_from_slice(&self.metadata);

        let name = self.embedder.as_bytes();
        let mut out = Vec::with_capacity(body.len() + name.len() + 48);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&(self.dim as u32).to_le_bytes());
        out.push(0);
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        let checksum = checksum(&out, body.len() as u64, &body);
        out.extend_from_slice(&checksum.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// This index's file layout.
    pub fn layout(&self) -> Option<FileLayout> {
        FileLayout::of(&self.embedder, self.dim, self.len())
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IndexError> {
        let mut r = Reader(bytes);
        let header = Header::read(&mut r)?;
        let body = r.take(header.body_len, "body")?;
        if !r.0.is_empty() {
            return Err(IndexError::Inconsistent("bytes after the body".into()));
        }
        let found = checksum(
            bytes.get(..header.checked).unwrap_or(&[]),
            header.body_len as u64,
            body,
        );
        if found != header.checksum {
            return Err(IndexError::Checksum {
                expected: header.checksum,
                found,
            });
        }
        let mut r = Reader(body);
        let vectors = r.f32s(header.cells()?, "vectors")?;
        if vectors.iter().any(|x| !x.is_finite()) {
            return Err(IndexError::Inconsistent(
                "a value is not a finite number".into(),
            ));
        }
        let rest = Rest::read(&mut r, header.count, header.dim)?;
        Ok(Self::assemble(header, Rows::Whole(vectors), rest))
    }

    /// Opens an index file of which only `head` (its first bytes, at least the header) and
    /// `tail` (everything from [`FileLayout::rows_end`] on) are at hand: searchable at once,
    /// each f32 row to be read with [`VectorIndex::fill_row`] when a search names it missing.
    /// The file's checksum cannot be checked without its rows; every row is checked against
    /// its int8 code as it is filled, and the caller checks the whole file once it has it.
    pub fn open_lazily(head: &[u8], tail: &[u8]) -> Result<Self, IndexError> {
        let header = Header::read(&mut Reader(head))?;
        let layout = FileLayout::of(&header.embedder, header.dim, header.count)
            .ok_or_else(|| IndexError::Inconsistent("rows × dimension overflows".into()))?;
        if layout.rows_end.checked_add(tail.len()) != layout.header.checked_add(header.body_len) {
            return Err(IndexError::Inconsistent(
                "the body's length does not match its rows and the rest".into(),
            ));
        }
        let rest = Rest::read(&mut Reader(tail), header.count, header.dim)?;
        let rows = Rows::lazy(header.count);
        Ok(Self::assemble(header, rows, rest))
    }

    fn assemble(header: Header, vectors: Rows, rest: Rest) -> Self {
        let position = rest
            .ivf
            .as_ref()
            .map(|f| crate::inverse(&f.ids))
            .unwrap_or_default();
        Self {
            embedder: header.embedder,
            dim: header.dim,
            metric: header.metric,
            position,
            vectors,
            codes: rest.codes,
            ivf: rest.ivf,
            metadata: rest.metadata,
        }
    }
}

/// CRC-32 of the header before the checksum, the body length and the body: a flipped byte
/// anywhere but in the checksum itself is caught.
fn checksum(header: &[u8], body_len: u64, body: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(header);
    hasher.update(&body_len.to_le_bytes());
    hasher.update(body);
    hasher.finalize()
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], IndexError> {
        let (head, rest) = self
            .0
            .split_at_checked(n)
            .ok_or(IndexError::Truncated(what))?;
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], IndexError> {
        self.take(N, what)?
            .try_into()
            .map_err(|_| IndexError::Truncated(what))
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, IndexError> {
        Ok(u8::from_le_bytes(self.array(what)?))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, IndexError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, IndexError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, IndexError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn f32s(&mut self, n: usize, what: &'static str) -> Result<Vec<f32>, IndexError> {
        let bytes = self.take(n.checked_mul(4).ok_or(IndexError::Truncated(what))?, what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| <[u8; 4]>::try_from(c).map_or(f32::NAN, f32::from_le_bytes))
            .collect())
    }

    fn u32s(&mut self, n: usize, what: &'static str) -> Result<Vec<u32>, IndexError> {
        let bytes = self.take(n.checked_mul(4).ok_or(IndexError::Truncated(what))?, what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| <[u8; 4]>::try_from(c).map_or(u32::MAX, u32::from_le_bytes))
            .collect())
    }
}
