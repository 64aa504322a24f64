//! A `model.safetensors` read one tensor at a time, as a candle
//! `VarBuilder` backend.
//!
//! Why not candle's memory map: every page of a mapped file that has been
//! read stays counted in the process's memory until the map goes away, so
//! a model quantized at load (int8: a quarter of the f32 bytes) peaked at
//! the whole f32 file plus its quantized copy — 1.5 GB for
//! opus-mt-tc-big-ar-en, more than CTranslate2 needs to run it. Read here,
//! each tensor is one heap buffer that is freed as soon as the model has
//! made its own copy, so loading peaks at the model plus its largest
//! tensor.
//!
//! What it is not: a general safetensors library. It reads the header
//! (eight bytes of length, then JSON naming each tensor's type, shape and
//! byte range) and the F32, F16 and BF16 tensors Marian checkpoints hold.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use candle_core::{DType, Device, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use half::{bf16, f16};
use serde::Deserialize;

/// Header lengths above this are not a safetensors file (the format's own
/// limit is 100 MB).
const MAX_HEADER: u64 = 100 << 20;

pub struct SafetensorsFile {
    path: PathBuf,
    file: File,
    /// Where the tensors' bytes start: after the length and the header.
    data_start: u64,
    tensors: HashMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}

impl SafetensorsFile {
    /// Opens `path` and reads its header; tensors are read when asked for.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut length = [0u8; 8];
        file.read_exact_at(&mut length, 0)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let length = u64::from_le_bytes(length);
        if length > MAX_HEADER {
            bail!(
                "{} is not a safetensors file (header of {length} bytes)",
                path.display()
            );
        }
        let mut header = vec![0u8; length as usize];
        file.read_exact_at(&mut header, 8)
            .with_context(|| format!("cannot read the header of {}", path.display()))?;
        let mut fields: HashMap<String, serde_json::Value> = serde_json::from_slice(&header)
            .with_context(|| format!("{} has no safetensors header", path.display()))?;
        fields.remove("__metadata__");
        let tensors = fields
            .into_iter()
            .map(|(name, value)| {
                let entry: Entry = serde_json::from_value(value).with_context(|| {
                    format!("tensor {name} in {} is described wrongly", path.display())
                })?;
                Ok((name, entry))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            data_start: 8 + length,
            tensors,
        })
    }

    /// The tensor `name` as f32 values.
    fn read_f32(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>)> {
        let Some(entry) = self.tensors.get(name) else {
            bail!("{} has no tensor {name}", self.path.display());
        };
        let count: usize = entry.shape.iter().product();
        let [begin, end] = entry.data_offsets;
        let width = match entry.dtype.as_str() {
            "F32" => 4,
            "F16" | "BF16" => 2,
            other => bail!(
                "tensor {name} in {} is {other}; F32, F16 or BF16 expected",
                self.path.display()
            ),
        };
        if end < begin || (end - begin) as usize != count * width {
            bail!(
                "tensor {name} in {}: {} bytes for {count} values",
                self.path.display(),
                end.saturating_sub(begin)
            );
        }
        let at = self.data_start + begin;
        let context = || format!("cannot read tensor {name} from {}", self.path.display());
        let values = if width == 4 {
            let mut values = vec![0f32; count];
            // SAFETY: f32 has no invalid bit patterns and the byte view
            // covers exactly the vector's `count` values; the file stores
            // little-endian values, the only byte order this is built for
            // (see the compile-time check below).
            let bytes = unsafe {
                std::slice::from_raw_parts_mut(values.as_mut_ptr() as *mut u8, count * 4)
            };
            self.file.read_exact_at(bytes, at).with_context(context)?;
            values
        } else {
            let mut bytes = vec![0u8; count * 2];
            self.file
                .read_exact_at(&mut bytes, at)
                .with_context(context)?;
            let half = bytes.chunks_exact(2).map(|b| [b[0], b[1]]);
            if entry.dtype == "F16" {
                half.map(|b| f16::from_le_bytes(b).to_f32()).collect()
            } else {
                half.map(|b| bf16::from_le_bytes(b).to_f32()).collect()
            }
        };
        Ok((values, entry.shape.clone()))
    }
}

// Little-endian only: the f32 path reads the file's bytes in place.
const _: () = assert!(cfg!(target_endian = "little"));

impl SimpleBackend for SafetensorsFile {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let tensor = self.get_unchecked(name, dtype, device)?;
        if tensor.shape() != &shape {
            return Err(candle_core::Error::UnexpectedShape {
                msg: format!("shape mismatch for {name}"),
                expected: shape,
                got: tensor.shape().clone(),
            }
            .bt());
        }
        Ok(tensor)
    }

    fn get_unchecked(
        &self,
        name: &str,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let (values, shape) = self.read_f32(name).map_err(candle_core::Error::wrap)?;
        Tensor::from_vec(values, shape, device)?.to_dtype(dtype)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written as the format says: one F32 and one F16 tensor.
    fn write_file(dir: &Path) -> PathBuf {
        let header = r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        for v in [1f32, -2.0, 0.5, 3.25] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        for v in [1f32, 0.25, -8.0] {
            bytes.extend_from_slice(&f16::from_f32(v).to_le_bytes());
        }
        let path = dir.join("model.safetensors");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn tensors_come_back_with_their_values_and_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let file = SafetensorsFile::open(&write_file(dir.path())).unwrap();
        assert!(file.contains_tensor("a") && !file.contains_tensor("__metadata__"));
        let a = file.get_unchecked("a", DType::F32, &Device::Cpu).unwrap();
        assert_eq!(
            a.to_vec2::<f32>().unwrap(),
            vec![vec![1.0, -2.0], vec![0.5, 3.25]]
        );
        let b = file.get_unchecked("b", DType::F32, &Device::Cpu).unwrap();
        assert_eq!(b.to_vec1::<f32>().unwrap(), vec![1.0, 0.25, -8.0]);
        let wrong = file
            .get(
                Shape::from((4,)),
                "a",
                candle_nn::Init::Const(0.0),
                DType::F32,
                &Device::Cpu,
            )
            .unwrap_err();
        assert!(
            wrong.to_string().contains("shape mismatch for a"),
            "{wrong}"
        );
        let missing = file.read_f32("c").unwrap_err();
        assert!(missing.to_string().contains("has no tensor c"), "{missing}");
    }

    #[test]
    fn a_file_that_is_not_safetensors_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, b"\xff\xff\xff\xff\xff\xff\xff\x7fnot json").unwrap();
        let error = SafetensorsFile::open(&path).err().unwrap();
        assert!(
            error.to_string().contains("is not a safetensors file"),
            "{error}"
        );
    }
}
