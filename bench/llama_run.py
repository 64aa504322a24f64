#!/usr/bin/env python3
"""llama.cpp side of `tarjama bench-llm`: prompt and generation speed on one GGUF file, ONE JSON line.

    python bench/llama_run.py --model models/gemma-3-270m/gemma-3-270m-q4_k_m.gguf \
        --prompt-tokens 128 --gen-tokens 64 --threads 2

Uses llama-cpp-python (bench/requirements-llama.txt; it compiles llama.cpp, built here with
-DGGML_NATIVE=ON so that it uses the CPU's AVX-512 like tarjama's -C target-cpu=native).

Method (the same counting as llama.cpp's llama-bench "pp" and "tg"):
  * prompt: exactly P token ids = BOS + the tokens of a fixed English text, repeated and cut to P.
    Prompt speed = P / (time of one llm.eval(prompt)), evaluated in batches of n_batch = 512, so in
    one decode call for P <= 512.
  * generation: G single-token decode calls after the prompt. Each step takes the argmax of the
    last logits (greedy, no sampler, no penalties) and evaluates that token; an end-of-generation
    token does not stop the loop, so exactly G tokens are decoded. Generation speed = G / time.
  * a warm-up (a short prompt and a few decode steps, then a reset) runs first, untimed.
Threads: n_threads = n_threads_batch = --threads. Context 512, seed 0.
"""
import argparse
import json
import sys
import time

TEXT = (
    "The French defence minister arrived in Moscow on Monday for talks with his Russian counterpart. "
    "Both ministers agreed to share more military intelligence about the armed groups operating in Syria, "
    "officials said after a meeting that lasted nearly three hours and ended without a joint statement. "
    "Peace talks are expected to begin at the start of January, diplomats said, while the ceasefire "
    "does not apply to the groups that the Security Council lists as terrorist organisations."
)


def fail(msg):
    print(f"llama_run: error: {msg}", file=sys.stderr)
    sys.exit(1)


def prompt_ids(llm, n):
    body = llm.tokenize(TEXT.encode("utf-8"), add_bos=False, special=False)
    if not body:
        fail("the fixed text tokenizes to nothing")
    bos = llm.token_bos()
    ids = [bos] if bos is not None and bos >= 0 else []
    while len(ids) < n:
        ids.extend(body)
    return ids[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="GGUF file")
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--gen-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=512)
    args = ap.parse_args()
    P, G = args.prompt_tokens, args.gen_tokens
    if P + G > args.ctx:
        fail(f"prompt + generation ({P + G}) exceeds the context ({args.ctx})")

    import numpy as np
    import llama_cpp
    from llama_cpp import Llama

    llm = Llama(
        model_path=args.model,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        n_ctx=args.ctx,
        # llama-cpp-python keeps logits for n_batch rows and indexes them by
        # position: a prompt past 512 tokens needs n_batch >= the context.
        # llama.cpp still computes in micro-batches of 512 (n_ubatch).
        n_batch=max(512, args.ctx),
        seed=0,
        logits_all=False,
        verbose=False,
    )
    ids = prompt_ids(llm, P)
    assert len(ids) == P

    def last_logits():
        # llm.scores[n_tokens - 1] holds the logits of the last evaluated position (logits_all=False)
        return llm.scores[llm.n_tokens - 1]

    def generate(n):
        out = []
        for _ in range(n):
            tok = int(np.argmax(last_logits()))
            llm.eval([tok])
            out.append(tok)
        return out

    # warm-up, untimed
    llm.reset()
    llm.eval(ids[:16])
    generate(4)

    # timed: prompt
    llm.reset()  # n_tokens = 0; eval() drops the KV cache past n_tokens
    t0 = time.perf_counter()
    llm.eval(ids)
    t1 = time.perf_counter()
    if llm.n_tokens != P:
        fail(f"after the prompt n_tokens = {llm.n_tokens}, expected {P}")
    # timed: generation
    t2 = time.perf_counter()
    gen = generate(G)
    t3 = time.perf_counter()
    if len(gen) != G or llm.n_tokens != P + G:
        fail(f"generated {len(gen)} tokens (n_tokens {llm.n_tokens}), expected {G}")

    out = {
        "engine": "llama.cpp",
        "model": args.model,
        "threads": args.threads,
        "prompt_tokens": P,
        "prompt_seconds": round(t1 - t0, 6),
        "prompt_tokens_per_s": round(P / (t1 - t0), 3),
        "gen_tokens": G,
        "gen_seconds": round(t3 - t2, 6),
        "gen_tokens_per_s": round(G / (t3 - t2), 3),
        "llama_cpp_python_version": llama_cpp.__version__,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
