#!/usr/bin/env python3
"""Build tiny random-weight Marian (opus-mt) checkpoints and transformers reference outputs.

Writes tests/fixtures/marian/{tiny-base,tiny-big}/ (Hugging Face layout + reference.json) so the Rust
port can be checked for exact parity without the Hugging Face hub. Deterministic: rerunning with the
versions pinned in tools/requirements-fixtures.txt rewrites byte-identical files.

    python3 -m venv /tmp/venv-fix && /tmp/venv-fix/bin/pip install -r tools/requirements-fixtures.txt
    /tmp/venv-fix/bin/python tools/make_marian_fixtures.py            # ~1 min
    /tmp/venv-fix/bin/python tools/make_marian_fixtures.py --search tiny-big 2000 12   # seed hunting

* tiny-base mimics Helsinki-NLP/opus-mt-ar-en: swish, d_model 32, 4 heads, ffn 64, 2+2 layers,
  </s>=0, <unk>=1, <pad>=last=decoder_start, fp32 model.safetensors.
* tiny-big mimics Helsinki-NLP/opus-mt-tc-big-ar-en: relu, d_model 64, 8 heads (head dim 8), ffn 96
  (encoder) / 80 (decoder), 3+2 layers, </s>=137 (eos/forced eos), <unk>=5, <pad>=last=decoder_start,
  fp16 pytorch_model.bin (torch zip pickle; tied keys model.shared / model.{en,de}coder.embed_tokens /
  lm_head all present and sharing one storage; final_logits_bias present; no embed_positions).
  References come from reloading it with dtype=float32 (fp16-rounded weights computed in fp32).
* Both: source.spm = unigram spm (600 pieces, nmt_nfkc) trained on seeds/*.txt, target.spm = unigram
  spm (400 pieces) trained on the English text below; vocab.json = joint Marian vocab (every piece of
  both spm models except <s>, plus </s>, <unk>, <pad>); every weight random (layer norms, all biases,
  final_logits_bias and the <pad> embedding row included); the last decoder layer norm is scaled x4
  so that logits are spread; final_logits_bias[</s>] is raised so that some outputs stop at once,
  some mid-way and some run into max_length. Seeds were chosen (--search) so that no greedy step has
  a top-1/top-2 gap < 1e-3 and no beam-search comparison whose outcome changes the result is closer
  than 1e-3 (see mirror_beam / beam_margin).

reference.json: first_step_logits are raw logits (final_logits_bias included, no processor) for
decoder_input_ids=[[decoder_start]], written as the shortest decimal that round-trips the float32
value (parse as f32); first_step_logits_f64 are the same logits from the same weights computed in
float64 (10 significant digits), the exact answer both float32 results are measured against. greedy_ids / beam4_ids are model.generate() outputs incl. the decoder start
token; texts are tokenizer.decode(ids, skip_special_tokens=True). Attention: eager; sdpa is checked
to give identical ids.

Reference semantics (read from transformers 5.23.0, torch 2.15.0, sentencepiece 0.2.3)
======================================================================================

Tokenizer encode: MarianTokenizer(text)["input_ids"]
  1. tokenization_python.py PreTrainedTokenizer.tokenize: the text is first split on the special
     tokens "</s>", "<unk>", "<pad>" wherever they occur literally (tokens_trie.split; no lstrip/rstrip);
     those become their own ids, every other chunk goes to MarianTokenizer._tokenize separately (so
     each chunk gets its own spm dummy prefix). Empty chunks are dropped.
  2. models/marian/tokenization_marian.py MarianTokenizer._tokenize -> remove_language_code: only if
     the chunk starts with ">>" and contains "<<": code = chunk[:chunk.find("<<") + 2] is KEPT as one
     token (not dropped) and the rest is encoded. The code is then looked up in vocab.json like any
     piece -> <unk> id when absent (opus-mt-ar-en has no >>xx<< entries). Not stripped elsewhere.
  3. pieces = source spm .encode(chunk, out_type=str) (always source.spm for inputs; spm's own
     nmt_nfkc normalization, dummy-prefix "▁", whitespace collapsing/stripping come from the model
     file). Unknown characters are NOT turned into "<unk>" by spm: a run of consecutive unknown
     characters comes back as ONE piece holding its surface text (e.g. "The", "😀").
  4. MarianTokenizer._convert_token_to_id: vocab.json[piece], else the <unk> id. Because vocab.json
     is joint, a surface piece unknown to source.spm can still have an id (e.g. "c" from target.spm).
  5. build_inputs_with_special_tokens appends the </s> id. "" or whitespace-only text -> [eos].
  No Moses punctuation normalization on this path: _setup_normalizer builds
  sacremoses.MosesPunctNormalizer but MarianTokenizer.normalize() is never called by __call__.
  No truncation by default. Batches: padding=True pads on the right with the <pad> id,
  attention_mask 0 there.

Tokenizer decode: tokenizer.decode(ids, skip_special_tokens=True)
  - PreTrainedTokenizer.convert_ids_to_tokens drops ids in all_special_ids = {</s>, <unk>, <pad>}
    (so <unk> ids vanish too); other ids -> vocab.json inverse (MarianTokenizer._convert_id_to_token).
  - MarianTokenizer._decode: use_source_tokenizer defaults to (not separate_vocabs) = True, i.e. with
    the joint vocab transformers 5 decodes with source.spm (transformers 4 used target.spm).
  - MarianTokenizer.convert_tokens_to_string: spm.decode_pieces(runs of non-special tokens); a special
    token (only present with skip_special_tokens=False) is appended verbatim followed by " "; then
    "▁" -> " " and Python str.strip(). spm decode_pieces returns pieces unknown to that spm verbatim
    and there is no denormalizer, so for skip_special_tokens=True the result is exactly
    "".join(pieces).replace("▁", " ").strip() (asserted for every output; identical with target.spm).
  - clean_up_tokenization_spaces defaults to False (tokenization_utils_base.py) and the fixture
    tokenizer_config.json does not set it. If a real tokenizer_config.json sets it true,
    clean_up_tokenization() additionally replaces " ." " ?" " !" " ," " ' " " n't" " 'm" " 's" " 've"
    " 're" by the same without the leading space.

Model (models/marian/modeling_marian.py, MarianMTModel)
  - Embedding: x = shared[ids] * sqrt(d_model) (scale_embedding=true; MarianEncoder/MarianDecoder
    .embed_scale) + sinusoidal position table; no layernorm_embedding, no final encoder/decoder norm.
  - MarianSinusoidalPositionalEmbedding.create_weight: NOT interleaved. For i in [0, d/2):
    table[pos, i] = sin(pos / 10000^(2i/d)), table[pos, d/2 + i] = cos(pos / 10000^(2i/d)); computed
    in float64 (numpy), cast to float32. Positions start at 0 (no padding offset, independent of
    padding); decoder position = number of tokens before it (decoder start token at 0). The table is
    not in the checkpoint (MarianMTModel._keys_to_ignore_on_save; rebuilt by _init_weights on load).
  - Attention (MarianAttention + eager_attention_forward): q,k,v,out Linear with bias;
    softmax(q k^T * head_dim^-0.5 + mask) v; encoder and cross attention mask padded source keys
    (additive finfo(float32).min); decoder self attention causal.
  - Post-norm layers, nn.LayerNorm eps 1e-5:
    encoder: h = LN1(x + SelfAttn(x)); out = LN2(h + fc2(act(fc1(h))))
    decoder: h = LN1(x + SelfAttn(x)); h = LN2(h + CrossAttn(h, enc)); out = LN3(h + fc2(act(fc1(h))))
    act = ACT2FN[activation_function]: "swish" = SiLU x*sigmoid(x), "relu".
  - logits = out @ shared^T + final_logits_bias (lm_head has no bias and is tied to model.shared;
    final_logits_bias is a persistent [1, vocab] buffer stored in the checkpoint). No logit scaling.

Generation (generation/utils.py GenerationMixin.generate; unset fields take
GenerationConfig._get_default_generation_params(): min_length 0, length_penalty 1.0,
early_stopping False, no_repeat_ngram_size 0, repetition_penalty 1.0, renormalize_logits off)
  - decoder_input_ids start as [[decoder_start_token_id]] (= <pad> id). max_length counts that token:
    at most max_length - 1 = 31 generated tokens.
  - Logits processors (_get_logits_processor, in this order): NoBadWordsLogitsProcessor(bad_words_ids
    =[[pad]]) adds -inf to the <pad> score (bad words equal to [eos] would be dropped); then
    ForcedEOSTokenLogitsProcessor: when the current length (incl. decoder start) == max_length - 1,
    every score becomes -inf except eos = 0. MinLength is not added (min_length 0). If a config had
    renormalize_logits=true, LogitNormalization (log_softmax) would run last.
  - Stopping (_get_stopping_criteria): MaxLengthCriteria (length >= max_length), EosTokenCriteria
    (last token == eos).
  - Greedy (_sample, do_sample=False): scores = processors(raw float32 logits) (no log_softmax),
    next = argmax (first index on ties); rows already finished get pad_token_id instead; stop when
    every row has hit eos or max_length. Rows are returned incl. decoder start and eos, shorter rows
    right-padded with pad_token_id.
  - Beam search (_beam_search, num_beams B=4, one eos id, early_stopping False, length_penalty 1.0):
    running scores start [0, -1e9, -1e9, -1e9] (B copies of the start sequence). Each step, with
    cur_len = current length incl. decoder start:
      a. log_probs = processors(log_softmax(float32 logits)) -> pad is -inf AFTER the softmax (no
         renormalization); at cur_len == max_length-1 only eos is finite, with log-prob 0.
      b. candidates = running_score[b] + log_probs[b, t] over all B*V; take the top K = 2*B
         (torch.topk, descending) -> beam = idx // V, token = idx % V (_get_top_k_continuations).
      c. a candidate "hits" if token == eos or cur_len + 1 >= max_length.
      d. next running beams = best B of the K after adding -1e9 to hitting ones
         (_get_running_beams_for_next_iteration).
      e. finished (_update_finished_beams): only hitting candidates ranked in the first B of the K
         are added, with score = cumulative log-prob / (cur_len + 1 - 1) ** length_penalty, i.e.
         divided by the number of generated tokens INCLUDING the eos, excluding the decoder start.
         Nothing is added once the early-stop heuristic says the item is done. Keep the best B.
      f. cur_len += 1; _check_early_stop_heuristic (early_stopping False): the item is done when it
         has B finished hypotheses and best_running_score / (cur_len - 1) ** length_penalty <=
         the worst finished score (stays done).
      g. loop ends when every item is done, or every one of the K candidates hit a stopping criterion
         (max_length) (_beam_search_has_unfinished_sequences).
    Output: the best finished hypothesis (highest normalized score) per item, incl. decoder start and
    eos; the batch is cropped to the longest returned row; shorter rows are right-padded with
    pad_token_id (fill value `pad_token_id or eos_token_id[0]`, i.e. pad unless the pad id is 0).
    sequences_scores (reference "beam4_score") = that normalized score.
"""
import argparse
import glob
import json
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch
from sentencepiece import sentencepiece_model_pb2 as sp_pb2

import transformers
from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer
from transformers.utils import logging as hf_logging

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seeds"
OUT_DIR = ROOT / "tests" / "fixtures" / "marian"

SRC_VOCAB_SIZE = 600
TGT_VOCAB_SIZE = 400
MAX_LENGTH = 32
NUM_BEAMS = 4
GREEDY_MIN_GAP = 1e-3  # required top-1 vs top-2 gap at every greedy step
BEAM_MIN_GAP = 1e-3  # required gap at every beam-search decision that matters

# English training text for the target spm (written for this fixture)
EN_CORPUS = [
    'The French defence minister arrived in Moscow on Monday for talks with his Russian counterpart.',
    'Both ministers agreed to share more military intelligence about the armed groups operating in Syria.',
    '"We have agreed to strengthen our exchanges," the minister told reporters after the meeting.',
    'Officials in Paris said the visit was the first of its kind in almost two years.',
    "Russia's defence ministry described the discussions as pragmatic and frank.",
    'About 2,900 Russian citizens are believed to be fighting alongside jihadist groups in Syria and Iraq.',
    'The aircraft carrier left Toulon in November with 26 fighter jets on board.',
    'France carried out 12 percent of the air strikes not conducted by the United States.',
    'The Security Council unanimously adopted a resolution calling for a ceasefire on Friday.',
    'Peace talks are expected to begin at the start of January, diplomats said.',
    'The two presidents met in Moscow on 26 November to discuss closer coordination.',
    'A spokesman for the ministry said the talks would focus on the situation in Syria.',
    '"There is no alliance, only coordination," the minister said on Tuesday.',
    'The chiefs of staff spoke by telephone for the first time since 2014.',
    'Relations between Paris and Moscow were frozen after the annexation of Crimea.',
    'France cancelled the delivery of two warships to the Russian navy in 2015.',
    'Russian bombers struck 4,111 targets during 2,299 sorties in 48 days, the general said.',
    'The attacks in Paris killed 129 people and wounded about 350 others on 13 November.',
    'Pilots rely on an American air traffic control centre to avoid accidents over Syria.',
    'The British foreign secretary told parliament that the situation remained complicated.',
    'Western governments accuse Moscow of targeting moderate opposition groups.',
    'The Kremlin said it was providing military assistance to some opposition fighters.',
    'Washington and Moscow signed a memorandum to prevent incidents between their aircraft.',
    'The ministers also discussed the crisis in Libya and the growth of extremist networks.',
    'He invited his French counterpart to attend a security conference in Moscow in April.',
    'The general will visit Russia at a date to be agreed later, the statement added.',
    'Only 25 of the Russian strikes hit the Islamic State group, according to London.',
    'The army chief said dialogue between the two militaries had resumed cautiously.',
    '"We want to be able to talk with the Russians," he said at a press lunch.',
    'The Central African Republic will be the first test of this rapprochement.',
    'Russian military police have deployed east of the Euphrates river.',
    'Syrian government forces recaptured several towns with Russian air support.',
    'The minister declined to say whether France had offered to mediate with Washington.',
    'Sailors from both countries met aboard a Russian ship in the eastern Mediterranean.',
    'French and Russian officials have held three meetings since the end of October.',
    'The news agency quoted a senior officer as saying progress was still slow.',
    'Nobody expects the coordination to become a formal military alliance.',
    'The president ordered the navy to cooperate with the French naval group.',
    'A Russian passenger plane crashed in the Sinai desert at the end of October.',
    'All 224 people on board were killed when the Airbus broke up in mid-air.',
    'The group later claimed responsibility for the attack on the plane.',
    'France has about 3,500 soldiers deployed in the Sahel region of Africa.',
    'Defence spending rose by 1.5 percent last year to 32 billion euros.',
    'The meeting lasted nearly three hours and ended without a joint statement.',
    'Journalists waited outside the ministry building in the snow.',
    'The Russian minister said cooperation against terrorism was developing quickly.',
    '"Our countries share a long history of friendship," the French minister replied.',
    'The United Nations envoy welcomed the decision and urged all parties to respect it.',
    'Thousands of refugees crossed the border into Turkey last week.',
    'The exchange of information will cover foreign fighters and their networks.',
    'An unnamed source close to the minister said the goals were not identical.',
    'Both sides nevertheless share at least one common objective in Syria.',
    'The navy sent a frigate and a supply ship to join the carrier group.',
    'Fighter jets took off from the carrier at dawn on Wednesday.',
    'The strikes hit oil facilities, command centres and weapons depots.',
    'Analysts say the new cooperation is largely symbolic for now.',
    'The foreign minister will travel to Geneva next Thursday for more talks.',
    'Russia began its air campaign in Syria on 30 September.',
    'Officials in Damascus welcomed the French change of tone.',
    'A joint working group will meet every month, the statement said.',
    'The minister stressed that the fate of the Syrian president was not discussed.',
    'Hundreds of civilians have been killed in the fighting around Aleppo since January.',
    'The ceasefire does not apply to the Islamic State group or the Nusra Front.',
    'The resolution was drafted by the United States and Russia together.',
    'Sanctions imposed over Ukraine will remain in place until next summer.',
    'French companies hope to return to the Russian market soon.',
    'The minister met the head of the general staff on Sunday evening.',
    'Their talks focused on military details rather than politics.',
    'He said the conflict could only be solved through negotiations.',
    'The British government plans to extend its air strikes to Syria.',
    'The German parliament approved sending reconnaissance aircraft to the region.',
    'At least 17 people died when a car bomb exploded near a market.',
    'The report was published on Saturday by a London-based monitoring group.',
    'Prices of oil fell below 40 dollars a barrel for the first time since 2009.',
    'Talks between the two delegations will resume in Vienna on 18 December.',
    'The spokesman repeated that Moscow wants a political solution.',
    "The minister's plane landed in Moscow shortly after noon.",
    'A French frigate escorted the carrier through the Suez Canal.',
    'Military experts said the Russian bombers flew a very long route.',
    'The statement called the Paris attacks a crime against all of humanity.',
    'Russia and France will exchange lists of targets before each operation.',
    'Both countries lost many citizens in attacks claimed by the same group.',
    'The minister thanked the Russian people for their solidarity after the attacks.',
    'He spoke to the American defence secretary by phone before the trip.',
    'The call was made at the request of the American side, the White House said.',
    'Washington wants Moscow to focus its strikes on the Islamic State group.',
    'This is the second meeting between the two ministers in a bilateral format.',
    'A new round of talks is planned for the first quarter of next year.',
    'The conference will bring together ministers from more than 40 countries.',
    'The ministry published photos of the meeting on its website.',
]

# --------------------------------------------------------------------------------------------
# SentencePiece
# --------------------------------------------------------------------------------------------


def seed_lines():
    files = sorted(glob.glob(str(SEED_DIR / "*.txt")))
    if len(files) != 5:
        sys.exit(f"expected 5 seed articles in {SEED_DIR}, found {len(files)}")
    lines = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            lines.extend(line.strip() for line in fh if line.strip())
    return lines


def train_spm(lines, vocab_size, name):
    """Train a unigram SentencePiece model; returns the serialized ModelProto (deterministic bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "train.txt")
        with open(inp, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        spm.SentencePieceTrainer.train(
            input=inp,
            model_prefix=os.path.join(tmp, "spm"),
            vocab_size=vocab_size,
            model_type="unigram",
            character_coverage=1.0,
            normalization_rule_name="nmt_nfkc",
            num_threads=1,
            shuffle_input_sentence=False,
            input_sentence_size=0,
            max_sentence_length=100000,
            # defaults kept: unk=0 <unk>, bos=1 <s>, eos=2 </s>, no pad, no user symbols,
            # add_dummy_prefix, remove_extra_whitespaces, byte_fallback=false
            minloglevel=2,
        )
        with open(os.path.join(tmp, "spm.model"), "rb") as fh:
            proto = fh.read()
    # the trainer records the temp paths; replace them so the bytes do not depend on the temp dir
    m = sp_pb2.ModelProto()
    m.ParseFromString(proto)
    m.trainer_spec.input[:] = [f"{name}.txt"]
    m.trainer_spec.model_prefix = name
    return m.SerializeToString(deterministic=True)


def build_vocab(src_proto, tgt_proto, layout):
    """Marian joint vocab: every piece of both spm models (spm's <s>/</s>/<unk> excluded) + </s>, <unk>, <pad>."""
    pieces, seen = [], set()
    for proto in (src_proto, tgt_proto):
        sp = spm.SentencePieceProcessor(model_proto=proto)
        for i in range(sp.get_piece_size()):
            p = sp.id_to_piece(i)
            if p in ("<s>", "</s>", "<unk>") or p in seen:
                continue
            seen.add(p)
            pieces.append(p)
    n = len(pieces) + 3
    slots = [None] * n
    slots[layout["eos"]] = "</s>"
    slots[layout["unk"]] = "<unk>"
    slots[n - 1] = "<pad>"
    it = iter(pieces)
    for i in range(n):
        if slots[i] is None:
            slots[i] = next(it)
    return {p: i for i, p in enumerate(slots)}


# --------------------------------------------------------------------------------------------
# Test texts
# --------------------------------------------------------------------------------------------


def seed_sentences(lines):
    out = []
    for line in lines:
        for s in re.split(r"(?<=[.!؟])\s+", line):
            s = s.strip()
            if s:
                out.append(s)
    return out


def pick(sentences, needle, max_chars=None):
    for s in sentences:
        if needle in s and (max_chars is None or len(s) <= max_chars):
            return s
    sys.exit(f"no seed sentence contains {needle!r} (max_chars={max_chars})")


def build_cases(lines):
    S = seed_sentences(lines)
    long_seed = [s for s in S if 280 <= len(s) <= 320]
    if not long_seed:
        sys.exit("no seed sentence of 280..320 characters")
    # ~300 characters built from seed words (stays < 128 tokens with the 600-piece source spm)
    very_long = " ".join(S[1].split() + S[2].split())[:300].rsplit(" ", 1)[0]
    return [
        # real sentences from the seed articles
        ("seed_title_curly_quotes", lines[0]),
        ("seed_curly_quotes", pick(S, "برغماتية")),
        ("seed_guillemets", pick(S, "«الهجمات")),
        ("seed_percent_arabic_sign", pick(S, "12٪")),
        ("seed_percent_latin_sign", pick(S, "80%")),
        ("seed_ads3_debris", pick(S, "[ads3]")),
        ("seed_ampersand_prefix", pick(S, "&نصر")),
        ("seed_ampersand_alone", "&"),
        ("seed_numbers", pick(S, "4111")),
        ("seed_parentheses_numbers", pick(S, "(129")),
        ("seed_straight_quotes", pick(S, "يندرج ذلك")),
        ("seed_slash_date", pick(S, "كانون الاول/ديسمبر")),
        ("seed_short_heading", "راية حمراء"),
        ("seed_ellipsis_nfkc", pick(S, "انطلق العمل…")),
        ("seed_en_dash_heading", pick(S, "– “التكثيف")),
        ("seed_asterisk", pick(S, "بـ *")),
        ("seed_long_sentence", long_seed[0]),
        # edge cases
        ("empty", ""),
        ("single_space", " "),
        ("internal_whitespace", "فرنسا   وروسيا\tتتفقان\n\nعلى  تبادل"),
        ("leading_trailing_spaces", "   وزير الدفاع الفرنسي  "),
        ("pure_english", "The French defence minister met his Russian counterpart in Moscow on Monday."),
        # letters unknown to the Arabic source spm: spm returns their surface text as the piece, and
        # MarianTokenizer looks that string up in the joint vocab.json (target pieces included) -> not always <unk>
        ("latin_letters_target_pieces", "a b c d e x y z The the"),
        ("digits_arabic_indic_and_latin", "٠١٢٣٤٥٦٧٨٩ 0123456789 ١٢٪ 2015"),
        ("year_in_sentence", "في عام 2015 زار الوزير موسكو 3 مرات."),
        ("presentation_forms_nfkc", "ﻻ ﷲ ﻓﺮﻧﺴﺎ ﻭﺭﻭﺳﻴﺎ"),
        ("fullwidth_nfkc", "ＡＢＣ １２３ ＦＲＡＮＣＥ فرنسا"),
        ("tatweel", "فرنـــسا وروســيا تتفقـان"),
        ("harakat", "وَزِيرُ الدِّفَاعِ الفَرَنْسِيُّ فِي مُوسْكُو"),
        ("unknown_chars_emoji_cjk", "😀 中文 فرنسا 🇫🇷 ☃"),
        ("language_code_prefix", ">>eng<< وزير الدفاع الفرنسي"),
        ("literal_special_tokens", "وزير </s> الدفاع <unk> الروسي"),
        ("arabic_punctuation", "هل اتفق الوزيران؟ نعم؛ اتفقا، بالتأكيد!"),
        ("zero_width_joiners", "فرنسا\u200dوروسيا\u200cموسكو"),
        ("no_break_space", "وزير\u00a0الدفاع\u00a0الفرنسي"),
        ("very_long_300_chars", very_long),
    ]


BATCH_CASES = [
    "seed_guillemets",
    "empty",
    "pure_english",
    "seed_long_sentence",
    "digits_arabic_indic_and_latin",
    "seed_short_heading",
    "harakat",
    "language_code_prefix",
]


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------

# weight seeds, picked with --search: no near-ties, most greedy outputs stopping mid-way
SEED_TINY_BASE = 1004
SEED_TINY_BIG = 2001

SPECS = {
    "tiny-base": dict(
        mimics="Helsinki-NLP/opus-mt-ar-en",
        layout=dict(eos=0, unk=1),
        config=dict(
            activation_function="swish",
            d_model=32,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=64,
            decoder_ffn_dim=64,
            encoder_layers=2,
            decoder_layers=2,
            max_position_embeddings=128,
        ),
        fp16_bin=False,
        seed=SEED_TINY_BASE,
    ),
    "tiny-big": dict(
        mimics="Helsinki-NLP/opus-mt-tc-big-ar-en",
        layout=dict(eos=137, unk=5),
        config=dict(
            activation_function="relu",
            d_model=64,
            encoder_attention_heads=8,
            decoder_attention_heads=8,
            encoder_ffn_dim=96,
            decoder_ffn_dim=80,
            encoder_layers=3,
            decoder_layers=2,
            max_position_embeddings=256,
        ),
        fp16_bin=True,
        seed=SEED_TINY_BIG,
    ),
}

INIT_STD = 0.3  # Linear weights (stored as config.init_std)
EMB_STD = 0.5  # shared embedding / tied lm_head, all rows including <pad>
BIAS_STD = 0.2  # all Linear biases
LN_STD = 0.25  # layer norm weight = 1 + N(0, LN_STD), bias = N(0, LN_STD)
LOGIT_GAIN = 4.0  # last decoder layer final_layer_norm weight and bias are multiplied by this (peakier logits)
LOGITS_BIAS_STD = 1.0  # final_logits_bias
# final_logits_bias[</s>] gets the value of this grid that maximizes 2 * (greedy outputs stopping with </s>
# after 2..30 generated tokens) + min(outputs stopping at once, outputs running to max_length); ties: smallest
EOS_BIAS_GRID = [float(x) for x in range(10, 57, 2)]


def make_config(spec, vocab):
    pad = vocab["<pad>"]
    eos = vocab["</s>"]
    return MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        eos_token_id=eos,
        forced_eos_token_id=eos,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        bos_token_id=0,
        scale_embedding=True,
        static_position_embeddings=True,
        normalize_embedding=False,
        share_encoder_decoder_embeddings=True,
        init_std=INIT_STD,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        **spec["config"],
    )


def make_generation_config(vocab):
    pad = vocab["<pad>"]
    eos = vocab["</s>"]
    return GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=eos,
        forced_eos_token_id=eos,
        max_length=MAX_LENGTH,
        num_beams=NUM_BEAMS,
        pad_token_id=pad,
    )


def randomize(model, seed):
    """Every parameter random (no ones/zeros left), from a private generator => deterministic."""
    g = torch.Generator().manual_seed(seed)

    def randn(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    last_ln = f"model.decoder.layers.{model.config.decoder_layers - 1}.final_layer_norm."
    with torch.no_grad():
        for name, p in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            if name == "model.shared.weight":
                p.copy_(randn(p.shape, EMB_STD))
            elif "layer_norm" in name and name.endswith(".weight"):
                p.copy_(1.0 + randn(p.shape, LN_STD))
            elif "layer_norm" in name and name.endswith(".bias"):
                p.copy_(randn(p.shape, LN_STD))
            elif name.endswith(".weight"):
                p.copy_(randn(p.shape, INIT_STD))
            elif name.endswith(".bias"):
                p.copy_(randn(p.shape, BIAS_STD))
            else:
                raise RuntimeError(f"unexpected parameter {name}")
            if name.startswith(last_ln):
                p.mul_(LOGIT_GAIN)
        model.final_logits_bias.copy_(randn(model.final_logits_bias.shape, LOGITS_BIAS_STD))


def calibrate_eos_bias(model, inputs, eos, fp16):
    pad = model.config.pad_token_id
    base = model.final_logits_bias.clone()
    best = None
    for bias in EOS_BIAS_GRID:
        with torch.no_grad():
            model.final_logits_bias.copy_(base)
            model.final_logits_bias[0, eos] += bias
        lengths = [len(mirror_greedy(model, ids, pad, pad, eos)[0]) for ids in inputs]
        mid = sum(3 <= n < MAX_LENGTH for n in lengths)
        balance = min(lengths.count(2), lengths.count(MAX_LENGTH))
        key = (2 * mid + balance, -bias)
        if best is None or key > best[0]:
            best = (key, bias)
    bias = best[1]
    with torch.no_grad():
        model.final_logits_bias.copy_(base)
        model.final_logits_bias[0, eos] += bias
        if fp16:
            model.final_logits_bias.copy_(model.final_logits_bias.half().float())
    return bias


def to_json(obj, indent=0):
    """json with lists of scalars kept on one line (keeps the logits arrays compact)."""
    pad = "  " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {to_json(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in obj):
            return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in obj) + "]"
        return "[\n" + ",\n".join(pad + to_json(x, indent + 1) for x in obj) + "\n" + "  " * indent + "]"
    return json.dumps(obj, ensure_ascii=False)


def write_json(path, obj):
    text = to_json(obj) + "\n"
    assert json.loads(text) == obj
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def write_tokenizer_files(out, vocab, src_proto, tgt_proto):
    out.mkdir(parents=True, exist_ok=True)
    (out / "source.spm").write_bytes(src_proto)
    (out / "target.spm").write_bytes(tgt_proto)
    write_json(out / "vocab.json", vocab)
    write_json(
        out / "tokenizer_config.json",
        {"source_lang": "ar", "target_lang": "en", "separate_vocabs": False, "model_max_length": 512},
    )
    write_json(out / "special_tokens_map.json", {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"})


def save_checkpoint(out, spec, vocab, src_proto, tgt_proto, seed, cases):
    """Returns the eos bias chosen."""
    if out.exists():
        shutil.rmtree(out)
    write_tokenizer_files(out, vocab, src_proto, tgt_proto)
    tok = MarianTokenizer.from_pretrained(str(out))
    inputs = [tok(t, return_tensors="pt")["input_ids"] for _, t in cases]
    config = make_config(spec, vocab)
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    randomize(model, seed)
    model.generation_config = make_generation_config(vocab)
    model.eval()
    if spec["fp16_bin"]:
        model.half().float()  # calibrate on the values that will be stored
    eos_bias = calibrate_eos_bias(model, inputs, vocab["</s>"], spec["fp16_bin"])
    if spec["fp16_bin"]:
        # like the real opus-mt-tc-big-ar-en: fp16 tensors in pytorch_model.bin (torch zip format).
        # transformers 5 save_pretrained only writes safetensors, so config/generation config are written with
        # save_pretrained and the weights with torch.save. Keys = state_dict() minus the sinusoidal tables
        # (_keys_to_ignore_on_save), tied duplicates kept as in v4-era .bin files: model.shared.weight,
        # model.encoder.embed_tokens.weight, model.decoder.embed_tokens.weight, lm_head.weight (one storage),
        # final_logits_bias.
        model.config.save_pretrained(out)
        model.generation_config.save_pretrained(out)
        half = model.half()
        sd = {k: v for k, v in half.state_dict().items() if "embed_positions" not in k}
        torch.save(sd, out / "pytorch_model.bin")
    else:
        model.save_pretrained(out)  # model.safetensors (transformers 5 always writes safetensors)
    return eos_bias


# --------------------------------------------------------------------------------------------
# Mirrors of transformers' greedy and beam search (full recompute, no cache). Used to measure the
# decision margins and to cross-check the semantics documented above against generate().
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def step_logits(model, enc_out, attn, dec_ids):
    """Logits of the last decoder position."""
    out = model(encoder_outputs=(enc_out,), attention_mask=attn, decoder_input_ids=dec_ids, use_cache=False)
    return out.logits[:, -1, :].to(torch.float32)


def processors(scores, cur_len, pad, eos):
    """Logits processors active for the Marian generation config, in transformers' order:
    NoBadWordsLogitsProcessor([[pad]]) then ForcedEOSTokenLogitsProcessor(max_length)."""
    scores = scores.clone()
    scores[:, pad] = float("-inf")
    if cur_len == MAX_LENGTH - 1:
        scores = torch.full_like(scores, float("-inf"))
        scores[:, eos] = 0.0
    return scores


@torch.no_grad()
def mirror_greedy(model, input_ids, start, pad, eos):
    attn = torch.ones_like(input_ids)
    enc = model.get_encoder()(input_ids=input_ids, attention_mask=attn).last_hidden_state
    seq = [start]
    min_gap = math.inf
    while True:
        scores = processors(step_logits(model, enc, attn, torch.tensor([seq])), len(seq), pad, eos)[0]
        top = torch.topk(scores, 2)
        if len(seq) != MAX_LENGTH - 1:
            min_gap = min(min_gap, float(top.values[0] - top.values[1]))
        tok = int(torch.argmax(scores))
        seq.append(tok)
        if tok == eos or len(seq) >= MAX_LENGTH:
            break
    return seq, min_gap


@torch.no_grad()
def mirror_beam(model, input_ids, start, pad, eos, length_penalty=1.0, flip=None):
    """Single-sentence mirror of GenerationMixin._beam_search (num_beams=4, one eos id,
    early_stopping=False). Returns (sequence, score, decisions) where decisions lists
    (margin, kind, step) for every comparison whose outcome shapes the result; `flip=(step, kind)`
    takes the other branch of that one comparison (to test whether a near-tie matters)."""
    nb = NUM_BEAMS
    attn = torch.ones_like(input_ids)
    enc = model.get_encoder()(input_ids=input_ids, attention_mask=attn).last_hidden_state
    enc_b, attn_b = enc.expand(nb, -1, -1), attn.expand(nb, -1)
    running = [[start] for _ in range(nb)]
    running_scores = [0.0] + [-1e9] * (nb - 1)
    finished = []  # (length-normalized score, sequence), best first, at most nb
    heuristic_unsatisfied = True
    decisions = []
    cur_len = 1
    while True:
        logp = torch.log_softmax(step_logits(model, enc_b, attn_b, torch.tensor(running)), dim=-1)
        logp = processors(logp, cur_len, pad, eos)
        V = logp.shape[-1]
        cand = (logp + torch.tensor(running_scores)[:, None]).reshape(-1)
        vals, idx = torch.sort(cand, descending=True, stable=True)
        order = [(float(v), int(i) // V, int(i) % V) for v, i in zip(vals[: 4 * nb], idx[: 4 * nb])]
        at_max = cur_len + 1 >= MAX_LENGTH
        hit = [at_max or t == eos for _, _, t in order]
        # (1) which candidates rank in the first nb of the top-2nb: only those can become finished hypotheses
        if (hit[nb - 1] or hit[nb]) and not at_max and order[nb][0] > -1e8:
            decisions.append((order[nb - 1][0] - order[nb][0], "eos-rank", cur_len))
            if flip == (cur_len, "eos-rank"):
                order[nb - 1], order[nb] = order[nb], order[nb - 1]
                hit[nb - 1], hit[nb] = hit[nb], hit[nb - 1]
        # (2) next running beams = best nb candidates that did not hit a stopping criterion
        nf = [c for c, h in zip(order, hit) if not h]
        if not at_max:
            decisions.append((nf[nb - 1][0] - nf[nb][0], "running-set", cur_len))
            if flip == (cur_len, "running-set"):
                nf = nf[: nb - 1] + [nf[nb]]
        # (3) finished hypotheses: score = sum logprobs / (generated length incl. eos) ** length_penalty
        if heuristic_unsatisfied:
            for r in range(nb):
                if hit[r]:
                    v, b, t = order[r]
                    finished.append((v / ((cur_len + 1 - 1) ** length_penalty), running[b] + [t]))
            finished.sort(key=lambda x: -x[0])
            if len(finished) > nb:
                decisions.append((finished[nb - 1][0] - finished[nb][0], "finished-set", cur_len))
                if flip == (cur_len, "finished-set"):
                    finished[nb - 1], finished[nb] = finished[nb], finished[nb - 1]
            finished = finished[:nb]
        if at_max:
            break
        running = [running[b] + [t] for _, b, t in nf[:nb]]
        running_scores = [v for v, _, _ in nf[:nb]]
        cur_len += 1
        # (4) early-stop heuristic (early_stopping=False): stop once the best running beam's score divided
        #     by its current generated length ** length_penalty cannot beat the worst of nb finished ones
        if heuristic_unsatisfied and len(finished) == nb:
            best_possible = running_scores[0] / ((cur_len - 1) ** length_penalty)
            worst = finished[-1][0]
            decisions.append((abs(best_possible - worst), "early-stop", cur_len))
            heuristic_unsatisfied = best_possible > worst
            if flip == (cur_len, "early-stop"):
                heuristic_unsatisfied = not heuristic_unsatisfied
        if not heuristic_unsatisfied:
            break
    if len(finished) > 1:
        decisions.append((finished[0][0] - finished[1][0], "final-choice", cur_len))
    return finished[0][1], finished[0][0], decisions


def beam_margin(model, input_ids, start, pad, eos):
    """Smallest margin among decisions whose flip would change the beam-search output
    (+ number of near-ties that were found harmless)."""
    seq, score, decisions = mirror_beam(model, input_ids, start, pad, eos)
    relevant = [(m, k, s) for m, k, s in decisions if m >= BEAM_MIN_GAP or k == "final-choice"]
    harmless = 0
    for m, k, s in decisions:
        if m < BEAM_MIN_GAP and k != "final-choice":
            if mirror_beam(model, input_ids, start, pad, eos, flip=(s, k))[0] == seq:
                harmless += 1
            else:
                relevant.append((m, k, s))
    m = min(relevant, default=(math.inf, "none", 0))
    return seq, score, m, harmless


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------


def f32(x):
    """Shortest decimal that parses back (as f32) to exactly this float32 value."""
    return float(str(np.float32(x)))


def effective_generation(model):
    gc = model.generation_config.to_dict()
    defaults = GenerationConfig._get_default_generation_params()
    eff = {k: (gc.get(k) if gc.get(k) is not None else defaults.get(k)) for k in defaults}
    for k in ("decoder_start_token_id", "pad_token_id", "eos_token_id", "bos_token_id", "renormalize_logits"):
        eff[k] = gc.get(k)
    keys = [
        "max_length",
        "min_length",
        "num_beams",
        "length_penalty",
        "early_stopping",
        "no_repeat_ngram_size",
        "repetition_penalty",
        "bad_words_ids",
        "forced_eos_token_id",
        "forced_bos_token_id",
        "renormalize_logits",
        "decoder_start_token_id",
        "pad_token_id",
        "eos_token_id",
        "bos_token_id",
        "do_sample",
        "num_return_sequences",
    ]
    return {k: eff.get(k) for k in keys}


def load(out):
    tok = MarianTokenizer.from_pretrained(str(out))
    # eager attention = the plain softmax(QK^T * head_dim^-0.5 + mask) V formulation; sdpa is checked against it
    model = MarianMTModel.from_pretrained(str(out), dtype=torch.float32, attn_implementation="eager")
    model.eval()
    return tok, model


def simple_decode(tok, ids):
    """The rule a port can implement: drop special ids, join pieces, '▁'->' ', strip()."""
    special = set(tok.all_special_ids)
    pieces = [tok.convert_ids_to_tokens(i) for i in ids if i not in special]
    return "".join(pieces).replace("▁", " ").strip()


@torch.no_grad()
def compute_references(out, cases, check_only=False):
    tok, model = load(out)
    # The same weights in float64: the exact answer that both transformers'
    # float32 logits and a port's are measured against (their float32
    # rounding differs in summation order, not in correctness).
    import copy
    model64 = copy.deepcopy(model).double()
    pad = model.config.pad_token_id
    eos = model.config.eos_token_id
    start = model.config.decoder_start_token_id
    vocab_size = model.config.vocab_size
    res_cases = []
    greedy_gaps, beam_gaps = [], []
    for name, text in cases:
        enc = tok(text, return_tensors="pt")
        input_ids = enc["input_ids"]
        assert input_ids.shape[1] <= model.config.max_position_embeddings, (name, input_ids.shape)
        g_ids, g_gap = mirror_greedy(model, input_ids, start, pad, eos)
        b_ids, b_score, (b_gap, b_kind, b_step), harmless = beam_margin(model, input_ids, start, pad, eos)
        greedy_gaps.append((g_gap, name, len(g_ids)))
        beam_gaps.append((b_gap, name, f"{b_kind}@{b_step}", harmless))
        if check_only:
            continue
        first = model(input_ids=input_ids, decoder_input_ids=torch.tensor([[start]])).logits[0, -1]
        first64 = model64(input_ids=input_ids, decoder_input_ids=torch.tensor([[start]])).logits[0, -1]
        assert first.shape[0] == vocab_size
        greedy = model.generate(**enc, num_beams=1, do_sample=False)[0].tolist()
        beam = model.generate(**enc, num_beams=NUM_BEAMS, do_sample=False)[0].tolist()
        beam_out = model.generate(
            **enc, num_beams=NUM_BEAMS, do_sample=False, return_dict_in_generate=True, output_scores=True
        )
        assert beam_out.sequences[0].tolist() == beam
        assert greedy == g_ids, (name, greedy, g_ids)
        assert beam == b_ids, (name, beam, b_ids)
        assert abs(float(beam_out.sequences_scores[0]) - b_score) < 1e-4, (name, beam_out.sequences_scores, b_score)
        g_text = tok.decode(greedy, skip_special_tokens=True)
        b_text = tok.decode(beam, skip_special_tokens=True)
        assert g_text == simple_decode(tok, greedy) and b_text == simple_decode(tok, beam), name
        res_cases.append(
            {
                "name": name,
                "text": text,
                "input_ids": input_ids[0].tolist(),
                "input_pieces": tok.convert_ids_to_tokens(input_ids[0].tolist()),
                "first_step_logits": [f32(x) for x in first.tolist()],
                "first_step_logits_f64": [float("%.10g" % x) for x in first64.tolist()],
                "greedy_ids": greedy,
                "greedy_text": g_text,
                "greedy_min_gap": g_gap,
                "beam4_ids": beam,
                "beam4_text": b_text,
                "beam4_score": f32(beam_out.sequences_scores[0]),
                "beam4_min_margin": b_gap,
                "beam4_harmless_near_ties": harmless,
            }
        )
    if check_only:
        return None, greedy_gaps, beam_gaps

    # batch: padding=True (right padding with <pad>, attention_mask 0 there)
    by_name = dict(cases)
    texts = [by_name[n] for n in BATCH_CASES]
    benc = tok(texts, padding=True, return_tensors="pt")
    bg = model.generate(**benc, num_beams=1, do_sample=False).tolist()
    bb = model.generate(**benc, num_beams=NUM_BEAMS, do_sample=False).tolist()
    single = {c["name"]: c for c in res_cases}
    for n, row_g, row_b in zip(BATCH_CASES, bg, bb):
        for row, key in ((row_g, "greedy_ids"), (row_b, "beam4_ids")):
            ref = single[n][key]
            assert row[: len(ref)] == ref and all(t == pad for t in row[len(ref) :]), (n, key, row, ref)
    batch = {
        "names": BATCH_CASES,
        "texts": texts,
        "input_ids": benc["input_ids"].tolist(),
        "attention_mask": benc["attention_mask"].tolist(),
        "padding_side": tok.padding_side,
        "pad_token_id": pad,
        "greedy_ids": bg,
        "beam4_ids": bb,
        "note": "each row equals the single-sentence result followed by pad_token_id up to the longest row",
    }

    # decode cases
    inv = {v: k for k, v in tok.encoder.items()}
    by_piece = tok.encoder
    arabic = [i for i in range(vocab_size) if re.search("[\u0600-\u06ff]", inv[i])]
    latin_sp = [i for i in range(vocab_size) if inv[i].startswith("▁") and re.search("[a-z]", inv[i])]
    latin_cont = [i for i in range(vocab_size) if not inv[i].startswith("▁") and re.fullmatch("[a-z]+", inv[i])]
    digits = [i for i in range(vocab_size) if re.search("[0-9]", inv[i])]
    punct = [i for i in range(vocab_size) if re.fullmatch(r"▁?[.,:\"“”«»()]", inv[i])]
    unk = by_piece["<unk>"]
    lone = by_piece.get("▁")
    decode_ids = [
        [pad] + latin_sp[:3] + latin_cont[:2] + [eos],
        latin_cont[2:4] + latin_sp[3:5] + [eos, pad, pad],
        [pad] + arabic[:4] + [unk] + arabic[4:6] + [eos],
        [pad, unk, unk, eos],
        [pad, eos],
        [],
        latin_sp[5:7] + [eos] + latin_sp[7:9],
        [pad] + digits[:3] + punct[:3] + latin_sp[9:11] + ([lone] if lone is not None else []) + [eos],
        [pad] + arabic[6:8] + latin_sp[11:13] + arabic[8:10] + [eos],
        max((c["greedy_ids"] for c in res_cases), key=len),
    ]
    decode_cases = []
    for ids in decode_ids:
        text = tok.decode(ids, skip_special_tokens=True)
        assert text == simple_decode(tok, ids), ids
        target_spm_text = tok.decode(ids, skip_special_tokens=True, use_source_tokenizer=False)
        decode_cases.append(
            {
                "ids": ids,
                "pieces": tok.convert_ids_to_tokens(ids),
                "text": text,
                "text_with_special_tokens": tok.decode(ids, skip_special_tokens=False),
                "same_with_target_spm": target_spm_text == text,
            }
        )

    # sdpa (transformers' default attention) must agree with the eager references
    sdpa = MarianMTModel.from_pretrained(str(out), dtype=torch.float32, attn_implementation="sdpa").eval()
    max_diff = 0.0
    for c in res_cases:
        ids = torch.tensor([c["input_ids"]])
        lg = sdpa(input_ids=ids, decoder_input_ids=torch.tensor([[start]])).logits[0, -1]
        max_diff = max(max_diff, float((lg - torch.tensor(c["first_step_logits"])).abs().max()))
        assert sdpa.generate(input_ids=ids, num_beams=1).tolist()[0] == c["greedy_ids"], c["name"]
        assert sdpa.generate(input_ids=ids, num_beams=NUM_BEAMS).tolist()[0] == c["beam4_ids"], c["name"]

    ref = {
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "sentencepiece_version": spm.__version__,
        "attn_implementation": "eager (sdpa checked: identical ids, max |first_step_logits diff| = %.3g)" % max_diff,
        "float_format": "shortest decimal that round-trips the float32 value; parse as f32",
        "vocab_size": vocab_size,
        "special_ids": {"eos": eos, "unk": tok.unk_token_id, "pad": pad, "decoder_start": start},
        "generation": effective_generation(model),
        "cases": res_cases,
        "batch": batch,
        "decode_cases": decode_cases,
    }
    return ref, greedy_gaps, beam_gaps


def build(name, spec, src_proto, tgt_proto, cases, seed=None, search=False):
    vocab = build_vocab(src_proto, tgt_proto, spec["layout"])
    out = OUT_DIR / name
    seed = spec["seed"] if seed is None else seed
    eos_bias = save_checkpoint(out, spec, vocab, src_proto, tgt_proto, seed, cases)
    _, gg, bg = compute_references(out, cases, check_only=True)
    g, b = min(gg), min(bg)
    lengths = [x[2] for x in gg]
    mid = sum(3 <= n < MAX_LENGTH for n in lengths)
    print(
        f"{name}: seed {seed}, eos bias {eos_bias}: greedy stops after 2..30 tokens in {mid} cases, "
        f"min greedy gap {g[0]:.3g} ({g[1]}), min outcome-relevant beam margin {b[0]:.3g} ({b[1]}, {b[2]}), "
        f"harmless beam near-ties {sum(x[3] for x in bg)}",
        flush=True,
    )
    ok = g[0] >= GREEDY_MIN_GAP and b[0] >= BEAM_MIN_GAP
    if search:
        return ok, mid
    if not ok:
        sys.exit(f"{name}: seed {seed} has near-ties (< {GREEDY_MIN_GAP}); run with --search and pick another seed")
    ref, gg, bg = compute_references(out, cases)
    ref["weights_seed"] = seed
    ref["init"] = {
        "init_std": INIT_STD,
        "embedding_std": EMB_STD,
        "bias_std": BIAS_STD,
        "layer_norm_std": LN_STD,
        "last_decoder_layer_norm_gain": LOGIT_GAIN,
        "final_logits_bias_std": LOGITS_BIAS_STD,
        "eos_extra_bias": eos_bias,
    }
    ref["min_greedy_gap"] = min(gg)[0]
    ref["min_beam_margin"] = min(bg)[0]
    ref["beam_harmless_near_ties"] = sum(x[3] for x in bg)
    write_json(out / "reference.json", ref)
    return ref, min(gg), min(bg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--search",
        nargs=3,
        metavar=("NAME", "FIRST_SEED", "COUNT"),
        help="only report margins/stop lengths for seeds FIRST_SEED.. of checkpoint NAME (written to a temp dir)",
    )
    args = ap.parse_args()
    torch.set_num_threads(1)
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    lines = seed_lines()
    src_proto = train_spm(lines, SRC_VOCAB_SIZE, "source")
    tgt_proto = train_spm(EN_CORPUS, TGT_VOCAB_SIZE, "target")
    cases = build_cases(lines)
    if args.search:
        global OUT_DIR
        name, first, count = args.search[0], int(args.search[1]), int(args.search[2])
        with tempfile.TemporaryDirectory() as tmp:
            OUT_DIR = Path(tmp)
            for seed in range(first, first + count):
                build(name, SPECS[name], src_proto, tgt_proto, cases, seed=seed, search=True)
        return
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    summary = []
    for name, spec in SPECS.items():
        ref, g, b = build(name, spec, src_proto, tgt_proto, cases)
        summary.append((name, ref, g, b))
    print("\n== files")
    total = 0
    for p in sorted(OUT_DIR.rglob("*")):
        if p.is_file():
            total += p.stat().st_size
            print(f"{p.stat().st_size:>10}  {p.relative_to(ROOT)}")
    print(f"{total:>10}  total ({total / 1e6:.2f} MB)")
    assert total < 4_500_000, "fixtures must stay under 4.5 MB (the project allows 5 MB in all)"
    print("\n== margins")
    for name, ref, g, b in summary:
        n_eos_early = sum(1 for c in ref["cases"] if len(c["greedy_ids"]) < MAX_LENGTH)
        b_eos_early = sum(1 for c in ref["cases"] if len(c["beam4_ids"]) < MAX_LENGTH)
        differ = sum(1 for c in ref["cases"] if c["greedy_ids"] != c["beam4_ids"])
        print(
            f"{name}: seed {ref['weights_seed']}, vocab {ref['vocab_size']}, "
            f"min greedy top1-top2 gap {g[0]:.4g} ({g[1]}), "
            f"min outcome-relevant beam margin {b[0]:.4g} ({b[1]}, {b[2]}), "
            f"harmless beam near-ties (< {BEAM_MIN_GAP}, flipping them gives the same output) {ref['beam_harmless_near_ties']}; "
            f"greedy ends before max_length in {n_eos_early}/{len(ref['cases'])}, beam in {b_eos_early}, "
            f"beam != greedy in {differ}"
        )


if __name__ == "__main__":
    main()
