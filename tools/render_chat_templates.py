#!/usr/bin/env python3
"""Reference renderings of four model families' official chat templates.

Writes tests/fixtures/chat_templates.json:

    {"transformers_version", "jinja2_version", "messages",
     "families": {"qwen2" | "qwen3" | "gemma3" | "llama":
                  {"source", "template_of", "chat_template", "render_kwargs",
                   "rendered", ...}}}

Each template is rendered with transformers' own chat-template machinery
(transformers.utils.chat_template_utils.render_jinja_template: the same
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), tojson,
raise_exception, strftime_now and namespace that tokenizer.apply_chat_template
uses) for

    [{"role": "system", "content": "SYSTEM TEXT"},
     {"role": "user", "content": "USER TEXT"}]

with add_generation_prompt=True, and bos_token set to the model's BOS text
where the template reads it (Gemma 3 "<bos>", Llama 3 "<|begin_of_text|>";
the Qwen templates never read bos_token, so none is passed). Qwen3 is also
given enable_thinking=False.

The Llama 3.2 template has no fixed date: when date_string is not passed it
calls strftime_now("%d %b %Y"), which transformers defines as
datetime.now().strftime(...). So its rendering carries the day this script ran
("date_string_used" in the output); the "26 Jul 2024" fallback in the
template only applies where strftime_now is undefined. Everything else is
deterministic.

Where the templates come from (no Hugging Face page was reachable from here,
so each is a verbatim copy held in a public GitHub file; see the comments on
each constant for the exact file and commit):

  qwen2   the "chat_template" value of Qwen2.5-Instruct's tokenizer_config.json,
          quoted as its JSON string in Berkeley Function Calling Leaderboard's
          Qwen handler (it serves Qwen/Qwen2.5-1.5B-Instruct among others)
  qwen3   llama.cpp's copy of Qwen/Qwen3-0.6B's template
          (models/templates/Qwen-Qwen3-0.6B.jinja)
  gemma3  the "chat_template" value of Gemma 3 (instruction-tuned)
          tokenizer_config.json, quoted as its JSON string in BFCL's Gemma handler
  llama   llama.cpp's copy of meta-llama/Llama-3.2-3B-Instruct's template
          (models/templates/meta-llama-Llama-3.2-3B-Instruct.jinja)

Setup: /tmp/venv-gguf from tools/requirements-gguf.txt (transformers, jinja2).
Run from the repository root:

    /tmp/venv-gguf/bin/python tools/render_chat_templates.py
"""

import json
import sys
from datetime import datetime
from pathlib import Path

import jinja2
import transformers
from transformers.utils.chat_template_utils import render_jinja_template

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "chat_templates.json"

MESSAGES = [
    {"role": "system", "content": "SYSTEM TEXT"},
    {"role": "user", "content": "USER TEXT"},
]

# --- qwen2 -------------------------------------------------------------------
# Qwen2.5-Instruct tokenizer_config.json "chat_template", kept here as the JSON
# string literal exactly as it appears in tokenizer_config.json (json.loads
# below turns it into the template text).
# Source: https://github.com/ShishirPatil/gorilla/blob/62c7f61dc6d8457ddbe96015fcea1ed374e59208/berkeley-function-call-leaderboard/bfcl/model_handler/local_inference/qwen.py
#   (docstring of QwenHandler._format_prompt: '"chat_template": "..."' copied
#   from the Qwen2.5 Instruct tokenizer_config.json; BFCL runs
#   Qwen/Qwen2.5-1.5B-Instruct with this handler). The same text is quoted in
#   the same place at commit ffc6b9c640932d533680bd0a797ded1ae518e46c
#   (bfcl/model_handler/oss_model/qwen.py).
# Model: https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct/blob/main/tokenizer_config.json
QWEN2_CHAT_TEMPLATE_JSON = r'''"{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- messages[0]['content'] }}\n    {%- else %}\n        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n    {%- endif %}\n{%- endif %}\n{%- for message in messages %}\n    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- elif message.role == \"assistant\" %}\n        {{- '<|im_start|>' + message.role }}\n        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n    {%- elif message.role == \"tool\" %}\n        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n            {{- '<|im_start|>user' }}\n        {%- endif %}\n        {{- '\\n<tool_response>\\n' }}\n        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n            {{- '<|im_end|>\\n' }}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n"'''
QWEN2_SOURCE = "https://github.com/ShishirPatil/gorilla/blob/62c7f61dc6d8457ddbe96015fcea1ed374e59208/berkeley-function-call-leaderboard/bfcl/model_handler/local_inference/qwen.py"

# --- qwen3 -------------------------------------------------------------------
# Qwen3 hybrid-thinking template (supports enable_thinking), as llama.cpp keeps
# it for Qwen/Qwen3-0.6B; template text exactly as in the .jinja file.
# Source: https://github.com/ye-NX/llama.cpp/blob/b354d7c9ecb76c97c07098617cdebbdfffa2583e/models/templates/Qwen-Qwen3-0.6B.jinja
#   (a fork of ggml-org/llama.cpp; the upstream file is
#   https://github.com/ggml-org/llama.cpp/blob/master/models/templates/Qwen-Qwen3-0.6B.jinja).
#   A later llama.cpp copy (Indras-Mirror/llama.cpp-turboq-mtp @
#   76d2e27233d4ab35d3f778844b03a13994e0039b) differs in one condition,
#   "loop.index0 > ns.last_query_index or reasoning_content"; it only affects
#   earlier assistant turns and renders these messages identically.
# Model: https://huggingface.co/Qwen/Qwen3-0.6B/blob/main/tokenizer_config.json
QWEN3_CHAT_TEMPLATE = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\n\n' }}
    {%- endif %}
    {{- "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0].role == 'system' %}
        {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set content = message.content %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is defined and message.reasoning_content is not none %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in message.content %}
                {%- set content = message.content.split('</think>')[-1].lstrip('\n') %}
                {%- set reasoning_content = message.content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {%- if (loop.first and content) or (not loop.first) %}
                    {{- '\n' }}
                {%- endif %}
                {%- if tool_call.function %}
                    {%- set tool_call = tool_call.function %}
                {%- endif %}
                {{- '<tool_call>\n{"name": "' }}
                {{- tool_call.name }}
                {{- '", "arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments | tojson }}
                {%- endif %}
                {{- '}\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}"""
QWEN3_SOURCE = "https://github.com/ye-NX/llama.cpp/blob/b354d7c9ecb76c97c07098617cdebbdfffa2583e/models/templates/Qwen-Qwen3-0.6B.jinja"

# --- gemma3 ------------------------------------------------------------------
# Gemma 3 instruction-tuned tokenizer_config.json "chat_template" (with
# "bos_token": "<bos>"), kept as the JSON string literal exactly as it appears
# there. Note its '\n' inside Jinja quotes are JSON escapes, i.e. real newlines
# in the template text.
# Source: https://github.com/ShishirPatil/gorilla/blob/6199b2429cdcb943b1fddfbb6c5ce6dc39475113/berkeley-function-call-leaderboard/bfcl_eval/model_handler/local_inference/gemma.py
#   (docstring of GemmaHandler._format_prompt; BFCL runs google/gemma-3-1b-it,
#   -4b-it, -12b-it and -27b-it with this handler).
# Model: https://huggingface.co/google/gemma-3-1b-it/blob/main/tokenizer_config.json
GEMMA3_CHAT_TEMPLATE_JSON = r'''"{{ bos_token }}\n{%- if messages[0]['role'] == 'system' -%}\n    {%- if messages[0]['content'] is string -%}\n        {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}\n    {%- else -%}\n        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\n\n' -%}\n    {%- endif -%}\n    {%- set loop_messages = messages[1:] -%}\n{%- else -%}\n    {%- set first_user_prefix = \"\" -%}\n    {%- set loop_messages = messages -%}\n{%- endif -%}\n{%- for message in loop_messages -%}\n    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}\n        {{ raise_exception(\"Conversation roles must alternate user/assistant/user/assistant/...\") }}\n    {%- endif -%}\n    {%- if (message['role'] == 'assistant') -%}\n        {%- set role = \"model\" -%}\n    {%- else -%}\n        {%- set role = message['role'] -%}\n    {%- endif -%}\n    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else \"\") }}\n    {%- if message['content'] is string -%}\n        {{ message['content'] | trim }}\n    {%- elif message['content'] is iterable -%}\n        {%- for item in message['content'] -%}\n            {%- if item['type'] == 'image' -%}\n                {{ '<start_of_image>' }}\n            {%- elif item['type'] == 'text' -%}\n                {{ item['text'] | trim }}\n            {%- endif -%}\n        {%- endfor -%}\n    {%- else -%}\n        {{ raise_exception(\"Invalid content type\") }}\n    {%- endif -%}\n    {{ '<end_of_turn>\n' }}\n{%- endfor -%}\n{%- if add_generation_prompt -%}\n    {{'<start_of_turn>model\n'}}\n{%- endif -%}\n"'''
GEMMA3_SOURCE = "https://github.com/ShishirPatil/gorilla/blob/6199b2429cdcb943b1fddfbb6c5ce6dc39475113/berkeley-function-call-leaderboard/bfcl_eval/model_handler/local_inference/gemma.py"

# --- llama -------------------------------------------------------------------
# Llama 3.2 Instruct template as llama.cpp keeps it for
# meta-llama/Llama-3.2-3B-Instruct; template text exactly as in the .jinja file.
# Source: https://github.com/ggerganov/llama.cpp/blob/7b5e0803c84435e8005725d8f9ddceb5d1820443/models/templates/meta-llama-Llama-3.2-3B-Instruct.jinja
#   (same text in the ye-NX/llama.cpp fork @ b354d7c9ecb76c97c07098617cdebbdfffa2583e,
#   and in a Llama-3.2-3B-Instruct fine-tune's chat_template.jinja on the hub:
#   https://huggingface.co/DatPySci/RLVR-SGDM-Gap/commit/d7103ea412515bb93fd0b40275591793f160882d).
# For Llama-3.2-1B-Instruct, Meta's answer in
#   https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/discussions/14
#   shows the same output ("Cutting Knowledge Date: December 2023\nToday Date: ...")
#   and says the date is taken from the current day unless overridden.
# It always writes a system header with "Cutting Knowledge Date: December 2023"
# and "Today Date: <date_string>", then the (trimmed) system message.
LLAMA_CHAT_TEMPLATE = r"""{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- if strftime_now is defined %}
        {%- set date_string = strftime_now("%d %b %Y") %}
    {%- else %}
        {%- set date_string = "26 Jul 2024" %}
    {%- endif %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
        {{- '{"name": "' + tool_call.name + '", ' }}
        {{- '"parameters": ' }}
        {{- tool_call.arguments | tojson }}
        {{- "}" }}
        {{- "<|eot_id|>" }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""
LLAMA_SOURCE = "https://github.com/ggerganov/llama.cpp/blob/7b5e0803c84435e8005725d8f9ddceb5d1820443/models/templates/meta-llama-Llama-3.2-3B-Instruct.jinja"


def render(template: str, **kwargs) -> str:
    rendered, _ = render_jinja_template(
        conversations=[MESSAGES],
        chat_template=template,
        add_generation_prompt=True,
        **kwargs,
    )
    return rendered[0]


def main() -> int:
    qwen2 = json.loads(QWEN2_CHAT_TEMPLATE_JSON)
    gemma3 = json.loads(GEMMA3_CHAT_TEMPLATE_JSON)

    families = {}

    kw = {}
    families["qwen2"] = {
        "source": QWEN2_SOURCE,
        "template_of": "Qwen/Qwen2.5-1.5B-Instruct (tokenizer_config.json chat_template, shared by the Qwen2.5 Instruct sizes)",
        "chat_template": qwen2,
        "render_kwargs": {"add_generation_prompt": True, **kw},
        "rendered": render(qwen2, **kw),
    }

    kw = {"enable_thinking": False}
    families["qwen3"] = {
        "source": QWEN3_SOURCE,
        "template_of": "Qwen/Qwen3-0.6B",
        "chat_template": QWEN3_CHAT_TEMPLATE,
        "render_kwargs": {"add_generation_prompt": True, **kw},
        "rendered": render(QWEN3_CHAT_TEMPLATE, **kw),
    }

    kw = {"bos_token": "<bos>"}
    families["gemma3"] = {
        "source": GEMMA3_SOURCE,
        "template_of": "google/gemma-3-1b-it (Gemma 3 instruction-tuned tokenizer_config.json chat_template)",
        "chat_template": gemma3,
        "render_kwargs": {"add_generation_prompt": True, **kw},
        "rendered": render(gemma3, **kw),
    }

    kw = {"bos_token": "<|begin_of_text|>"}
    before = datetime.now().strftime("%d %b %Y")
    llama = render(LLAMA_CHAT_TEMPLATE, **kw)
    after = datetime.now().strftime("%d %b %Y")
    date_used = before if f"Today Date: {before}\n" in llama else after
    assert f"Today Date: {date_used}\n" in llama, llama
    families["llama"] = {
        "source": LLAMA_SOURCE,
        "template_of": "meta-llama/Llama-3.2-3B-Instruct (Llama 3.2 Instruct)",
        "chat_template": LLAMA_CHAT_TEMPLATE,
        "render_kwargs": {"add_generation_prompt": True, **kw},
        "date_string_used": date_used,
        "date_note": "no date_string passed; the template called strftime_now(\"%d %b %Y\") (transformers: datetime.now()), so the date is the day this was rendered. Its \"26 Jul 2024\" fallback applies only where strftime_now is undefined.",
        "rendered": llama,
    }

    out = {
        "transformers_version": transformers.__version__,
        "jinja2_version": jinja2.__version__,
        "renderer": "transformers.utils.chat_template_utils.render_jinja_template",
        "messages": MESSAGES,
        "families": families,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    for name, fam in families.items():
        print(f"{name}: {fam['rendered']!r}")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
