//! Layers the GGUF language models share (Gemma 3 in `gemma3`, the Llama
//! family in `llama`): quantized projections and the token table (packed
//! for `qgemm` or `kquant` where they read the type), RMS norm, rotary tables
//! grown to the positions reached, and the key/value cache written in
//! place (attention over it is `attention`'s).
//!
//! What it is not: a model. Which layers a family stacks, its rotary
//! style and its norms' placement stay in the family's file.

use std::sync::Arc;

use std::io::{Read, Seek, SeekFrom};

use candle_core::quantized::{gguf_file, GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Result, Tensor};

use super::kquant::PackedKQuant;
use super::qgemm::PackedInt8;
use super::{row_bytes, RowPacked};

/// A layer's weight, on our own kernels wherever they read its type:
/// `qgemm` for Q8_0, Q5_0 and Q4_1 (all of Gemma 3 270M's and
/// SmolLM2-135M's 640- and 576-wide layers), `kquant` for Q4_K and Q6_K
/// (Qwen2.5's layers and head, Gemma's down projections); candle's product
/// for the rest, and for Q8_0 weights whose input width is a multiple of
/// 256 (candle tiles those).
pub(super) enum Projection {
    Int8(Arc<PackedInt8>),
    KQuant(Arc<PackedKQuant>),
    Candle(QMatMul),
}

/// Whether `qgemm` takes a weight of this type and input width (see
/// [`Projection`]; `kquant` decides for itself).
fn int8_takes(dtype: GgmlDType, k: usize) -> bool {
    match dtype {
        GgmlDType::Q8_0 => !k.is_multiple_of(256),
        GgmlDType::Q5_0 | GgmlDType::Q4_1 => true,
        _ => false,
    }
}

/// A GGUF file's tensors as the layers want them. The weights our kernels
/// take are repacked straight from the file's rows, a megabyte at a time:
/// reading a whole tensor first held the file's copy and ours at once
/// (Gemma 3's 178 MB token table set the load's peak that way).
pub(super) struct GgufTensors<'a, R> {
    content: &'a gguf_file::Content,
    reader: &'a mut R,
    device: &'a Device,
}

impl<'a, R: Read + Seek> GgufTensors<'a, R> {
    pub(super) fn new(
        content: &'a gguf_file::Content,
        reader: &'a mut R,
        device: &'a Device,
    ) -> Self {
        Self {
            content,
            reader,
            device,
        }
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.content.tensor_infos.contains_key(name)
    }

    /// The tensor as the file has it.
    pub(super) fn tensor(&mut self, name: &str) -> Result<QTensor> {
        self.content.tensor(self.reader, name, self.device)
    }

    pub(super) fn projection(&mut self, name: &str) -> Result<Projection> {
        if let Some(packed) = self.packed_int8(name)? {
            return Ok(Projection::Int8(Arc::new(packed)));
        }
        if let Some(packed) = self.stream::<PackedKQuant>(name)? {
            return Ok(Projection::KQuant(Arc::new(packed)));
        }
        Ok(Projection::Candle(QMatMul::from_qtensor(
            self.tensor(name)?,
        )?))
    }

    /// The token table (`token_embd.weight`) and the output head
    /// (`output.weight`, or the table itself when the file ties them: one
    /// copy then serves both).
    pub(super) fn token_table_and_head(&mut self) -> Result<(TokenTable, Projection)> {
        let table = self.token_table("token_embd.weight")?;
        let head = if self.has("output.weight") {
            self.projection("output.weight")?
        } else {
            table.as_output()?
        };
        Ok((table, head))
    }

    /// The tensor's shape as the file describes it (rows first).
    pub(super) fn tensor_shape(&self, name: &str) -> Result<Vec<usize>> {
        Ok(self.info(name)?.shape.dims().to_vec())
    }

    pub(super) fn token_table(&mut self, name: &str) -> Result<TokenTable> {
        Ok(match self.packed_int8(name)? {
            Some(packed) => TokenTable::Packed(Arc::new(packed)),
            None => TokenTable::Candle(Arc::new(self.tensor(name)?)),
        })
    }

    fn packed_int8(&mut self, name: &str) -> Result<Option<PackedInt8>> {
        let info = self.info(name)?;
        let (_, k) = info.shape.dims2()?;
        if !int8_takes(info.ggml_dtype, k) {
            return Ok(None);
        }
        self.stream(name)
    }

    fn info(&self, name: &str) -> Result<&'a gguf_file::TensorInfo> {
        match self.content.tensor_infos.get(name) {
            Some(info) => Ok(info),
            None => candle_core::bail!("the file has no tensor {name}"),
        }
    }

    /// Packs tensor `name` for a kernel, row by row from the file; `None`
    /// when the kernel does not take it.
    fn stream<P: RowPacked>(&mut self, name: &str) -> Result<Option<P>> {
        let info = self.info(name)?;
        let (n, k) = info.shape.dims2()?;
        if !self.device.is_cpu() {
            return Ok(None);
        }
        let Some(mut packed) = P::start(info.ggml_dtype, n, k) else {
            return Ok(None);
        };
        let row_bytes = row_bytes(info.ggml_dtype, k);
        let rows_per_read = ((1 << 20) / row_bytes).max(1);
        let mut buffer = vec![0u8; rows_per_read * row_bytes];
        self.reader.seek(SeekFrom::Start(
            self.content.tensor_data_offset + info.offset,
        ))?;
        for first in (0..n).step_by(rows_per_read) {
            let rows = rows_per_read.min(n - first);
            let chunk = &mut buffer[..rows * row_bytes];
            self.reader.read_exact(chunk)?;
            for (i, bytes) in chunk.chunks_exact(row_bytes).enumerate() {
                packed.place_row(first + i, bytes);
            }
        }
        Ok(Some(packed))
    }
}

/// The token embeddings, `[vocab, hidden]`, kept quantized: a lookup
/// dequantizes only the rows asked for, and one copy serves the output
/// head too when the weights are tied (Gemma 3 270M's 262,144 × 640 Q8_0
/// table is 178 MB; read once per generated token, it is the largest cost
/// of a step, so it is packed for `qgemm` like the layers' weights). A
/// k-quant table stays the file's blocks (Qwen2.5's, whose head is a
/// separate weight); tied, the head gets its own packed copy.
pub(super) enum TokenTable {
    Packed(Arc<PackedInt8>),
    Candle(Arc<QTensor>),
}

impl TokenTable {
    pub(super) fn lookup(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            Self::Packed(packed) => packed.rows(ids),
            Self::Candle(table) => table.embedding(ids),
        }
    }

    /// The same table as the (tied) output head.
    pub(super) fn as_output(&self) -> Result<Projection> {
        Ok(match self {
            Self::Packed(packed) => Projection::Int8(packed.clone()),
            Self::Candle(table) => match PackedKQuant::from_qtensor(table)? {
                Some(packed) => Projection::KQuant(Arc::new(packed)),
                None => Projection::Candle(QMatMul::from_arc(table.clone())?),
            },
        })
    }
}

impl Module for Projection {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        match self {
            Self::Int8(packed) => packed.forward(xs),
            Self::KQuant(packed) => packed.forward(xs),
            Self::Candle(matmul) => matmul.forward(xs),
        }
    }
}

/// RMS norm with the file's weights. (For Gemma, llama.cpp's converter
/// has already added the 1 that Gemma adds to its norm weights, so the
/// plain norm serves all three families.)
pub(super) struct RmsNorm {
    weight: Tensor,
    eps: f32,
}

impl RmsNorm {
    pub(super) fn new(weight: QTensor, eps: f32) -> Result<Self> {
        let weight = weight.dequantize(&weight.device())?;
        Ok(Self { weight, eps })
    }

    pub(super) fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        candle_nn::ops::rms_norm(xs, &self.weight, self.eps)
    }
}

/// Cosines and sines of one rotary base frequency, for positions 0 up to
/// what has been asked for so far. Growing in chunks keeps a short run
/// small and a long one from recomputing on every step.
pub(super) struct RotaryTables {
    /// One angle per pair of dimensions, radians per position.
    inverse_frequencies: Vec<f32>,
    cos: Vec<f32>,
    sin: Vec<f32>,
}

/// Positions added to the rotary tables at a time.
pub(super) const ROTARY_CHUNK: usize = 1024;

impl RotaryTables {
    pub(super) fn new(head_dim: usize, base: f32) -> Self {
        // Candle's formula, in f32 as it computes it, so the angles agree to
        // the last bit.
        let inverse_frequencies = (0..head_dim)
            .step_by(2)
            .map(|i| 1f32 / base.powf(i as f32 / head_dim as f32))
            .collect();
        Self {
            inverse_frequencies,
            cos: Vec::new(),
            sin: Vec::new(),
        }
    }

    pub(super) fn positions(&self) -> usize {
        self.cos.len() / self.inverse_frequencies.len()
    }

    /// `(cos, sin)`, each `[len, head_dim / 2]`, for positions
    /// `start..start + len`, no further than `limit`.
    pub(super) fn window(
        &mut self,
        start: usize,
        len: usize,
        limit: usize,
        device: &Device,
    ) -> Result<(Tensor, Tensor)> {
        let end = start + len;
        if end > self.positions() {
            let target = end.next_multiple_of(ROTARY_CHUNK).min(limit).max(end);
            for position in self.positions()..target {
                for &frequency in &self.inverse_frequencies {
                    // Candle multiplies an f32 position by the frequency
                    // (a matmul with a shared dimension of 1): one rounding.
                    let angle = position as f32 * frequency;
                    self.cos.push(angle.cos());
                    self.sin.push(angle.sin());
                }
            }
        }
        let half = self.inverse_frequencies.len();
        let range = start * half..end * half;
        let cos = Tensor::from_slice(&self.cos[range.clone()], (len, half), device)?;
        let sin = Tensor::from_slice(&self.sin[range], (len, half), device)?;
        Ok((cos, sin))
    }
}

/// Keys and values of every position so far, `[batch, kv_heads,
/// capacity, head_dim]`, written in place: a step adds its position
/// instead of copying the whole cache into a new tensor, and the capacity
/// grows in chunks as positions are reached.
pub(super) struct KvCache {
    k: Tensor,
    v: Tensor,
    len: usize,
}

/// Positions the cache grows by.
const CACHE_CHUNK: usize = 256;

impl KvCache {
    fn new(like: &Tensor) -> Result<Self> {
        let (batch, heads, _, dim) = like.dims4()?;
        let empty = Tensor::zeros((batch, heads, 0, dim), like.dtype(), like.device())?;
        Ok(Self {
            k: empty.clone(),
            v: empty,
            len: 0,
        })
    }

    /// Appends a call's keys and values (`[b, kv, s, d]`, the first at
    /// `index_pos`) to the layer's cache and returns every position so
    /// far. Position 0 starts a new sequence: whatever was cached is
    /// dropped.
    pub(super) fn continue_at(
        slot: &mut Option<Self>,
        index_pos: usize,
        k: &Tensor,
        v: &Tensor,
    ) -> Result<(Tensor, Tensor)> {
        if index_pos == 0 {
            *slot = None;
        }
        let cache = match slot {
            Some(cache) => cache,
            None => slot.insert(Self::new(k)?),
        };
        cache.append(k, v)
    }

    /// Appends `[b, kv, s, d]` keys and values; every position so far.
    fn append(&mut self, k: &Tensor, v: &Tensor) -> Result<(Tensor, Tensor)> {
        let added = k.dim(2)?;
        let capacity = self.k.dim(2)?;
        if self.len + added > capacity {
            // To the next chunk, not double: doubling left a 2,048-token
            // prompt's cache with room for 4,096 positions at the first
            // generated token (SmolLM2's 94 MB of keys and values became
            // 188). Growing copies one layer's cache at a time, once per
            // 256 positions: a few milliseconds per 256 tokens.
            let grown = (self.len + added).next_multiple_of(CACHE_CHUNK);
            self.k = grow(&self.k, self.len, grown)?;
            self.v = grow(&self.v, self.len, grown)?;
        }
        self.k.slice_set(&k.contiguous()?, 2, self.len)?;
        self.v.slice_set(&v.contiguous()?, 2, self.len)?;
        self.len += added;
        Ok((
            self.k.narrow(2, 0, self.len)?,
            self.v.narrow(2, 0, self.len)?,
        ))
    }
}

/// A cache tensor with room for `capacity` positions, its first `len` kept.
fn grow(cache: &Tensor, len: usize, capacity: usize) -> Result<Tensor> {
    let (batch, heads, _, dim) = cache.dims4()?;
    let grown = Tensor::zeros((batch, heads, capacity, dim), cache.dtype(), cache.device())?;
    if len > 0 {
        grown.slice_set(&cache.narrow(2, 0, len)?.contiguous()?, 2, 0)?;
    }
    Ok(grown)
}

/// Refuses head counts that grouped attention cannot split evenly.
pub(super) fn check_heads(heads: usize, kv_heads: usize) -> Result<()> {
    if kv_heads == 0 || !heads.is_multiple_of(kv_heads) {
        candle_core::bail!("{heads} attention heads cannot share {kv_heads} key/value heads");
    }
    Ok(())
}

/// Refuses a call with no tokens or past the model's context.
pub(super) fn check_positions(index_pos: usize, seq_len: usize, limit: usize) -> Result<()> {
    if seq_len == 0 || index_pos + seq_len > limit {
        candle_core::bail!(
            "positions {index_pos}..{} are outside the model's context of {limit}",
            index_pos + seq_len
        );
    }
    Ok(())
}

/// What the layers of a forward call share: the rotary cosines and sines
/// of its positions, and the sliding window its attention keeps to
/// (`None`: every earlier position).
pub(super) struct PositionInputs<'a> {
    pub(super) cos: &'a Tensor,
    pub(super) sin: &'a Tensor,
    pub(super) window: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotary_tables_grow_in_chunks_and_agree_with_a_fresh_build() {
        let device = Device::Cpu;
        let mut grown = RotaryTables::new(8, 10_000.);
        grown.window(0, 3, 5000, &device).unwrap();
        assert_eq!(grown.positions(), ROTARY_CHUNK);
        let (cos, _) = grown.window(2000, 2, 5000, &device).unwrap();
        assert_eq!(grown.positions(), 2 * ROTARY_CHUNK);
        let (_, sin) = grown.window(4999, 1, 5000, &device).unwrap();
        assert_eq!(grown.positions(), 5000);
        let mut fresh = RotaryTables::new(8, 10_000.);
        let (fresh_cos, _) = fresh.window(2000, 2, 2002, &device).unwrap();
        let (_, fresh_sin) = fresh.window(4999, 1, 5000, &device).unwrap();
        let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(flat(&cos), flat(&fresh_cos));
        assert_eq!(flat(&sin), flat(&fresh_sin));
    }
}
