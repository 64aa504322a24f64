#!/usr/bin/env python3
"""Reference tokenizations for the demo Gemma 3 GGUF (tests/fixtures/gguf/).

Reads the GGUF that scripts/fetch-demo-model.sh puts in models/gemma-3-270m/, prints
the tokenizer metadata it holds, builds transformers' tokenizer from the same
file (AutoTokenizer.from_pretrained(dir, gguf_file=name)), tokenizes a fixed
list of texts (Arabic sentences from seeds/*.txt, English news, mixed text,
digits, punctuation, emoji, whitespace oddities, a chat prompt) and writes

    tests/fixtures/gguf/gemma3_tokenizer_reference.json

    {"gguf_sha256", "transformers_version", "gguf_version",
     "llama_cpp_python_version" (null when llama-cpp-python is missing),
     "llama_cpp_disagreements": names of cases where llama_cpp_ids != ids,
     "metadata": {model, pre, bos_id, eos_id, pad_id, unk_id, add_bos, add_eos,
                  add_space_prefix, n_tokens},
     "cases": [{"name", "text", "ids", "ids_with_special", "decoded",
                "llama_cpp_ids" (only with llama-cpp-python)}]}

ids              = tokenizer.encode(text, add_special_tokens=False)
ids_with_special = tokenizer.encode(text, add_special_tokens=True)
decoded          = tokenizer.decode(ids)
llama_cpp_ids    = Llama(gguf, vocab_only=True).tokenize(text.encode(),
                                                         add_bos=False, special=True)

Texts are parsed for special tokens in both tokenizers (transformers splits
added tokens out of the text by default; llama.cpp does with special=True), so
"<start_of_turn>" in a text is id 105, not a run of pieces.

Setup (see tools/requirements-gguf.txt):
    python3 -m venv /tmp/venv-gguf
    /tmp/venv-gguf/bin/pip install -r tools/requirements-gguf.txt
    # optional, compiles llama.cpp (~10 min on 2 cores):
    CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAVA_BUILD=OFF" /tmp/venv-gguf/bin/pip install llama-cpp-python
    scripts/fetch-demo-model.sh
    /tmp/venv-gguf/bin/python tools/make_gguf_tokenizer_fixtures.py

Building the transformers tokenizer takes about a minute: the GGUF carries no
merges, so transformers derives ~515k of them from the 262k-token vocabulary.
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import gguf
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GGUF = ROOT / "models" / "gemma-3-270m" / "gemma-3-270m-q4_k_m.gguf"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "gguf" / "gemma3_tokenizer_reference.json"
SEED_DIR = ROOT / "seeds"

# GGUF token types (llama.cpp's llama_token_type)
TOKEN_TYPES = {1: "normal", 2: "unknown", 3: "control", 4: "user_defined", 5: "unused", 6: "byte"}


# --------------------------------------------------------------------------
# GGUF metadata


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_tokenizer_metadata(path: Path) -> dict:
    """Every tokenizer.* key of the GGUF (arrays summarised) plus what we need from them."""
    reader = gguf.GGUFReader(str(path))
    fields = reader.fields

    def value(key, default=None):
        field = fields.get(key)
        return default if field is None else field.contents()

    tokens = value("tokenizer.ggml.tokens")
    if tokens is None:
        sys.exit(f"{path}: no tokenizer.ggml.tokens; not a GGUF with a tokenizer")
    token_type = value("tokenizer.ggml.token_type")
    scores = value("tokenizer.ggml.scores")

    meta = {
        "general.architecture": value("general.architecture"),
        "general.name": value("general.name"),
        "tokenizer.ggml.model": value("tokenizer.ggml.model"),
        "tokenizer.ggml.pre": value("tokenizer.ggml.pre"),
        "n_tokens": len(tokens),
        "tokenizer.ggml.bos_token_id": value("tokenizer.ggml.bos_token_id"),
        "tokenizer.ggml.eos_token_id": value("tokenizer.ggml.eos_token_id"),
        "tokenizer.ggml.padding_token_id": value("tokenizer.ggml.padding_token_id"),
        "tokenizer.ggml.unknown_token_id": value("tokenizer.ggml.unknown_token_id"),
        "tokenizer.ggml.add_bos_token": value("tokenizer.ggml.add_bos_token"),
        "tokenizer.ggml.add_eos_token": value("tokenizer.ggml.add_eos_token"),
        "tokenizer.ggml.add_space_prefix": value("tokenizer.ggml.add_space_prefix"),
        "has scores": scores is not None,
        "has token_type": token_type is not None,
        "has merges": "tokenizer.ggml.merges" in fields,
        "has precompiled_charsmap": "tokenizer.ggml.precompiled_charsmap" in fields,
        "tokenizer.chat_template": value("tokenizer.chat_template"),
    }
    # Any other tokenizer.* key we did not list (so nothing is silently missed).
    known = set(meta) | {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
                         "tokenizer.ggml.merges", "tokenizer.ggml.precompiled_charsmap"}
    for key in fields:
        if key.startswith("tokenizer.") and key not in known:
            v = value(key)
            meta[key] = v if not isinstance(v, list) or len(v) < 20 else f"<array of {len(v)}>"

    extra = {"tokens": tokens}
    if token_type is not None:
        tt = np.asarray(token_type)
        kinds, counts = np.unique(tt, return_counts=True)
        meta["token_type counts"] = {TOKEN_TYPES.get(int(k), str(k)): int(c) for k, c in zip(kinds, counts)}
        extra["token_type"] = tt
    if scores is not None:
        sc = np.asarray(scores, dtype=np.float64)
        extra["scores"] = sc
        if token_type is not None:
            normal = sc[np.asarray(token_type) == 1]
            meta["normal-token scores strictly decreasing with id"] = bool(np.all(np.diff(normal) < 0))
    for name in ("bos", "eos", "padding", "unknown"):
        tid = meta[f"tokenizer.ggml.{name}_token_id"]
        if tid is not None:
            meta[f"{name} token"] = tokens[tid]
    return meta, extra


def print_metadata(meta: dict) -> None:
    print("GGUF tokenizer metadata:")
    for key, v in meta.items():
        if key == "tokenizer.chat_template" and v is not None:
            print(f"  {key}:")
            for line in str(v).splitlines():
                print(f"    | {line}")
        else:
            print(f"  {key}: {v!r}")


# --------------------------------------------------------------------------
# Texts


def first_sentence(line: str, limit: int = 220) -> str:
    """The line up to its first full stop, or cut at a word boundary near `limit` chars."""
    dot = line.find(".")
    if 0 < dot < limit:
        return line[: dot + 1]
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0]


def seed_cases() -> list:
    """Two Arabic cases per seed article (first line, first sentence of the next real line) and one
    multi-paragraph chunk, all from seeds/*.txt as they are (their quirks included)."""
    cases = []
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        sys.exit(f"no seeds in {SEED_DIR}")
    for path in files:
        lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        stem = path.stem.split("_")[0]
        cases.append((f"seed{stem}_line1", first_sentence(lines[0])))
        # The next line long enough to be a sentence (some seeds have stray one-character lines).
        body = next((l for l in lines[1:] if len(l) >= 20), lines[-1])
        cases.append((f"seed{stem}_body", first_sentence(body)))
    # One longer chunk with its blank lines, so "\n\n" (a user-defined token) appears inside text.
    text = files[1].read_text(encoding="utf-8")
    chunk = "\n\n".join(p.strip() for p in text.split("\n\n")[:3])
    cases.append(("seed001_paragraphs", chunk[:600]))
    return cases


HAND_CASES = [
    ("en_news_1", "The French defence minister arrived in Moscow on Monday for talks with his Russian counterpart."),
    ("en_news_2", "About 2,900 Russian citizens are believed to be fighting in Syria and Iraq, officials said on 13 November 2015."),
    ("en_quote", "\"We have agreed to strengthen our exchanges,\" the minister told reporters after the meeting."),
    ("mixed_ar_en", "قال وزير الدفاع الفرنسي Jean-Yves Le Drian إن التنسيق مع Moscow «ضروري» ضد ISIS (داعش)."),
    ("digits_ascii", "1234567890 3.14159 -42 1,000,000 2015-12-13 10:30"),
    ("digits_arabic_indic", "قتل ١٢٩ شخصاً وأصيب ٣٥٠ آخرون في ١٣ نوفمبر ٢٠١٥، و۱۲۳۴ بالأرقام الفارسية."),
    ("punctuation", "Hello, world! (Really?) \"quoted\" 'single' — dash… «guillemets» “curly” ، ؛ ؟ ... ?!"),
    ("arabic_diacritics_tatweel", "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ — جـــمـــيـــل"),
    ("emoji", "Breaking news 📰🔥 👍🏽 👨‍👩‍👧 🇸🇾"),
    ("emoji_rare_byte_fallback", "x-ray 🩻 troll 🧌 hieroglyph 𓀀"),
    ("nbsp_rlm_zwnj", "10\u00a0km \u200fنص\u200c عربي"),
    ("multiple_spaces", "a  b   c    d"),
    ("spaces_40", "x" + " " * 40 + "y"),
    ("leading_space_1", " leading one"),
    ("leading_spaces_3", "   leading three"),
    ("trailing_spaces", "trailing  "),
    ("only_space", " "),
    ("newlines", "line one\nline two\n\nline three\n\n\n"),
    ("crlf_tab", "Windows\r\nline\tcol\t\tcol"),
    ("empty", ""),
    ("html_user_defined", "<b>bold</b> and <table><tr><td>1</td></tr></table>"),
    ("literal_special_tokens", "<bos>text<eos> <unused0> <mask>"),
    ("literal_sp_space", "▁already▁escaped"),
    ("literal_byte_token_text", "<0x41> and <0x0A>"),
]


def chat_case(seed_title: str):
    text = (
        "<start_of_turn>user\n"
        "Summarize the following Arabic news headline in one English sentence.\n\n"
        f"{seed_title}<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
    return ("chat_prompt", text)


# --------------------------------------------------------------------------
# Tokenizers


def build_transformers_tokenizer(path: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


def try_llama_cpp(path: Path):
    try:
        import llama_cpp
    except ImportError:
        return None, None
    llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    return llm, llama_cpp.__version__


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gguf", nargs="?", type=Path, default=DEFAULT_GGUF, help="the demo GGUF")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-llama-cpp", action="store_true", help="skip llama-cpp-python even if installed")
    args = ap.parse_args()

    path = args.gguf.resolve()
    if not path.is_file():
        sys.exit(f"{path} not found; run scripts/fetch-demo-model.sh first")

    digest = sha256_file(path)
    print(f"GGUF: {path}\nSHA-256: {digest}")
    meta, extra = read_tokenizer_metadata(path)
    print_metadata(meta)
    tokens = extra["tokens"]

    import transformers

    print(f"building transformers {transformers.__version__} tokenizer from the GGUF ...", flush=True)
    tok = build_transformers_tokenizer(path)
    print(f"  {type(tok).__name__}; vocab {len(tok)}; bos={tok.bos_token!r} eos={tok.eos_token!r} "
          f"pad={tok.pad_token!r} unk={tok.unk_token!r}")

    llm, llama_cpp_version = (None, None) if args.no_llama_cpp else try_llama_cpp(path)
    print(f"llama-cpp-python: {llama_cpp_version or 'not used'}")

    named = seed_cases() + HAND_CASES
    named.append(chat_case(named[0][1]))
    names = [n for n, _ in named]
    assert len(names) == len(set(names)), "duplicate case names"

    cases = []
    disagreements = []
    for name, text in named:
        ids = tok.encode(text, add_special_tokens=False)
        ids_with_special = tok.encode(text, add_special_tokens=True)
        decoded = tok.decode(ids)
        case = {"name": name, "text": text, "ids": ids, "ids_with_special": ids_with_special, "decoded": decoded}
        if llm is not None:
            lids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
            case["llama_cpp_ids"] = lids
            if lids != ids:
                disagreements.append((name, text, ids, lids))
            lids_bos = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
            if lids_bos != ids_with_special:
                disagreements.append((name + " [add_bos]", text, ids_with_special, lids_bos))
            ldec = llm.detokenize(lids, special=True).decode("utf-8", errors="replace")
            if ldec != decoded:
                print(f"  note: decode differs for {name}: transformers {decoded!r} / llama.cpp {ldec!r}")
        cases.append(case)
        if decoded != text:
            print(f"  note: decode(encode(text)) != text for {name}: {text!r} -> {decoded!r}")

    # Byte fallback actually exercised?
    byte_ids = {i for i, t in enumerate(tokens) if t.startswith("<0x") and t.endswith(">") and len(t) == 6}
    used_bytes = sorted({c["name"] for c in cases if byte_ids & set(c["ids"])})
    print(f"cases using byte-fallback tokens: {used_bytes}")

    out = {
        "gguf_file": path.name,
        "gguf_sha256": digest,
        "transformers_version": transformers.__version__,
        "tokenizers_version": __import__("tokenizers").__version__,
        "gguf_version": getattr(gguf, "__version__", None) or _dist_version("gguf"),
        "llama_cpp_python_version": llama_cpp_version,
        # Names of cases whose llama_cpp_ids differ from ids (null without llama-cpp-python).
        "llama_cpp_disagreements": None if llm is None else sorted({d[0].split(" ")[0] for d in disagreements}),
        "metadata": {
            "model": meta["tokenizer.ggml.model"],
            "pre": meta["tokenizer.ggml.pre"],
            "bos_id": meta["tokenizer.ggml.bos_token_id"],
            "eos_id": meta["tokenizer.ggml.eos_token_id"],
            "pad_id": meta["tokenizer.ggml.padding_token_id"],
            "unk_id": meta["tokenizer.ggml.unknown_token_id"],
            "add_bos": meta["tokenizer.ggml.add_bos_token"],
            "add_eos": meta["tokenizer.ggml.add_eos_token"],
            "add_space_prefix": meta["tokenizer.ggml.add_space_prefix"],
            "n_tokens": meta["n_tokens"],
        },
        "cases": cases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(cases)} cases)")

    if llm is not None:
        if not disagreements:
            print("transformers and llama.cpp agree on every case (ids, and ids with BOS)")
        for name, text, hf, lc in disagreements:
            print(f"DISAGREE {name}: {text!r}\n  transformers: {hf}\n  llama.cpp:    {lc}")
            print(f"  transformers pieces: {[tokens[i] for i in hf]}\n  llama.cpp pieces:    {[tokens[i] for i in lc]}")


def _dist_version(name: str):
    from importlib.metadata import version

    return version(name)


def write_json(obj: dict, path: Path) -> None:
    """Pretty at the top level, one line per case: small, readable and diff-friendly."""
    head = {k: v for k, v in obj.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append('  "cases": [')
    cases = obj["cases"]
    for i, case in enumerate(cases):
        sep = "," if i + 1 < len(cases) else ""
        lines.append("    " + json.dumps(case, ensure_ascii=False, separators=(", ", ": ")) + sep)
    lines.append("  ]")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # round-trip check


if __name__ == "__main__":
    main()
