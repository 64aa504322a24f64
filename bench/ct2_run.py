#!/usr/bin/env python3
"""CTranslate2 side of `tarjama bench`: time translate_batch on the benchmark inputs, print ONE JSON line.

    python bench/ct2_run.py --model bench/work/base/ct2-int8 --inputs bench/work/base/inputs.json \
        --beams 4 --batch 16 --threads 2 --output-tokens 48

The model directory is a CTranslate2 conversion written by bench/setup.py (its bench_meta.json names
the quantization). inputs.json holds 64 sequences of 40 source tokens; "source_tokens" are given to
CTranslate2 as they are (it appends nothing to the source of a model converted from Transformers).

Forced output length. max_decoding_length = N alone only bounds the decoding steps: a hypothesis
that ends with </s> comes back one token shorter than the steps it took (</s> is dropped unless
return_end_token=True), so outputs may be shorter than N. min_decoding_length = N masks </s> for
all of the first N steps, so with min = max = N decoding runs exactly N steps, each producing a real
token: every hypothesis holds exactly N tokens, none of them </s>, greedy and beam alike
(bench/ct2_length_check.py shows this on a checkpoint whose outputs do stop early). It is checked
for every output below (wrong length -> exit 1).

Timing covers only the translate_batch calls over the 64 sequences, in chunks of --batch (one call per
chunk, max_batch_size = --batch), after an untimed warm-up call; model loading is not timed. With beam
search the returned best hypothesis counts, so target_tokens = 64 x N in every cell, as for tarjama.
"""
import argparse
import json
import os
import sys
import time


def fail(msg):
    print(f"ct2_run: error: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="CTranslate2 model directory")
    ap.add_argument("--inputs", required=True, help="inputs.json written by bench/setup.py")
    ap.add_argument("--beams", type=int, default=1, help="beam size (1 = greedy)")
    ap.add_argument("--batch", type=int, default=1, help="sentences per translate_batch call")
    ap.add_argument("--threads", type=int, default=2, help="intra_threads (inter_threads is 1)")
    ap.add_argument("--output-tokens", type=int, default=48, help="forced number of target tokens")
    ap.add_argument("--compute-type", default=None, help="override (default: the conversion's quantization)")
    args = ap.parse_args()

    import ctranslate2  # imported late so that --help works without it

    meta_path = os.path.join(args.model, "bench_meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as fh:
            precision = json.load(fh)["quantization"]
    else:
        precision = "default"
    compute_type = args.compute_type or precision

    with open(args.inputs) as fh:
        inputs = json.load(fh)
    source = inputs["source_tokens"]
    if not source:
        fail(f"{args.inputs} has no source_tokens")

    n_out = args.output_tokens
    opts = dict(
        max_batch_size=args.batch,
        beam_size=args.beams,
        num_hypotheses=1,
        min_decoding_length=n_out,
        max_decoding_length=n_out,
        return_scores=False,
        return_end_token=False,
        # defaults, spelled out: no length penalty tricks, no unk suppression
        length_penalty=1.0,
        disable_unk=False,
    )

    translator = ctranslate2.Translator(
        args.model,
        device="cpu",
        compute_type=compute_type,
        inter_threads=1,
        intra_threads=args.threads,
    )

    # untimed warm-up: a small batch, same options (allocators, caches, thread pool)
    translator.translate_batch(source[: min(args.batch, 4)], **opts)

    results = []
    t0 = time.perf_counter()
    for i in range(0, len(source), args.batch):
        results.extend(translator.translate_batch(source[i : i + args.batch], **opts))
    seconds = time.perf_counter() - t0

    if len(results) != len(source):
        fail(f"{len(results)} results for {len(source)} inputs")
    target_tokens = 0
    for k, r in enumerate(results):
        if len(r.hypotheses) != 1:
            fail(f"sentence {k}: {len(r.hypotheses)} hypotheses, expected 1")
        hyp = r.hypotheses[0]
        if len(hyp) != n_out:
            fail(f"sentence {k}: {len(hyp)} target tokens, expected exactly {n_out}")
        if "</s>" in hyp:
            fail(f"sentence {k}: </s> inside a forced-length output")
        target_tokens += len(hyp)

    out = {
        "engine": "ctranslate2",
        "precision": precision,
        "compute_type": getattr(translator, "compute_type", compute_type),
        "beams": args.beams,
        "batch": args.batch,
        "threads": args.threads,
        "sentences": len(results),
        "target_tokens": target_tokens,
        "seconds": round(seconds, 6),
        "target_tokens_per_s": round(target_tokens / seconds, 3),
        "ctranslate2_version": ctranslate2.__version__,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
