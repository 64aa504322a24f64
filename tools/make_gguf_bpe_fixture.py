#!/usr/bin/env python3
"""A tiny Qwen2-style byte-level BPE GGUF and its reference tokenizations.

No Qwen GGUF is at hand offline, so this builds one: it trains a byte-level BPE
(~2000 tokens) with the `tokenizers` library on the Arabic seed articles
(seeds/*.txt) plus a small English corpus written below, using Qwen2's
pre-tokenizer (Split on Qwen2's regex, Isolated, then ByteLevel without prefix
space or regex) and ByteLevel decoder, appends Qwen's special tokens
<|endoftext|>, <|im_start|>, <|im_end|>, and writes

    tests/fixtures/gguf/tiny-qwen2-tokenizer.gguf

an architecture "qwen2" GGUF with no tensors whose tokenizer metadata is what
llama.cpp's convert_hf_to_gguf.py writes for Qwen2/Qwen2.5 (Instruct):

    tokenizer.ggml.model = "gpt2", tokenizer.ggml.pre = "qwen2",
    tokenizer.ggml.tokens, tokenizer.ggml.token_type (1 normal, 3 control),
    tokenizer.ggml.merges ("a b"), bos = pad = <|endoftext|>, eos = <|im_end|>,
    tokenizer.ggml.add_bos_token = false

plus the minimal qwen2.* hyperparameters llama.cpp reads before the vocabulary.
It then tokenizes a fixed list of texts with llama.cpp (llama-cpp-python,
vocab_only) and with the trained tokenizer, and writes

    tests/fixtures/gguf/tiny-qwen2-tokenizer-reference.json

    {"gguf_sha256", "llama_cpp_python_version", "tokenizers_version",
     "cases": [{"name", "text", "llama_cpp_ids", "tokenizers_ids", "decoded"}],
     "disagreements": names of cases where llama_cpp_ids != tokenizers_ids}

llama_cpp_ids  = Llama(gguf, vocab_only=True).tokenize(text.encode(), add_bos=False, special=True)
tokenizers_ids = tokenizer.encode(text, add_special_tokens=False).ids  (special tokens are split out)
decoded        = Llama.detokenize(llama_cpp_ids, special=True).decode("utf-8")

The trained tokenizer has no NFC normalizer (Qwen2's tokenizer.json has one;
llama.cpp does not apply it), so both sides see the text as it is.

Everything is deterministic: rerunning gives byte-identical files.

Setup: see tools/requirements-gguf.txt (llama-cpp-python is required here).
    /tmp/venv-gguf/bin/python tools/make_gguf_bpe_fixture.py
"""
import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import gguf  # noqa: E402
import tokenizers  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seeds"
OUT_DIR = ROOT / "tests" / "fixtures" / "gguf"
GGUF_NAME = "tiny-qwen2-tokenizer.gguf"
REF_NAME = "tiny-qwen2-tokenizer-reference.json"

VOCAB_SIZE = 2000  # trained tokens (256 byte symbols + merges); the 3 specials come after
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

TOKEN_TYPE_NORMAL = 1
TOKEN_TYPE_CONTROL = 3

ENGLISH_CORPUS = """\
The French defence minister arrived in Moscow on Monday for talks with his Russian counterpart.
The two ministers agreed to exchange military intelligence about the group's positions in Syria.
"We have agreed to strengthen our exchanges," the minister told reporters after the meeting.
About 2,900 Russian citizens are believed to be fighting in Syria and Iraq, officials said.
It's the first visit of a French defence minister to Russia since 2013, and it won't be the last.
They're working together now; we've seen that before, and I'm sure you'll see it again.
She'd said the talks were useful. He didn't say when they'd meet again, but they'll meet.
The government announced new measures on 13 November 2015 after the attacks in Paris.
Prices rose by 3.5 percent in the third quarter, while exports fell to $1.2 billion.
The United Nations Security Council met in New York to discuss the situation in the region.
Oil prices dropped sharply on Tuesday as markets reacted to the news from the meeting.
The president said the country would not accept any interference in its internal affairs.
Thousands of people have fled their homes since the fighting began earlier this year.
The report, published on Wednesday, says the economy grew faster than expected.
Officials don't expect a decision before next week; the committee hasn't met yet.
What is the capital of France? The capital of France is Paris.
Translate the following sentence into English. Summarize the article in one sentence.
"""


# --------------------------------------------------------------------------
# Training


def seed_files() -> list:
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        sys.exit(f"no seeds in {SEED_DIR}")
    return files


def training_texts() -> list:
    texts = [p.read_text(encoding="utf-8") for p in seed_files()]
    texts.append(ENGLISH_CORPUS)
    return texts


def train_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=0,
        show_progress=False,
        special_tokens=[],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(training_texts(), trainer=trainer)
    # Specials after the trained vocabulary, as in Qwen2 (151643.. after the BPE tokens).
    tok.add_special_tokens(SPECIALS)
    return tok


def vocab_and_merges(tok: Tokenizer):
    vocab = tok.get_vocab(with_added_tokens=True)
    tokens = [None] * len(vocab)
    for piece, i in vocab.items():
        tokens[i] = piece
    assert all(t is not None for t in tokens), "vocabulary ids are not contiguous"
    model = json.loads(tok.to_str())["model"]
    merges = []
    for m in model["merges"]:
        a, b = (m.split(" ", 1) if isinstance(m, str) else m)
        assert " " not in a and " " not in b, f"space in merge {m!r}"
        merges.append(f"{a} {b}")
    return tokens, merges


# --------------------------------------------------------------------------
# GGUF


def write_gguf(path: Path, tokens: list, merges: list) -> dict:
    special_ids = {s: tokens.index(s) for s in SPECIALS}
    types = [TOKEN_TYPE_CONTROL if t in special_ids else TOKEN_TYPE_NORMAL for t in tokens]

    w = gguf.GGUFWriter(str(path), "qwen2")  # writes general.architecture
    # Minimal qwen2 hyperparameters (llama.cpp reads them even with vocab_only).
    w.add_context_length(4096)
    w.add_embedding_length(8)
    w.add_block_count(1)
    w.add_feed_forward_length(16)
    w.add_head_count(2)
    w.add_head_count_kv(1)
    w.add_rope_freq_base(1000000.0)
    w.add_layer_norm_rms_eps(1e-6)
    # Tokenizer, in the order convert_hf_to_gguf.py (_set_vocab_gpt2 + SpecialVocab) writes it.
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_eos_token_id(special_ids["<|im_end|>"])
    w.add_pad_token_id(special_ids["<|endoftext|>"])
    w.add_bos_token_id(special_ids["<|endoftext|>"])
    w.add_add_bos_token(False)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return special_ids


def gguf_keys(path: Path) -> list:
    r = gguf.GGUFReader(str(path))
    return [(f.name, gguf.GGUFValueType(f.types[0]).name if f.types else "?") for f in r.fields.values()]


# --------------------------------------------------------------------------
# Texts


def first_sentence(line: str, limit: int = 200) -> str:
    dot = line.find(".")
    if 0 < dot < limit:
        return line[: dot + 1]
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0]


def seed_cases() -> list:
    cases = []
    files = seed_files()
    for path in files:
        lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        cases.append((f"seed{path.stem.split('_')[0]}_line1", first_sentence(lines[0])))
    lines = [l.strip() for l in files[0].read_text(encoding="utf-8").splitlines() if l.strip()]
    body = next((l for l in lines[1:] if len(l) >= 20), lines[-1])
    cases.append(("seed000_body", first_sentence(body)))
    text = files[1].read_text(encoding="utf-8")
    chunk = "\n\n".join(p.strip() for p in text.split("\n\n")[:3])
    cases.append(("seed001_paragraphs", chunk[:400]))
    return cases


HAND_CASES = [
    ("en_news", "The French defence minister arrived in Moscow on Monday for talks with his Russian counterpart."),
    ("en_unseen_words", "Quixotic zephyrs jinxed the bewildered xylophonist."),
    ("mixed_ar_en", "قال وزير الدفاع الفرنسي Jean-Yves Le Drian إن التنسيق مع Moscow «ضروري» ضد ISIS (داعش)."),
    ("digits_ascii", "1234567890 3.14159 -42 1,000,000 2015-12-13 10:30"),
    ("digits_long_run", "ref 20151221 and 007"),
    ("digits_arabic_indic", "قتل ١٢٩ شخصاً وأصيب ٣٥٠ آخرون في ١٣ نوفمبر ٢٠١٥، و۱۲۳۴ بالأرقام الفارسية."),
    ("punctuation", "Hello, world! (Really?) \"quoted\" 'single' — dash… «guillemets» “curly” ، ؛ ؟ ... ?!"),
    ("contractions", "don't can't I'm you're we've they'll she'd it's"),
    ("contractions_upper", "IT'S DON'T I'M WE'VE THEY'LL SHE'D YOU'RE"),
    ("apostrophes_odd", "rock 'n' roll, the '90s, O'Neil's 'quote' x's"),
    ("arabic_diacritics_tatweel", "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ — جـــمـــيـــل"),
    ("emoji", "Breaking news 📰🔥 👍🏽 👨‍👩‍👧 🇸🇾"),
    ("nbsp_rlm_zwnj", "10\u00a0km \u200fنص\u200c عربي"),
    ("multiple_spaces", "a  b   c    d"),
    ("spaces_40", "x" + " " * 40 + "y"),
    ("leading_trailing_spaces", "   leading and trailing  "),
    ("only_space", " "),
    ("newlines", "line one\nline two\n\nline three\n\n\n"),
    ("crlf", "Windows\r\nline\r\n\r\nend.\r\n"),
    ("tabs", "col1\tcol2\t\tcol3 \t x\t"),
    ("spaces_before_newline", "end   \n  next\n \n"),
    ("empty", ""),
    ("unicode_whitespace", "a\u3000b\u2028c\x85d\x0b\x0ce\u00a0\u00a0f"),
    ("numbers_other_categories", "½ ² Ⅻ ۱۲٣"),
    ("combining_mark_not_nfc", "caf\u00e9 cafe\u0301"),
    ("literal_specials_glued", "text<|endoftext|>more<|im_end|><|im_start|>"),
    ("special_like_not_special", "<|im_sep|> <|endoftext| <im_start>"),
]


def chat_case(seed_title: str):
    text = (
        "<|im_start|>system\nYou are a helpful translator.<|im_end|>\n"
        "<|im_start|>user\n"
        "Translate into English:\n"
        f"{seed_title}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    return ("chat_prompt", text)


# --------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_json(obj: dict, path: Path) -> None:
    """Pretty at the top level, one line per case: small, readable and diff-friendly."""
    lines = ["{"]
    items = list(obj.items())
    for n, (k, v) in enumerate(items):
        sep = "," if n + 1 < len(items) else ""
        if k == "cases":
            lines.append('  "cases": [')
            for i, case in enumerate(v):
                csep = "," if i + 1 < len(v) else ""
                lines.append("    " + json.dumps(case, ensure_ascii=False, separators=(", ", ": ")) + csep)
            lines.append("  ]" + sep)
        else:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}{sep}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # round-trip check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = ap.parse_args()

    import llama_cpp

    args.out_dir.mkdir(parents=True, exist_ok=True)
    gguf_path = args.out_dir / GGUF_NAME
    ref_path = args.out_dir / REF_NAME

    tok = train_tokenizer()
    tokens, merges = vocab_and_merges(tok)
    special_ids = write_gguf(gguf_path, tokens, merges)
    print(f"{gguf_path}: {gguf_path.stat().st_size} bytes, {len(tokens)} tokens, "
          f"{len(merges)} merges, specials {special_ids}")
    for name, vtype in gguf_keys(gguf_path):
        print(f"  {name} ({vtype})")

    llm = llama_cpp.Llama(model_path=str(gguf_path), vocab_only=True, verbose=False)
    assert llm.n_vocab() == len(tokens), (llm.n_vocab(), len(tokens))

    named = seed_cases() + HAND_CASES
    named.append(chat_case(named[0][1]))
    cases, disagreements = [], []
    for name, text in named:
        lc = list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        hf = tok.encode(text, add_special_tokens=False).ids
        decoded = llm.detokenize(lc, special=True).decode("utf-8")
        cases.append({"name": name, "text": text, "llama_cpp_ids": lc,
                      "tokenizers_ids": hf, "decoded": decoded})
        if lc != hf:
            disagreements.append(name)
            print(f"DISAGREE {name}: {text!r}\n  tokenizers: {hf}\n  llama.cpp:  {lc}")
            print(f"  tokenizers pieces: {[tokens[i] for i in hf]}\n  llama.cpp pieces:  {[tokens[i] for i in lc]}")
        if decoded != text:
            print(f"NOTE {name}: llama.cpp detokenization differs from the text: {decoded!r}")

    from importlib.metadata import version

    write_json(
        {
            "gguf_sha256": sha256_file(gguf_path),
            "llama_cpp_python_version": version("llama_cpp_python"),
            "tokenizers_version": tokenizers.__version__,
            "cases": cases,
            "disagreements": disagreements,
        },
        ref_path,
    )
    print(f"{ref_path}: {ref_path.stat().st_size} bytes, {len(cases)} cases, "
          f"{len(disagreements)} disagreements")


if __name__ == "__main__":
    main()
