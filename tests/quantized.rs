//! Quantized linear layers (`--precision int8|q8|q4`) against the f32 model: how
//! far do the logits move? Cosine similarity of each logit row must stay at
//! or above 0.99. Run with `-- --nocapture` to see the figures that
//! BENCHMARKS.md records.
//!
//! Two models: the committed tiny checkpoints (whose widths, 32 and 64,
//! allow q8's 32-wide blocks but not q4's 256-wide super-blocks), compared
//! with transformers' own logits; and a model with opus-mt-ar-en's widths
//! (d_model 512, 8 heads, feed-forward 2048) but two layers and a small
//! vocabulary, made here from seeded random weights, compared over ten
//! decoding steps.

mod common;

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use common::fixtures::marian_fixture;
use common::random::Lcg;
use serde::Deserialize;
use tarjama::models::marian::{Config, MarianMT, Precision};
use tarjama::translate::{load_dir, Overrides};

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let norm = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    input_ids: Vec<u32>,
    first_step_logits: Vec<f32>,
}

fn first_step_logits(model: &MarianMT, input_ids: &[u32]) -> Vec<f32> {
    let n = input_ids.len();
    let ids = Tensor::new(input_ids, &Device::Cpu)
        .unwrap()
        .reshape((1, n))
        .unwrap();
    let mask = Tensor::ones((1, n), DType::U8, &Device::Cpu).unwrap();
    let encoded = model.encode(&ids, &mask).unwrap();
    let mut state = model.start_decoding(&encoded, &mask, 1).unwrap();
    model
        .decode_step(&[model.config().decoder_start_token_id], &mut state)
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec1()
        .unwrap()
}

/// tiny-big's decoder feed-forward width (80) is not whole 32-wide blocks,
/// so it is refused with a reason instead of quantized.
#[test]
fn q8_and_int8_logits_on_the_committed_fixtures_stay_close_to_transformers() {
    let big = marian_fixture("tiny-big");
    let refused = load_dir(
        &big,
        &Overrides {
            precision: Precision::Q8,
            ..Overrides::default()
        },
    )
    .err()
    .expect("tiny-big cannot be quantized");
    assert!(
        format!("{refused:#}").contains("multiples of 32; decoder_ffn_dim is 80"),
        "{refused:#}"
    );
    // int8 would take tiny-big too (it needs widths in fours only), but
    // one scale per 32-value activation row is coarse at such widths: its
    // lowest cosine there is 0.978. At opus-mt's widths it is 0.99994
    // (`quantized_logits_at_opus_mt_widths_stay_close_to_f32`).
    for (name, precision) in [("tiny-base", Precision::Q8), ("tiny-base", Precision::Int8)] {
        let dir = marian_fixture(name);
        let reference: Reference =
            serde_json::from_slice(&std::fs::read(dir.join("reference.json")).unwrap()).unwrap();
        let translator = load_dir(
            &dir,
            &Overrides {
                precision,
                ..Overrides::default()
            },
        )
        .unwrap();
        let worst = reference
            .cases
            .iter()
            .map(|case| {
                let ours = first_step_logits(translator.model(), &case.input_ids);
                cosine(&ours, &case.first_step_logits)
            })
            .fold(1.0, f64::min);
        eprintln!(
            "{name} {}: lowest first-step logit cosine vs transformers f32 over {} cases: {worst:.6}",
            precision.name(),
            reference.cases.len()
        );
        assert!(worst >= 0.99, "{name} {}: cosine {worst}", precision.name());
    }
}

/// Uniform values in [offset - scale, offset + scale] from the shared
/// linear congruential sequence, so the test model is the same on every
/// machine.
fn random_tensor(rng: &mut Lcg, shape: &[usize], scale: f32, offset: f32) -> Tensor {
    let count: usize = shape.iter().product();
    let values: Vec<f32> = (0..count)
        .map(|_| {
            let unit = (rng.next_state() >> 40) as f32 / (1u64 << 24) as f32;
            offset + scale * (2.0 * unit - 1.0)
        })
        .collect();
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
}

/// opus-mt-ar-en's widths, two layers each side, a 1000-token vocabulary
/// (not a multiple of 16, so the padded output head is exercised).
fn real_width_model(precision: Precision) -> MarianMT {
    let config: Config = serde_json::from_value(serde_json::json!({
        "vocab_size": 1000, "max_position_embeddings": 512, "d_model": 512,
        "encoder_layers": 2, "encoder_ffn_dim": 2048, "encoder_attention_heads": 8,
        "decoder_layers": 2, "decoder_ffn_dim": 2048, "decoder_attention_heads": 8,
        "activation_function": "swish", "pad_token_id": 999, "eos_token_id": 0,
        "decoder_start_token_id": 999
    }))
    .unwrap();
    let mut rng = Lcg(20261122);
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    // std 0.02 as transformers initializes; uniform ±0.035 has about that.
    let w = 0.035;
    tensors.insert(
        "model.shared.weight".into(),
        random_tensor(&mut rng, &[1000, 512], w, 0.0),
    );
    tensors.insert(
        "final_logits_bias".into(),
        random_tensor(&mut rng, &[1, 1000], w, 0.0),
    );
    let mut linear =
        |tensors: &mut HashMap<String, Tensor>, name: String, out: usize, inp: usize| {
            tensors.insert(
                format!("{name}.weight"),
                random_tensor(&mut rng, &[out, inp], w, 0.0),
            );
            tensors.insert(
                format!("{name}.bias"),
                random_tensor(&mut rng, &[out], w, 0.0),
            );
        };
    let mut names = Vec::new();
    for side in ["encoder", "decoder"] {
        for layer in 0..2 {
            let base = format!("model.{side}.layers.{layer}");
            let mut attentions = vec!["self_attn"];
            if side == "decoder" {
                attentions.push("encoder_attn");
            }
            for attention in attentions {
                for proj in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                    linear(&mut tensors, format!("{base}.{attention}.{proj}"), 512, 512);
                }
                names.push(format!("{base}.{attention}_layer_norm"));
            }
            linear(&mut tensors, format!("{base}.fc1"), 2048, 512);
            linear(&mut tensors, format!("{base}.fc2"), 512, 2048);
            names.push(format!("{base}.final_layer_norm"));
        }
    }
    for norm in names {
        tensors.insert(
            format!("{norm}.weight"),
            random_tensor(&mut rng, &[512], 0.1, 1.0),
        );
        tensors.insert(
            format!("{norm}.bias"),
            random_tensor(&mut rng, &[512], 0.1, 0.0),
        );
    }
    let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
    MarianMT::load(&config, precision, vb).unwrap()
}

/// Ten decoding steps fed the f32 model's greedy choices; every step's
/// logit rows compared.
fn teacher_forced_logits(
    model: &MarianMT,
    sources: &[Vec<u32>],
    tokens: &[Vec<u32>],
) -> Vec<Vec<f32>> {
    let rows: Vec<&[u32]> = sources.iter().map(|s| s.as_slice()).collect();
    let (ids, mask) = tarjama::translate::pad_rows(&rows, 999, &Device::Cpu).unwrap();
    let encoded = model.encode(&ids, &mask).unwrap();
    let mut state = model.start_decoding(&encoded, &mask, 1).unwrap();
    let mut out = Vec::new();
    for step in 0..tokens[0].len() {
        let feed: Vec<u32> = tokens.iter().map(|t| t[step]).collect();
        let logits: Vec<Vec<f32>> = model
            .decode_step(&feed, &mut state)
            .unwrap()
            .to_vec2()
            .unwrap();
        out.extend(logits);
    }
    out
}

#[test]
fn quantized_logits_at_opus_mt_widths_stay_close_to_f32() {
    let mut rng = Lcg(7);
    let sources: Vec<Vec<u32>> = (0..4)
        .map(|i| {
            let len = 12 + 3 * i;
            let mut ids: Vec<u32> = random_tensor(&mut rng, &[len], 0.5, 0.5)
                .to_vec1::<f32>()
                .unwrap()
                .iter()
                .map(|u| 1 + (u * 990.0) as u32)
                .collect();
            ids.push(0);
            ids
        })
        .collect();
    let reference = real_width_model(Precision::F32);
    // The f32 model's own greedy choices are the tokens every model is fed.
    let mut tokens: Vec<Vec<u32>> = vec![vec![999]; sources.len()];
    for _ in 0..9 {
        let logits = teacher_forced_logits(&reference, &sources, &tokens);
        let steps = tokens[0].len();
        for (row, t) in tokens.iter_mut().enumerate() {
            let last = &logits[(steps - 1) * sources.len() + row];
            let best = (0..last.len())
                .max_by(|&a, &b| last[a].total_cmp(&last[b]).then(b.cmp(&a)))
                .unwrap();
            t.push(best as u32);
        }
    }
    let expected = teacher_forced_logits(&reference, &sources, &tokens);
    for precision in [Precision::Q8, Precision::Q4, Precision::Int8] {
        let model = real_width_model(precision);
        let ours = teacher_forced_logits(&model, &sources, &tokens);
        let worst = ours
            .iter()
            .zip(&expected)
            .map(|(a, b)| cosine(a, b))
            .fold(1.0, f64::min);
        eprintln!(
            "opus-mt-ar-en widths, {}: lowest logit cosine vs f32 over {} rows: {worst:.6}",
            precision.name(),
            ours.len()
        );
        assert!(worst >= 0.99, "{}: cosine {worst}", precision.name());
    }
}
