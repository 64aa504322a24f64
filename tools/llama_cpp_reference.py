#!/usr/bin/env python3
"""llama.cpp's greedy tokens and logits on the three real GGUF files, for tests/llama_cpp_parity.rs.

Writes tests/fixtures/llama_cpp/<model>.json for each model that scripts/fetch-demo-model.sh
fetches (Gemma 3 270M, Qwen2.5-Coder-1.5B-Instruct, SmolLM2-135M-Instruct):

    {"model", "file", "sha256", "llama_cpp_python_version", "settings",
     "cases": [{"name", "prompt", "messages" (chat cases, else null), "prompt_ids",
                "greedy_ids", "steps": [{"step", "top": [[id, logit], ...]}],
                "thread_spread"}]}

For every case the prompt text is tokenized by llama.cpp (BOS as the file's metadata says,
special tokens parsed), evaluated in one call, then the argmax token is fed back 32 times, one
token per call, ignoring end-of-generation tokens (greedy, no sampler). The logits before a
choice are kept at a few steps: the top 16 of them. Everything is run twice, with 1 thread and
with 2; "thread_spread" is the largest difference between the two runs' logits over the whole
vocabulary at the kept steps (the reference's own run-to-run spread), and the two runs' tokens
must be identical.

The context is set up to compute what tarjama computes: f32 keys and values (llama.cpp's
default cache is f16), no flash attention, 1024 positions, batches of 512.

Prompts, written for this test (none from the seeds): English and Arabic, plain text and chat
turns, and one English text of more than 600 tokens, which crosses Gemma 3's 512-position
sliding window. A chat case's prompt is the rendering that tests/fixtures/gguf_chat_templates.json
holds for the same messages (transformers' apply_chat_template on the file's own template; the
BOS text left to the tokenizer, as tarjama does); Gemma 3 270M is a base model without a
template, and gets its turn format written out.

Setup (llama-cpp-python compiles llama.cpp, about 8 minutes on 2 cores; where
-DGGML_NATIVE=ON dies with "Illegal instruction", name the instruction sets instead):

    python3 -m venv /tmp/venv-llama
    CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON \\
      -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON \\
      -DGGML_AVX512_BF16=ON -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DLLAVA_BUILD=OFF \\
      -DLLAMA_CURL=OFF" /tmp/venv-llama/bin/pip install --no-cache-dir llama-cpp-python==0.3.36 numpy

Run from the repository root after scripts/fetch-demo-model.sh:

    /tmp/venv-llama/bin/python tools/llama_cpp_reference.py [MODEL...]
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

import llama_cpp
import numpy as np
from llama_cpp import Llama

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "fixtures" / "llama_cpp"
MODELS = ["gemma-3-270m", "qwen2.5-coder-1.5b-instruct", "smollm2-135m-instruct"]

STEPS = 32
KEPT_STEPS = [0, 1, 7, 15, 31]
TOP = 16
N_CTX = 1024
N_BATCH = 512

ENGLISH = (
    "The port authority said on Thursday that container traffic fell by a fifth in the first "
    "half of the year, after a strike by dock workers and a shortage of spare parts for the "
    "cranes."
)
ARABIC = "أعلنت وزارة الزراعة أن محصول القمح هذا العام تجاوز التوقعات بفضل الأمطار الغزيرة في الشتاء."

# More than 600 tokens in every one of the three tokenizers (asserted below).
LONG_ENGLISH = " ".join(
    [
        "The river authority met in the capital on Monday to discuss the water agreement that "
        "three neighbouring countries have negotiated for more than ten years, officials said.",
        "The talks, which lasted most of the day, ended without a joint statement, but two "
        "delegates said that a draft text on the sharing of water during dry years was now "
        "close to agreement.",
        "Farmers in the lower valley say the flow of the river has fallen every summer since "
        "the new dam began filling, and that wells which once reached water at ten metres now "
        "need to be drilled to forty.",
        "The minister of irrigation told reporters that his government would not accept any "
        "rule that lets one country fill a reservoir during a drought, and that it would ask "
        "the regional court to decide if the talks failed again.",
        "Engineers from the upstream country answered that the dam produces electricity for "
        "more than two million homes, that it releases water every day, and that the reservoir "
        "also protects the towns downstream from floods in the rainy season.",
        "A mediator from the regional bank proposed that the three countries share the data of "
        "their river gauges every hour, set up a joint committee of engineers, and agree on a "
        "schedule for filling the reservoir that depends on the rain of each year.",
        "The proposal was welcomed by the downstream delegation, which asked for the schedule to "
        "be binding, while the upstream delegation said it preferred guidelines that could be "
        "reviewed every five years as the climate changes.",
        "Environmental groups warned that the wetlands at the mouth of the river, home to "
        "hundreds of species of birds, have already lost a third of their area, and that fishing "
        "villages along the coast depend on the fresh water that reaches the sea.",
        "The next round of talks is expected to take place in the second week of March, the "
        "mediator said, and the three ministers will meet again before the summer if the "
        "engineers reach agreement on the data.",
        "Meanwhile, the price of vegetables in the markets of the valley has risen by almost a "
        "half compared with last year, traders said, because farmers planted less land and "
        "many of them sold their cattle before the summer.",
        "Some young people have left their villages for the cities or for work abroad, and "
        "teachers say that fewer children come to school in the months of the harvest, when "
        "their families need every pair of hands in the fields.",
        "The government has promised loans for drip irrigation and for solar pumps, but farmers "
        "say the loans are hard to obtain and the interest is too high for a family that "
        "already owes money to the bank for seeds and fertiliser.",
        "A report published last month by a university in the capital estimated that the "
        "valley could lose a quarter of its farmland within twenty years if the flow of the "
        "river continues to fall at the rate measured since the dam was built.",
        "The authors of the report called for a shared plan to store water underground during "
        "wet years, to repair the old canals that lose much of their water before it reaches "
        "the fields, and to grow crops that need less water in the hottest months.",
        "Officials of the river authority said the report would be discussed at the next "
        "meeting, and that the engineers of the three countries had already agreed to visit "
        "the dam together in February to see how the gates are operated.",
        "Diplomats said the visit would be the first of its kind since the construction began, "
        "and that it could build the trust that the talks have lacked for so long.",
    ]
)

CHAT_ENGLISH = [
    {"role": "system", "content": "You translate Arabic news into English."},
    {"role": "user", "content": "Translate: The minister arrived on Sunday."},
]
CHAT_ARABIC = [
    {"role": "system", "content": "Translate the Arabic text into English. Answer with the translation only."},
    {"role": "user", "content": "قال وزير الخارجية إن المحادثات ستستمر الأسبوع المقبل."},
]


def catalog_file(name):
    catalog = tomllib.loads((ROOT / "models.toml").read_text())
    model = catalog["models"][name]
    (file_name, sha), = model["files"].items()
    return ROOT / model["path"] / file_name, file_name, sha


def rendered_chat(name, messages, adds_bos):
    """The committed transformers rendering of `messages` for model `name`, with the BOS text
    dropped when the tokenizer adds it; None when the file has no template."""
    fixture = json.loads((ROOT / "tests/fixtures/gguf_chat_templates.json").read_text())
    model = fixture["models"][name]
    if model["chat_template"] is None:
        return None
    for case in model["cases"]:
        if case["messages"] == messages:
            text = case["rendered"]
            bos = model["bos_token"] or ""
            return text[len(bos):] if adds_bos and bos and text.startswith(bos) else text
    raise SystemExit(f"llama_cpp_reference: {name}: no rendering of {messages} in the chat fixture")


def gemma_turn(messages):
    """Gemma's turn format (the base file carries no template): the system text opens the
    user turn, as Gemma's own template does."""
    system = next(m["content"] for m in messages if m["role"] == "system")
    user = next(m["content"] for m in messages if m["role"] == "user")
    return f"<start_of_turn>user\n{system}\n\n{user}<end_of_turn>\n<start_of_turn>model\n"


def cases_for(name, adds_bos):
    cases = [
        {"name": "english-plain", "prompt": ENGLISH, "messages": None},
        {"name": "arabic-plain", "prompt": ARABIC, "messages": None},
        {"name": "long-english-plain", "prompt": LONG_ENGLISH, "messages": None},
    ]
    for case_name, messages in [("english-chat", CHAT_ENGLISH), ("arabic-chat", CHAT_ARABIC)]:
        text = rendered_chat(name, messages, adds_bos)
        if text is None:
            cases.append({"name": case_name + "-turns", "prompt": gemma_turn(messages), "messages": None})
        else:
            cases.append({"name": case_name, "prompt": text, "messages": messages})
    return cases


def load(path, threads):
    return Llama(
        model_path=str(path),
        n_threads=threads,
        n_threads_batch=threads,
        n_ctx=N_CTX,
        n_batch=N_BATCH,
        seed=0,
        logits_all=False,
        flash_attn=False,
        type_k=llama_cpp.GGML_TYPE_F32,
        type_v=llama_cpp.GGML_TYPE_F32,
        verbose=False,
    )


def last_logits(llm):
    """The logits after the last token evaluated. Read from the context: with logits_all off
    (only the last token's logits computed, as tarjama does), llama-cpp-python keeps none in
    `scores`."""
    row = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
    return np.array(row, dtype=np.float32)


def greedy(llm, ids):
    """Greedy tokens and the logits at the kept steps."""
    llm.reset()
    llm.eval(ids)
    fed, kept = [], {}
    for step in range(STEPS):
        logits = last_logits(llm)
        if step in KEPT_STEPS:
            kept[step] = logits
        token = int(np.argmax(logits))
        fed.append(token)
        llm.eval([token])
    return fed, kept


def run_model(name):
    path, file_name, sha = catalog_file(name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha:
        raise SystemExit(f"llama_cpp_reference: {path}: SHA-256 {digest}, models.toml says {sha}")
    one, two = load(path, 1), load(path, 2)
    cases = []
    adds_bos = len(two.tokenize(b"a", add_bos=True)) > len(two.tokenize(b"a", add_bos=False))
    for case in cases_for(name, adds_bos):
        ids = two.tokenize(case["prompt"].encode("utf-8"), add_bos=True, special=True)
        if case["name"].startswith("long") and len(ids) <= 600:
            raise SystemExit(f"llama_cpp_reference: {name}: the long prompt is only {len(ids)} tokens")
        fed_two, kept_two = greedy(two, ids)
        fed_one, kept_one = greedy(one, ids)
        if fed_one != fed_two:
            raise SystemExit(f"llama_cpp_reference: {name}/{case['name']}: 1 and 2 threads disagree")
        spread = max(float(np.max(np.abs(kept_one[s] - kept_two[s]))) for s in KEPT_STEPS)
        steps = []
        for step in KEPT_STEPS:
            logits = kept_two[step]
            top = np.argsort(-logits, kind="stable")[:TOP]
            steps.append({"step": step, "top": [[int(i), float(logits[i])] for i in top]})
        cases.append(
            {
                **case,
                "prompt_ids": [int(i) for i in ids],
                "greedy_ids": fed_two,
                "text": two.detokenize(fed_two).decode("utf-8", errors="replace"),
                "steps": steps,
                "thread_spread": spread,
            }
        )
        print(f"{name}/{case['name']}: {len(ids)} prompt tokens, spread {spread:.3g}", file=sys.stderr)
    return {
        "model": name,
        "file": file_name,
        "sha256": sha,
        "llama_cpp_python_version": llama_cpp.__version__,
        "settings": {
            "steps": STEPS,
            "n_ctx": N_CTX,
            "n_batch": N_BATCH,
            "cache": "f32",
            "flash_attn": False,
            "threads": [1, 2],
        },
        "cases": cases,
    }


def main():
    names = sys.argv[1:] or MODELS
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        result = run_model(name)
        out = OUT_DIR / f"{name}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        print(f"wrote {out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
