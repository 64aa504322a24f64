//! Parity with transformers: the tiny random-weight checkpoints and the
//! reference outputs in `tests/fixtures/marian/` were made by
//! `tools/make_marian_fixtures.py` with transformers' MarianMTModel and
//! MarianTokenizer. Our tokenizer must give the same ids, our model the same
//! first-step logits (within 1e-4), and our search the same generated ids.

mod common;

use candle_core::{Device, Tensor};
use common::fixtures::marian_fixture;
use serde::Deserialize;
use tarjama::translate::{load_dir, MarianTranslator, Overrides};

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
    batch: Batch,
    decode_cases: Vec<DecodeCase>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    input_ids: Vec<u32>,
    first_step_logits: Vec<f32>,
    first_step_logits_f64: Vec<f64>,
    greedy_ids: Vec<u32>,
    greedy_text: String,
    beam4_ids: Vec<u32>,
    beam4_text: String,
}

#[derive(Deserialize)]
struct Batch {
    texts: Vec<String>,
    greedy_ids: Vec<Vec<u32>>,
    beam4_ids: Vec<Vec<u32>>,
}

#[derive(Deserialize)]
struct DecodeCase {
    ids: Vec<u32>,
    text: String,
}

const CHECKPOINTS: &[&str] = &["tiny-base", "tiny-big"];

fn reference(name: &str) -> Reference {
    let path = marian_fixture(name).join("reference.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn translator(name: &str, beams: usize) -> MarianTranslator {
    load_dir(
        &marian_fixture(name),
        &Overrides {
            beams: Some(beams),
            ..Overrides::default()
        },
    )
    .unwrap()
}

/// transformers pads finished rows of a batch with the pad id; our
/// sequences simply end.
fn strip_padding(ids: &[u32], pad: u32) -> Vec<u32> {
    let mut ids = ids.to_vec();
    while ids.len() > 1 && ids.last() == Some(&pad) {
        ids.pop();
    }
    ids
}

#[test]
fn token_ids_match_marian_tokenizer() {
    for name in CHECKPOINTS {
        let t = translator(name, 1);
        let reference = reference(name);
        for case in &reference.cases {
            assert_eq!(
                t.tokenizer().encode(&case.text).unwrap(),
                case.input_ids,
                "{name}/{}: {:?}",
                case.name,
                case.text
            );
        }
    }
}

#[test]
fn decoding_matches_marian_tokenizer() {
    for name in CHECKPOINTS {
        let t = translator(name, 1);
        let reference = reference(name);
        for case in &reference.decode_cases {
            assert_eq!(
                t.tokenizer().decode(&case.ids),
                case.text,
                "{name}: {:?}",
                case.ids
            );
        }
        for case in &reference.cases {
            assert_eq!(
                t.tokenizer().decode(&case.greedy_ids),
                case.greedy_text,
                "{name}/{}",
                case.name
            );
            assert_eq!(
                t.tokenizer().decode(&case.beam4_ids),
                case.beam4_text,
                "{name}/{}",
                case.name
            );
        }
    }
}

/// Largest absolute difference between two logit rows.
fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Our first-step logits agree with transformers' float32 logits within
/// 1e-4. Where they do not, the float32 reference is itself further than
/// that from the exact answer (the same weights in float64, also in the
/// fixture): the random checkpoints reach |logit| ≈ 100, where PyTorch's
/// own float32 error is up to 3.5e-4. There, ours must be at least as close
/// to the exact answer as transformers' float32 result is.
#[test]
fn first_step_logits_match_within_1e_4() {
    for name in CHECKPOINTS {
        let t = translator(name, 1);
        let reference = reference(name);
        let (mut worst_vs_reference, mut worst_ours_vs_exact, mut worst_theirs_vs_exact) =
            (0f32, 0f32, 0f32);
        for case in &reference.cases {
            let n = case.input_ids.len();
            let ids = Tensor::new(case.input_ids.as_slice(), &Device::Cpu)
                .unwrap()
                .reshape((1, n))
                .unwrap();
            let mask = Tensor::ones((1, n), candle_core::DType::U8, &Device::Cpu).unwrap();
            let encoded = t.model().encode(&ids, &mask).unwrap();
            let mut state = t.model().start_decoding(&encoded, &mask, 1).unwrap();
            let logits: Vec<f32> = t
                .model()
                .decode_step(&[t.special_ids().decoder_start], &mut state)
                .unwrap()
                .squeeze(0)
                .unwrap()
                .to_vec1()
                .unwrap();
            assert_eq!(
                logits.len(),
                case.first_step_logits.len(),
                "{name}/{}",
                case.name
            );
            let exact: Vec<f32> = case
                .first_step_logits_f64
                .iter()
                .map(|&x| x as f32)
                .collect();
            let vs_reference = max_diff(&logits, &case.first_step_logits);
            let ours_vs_exact = max_diff(&logits, &exact);
            let theirs_vs_exact = max_diff(&case.first_step_logits, &exact);
            assert!(
                vs_reference <= 1e-4 || ours_vs_exact <= theirs_vs_exact,
                "{name}/{}: {vs_reference:e} from transformers; from the float64 answer ours {ours_vs_exact:e}, theirs {theirs_vs_exact:e}",
                case.name
            );
            worst_vs_reference = worst_vs_reference.max(vs_reference);
            worst_ours_vs_exact = worst_ours_vs_exact.max(ours_vs_exact);
            worst_theirs_vs_exact = worst_theirs_vs_exact.max(theirs_vs_exact);
        }
        eprintln!(
            "{name}: max |ours - transformers f32| {worst_vs_reference:e}; from float64: ours {worst_ours_vs_exact:e}, transformers f32 {worst_theirs_vs_exact:e}"
        );
    }
}

#[test]
fn greedy_generation_matches_ids() {
    for name in CHECKPOINTS {
        let t = translator(name, 1);
        for case in &reference(name).cases {
            let out = t.generate_ids(&[&case.input_ids]).unwrap();
            assert_eq!(out[0], case.greedy_ids, "{name}/{}", case.name);
        }
    }
}

#[test]
fn beam4_generation_matches_ids() {
    for name in CHECKPOINTS {
        let t = translator(name, 4);
        for case in &reference(name).cases {
            let out = t.generate_ids(&[&case.input_ids]).unwrap();
            assert_eq!(out[0], case.beam4_ids, "{name}/{}", case.name);
        }
    }
}

#[test]
fn padded_batches_give_the_same_ids_as_transformers_batches() {
    for name in CHECKPOINTS {
        let reference = reference(name);
        for (beams, expected) in [
            (1, &reference.batch.greedy_ids),
            (4, &reference.batch.beam4_ids),
        ] {
            let t = translator(name, beams);
            let encoded: Vec<Vec<u32>> = reference
                .batch
                .texts
                .iter()
                .map(|s| t.tokenizer().encode(s).unwrap())
                .collect();
            let rows: Vec<&[u32]> = encoded.iter().map(Vec::as_slice).collect();
            let out = t.generate_ids(&rows).unwrap();
            for (i, (ours, theirs)) in out.iter().zip(expected).enumerate() {
                assert_eq!(
                    ours,
                    &strip_padding(theirs, t.tokenizer().pad_id()),
                    "{name} beams={beams} row {i}"
                );
            }
        }
    }
}
