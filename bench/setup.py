#!/usr/bin/env python3
"""Write the benchmark checkpoints: random-weight Marian models with the exact shapes of the two
opus-mt Arabic->English models, as safetensors (tarjama) and as CTranslate2 float32 / int8.

    /tmp/venv-bench/bin/python bench/setup.py --out bench/work          # ~3 min, ~2.8 GB
    /tmp/venv-bench/bin/python bench/setup.py --out bench/work --force  # rewrite everything

For each shape NAME in (base, big), OUT/NAME/ gets:
  hf/            config.json, generation_config.json, model.safetensors (float32, from
                 save_pretrained(safe_serialization=True)), vocab.json, source.spm, target.spm,
                 tokenizer_config.json, special_tokens_map.json  -> `tarjama bench --model-dir`
  ct2-float32/   ct2-transformers conversion of hf/, quantization float32 (+ bench_meta.json)
  ct2-int8/      the same, quantization int8 (+ bench_meta.json)
  inputs.json    64 sequences of exactly 40 source ids (39 random non-special ids, then </s>),
                 as "source_ids" and as "source_tokens" (the vocab.json strings of those ids)

Weights: transformers' own initialisation with the real configs' init_std 0.02 (Linear and
embedding weights N(0, 0.02), biases 0, layer norms 1/0, <pad> row 0, final_logits_bias 0). With
random weights the decoder's output barely depends on the step: greedy decoding repeats one token
(which one depends on the sentence), and larger or different random inits tried here (std
1/sqrt(fan_in) up to 4/sqrt(fan_in), random biases, layer norms, final_logits_bias) did the same.
This does not change the work per step: every matrix has the real shape and the output length is
forced (ct2_run.py; `tarjama bench`), so nothing stops early.

Idempotent: a part that already exists (its last file written) is skipped unless --force.
Everything is deterministic: weights from torch.manual_seed(WEIGHT_SEED + shape index), inputs
from numpy's PCG64 seeded with INPUT_SEED.

Shapes. Real configs (the Hugging Face hub is not reachable from here, so they were read from
public model pages):
  * base = Helsinki-NLP/opus-mt-ar-en (Transformer-base, OPUS-MT 2020). config.json values as
    published in copies of it that name "_name_or_path": "Helsinki-NLP/opus-mt-ar-en", e.g.
    https://huggingface.co/Asia-N/opus-mt-ar-en-finetuned-ar-to-en/blame/d09c70bc4541569a1b47f41162f6df776f831b06/config.json
    https://huggingface.co/desi6ner/opus-en-ar-fine-tuned/blame/main/config.json
    (identical in every field that fixes the shape), and the official generation_config.json
    https://huggingface.co/Helsinki-NLP/opus-mt-ar-en/blob/75025b81d19bcde2121100dd3aa6103adde07c97/generation_config.json
    (bad_words_ids [[62833]], decoder_start 62833, eos 0, forced_eos 0, pad 62833, num_beams 4,
    max_length 512) -- the revision pinned in models.toml. This shape has 76.3 M weights
    (305.5 MB model.safetensors in float32), matching the real 308 MB float32 pytorch_model.bin.
  * big = Helsinki-NLP/opus-mt-tc-big-ar-en (Transformer-big, OPUS-MT-tc 2022-03-09). The config of
    its fine-tune https://huggingface.co/SaeedMLK/opus-mt-tc-big-ar-en/blob/refs%2Fpr%2F2/config.json
    (same source.spm 915 kB / target.spm 804 kB / vocab.json 2.2 MB as the Helsinki-NLP repo at
    d290aaebf6287778635236bc726e9c94fd0bcfd3, the revision pinned in models.toml): vocab 61109,
    eos 25894, pad = decoder_start = 61108, relu, d_model 1024, 16 heads, ffn 4096, 6+6 layers,
    max_position_embeddings 1024. The architecture fields are the same in every official
    Helsinki-NLP/opus-mt-tc-big-* config, e.g.
    https://huggingface.co/Helsinki-NLP/opus-mt-tc-big-en-es/blame/d92f8dddd96775b6d4161248366dffb5e3bd851f/config.json
    https://huggingface.co/Helsinki-NLP/opus-mt-tc-big-hu-en/blame/65fd9d96bcbb0742669b1eb27e6a337c17c45f28/config.json
    This shape has 238.9 M weights; the public CTranslate2 float16 conversion of the real model,
    https://huggingface.co/ai-path/opus-mt-tc-big-ar-en-ct2 (480 MB model.bin = 2 bytes x 240 M), agrees.
  Not published in those pages: the position of <unk> in the real vocab.json (it does not change
  the shape; here <unk> = 1 in both, as in opus-mt-ar-en).

Tokenizer files. The CTranslate2 converter reads the vocabulary through the tokenizer
(AutoTokenizer -> MarianTokenizer, which needs vocab.json, source.spm and target.spm). vocab.json
here is synthetic: exactly vocab_size entries, "</s>", "<unk>", "<pad>" at the real ids and
"\u2581t<id>" elsewhere. source.spm / target.spm are the small test SentencePiece models of
tests/fixtures/marian/tiny-base (only needed so that MarianTokenizer loads; the benchmark feeds
token ids / token strings directly, never text).
"""
import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPM_DIR = ROOT / "tests" / "fixtures" / "marian" / "tiny-base"

WEIGHT_SEED = 20261122
INPUT_SEED = 6
N_SENTENCES = 64
SRC_TOKENS = 40  # per sequence, </s> included
INIT_STD = 0.02  # the real configs' init_std: Linear and embedding weights ~ N(0, 0.02)

# Fields common to both real configs (scale_embedding etc.), then the per-shape ones.
COMMON = dict(
    bos_token_id=0,
    scale_embedding=True,
    static_position_embeddings=True,
    normalize_embedding=False,
    normalize_before=False,
    add_final_layer_norm=False,
    share_encoder_decoder_embeddings=True,
    tie_word_embeddings=True,
    init_std=INIT_STD,
    dropout=0.1,
    attention_dropout=0.0,
    activation_dropout=0.0,
    encoder_layerdrop=0.0,
    decoder_layerdrop=0.0,
    use_cache=True,
)

SHAPES = {
    "base": dict(
        mimics="Helsinki-NLP/opus-mt-ar-en",
        unk=1,
        config=dict(
            vocab_size=62834,
            decoder_vocab_size=62834,
            eos_token_id=0,
            forced_eos_token_id=0,
            pad_token_id=62833,
            decoder_start_token_id=62833,
            activation_function="swish",
            d_model=512,
            encoder_layers=6,
            decoder_layers=6,
            encoder_attention_heads=8,
            decoder_attention_heads=8,
            encoder_ffn_dim=2048,
            decoder_ffn_dim=2048,
            max_position_embeddings=512,
        ),
    ),
    "big": dict(
        mimics="Helsinki-NLP/opus-mt-tc-big-ar-en",
        unk=1,
        config=dict(
            vocab_size=61109,
            decoder_vocab_size=61109,
            eos_token_id=25894,
            forced_eos_token_id=25894,
            pad_token_id=61108,
            decoder_start_token_id=61108,
            activation_function="relu",
            d_model=1024,
            encoder_layers=6,
            decoder_layers=6,
            encoder_attention_heads=16,
            decoder_attention_heads=16,
            encoder_ffn_dim=4096,
            decoder_ffn_dim=4096,
            max_position_embeddings=1024,
        ),
    ),
}


def log(msg):
    print(f"setup: {msg}", file=sys.stderr, flush=True)


def write_json(path, obj):
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def special_ids(spec):
    c = spec["config"]
    return {"eos": c["eos_token_id"], "unk": spec["unk"], "pad": c["pad_token_id"]}


def make_vocab(spec):
    n = spec["config"]["vocab_size"]
    sp = special_ids(spec)
    assert sp["pad"] == n - 1, "Marian conversions put <pad> last"
    names = {sp["eos"]: "</s>", sp["unk"]: "<unk>", sp["pad"]: "<pad>"}
    vocab = {names.get(i, f"\u2581t{i}"): i for i in range(n)}
    assert len(vocab) == n
    return vocab


def write_hf(name, idx, spec, out):
    """Random-weight MarianMTModel with the real shape -> out (safetensors + tokenizer files)."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    c = spec["config"]
    config = MarianConfig(**COMMON, **c)
    torch.manual_seed(WEIGHT_SEED + idx)
    t0 = time.time()
    with torch.no_grad():
        model = MarianMTModel(config).eval()
    # transformers' own init (_init_weights with config.init_std): Linear/Embedding weights
    # N(0, 0.02), biases 0, layer norms 1/0, <pad> embedding row 0, final_logits_bias 0, sinusoidal
    # positions rebuilt. Check that the weights really are random (not left at zeros or ones).
    w = model.model.encoder.layers[0].fc1.weight
    assert 0.015 < float(w.std()) < 0.025, float(w.std())
    n_params = sum(p.numel() for p in model.parameters())
    log(f"{name}: {n_params / 1e6:.1f} M parameters, built in {time.time() - t0:.0f} s")

    gen = GenerationConfig(
        bad_words_ids=[[c["pad_token_id"]]],
        bos_token_id=0,
        decoder_start_token_id=c["decoder_start_token_id"],
        eos_token_id=c["eos_token_id"],
        forced_eos_token_id=c["forced_eos_token_id"],
        max_length=512,
        num_beams=4,
        pad_token_id=c["pad_token_id"],
    )
    tmp = Path(str(out) + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    model.generation_config = gen
    model.save_pretrained(tmp, safe_serialization=True)
    vocab = make_vocab(spec)
    write_json(tmp / "vocab.json", vocab)
    for f in ("source.spm", "target.spm"):
        shutil.copyfile(SPM_DIR / f, tmp / f)
    write_json(
        tmp / "tokenizer_config.json",
        {
            "source_lang": "ar",
            "target_lang": "en",
            "unk_token": "<unk>",
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "model_max_length": 512,
            "separate_vocabs": False,
            "tokenizer_class": "MarianTokenizer",
        },
    )
    write_json(tmp / "special_tokens_map.json", {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"})
    write_json(
        tmp / "bench_meta.json",
        {
            "shape": name,
            "mimics": spec["mimics"],
            "weights_seed": WEIGHT_SEED + idx,
            "init_std": INIT_STD,
            "parameters": n_params,
            "special_ids": special_ids(spec),
        },
    )
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    del model


def convert_ct2(hf_dir, out, quantization):
    """ctranslate2's Transformers converter (what ct2-transformers-converter runs)."""
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    tmp = Path(str(out) + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    t0 = time.time()
    conv = TransformersConverter(str(hf_dir), low_cpu_mem_usage=True)
    conv.convert(str(tmp), quantization=quantization, force=True)
    write_json(
        tmp / "bench_meta.json",
        {"quantization": quantization, "source": str(hf_dir), "ctranslate2_version": ctranslate2.__version__},
    )
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    log(f"{out}: converted ({quantization}) in {time.time() - t0:.0f} s")


def write_inputs(name, idx, spec, path):
    import numpy as np

    vocab = make_vocab(spec)
    inv = {i: t for t, i in vocab.items()}
    sp = special_ids(spec)
    n = spec["config"]["vocab_size"]
    allowed = np.array(sorted(set(range(n)) - set(sp.values())), dtype=np.int64)
    rng = np.random.Generator(np.random.PCG64(INPUT_SEED + idx))
    ids = []
    for _ in range(N_SENTENCES):
        row = rng.choice(allowed, size=SRC_TOKENS - 1, replace=True).tolist() + [sp["eos"]]
        ids.append(row)
    toks = [[inv[i] for i in row] for row in ids]
    assert all(len(r) == SRC_TOKENS for r in ids)
    write_json(
        path,
        {
            "shape": name,
            "mimics": spec["mimics"],
            "seed": INPUT_SEED + idx,
            "sentences": N_SENTENCES,
            "source_tokens_per_sentence": SRC_TOKENS,
            "note": "39 random non-special ids (</s>, <unk>, <pad> excluded) then </s>; "
            "source_tokens are the vocab.json strings of source_ids",
            "special_ids": sp,
            "source_ids": ids,
            "source_tokens": toks,
        },
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "bench" / "work"), help="output directory (default bench/work)")
    ap.add_argument("--shapes", default="base,big", help="comma-separated subset of base,big")
    ap.add_argument("--force", action="store_true", help="rewrite what exists")
    args = ap.parse_args()

    out_dir = Path(args.out).resolve()
    names = [s for s in args.shapes.split(",") if s]
    for s in names:
        if s not in SHAPES:
            sys.exit(f"setup: unknown shape {s!r} (known: {', '.join(SHAPES)})")
    for idx, (name, spec) in enumerate(SHAPES.items()):
        if name not in names:
            continue
        d = out_dir / name
        d.mkdir(parents=True, exist_ok=True)
        hf = d / "hf"
        # a part counts as done when its directory exists (written under .partial, renamed at the end)
        if args.force or not hf.exists():
            write_hf(name, idx, spec, hf)
        else:
            log(f"{hf}: exists, skipped")
        for q in ("float32", "int8"):
            ct = d / f"ct2-{q}"
            if args.force or not ct.exists():
                convert_ct2(hf, ct, q)
            else:
                log(f"{ct}: exists, skipped")
        inp = d / "inputs.json"
        if args.force or not inp.exists():
            write_inputs(name, idx, spec, inp)
            log(f"{inp}: written")
        else:
            log(f"{inp}: exists, skipped")


if __name__ == "__main__":
    main()
