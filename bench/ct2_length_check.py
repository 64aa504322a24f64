#!/usr/bin/env python3
"""Show how CTranslate2 counts the decoding length (why ct2_run.py sets min = max = N).

    /tmp/venv-bench/bin/python bench/ct2_length_check.py

The benchmark's random-weight models never emit </s> (their greedy output repeats one token), so
they cannot show what the length options do with </s>. This converts the tiny test checkpoint
tests/fixtures/marian/tiny-base (random weights whose outputs stop at once, mid-way or never) to a
temporary CTranslate2 model and prints, for greedy and beam 4, the hypothesis lengths under
  max_decoding_length = N                       (</s> counts toward N and is then dropped)
  max_decoding_length = N, return_end_token     (the same with </s> kept: +1 for those that stopped)
  min_decoding_length = max_decoding_length = N (</s> masked at all N steps: exactly N real tokens)
Note: the fixture's <pad> embedding row is random on purpose, while CTranslate2 starts the decoder
from a zero vector (start_from_zero_embedding), so these outputs differ from transformers' ones;
the benchmark checkpoints have the usual zero <pad> row.
"""
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "marian" / "tiny-base"
N = 8


def main():
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    ref = json.loads((FIX / "reference.json").read_text())
    inv = {v: k for k, v in json.loads((FIX / "vocab.json").read_text()).items()}
    src = [[inv[i] for i in c["input_ids"]] for c in ref["cases"] if c["input_ids"]][:12]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ct2"
        TransformersConverter(str(FIX)).convert(str(out), quantization="float32", force=True)
        tr = ctranslate2.Translator(str(out), device="cpu", intra_threads=2)
        ok = True
        for beams in (1, 4):
            for label, kw in (
                ("max=100 (free)", dict(max_decoding_length=100)),
                (f"max={N}", dict(max_decoding_length=N)),
                (f"max={N}, return_end_token", dict(max_decoding_length=N, return_end_token=True)),
                (f"min=max={N}", dict(min_decoding_length=N, max_decoding_length=N)),
                (f"min=max={N}, return_end_token", dict(min_decoding_length=N, max_decoding_length=N, return_end_token=True)),
            ):
                res = tr.translate_batch(src, beam_size=beams, **kw)
                lens = [len(r.hypotheses[0]) for r in res]
                ends = sum(r.hypotheses[0][-1:] == ["</s>"] for r in res)
                print(f"beam {beams}  {label:<32} lengths {lens}  ending in </s>: {ends}")
                if kw.get("min_decoding_length") == N:
                    ok &= all(n == N for n in lens) and ends == 0
    if not ok:
        sys.exit("ct2_length_check: min = max = N did not give exactly N tokens")
    print(f"ok: min_decoding_length = max_decoding_length = {N} gives exactly {N} tokens, none of them </s>")


if __name__ == "__main__":
    main()
