#!/usr/bin/env python3
"""Build tiny random-weight T5 (MADLAD-400-style) checkpoints and transformers reference outputs.

Writes tests/fixtures/t5/{tiny-untied,tiny-tied,tiny-q4k}/ (Hugging Face layout + reference.json)
so the Rust port (src/models/t5.rs, src/translate/t5.rs) can be checked without the Hugging Face hub.
Deterministic: rerunning with the versions pinned in tools/requirements-fixtures.txt rewrites the
same files.

    /tmp/venv-fix/bin/pip install -r tools/requirements-fixtures.txt
    /tmp/venv-fix/bin/python tools/make_t5_fixtures.py        # ~1 min; runs `cargo run --example`

What MADLAD-400 3B MT (google/madlad400-3b-mt) is, and what the fixtures copy of it
====================================================================================
* T5ForConditionalGeneration (T5 v1.1 layout): RMS layer norms (no mean, no bias), no score
  scaling, relative position buckets (32, max distance 128) computed by the first layer of each stack
  and shared by the others, feed_forward_proj "gated-gelu" (gelu_new = tanh approximation),
  tie_word_embeddings false (a separate lm_head.weight and no d_model^-0.5 rescale),
  d_kv x num_heads (128 x 16 = 2048) != d_model (1024), decoder_start_token_id 0 (<unk>),
  pad_token_id 1 (<s>), eos_token_id 2 (</s>). Copied: all of it, at tiny sizes.
* spiece.model: a unigram SentencePiece model (llama.cpp's converter calls it "UGM") whose pieces
  start <unk>, <s>, </s>, "\n", <2ace>, ... -- the newline and the <2xx> language tags are
  user-defined symbols right after the three meta pieces; its normalizer keeps repeated spaces
  (remove_extra_whitespaces false) and adds the dummy prefix. Copied: unigram, the same meta ids,
  "\n" and some <2xx> tags as user-defined symbols, remove_extra_whitespaces false, identity
  normalization (a nmt_nfkc character map would add 240 KB per copy and is covered by the Marian
  fixtures), and byte_fallback true so characters outside the tiny vocabulary exercise the
  <0xNN> pieces (our tokenizer reads the flag either way).
* The quantized file users run, jbochi/madlad400-3b-mt model-q4k.gguf, was written by candle's
  tensor-tools from the safetensors file: Hugging Face tensor names, every 2-D tensor whose row
  width is a multiple of 256 in Q4_K, everything else F32, no metadata. tiny-q4k is written the same
  way by examples/quantize_t5_gguf.rs (candle's own quantizer: the Python gguf package can
  dequantize Q4_K/Q6_K but not quantize them), except that lm_head.weight is Q6_K (as llama.cpp's
  quantizer writes output layers) so both k-quant kernels are exercised.

Reference tokenizer: sentencepiece itself, encode(text) + [</s>]
===============================================================
That is transformers 4's (slow, legacy) T5Tokenizer and what MADLAD was trained with (seqio encodes
with sentencepiece). transformers 5's T5Tokenizer is NOT used for ids: it rebuilds a tokenizers
Unigram from the pieces with unk_id hard-coded to 2 (T5's layout; MADLAD's 2 is </s>, so every
unknown character would become an end-of-sentence token), byte_fallback off, and a whitespace
pre-splitter that drops repeated spaces and the lone dummy-prefix piece before "<2en>". Its ids are
recorded as "input_ids_transformers5" for the record, and the script reports how many differ.
Source texts are given as "<2en> " + sentence, as tarjama does.

Reference model: transformers' T5ForConditionalGeneration, eager attention, float32
===================================================================================
first_step_logits: logits for decoder_input_ids=[[0]] (shortest round-trip decimal of the float32
value); first_step_logits_f64: the same weights in float64 (10 significant digits), the exact answer
both float32 results are measured against. greedy_ids / beam4_ids: model.generate(num_beams=1 / 4,
do_sample=False, max_length from generation_config.json, length_penalty 1.0, early_stopping False),
the decoder start token included. batch: the same through tokenizer-style right padding with
pad_token_id 1 and attention_mask 0 there. For tiny-q4k the model holds the tensors dequantized
back from the GGUF file by the gguf package, so the comparison is exact up to float arithmetic.
"""
import copy
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch
from safetensors.torch import save_file
from sentencepiece import sentencepiece_model_pb2 as sp_pb2

import gguf
import transformers
from transformers import GenerationConfig, T5Config, T5ForConditionalGeneration, T5Tokenizer
from transformers.utils import logging as hf_logging

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seeds"
OUT_DIR = ROOT / "tests" / "fixtures" / "t5"

VOCAB_SIZE = 640
USER_SYMBOLS = ["\n", "<2en>", "<2ar>", "<2fa>", "<2he>", "<2ru>", "<2fr>", "<2de>"]
MAX_LENGTH = 40  # generation_config.json; decoder positions up to 39 reach the logarithmic buckets
NUM_BEAMS = 4
GREEDY_MIN_GAP = 1e-3
EOS_QUANTILE = 0.12

# Text written for this fixture (besides the seed articles, which are Arabic).
CORPUS = [
    "وزير الدفاع الفرنسي يصل إلى موسكو لإجراء محادثات مع نظيره الروسي.",
    "قال المتحدث إن الجانبين اتفقا على تبادل المعلومات العسكرية.",
    "وزیر دفاع فرانسه روز دوشنبه برای گفتگو با همتای روسی خود وارد مسکو شد.",
    "سخنگوی وزارت گفت که دو طرف بر تبادل اطلاعات نظامی توافق کردند.",
    "این دیدار نزدیک به سه ساعت طول کشید و بدون بیانیه مشترک پایان یافت.",
    "شر ההגנה הצרפתי הגיע למוסקבה ביום שני לשיחות עם עמיתו הרוסי.",
    "הדובר אמר כי שני הצדדים הסכימו להחליף מידע צבאי.",
    "הפגישה נמשכה כמעט שלוש שעות והסתיימה ללא הודעה משותפת.",
    "Министр обороны Франции прибыл в Москву в понедельник для переговоров с российским коллегой.",
    "Представитель министерства сказал, что стороны договорились обмениваться военной информацией.",
    "Встреча продолжалась почти три часа и закончилась без совместного заявления.",
    "Le ministre français de la Défense est arrivé lundi à Moscou pour des entretiens.",
    "Le porte-parole a déclaré que les deux parties étaient convenues d'échanger des informations.",
    "Der französische Verteidigungsminister traf am Montag zu Gesprächen in Moskau ein.",
    "Das Treffen dauerte fast drei Stunden und endete ohne gemeinsame Erklärung.",
    "The French defence minister arrived in Moscow on Monday for talks with his Russian counterpart.",
    "Both sides agreed to exchange military information, the spokesman said.",
]

CASES = [
    ("arabic_short", "<2en> قال الوزير إن المحادثات كانت مفيدة."),
    (
        "arabic_long",
        "<2en> التقى وزير الدفاع الفرنسي جان ايف لودريان الاثنين في موسكو نظيره الروسي سيرغي شويغو "
        "واتفق معه على تعزيز تبادل المعلومات الاستخباراتية العسكرية في اطار محاربة تنظيم داعش، "
        "وقال للصحافيين بعد اللقاء إن البلدين سيعملان معا في سوريا والعراق خلال الأشهر المقبلة "
        "وإن اللجنة المشتركة ستجتمع كل شهر في باريس أو في موسكو لمتابعة تنفيذ الاتفاقات.",
    ),
    ("persian", "<2en> وزیر دفاع فرانسه برای گفتگو وارد مسکو شد."),
    ("hebrew", "<2en> הדובר אמר כי הפגישה הסתיימה ללא הודעה משותפת."),
    ("russian", "<2en> Министр обороны прибыл в Москву для переговоров."),
    ("french_spaces", "<2en>  Le ministre   est arrivé à Moscou."),
    ("unknown_chars", "<2en> 😀 Zürich ŋ 中文 ü"),
    ("newline", "<2en> السطر الأول\nالسطر الثاني"),
    ("tag_only", "<2en>"),
    ("empty", ""),
]
# Lengths differ, so rows are padded; the long one has source positions > 128 apart.
BATCH_CASES = ["arabic_long", "persian", "tag_only", "russian", "arabic_short"]

SPECS = {
    # MADLAD's options at tiny size, f32 like the published model.safetensors.
    "tiny-untied": dict(
        seed=1,
        config=dict(d_model=32, d_kv=12, num_heads=4, d_ff=40, num_layers=2, num_decoder_layers=2),
        tie=False,
        dtype=torch.float32,
        format="safetensors",
    ),
    # T5 v1.0-style tied head (lm_head = shared, output rescaled by d_model^-0.5), stored as bf16,
    # with fewer decoder than encoder layers.
    "tiny-tied": dict(
        seed=2,
        config=dict(d_model=24, d_kv=8, num_heads=2, d_ff=32, num_layers=2, num_decoder_layers=1),
        tie=True,
        dtype=torch.bfloat16,
        format="safetensors",
    ),
    # Quantized: d_model 256 so the q/k/v/wi projections and the token tables are whole Q4_K
    # super-blocks; o and wo (inputs of 32) stay F32 as candle's tool leaves them.
    "tiny-q4k": dict(
        seed=3,
        config=dict(d_model=256, d_kv=16, num_heads=2, d_ff=32, num_layers=2, num_decoder_layers=2),
        tie=False,
        dtype=torch.float32,
        format="gguf",
    ),
}


def seed_lines():
    files = sorted(glob.glob(str(SEED_DIR / "*.txt")))
    if len(files) != 5:
        sys.exit(f"expected 5 seed articles in {SEED_DIR}, found {len(files)}")
    lines = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            lines.extend(line.strip() for line in fh if line.strip())
    return lines


def train_spm(lines):
    """A unigram SentencePiece model with MADLAD's options; returns the serialized ModelProto."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "train.txt")
        with open(inp, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        spm.SentencePieceTrainer.train(
            input=inp,
            model_prefix=os.path.join(tmp, "spm"),
            vocab_size=VOCAB_SIZE,
            model_type="unigram",
            character_coverage=0.995,
            byte_fallback=True,
            normalization_rule_name="identity",
            remove_extra_whitespaces=False,
            user_defined_symbols=USER_SYMBOLS,
            num_threads=1,
            shuffle_input_sentence=False,
            input_sentence_size=0,
            max_sentence_length=100000,
            minloglevel=2,
        )
        with open(os.path.join(tmp, "spm.model"), "rb") as fh:
            proto = fh.read()
    m = sp_pb2.ModelProto()
    m.ParseFromString(proto)
    m.trainer_spec.input[:] = ["spiece.txt"]
    m.trainer_spec.model_prefix = "spiece"
    return m.SerializeToString(deterministic=True)


def f32(x):
    """Shortest decimal that round-trips the float32 value."""
    return float(np.format_float_positional(np.float32(x), unique=True, trim="-"))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=None, separators=(",", ":"))
        fh.write("\n")


def t5_config(spec):
    return T5Config(
        vocab_size=VOCAB_SIZE,
        feed_forward_proj="gated-gelu",
        relative_attention_num_buckets=32,
        relative_attention_max_distance=128,
        layer_norm_epsilon=1e-6,
        tie_word_embeddings=spec["tie"],
        decoder_start_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        dropout_rate=0.0,
        **spec["config"],
    )


def random_state(cfg, seed, tie):
    """Every weight random. Scales are chosen so that the tiny model's outputs are not one token
    repeated: projections near unit gain, layer norm gains around 1, wide relative position biases
    (so the buckets matter), and a head whose logits spread over several units."""
    g = torch.Generator().manual_seed(seed)
    model = T5ForConditionalGeneration(cfg).eval()
    state = {}
    for name, p in model.state_dict().items():
        if name.endswith("layer_norm.weight"):
            value = 1.0 + 0.3 * torch.randn(p.shape, generator=g)
        elif "relative_attention_bias" in name:
            value = 2.0 * torch.randn(p.shape, generator=g)
        elif name in ("shared.weight", "encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
            value = torch.randn(p.shape, generator=g)
        elif name == "lm_head.weight":
            value = 1.5 * torch.randn(p.shape, generator=g) / math.sqrt(cfg.d_model)
        else:
            gain = 2.0 if tie else 1.2
            value = gain * torch.randn(p.shape, generator=g) / math.sqrt(p.shape[1])
        state[name] = value
    state["encoder.embed_tokens.weight"] = state["shared.weight"]
    state["decoder.embed_tokens.weight"] = state["shared.weight"]
    if tie:
        # Tied: the head is the table, scaled up so logits stay spread after the d_model^-0.5.
        state["shared.weight"] = state["shared.weight"] * 2.0
        state["encoder.embed_tokens.weight"] = state["shared.weight"]
        state["decoder.embed_tokens.weight"] = state["shared.weight"]
        state["lm_head.weight"] = state["shared.weight"]
    return state


def raise_eos(cfg, state, tie, sp):
    """Moves the </s> row of the head towards the decoder's average output so that greedy and beam
    outputs end at different lengths instead of all running into max_length. Measured on the greedy
    paths of the test cases: </s> gets, on average, EOS_QUANTILE's share of the steps' margins."""
    model = T5ForConditionalGeneration(cfg).eval()
    model.load_state_dict(state, strict=False)
    model.lm_head.weight = torch.nn.Parameter(state["lm_head.weight"].clone())
    hidden = []
    with torch.no_grad():
        for _, text in CASES:
            out = model.generate(
                input_ids=torch.tensor([encode(sp, text)]), max_length=MAX_LENGTH, do_sample=False,
                num_beams=1, return_dict_in_generate=True, output_hidden_states=True,
            )
            hidden.extend(step[-1][0, -1] for step in out.decoder_hidden_states)
    h = torch.stack(hidden) * (cfg.d_model ** -0.5 if tie else 1.0)
    head = state["lm_head.weight"]
    logits = h @ head.T
    margins = logits.max(dim=1).values - logits[:, 2]
    mean = h.mean(dim=0)
    alpha = float(torch.quantile(margins, EOS_QUANTILE))
    head[2] = head[2] + alpha * mean / mean.dot(mean)


def files_to_save(state, tie):
    keep = {k: v.contiguous() for k, v in state.items() if not k.endswith("embed_tokens.weight")}
    if tie:
        keep.pop("lm_head.weight")
    return keep


def write_checkpoint(out, name, spec, proto):
    cfg = t5_config(spec)
    state = random_state(cfg, spec["seed"], spec["tie"])
    raise_eos(cfg, state, spec["tie"], spm.SentencePieceProcessor(model_proto=proto))
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "spiece.model", "wb") as fh:
        fh.write(proto)
    config = cfg.to_dict()
    # transformers 5 writes tie_word_embeddings true and its own scale flag; MADLAD's config.json
    # (written by transformers 4) says tie_word_embeddings false and nothing else. Write that.
    config.pop("scale_decoder_outputs", None)
    config["tie_word_embeddings"] = spec["tie"]
    config["architectures"] = ["T5ForConditionalGeneration"]
    for k in ("transformers_version", "dtype", "torch_dtype"):
        config.pop(k, None)
    write_json(out / "config.json", config)
    write_json(
        out / "generation_config.json",
        {"decoder_start_token_id": 0, "eos_token_id": 2, "pad_token_id": 1, "max_length": MAX_LENGTH},
    )
    write_json(out / "tokenizer_config.json", {"tokenizer_class": "T5Tokenizer", "extra_ids": 0, "legacy": True})
    tensors = {k: v.to(spec["dtype"]) for k, v in files_to_save(state, spec["tie"]).items()}
    if spec["format"] == "safetensors":
        save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "model.safetensors"
        save_file(tensors, str(source), metadata={"format": "pt"})
        subprocess.run(
            [
                "cargo", "run", "--quiet", "--example", "quantize_t5_gguf", "--",
                str(source), str(out / "model-q4k.gguf"),
            ],
            cwd=ROOT,
            check=True,
        )


def gguf_state(path):
    """The GGUF file's tensors dequantized by the gguf package, as float32 torch tensors."""
    reader = gguf.GGUFReader(str(path))
    state, types = {}, {}
    for t in reader.tensors:
        values = gguf.quants.dequantize(t.data, t.tensor_type)
        shape = [int(d) for d in reversed(t.shape.tolist())]
        state[t.name] = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32).reshape(shape))
        types[t.name] = t.tensor_type.name
    return state, types


def load_model(out, spec):
    if spec["format"] == "safetensors":
        model = T5ForConditionalGeneration.from_pretrained(str(out), dtype=torch.float32, attn_implementation="eager")
        types = None
    else:
        cfg = T5Config.from_pretrained(str(out))
        cfg._attn_implementation = "eager"
        model = T5ForConditionalGeneration(cfg)
        state, types = gguf_state(out / "model-q4k.gguf")
        state["encoder.embed_tokens.weight"] = state["shared.weight"]
        state["decoder.embed_tokens.weight"] = state["shared.weight"]
        lm_head = state.pop("lm_head.weight")
        missing, unexpected = model.load_state_dict(state, strict=False)
        assert not unexpected and set(missing) <= {"lm_head.weight"}, (missing, unexpected)
        model.lm_head = torch.nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        model.lm_head.weight = torch.nn.Parameter(lm_head)
    model.eval()
    if not spec["tie"]:
        assert not torch.equal(model.lm_head.weight, model.shared.weight), "the head must stay untied"
        assert not model.config.scale_decoder_outputs
    else:
        assert model.config.scale_decoder_outputs
    return model, types


class NearTie(Exception):
    """A greedy step whose two best logits are closer than GREEDY_MIN_GAP: the seed is not used."""


def encode(sp, text):
    return sp.encode(text) + [2]


def greedy_gap(model, input_ids):
    """Smallest top-1 / top-2 logit gap over the greedy steps (near-ties would make the test flaky)."""
    out = model.generate(
        input_ids=input_ids, num_beams=1, do_sample=False, max_length=MAX_LENGTH,
        output_scores=True, return_dict_in_generate=True,
    )
    gap = math.inf
    for scores in out.scores:
        top = torch.topk(scores[0], 2).values
        gap = min(gap, float(top[0] - top[1]))
    return gap


@torch.no_grad()
def references(out, spec, sp, tok5):
    model, types = load_model(out, spec)
    model64 = copy.deepcopy(model).double()
    cases = []
    differing = 0
    for name, text in CASES:
        ids = encode(sp, text)
        ids5 = tok5(text)["input_ids"]
        differing += ids != ids5
        input_ids = torch.tensor([ids])
        first = model(input_ids=input_ids, decoder_input_ids=torch.tensor([[0]])).logits[0, -1]
        first64 = model64(input_ids=input_ids, decoder_input_ids=torch.tensor([[0]])).logits[0, -1]
        greedy = model.generate(input_ids=input_ids, num_beams=1, do_sample=False, max_length=MAX_LENGTH)[0].tolist()
        beam = model.generate(
            input_ids=input_ids, num_beams=NUM_BEAMS, do_sample=False, max_length=MAX_LENGTH,
            length_penalty=1.0, early_stopping=False,
        )[0].tolist()
        gap = greedy_gap(model, input_ids)
        if gap < GREEDY_MIN_GAP:
            raise NearTie(f"{out.name}/{name}: greedy near-tie {gap:.3g}")
        cases.append(
            {
                "name": name,
                "text": text,
                "input_ids": ids,
                "input_pieces": [sp.id_to_piece(i) for i in ids],
                "input_ids_transformers5": ids5,
                "first_step_logits": [f32(x) for x in first.tolist()],
                "first_step_logits_f64": [float("%.10g" % x) for x in first64.tolist()],
                "greedy_ids": greedy,
                "greedy_text": sp.decode([i for i in greedy if i > 2]),
                "greedy_min_gap": gap,
                "beam4_ids": beam,
                "beam4_text": sp.decode([i for i in beam if i > 2]),
            }
        )
    by_name = {c["name"]: c for c in cases}
    rows = [by_name[n]["input_ids"] for n in BATCH_CASES]
    width = max(map(len, rows))
    padded = torch.tensor([r + [1] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    bg = model.generate(input_ids=padded, attention_mask=mask, num_beams=1, do_sample=False, max_length=MAX_LENGTH).tolist()
    bb = model.generate(
        input_ids=padded, attention_mask=mask, num_beams=NUM_BEAMS, do_sample=False, max_length=MAX_LENGTH
    ).tolist()
    for n, row_g, row_b in zip(BATCH_CASES, bg, bb):
        for row, key in ((row_g, "greedy_ids"), (row_b, "beam4_ids")):
            ref = by_name[n][key]
            assert row[: len(ref)] == ref and all(t == 1 for t in row[len(ref):]), (out.name, n, key, row, ref)
    lengths = [len(c["greedy_ids"]) for c in cases]
    distinct = [len(set(c["greedy_ids"][1:])) for c in cases]
    report = (
        f"{out.name}: greedy lengths {lengths}, distinct tokens {distinct}, "
        f"beam != greedy in {sum(c['greedy_ids'] != c['beam4_ids'] for c in cases)}/{len(cases)}, "
        f"min greedy gap {min(c['greedy_min_gap'] for c in cases):.3g}, "
        f"transformers 5 T5Tokenizer differs from sentencepiece in {differing}/{len(cases)} inputs"
    )
    ref = {
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "sentencepiece_version": spm.__version__,
        "gguf_version": getattr(gguf, "__version__", "0.19.0"),
        "attn_implementation": "eager",
        "float_format": "shortest decimal that round-trips the float32 value; parse as f32",
        "tokenizer_reference": "sentencepiece encode(text) + [2] (see tools/make_t5_fixtures.py)",
        "weights_seed": spec["seed"],
        "vocab_size": VOCAB_SIZE,
        "special_ids": {"decoder_start": 0, "pad": 1, "eos": 2, "unk": 0},
        "generation": {
            "max_length": MAX_LENGTH,
            "num_beams": NUM_BEAMS,
            "length_penalty": 1.0,
            "early_stopping": False,
            "do_sample": False,
            "note": "greedy_ids with num_beams=1; beam4_ids with num_beams=4; no other logits processor",
        },
        "cases": cases,
        "batch": {
            "names": BATCH_CASES,
            "input_ids": padded.tolist(),
            "attention_mask": mask.tolist(),
            "pad_token_id": 1,
            "greedy_ids": bg,
            "beam4_ids": bb,
            "note": "each row equals the single-sentence result followed by pad_token_id up to the longest row",
        },
    }
    if types is not None:
        ref["gguf_tensor_types"] = dict(sorted(types.items()))
    write_json(out / "reference.json", ref)
    return report


def main():
    torch.set_num_threads(1)
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    proto = train_spm(seed_lines() + CORPUS)
    sp = spm.SentencePieceProcessor(model_proto=proto)
    assert [sp.id_to_piece(i) for i in range(3 + len(USER_SYMBOLS))] == ["<unk>", "<s>", "</s>"] + USER_SYMBOLS
    assert sp.get_piece_size() == VOCAB_SIZE
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    reports = []
    for name, spec in SPECS.items():
        out = OUT_DIR / name
        # The first seed from spec["seed"] (in steps of 100) without greedy near-ties.
        for attempt in range(20):
            spec = dict(spec, seed=spec["seed"] + 100 * min(attempt, 1))
            shutil.rmtree(out, ignore_errors=True)
            write_checkpoint(out, name, spec, proto)
            tok5 = T5Tokenizer.from_pretrained(str(out))
            try:
                reports.append(references(out, spec, sp, tok5))
                break
            except NearTie as tie:
                print(f"seed {spec['seed']}: {tie}", flush=True)
        else:
            sys.exit(f"{name}: no seed without near-ties")
    print("\n".join(reports))
    total = 0
    for p in sorted(OUT_DIR.rglob("*")):
        if p.is_file():
            total += p.stat().st_size
            print(f"{p.stat().st_size:>10}  {p.relative_to(ROOT)}")
    print(f"{total:>10}  total ({total / 1e6:.2f} MB)")
    assert total < 2_000_000, "the T5 fixtures must stay under 2 MB"


if __name__ == "__main__":
    main()
