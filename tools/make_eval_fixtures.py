#!/usr/bin/env python3
"""Writes tests/fixtures/eval/expected.json: sacreBLEU's own BLEU, chrF and
chrF++ for the committed texts in tests/fixtures/eval/, per article and for
the corpus, with tokenizers 13a and intl, so tests/eval.rs can hold
`tarjama eval` to them without Python; and random_segments.json: seeded
random strings of the characters the tokenizers treat specially, each
with sacreBLEU's 13a and intl tokens and its scores against another.

The texts pair as `tarjama eval` pairs them: hypotheses/<id>.txt holds the
English a record would have, one paragraph per line (an empty line is an
empty translation); references/<id>.txt holds the reference, one paragraph
per non-blank line (lines end at \\n, \\r\\n or \\r; a UTF-8 byte-order mark
is dropped). An article whose counts differ is skipped and listed.

    python3 -m venv /tmp/venv-eval
    /tmp/venv-eval/bin/pip install -r tools/requirements-eval.txt
    /tmp/venv-eval/bin/python tools/make_eval_fixtures.py
"""

import json
import pathlib
import random

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
from sacrebleu.tokenizers.tokenizer_intl import TokenizerV14International

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "eval"
TOKENIZERS = ["13a", "intl"]


def hypothesis_lines(path):
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def reference_lines(path):
    text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    # str.splitlines would also split at \x1c-\x1e, \x85, \u2028 and
    # \u2029, which Python's file reading (and so sacreBLEU's) does not.
    lines = [piece for line in text.split("\n") for piece in line.split("\r")]
    return [line for line in lines if line.strip()]


def scores(hypotheses, references, tokenize):
    """sacreBLEU's corpus scores of these segments, unrounded and as its
    command line prints them (`-f text`)."""
    bleu = BLEU(tokenize=tokenize)
    chrf = CHRF()
    chrf_plus_plus = CHRF(word_order=2)
    result = {}
    for key, metric in [("BLEU", bleu), ("chrF2", chrf), ("chrF2++", chrf_plus_plus)]:
        score = metric.corpus_score(hypotheses, [references])
        signature = str(metric.get_signature())
        entry = {
            "name": score.name,
            "score": score.score,
            "signature": signature,
            "line": score.format(signature=signature),
        }
        if key == "BLEU":
            entry.update(
                counts=list(score.counts),
                totals=list(score.totals),
                precisions=list(score.precisions),
                bp=score.bp,
                sys_len=score.sys_len,
                ref_len=score.ref_len,
            )
        result[key] = entry
    return result


# Pieces the tokenizers and metrics treat specially: ASCII punctuation,
# digits, the four entities, 13a's `<skipped>` and `-\n`, Python's
# whitespace (U+001C, U+0085 and U+2028 included; U+200B is not),
# non-ASCII punctuation and symbols, Arabic digits, non-Latin letters.
PIECES = list("abcXYZ 019.,-&;:'\"/()[]{}<>!?$%@#*+=_~`^|\\") + [
    "&amp;", "&quot;", "&lt;", "&gt;", "<skipped>", "-\n", "\n", "\t", "\u00a0",
    "\u3000", "\x1c", "\x85", "«", "»", "“", "”", "—", "…", "€", "£", "٣", "١٢",
    "،", "؟", "ب", "Ж", "中", "。", "\u200b", "²", "½", "\U0001F600", "\u2028", " .",
]


def random_segments(count=400, seed=7):
    """Each text against a reference made from it with a few pieces
    replaced or dropped (so BLEU has n-grams to match), or against another
    text for every fourth."""
    rng = random.Random(seed)
    texts = [[rng.choice(PIECES) for _ in range(rng.randint(0, 25))] for _ in range(count)]
    tok_13a, tok_intl = Tokenizer13a(), TokenizerV14International()
    cases = []
    for i, pieces in enumerate(texts):
        if i % 4 == 3:
            reference = texts[(i * 7 + 3) % count]
        else:
            reference = list(pieces)
            for _ in range(rng.randint(0, 3)):
                if reference:
                    at = rng.randrange(len(reference))
                    reference[at:at + 1] = rng.choice([[], [rng.choice(PIECES)]])
        text, reference = "".join(pieces), "".join(reference)
        cases.append({
            "text": text,
            "reference": reference,
            # BLEU strips trailing whitespace before tokenizing.
            "13a": tok_13a(text.rstrip()),
            "intl": tok_intl(text.rstrip()),
            "BLEU": BLEU(tokenize="13a").corpus_score([text], [[reference]]).score,
            "chrF2": CHRF().corpus_score([text], [[reference]]).score,
            "chrF2++": CHRF(word_order=2).corpus_score([text], [[reference]]).score,
        })
    return cases


def main():
    articles = []
    skipped = []
    for path in sorted((FIXTURES / "hypotheses").glob("*.txt")):
        reference = FIXTURES / "references" / path.name
        hypotheses = hypothesis_lines(path)
        references = reference_lines(reference)
        if len(hypotheses) != len(references):
            skipped.append(path.stem)
            continue
        articles.append((path.stem, hypotheses, references))

    expected = {"sacrebleu_version": sacrebleu.__version__, "skipped": skipped}
    for tokenize in TOKENIZERS:
        all_hypotheses = [line for _, hyps, _ in articles for line in hyps]
        all_references = [line for _, _, refs in articles for line in refs]
        expected[tokenize] = {
            "corpus": scores(all_hypotheses, all_references, tokenize),
            "articles": {
                article: scores(hyps, refs, tokenize) for article, hyps, refs in articles
            },
        }
    out = FIXTURES / "expected.json"
    out.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(articles)} articles, skipped {skipped}")
    out = FIXTURES / "random_segments.json"
    out.write_text(json.dumps(random_segments(), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
