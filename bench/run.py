#!/usr/bin/env python3
"""Run the tarjama vs CTranslate2 (and llama.cpp) benchmark and print markdown tables.

    python bench/run.py --rounds 5                         # every cell, every engine found
    python bench/run.py --rounds 3 --engines ct2-float32,ct2-int8
    python bench/run.py --shapes base --beams 1 --batches 64 --rounds 1      # one quick cell
    python bench/run.py --llm-only --llm-model models/gemma-3-270m/gemma-3-270m-q4_k_m.gguf --prompt-tokens 128,512

Needs bench/setup.py's output (--work, default bench/work) and, for the tarjama rows, a release
build (--tarjama, default target/release/tarjama in the repo root). bench/run.sh does all of it.

Cells: shape (base, big) x beams (1, 4) x batch (1, 16, 64); 64 sentences of 40 source tokens,
output forced to --output-tokens (48) target tokens, --threads (2) threads.
Engines, each a separate process per measurement:
  tarjama-f32, tarjama-int8, tarjama-q8, tarjama-q4
                                        `tarjama bench --precision f32|int8|q8|q4` (the quantized
                                        ones only when `tarjama bench --help` mentions them)
  ct2-float32, ct2-int8                 bench/ct2_run.py on the float32 / int8 conversions
Alternation: within a round every cell runs every engine once, one after the other, and the engine
order rotates by one position from round to round; rounds are the outer loop, so a slow phase of
the (shared, noisy) machine hits every engine and cell alike. Reported: the median over rounds
(min-max in brackets) of target tokens/s, the largest peak RSS seen, and per cell the median over
rounds of the ratio tarjama / CTranslate2 taken within the same round (paired).
Peak RSS: ru_maxrss of the child from os.wait4 (KiB on Linux), the same for every engine; it
covers the whole process (model loading included).
Every child must print one JSON line with target_tokens = sentences x output-tokens; anything else
(or a non-zero exit) stops the run with exit status 1.
Raw results: --work/results-<UTC timestamp>.json (rewritten after every measurement).
"""
import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

MT_ENGINES = ["tarjama-f32", "tarjama-int8", "tarjama-q8", "tarjama-q4", "ct2-float32", "ct2-int8"]
# not run by default: CTranslate2 with CT2_USE_MKL=1. On AMD CPUs CTranslate2 does not use Intel MKL
# by default (it logs "Use Intel MKL: false" and takes oneDNN for SGEMM and int8 GEMM); these force it.
EXTRA_ENGINES = ["ct2-float32-mkl", "ct2-int8-mkl"]
RATIOS = [  # (numerator, denominator) pairs reported per cell
    ("tarjama-f32", "ct2-float32"),
    ("tarjama-f32", "ct2-int8"),
    ("tarjama-f32", "ct2-float32-mkl"),
    ("tarjama-int8", "ct2-int8"),
    ("tarjama-q8", "ct2-int8"),
    ("tarjama-q4", "ct2-int8"),
]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log(f"run: error: {msg}")
    sys.exit(1)


def csv(s, conv=str):
    return [conv(x) for x in s.split(",") if x.strip()]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512vnni", "avx512_bf16") if f in flags]
    except OSError:
        pass
    return []


def run_child(cmd, timeout, env=None):
    """Run cmd; return (exit code or None on timeout, stdout, stderr, peak RSS KiB, wall seconds).

    Peak RSS is ru_maxrss from os.wait4 on the child (KiB on Linux)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        timed_out = False
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        if timed_out:
            return None, "", "", ru.ru_maxrss, wall
        return proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"), ru.ru_maxrss, wall


def parse_json_line(stdout):
    lines = [l for l in stdout.splitlines() if l.strip().startswith("{")]
    if len(lines) != 1:
        return None
    try:
        return json.loads(lines[0])
    except json.JSONDecodeError:
        return None


def tarjama_precisions(tarjama):
    """Which --precision values `tarjama bench --help` offers (f32 always)."""
    try:
        p = subprocess.run([tarjama, "bench", "--help"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        return None, str(e)
    if p.returncode != 0:
        return None, (p.stderr or p.stdout).strip().splitlines()[-1:] or ["bench --help failed"]
    text = p.stdout + p.stderr
    precs = ["f32"] + [q for q in ("int8", "q8", "q4") if re.search(rf"\b{q}\b", text)]
    return precs, None


def tarjama_has_llm(tarjama):
    try:
        p = subprocess.run([tarjama, "bench-llm", "--help"], capture_output=True, text=True, timeout=60)
        return p.returncode == 0
    except OSError:
        return False


def git_rev(path):
    try:
        p = subprocess.run(["git", "-C", str(path), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
        rev = p.stdout.strip()
        d = subprocess.run(["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return rev + ("+dirty" if d.stdout.strip() else "") if rev else "unknown"
    except OSError:
        return "unknown"


def mt_command(engine, args, shape, beams, batch):
    work = Path(args.work)
    inputs = str(work / shape / "inputs.json")
    common = ["--beams", str(beams), "--batch", str(batch), "--threads", str(args.threads), "--output-tokens", str(args.output_tokens)]
    if engine.startswith("tarjama-"):
        prec = engine.split("-", 1)[1]
        return [args.tarjama, "bench", "--model-dir", str(work / shape / "hf"), "--inputs", inputs, "--precision", prec] + common
    q = engine.split("-")[1]
    return [args.python, str(HERE / "ct2_run.py"), "--model", str(work / shape / f"ct2-{q}"), "--inputs", inputs] + common


def mt_env(engine):
    """Environment of the child: CT2_USE_MKL=1 for the *-mkl engines, otherwise unchanged."""
    if engine.endswith("-mkl"):
        return dict(os.environ, CT2_USE_MKL="1")
    return None


def fmt_rate(vals):
    if not vals:
        return "–"
    med = statistics.median(vals)
    if len(vals) == 1:
        return f"{med:,.0f}"
    return f"{med:,.0f} ({min(vals):,.0f}–{max(vals):,.0f})"


def fmt_ratio(vals):
    return f"{statistics.median(vals):.2f}" if vals else "–"


def mt_tables(results, engines, cells):
    by = {}
    for r in results:
        if r["kind"] == "mt":
            by.setdefault((r["shape"], r["beams"], r["batch"], r["engine"]), []).append(r)
    ratio_cols = [(a, b) for a, b in RATIOS if a in engines and b in engines]
    lines = []
    head = ["shape", "beams", "batch"] + [f"{e} tok/s" for e in engines] + [f"{a.replace('tarjama-', 'tj-')} / {b}" for a, b in ratio_cols]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] * 3 + ["---:"] * (len(head) - 3)) + "|")
    for shape, beams, batch in cells:
        row = [shape, str(beams), str(batch)]
        for e in engines:
            row.append(fmt_rate([r["target_tokens_per_s"] for r in by.get((shape, beams, batch, e), [])]))
        for a, b in ratio_cols:
            ra = {r["round"]: r["target_tokens_per_s"] for r in by.get((shape, beams, batch, a), [])}
            rb = {r["round"]: r["target_tokens_per_s"] for r in by.get((shape, beams, batch, b), [])}
            row.append(fmt_ratio([ra[k] / rb[k] for k in ra if k in rb]))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    head = ["shape", "beams", "batch"] + [f"{e} MiB" for e in engines]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] * 3 + ["---:"] * len(engines)) + "|")
    for shape, beams, batch in cells:
        row = [shape, str(beams), str(batch)]
        for e in engines:
            rs = [r["peak_rss_kib"] for r in by.get((shape, beams, batch, e), [])]
            row.append(f"{max(rs) / 1024:,.0f}" if rs else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def llm_table(results):
    """One row per (model, prompt length): each engine's median prompt and generation rates, the median
    of the per-round ratios tarjama / llama.cpp, and the peak RSS of each."""
    rows = [r for r in results if r["kind"] == "llm"]
    if not rows:
        return ""
    cells = []
    for r in rows:
        key = (Path(r.get("model", "")).name, r["prompt_tokens"])
        if key not in cells:
            cells.append(key)
    lines = ["| model | prompt | llama.cpp prompt / gen tok/s | tarjama prompt / gen tok/s | tarjama / llama.cpp prompt; gen | peak MiB llama.cpp / tarjama |",
             "|---|---:|---|---|---|---|"]
    for model, prompt in cells:
        rs = [r for r in rows if (Path(r.get("model", "")).name, r["prompt_tokens"]) == (model, prompt)]
        by = {e: {r["round"]: r for r in rs if r["engine"] == e} for e in ("llama.cpp", "tarjama")}
        def rates(e):
            got = list(by[e].values())
            if not got:
                return "–"
            return f"{fmt_rate([r['prompt_tokens_per_s'] for r in got])} / {fmt_rate([r['gen_tokens_per_s'] for r in got])}"
        def peak(e):
            got = list(by[e].values())
            return f"{max(r['peak_rss_kib'] for r in got) / 1024:,.0f}" if got else "–"
        both = [k for k in by["tarjama"] if k in by["llama.cpp"]]
        pp = [by["tarjama"][k]["prompt_tokens_per_s"] / by["llama.cpp"][k]["prompt_tokens_per_s"] for k in both]
        tg = [by["tarjama"][k]["gen_tokens_per_s"] / by["llama.cpp"][k]["gen_tokens_per_s"] for k in both]
        lines.append(f"| {model} | {prompt} | {rates('llama.cpp')} | {rates('tarjama')} | {fmt_ratio(pp)}; {fmt_ratio(tg)} "
                     f"| {peak('llama.cpp')} / {peak('tarjama')} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default=str(HERE / "work"), help="bench/setup.py output (default bench/work)")
    ap.add_argument("--shapes", default="base,big")
    ap.add_argument("--beams", default="1,4")
    ap.add_argument("--batches", default="1,16,64")
    ap.add_argument("--engines", default=",".join(MT_ENGINES), help="subset of " + ",".join(MT_ENGINES + EXTRA_ENGINES))
    ap.add_argument("--tarjama", default=str(ROOT / "target" / "release" / "tarjama"), help="tarjama binary")
    ap.add_argument("--python", default=sys.executable, help="interpreter for ct2_run.py / llama_run.py")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--output-tokens", type=int, default=48)
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds per child process; a measurement that takes longer is recorded as a timeout and "
                    "that engine is not run again in that cell")
    ap.add_argument("--budget", type=float, default=0,
                    help="stop starting measurements after this many seconds (0 = no limit); the tables cover what ran")
    ap.add_argument("--llm", action="store_true", help="also run the language-model comparison")
    ap.add_argument("--llm-only", action="store_true", help="only the language-model comparison")
    ap.add_argument("--llm-model", action="append",
                    help="GGUF file; repeat for several (default: models/gemma-3-270m/gemma-3-270m-q4_k_m.gguf)")
    ap.add_argument("--prompt-tokens", default="128", help="prompt lengths, comma-separated (e.g. 128,512,2048)")
    ap.add_argument("--gen-tokens", type=int, default=64)
    ap.add_argument("--out", default=None, help="raw results JSON (default WORK/results-<timestamp>.json)")
    ap.add_argument("--report", metavar="FILE", help="only print the tables of an earlier results JSON")
    args = ap.parse_args()
    if args.report:
        report_file(args.report)
        return

    work = Path(args.work)
    shapes, beams_l, batches = csv(args.shapes), csv(args.beams, int), csv(args.batches, int)
    engines = csv(args.engines)
    for e in engines:
        if e not in MT_ENGINES + EXTRA_ENGINES:
            die(f"unknown engine {e!r} (known: {', '.join(MT_ENGINES + EXTRA_ENGINES)})")
    do_mt = not args.llm_only
    do_llm = args.llm or args.llm_only
    llm_models = args.llm_model or [str(ROOT / "models" / "gemma-3-270m" / "gemma-3-270m-q4_k_m.gguf")]
    prompt_lengths = csv(args.prompt_tokens, int)

    # --- what can run ---------------------------------------------------------------------------
    notes = []
    tarjama_ok = os.access(args.tarjama, os.X_OK)
    wanted_tj = [e for e in engines if e.startswith("tarjama-")]
    if do_mt and wanted_tj:
        if not tarjama_ok:
            notes.append(f"tarjama rows skipped: {args.tarjama} not found (build it: cargo build --release)")
            engines = [e for e in engines if not e.startswith("tarjama-")]
        else:
            precs, err = tarjama_precisions(args.tarjama)
            if precs is None:
                notes.append(f"tarjama rows skipped: `tarjama bench --help` failed ({err})")
                engines = [e for e in engines if not e.startswith("tarjama-")]
            else:
                for e in wanted_tj:
                    if e.split("-", 1)[1] not in precs:
                        notes.append(f"{e} skipped: `tarjama bench --help` does not offer that precision")
                        engines.remove(e)
    if do_mt:
        for shape in shapes:
            for need in ["inputs.json"] + [f"ct2-{e.split('-')[1]}" for e in engines if e.startswith("ct2-")] + (
                ["hf"] if any(e.startswith("tarjama-") for e in engines) else []
            ):
                if not (work / shape / need).exists():
                    die(f"{work / shape / need} missing: run bench/setup.py --out {work}")
        if not engines:
            die("no engine left to run")
    llm_engines = []
    if do_llm:
        missing = [m for m in llm_models if not Path(m).exists()]
        for m in missing:
            notes.append(f"LLM rows skipped: {m} not found (scripts/fetch-demo-model.sh)")
        llm_models = [m for m in llm_models if m not in missing]
        if llm_models:
            probe = subprocess.run([args.python, "-c", "import llama_cpp"], capture_output=True)
            if probe.returncode == 0:
                llm_engines.append("llama.cpp")
            else:
                notes.append("llama.cpp rows skipped: llama-cpp-python is not installed (pip install -r bench/requirements-llama.txt)")
            if tarjama_ok and tarjama_has_llm(args.tarjama):
                llm_engines.insert(0, "tarjama")
            else:
                notes.append("tarjama LLM row skipped: `tarjama bench-llm --help` failed or the binary is missing")

    # --- environment ------------------------------------------------------------------------------
    env = {
        "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "cpu_model": cpu_model(),
        "cpu_flags": cpu_flags(),
        "online_cpus": os.cpu_count(),
        "threads": args.threads,
        "loadavg_start": os.getloadavg(),
        "python": platform.python_version(),
    }
    p = subprocess.run([args.python, "-c", "import ctranslate2; print(ctranslate2.__version__)"], capture_output=True, text=True)
    env["ctranslate2"] = p.stdout.strip() or "not installed"
    p = subprocess.run([args.python, "-c", "import llama_cpp; print(llama_cpp.__version__)"], capture_output=True, text=True)
    env["llama_cpp_python"] = p.stdout.strip() or "not installed"
    if tarjama_ok:
        tj = Path(args.tarjama).resolve()
        repo = tj.parents[2] if len(tj.parents) > 2 else tj.parent
        env["tarjama_binary"] = str(tj)
        env["tarjama_git_rev"] = git_rev(repo)
        v = subprocess.run([args.tarjama, "--version"], capture_output=True, text=True)
        env["tarjama_version"] = v.stdout.strip()
    env["bench_git_rev"] = git_rev(ROOT)

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_path = Path(args.out) if args.out else work / f"results-{stamp}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    command = " ".join([Path(sys.argv[0]).name] + sys.argv[1:])

    def save():
        env["loadavg_now"] = os.getloadavg()
        tmp = Path(str(out_path) + ".tmp")
        tmp.write_text(json.dumps({"command": command, "env": env, "notes": notes, "results": results}, indent=1) + "\n")
        os.replace(tmp, out_path)

    for n in notes:
        log(f"run: note: {n}")
    cells = [(s, b, n) for s in shapes for b in beams_l for n in batches] if do_mt else []
    # cheapest cells first (big batches, greedy, base), so that a --budget cut loses the slow ones;
    # the tables list cells in the usual order
    run_cells = sorted(cells, key=lambda c: (-c[2], c[0] != "base", c[1]))
    log(f"run: {len(cells)} cells x {len(engines) if do_mt else 0} engines x {args.rounds} rounds; LLM: {llm_engines or 'no'}; raw results -> {out_path}")

    # --- measurements -----------------------------------------------------------------------------
    expected_tokens = None
    started = time.monotonic()
    timed_out = set()  # (shape, beams, batch, engine) that hit --timeout

    def over_budget():
        if args.budget and time.monotonic() - started > args.budget:
            if not any(n.startswith("stopped by --budget") for n in notes):
                notes.append(f"stopped by --budget {args.budget:.0f} s after {len(results)} measurements; "
                             "later rounds/cells are missing from the tables")
                log(f"run: note: {notes[-1]}")
            return True
        return False

    for rnd in range(args.rounds):
        # language model first in each round (a few minutes at most), then the translation cells
        llm_cells = [(m, p) for m in llm_models for p in prompt_lengths] if llm_engines else []
        for cell, (model, prompt) in enumerate(llm_cells):
            # the engine that goes first alternates from cell to cell and round to round
            turn = (rnd + cell) % 2
            for engine in (llm_engines[turn:] + llm_engines[:turn]) if len(llm_engines) == 2 else llm_engines:
                if over_budget():
                    continue
                if engine == "tarjama":
                    cmd = [args.tarjama, "bench-llm", "--model", model]
                else:
                    cmd = [args.python, str(HERE / "llama_run.py"), "--model", model,
                           "--ctx", str(max(512, prompt + args.gen_tokens))]
                cmd += ["--prompt-tokens", str(prompt), "--gen-tokens", str(args.gen_tokens), "--threads", str(args.threads)]
                code, so, se, rss, wall = run_child(cmd, args.timeout)
                label = f"round {rnd + 1}/{args.rounds} LLM {Path(model).name} prompt {prompt} {engine}"
                if code is None:
                    notes.append(f"{label}: timed out after {args.timeout:.0f} s")
                    log(f"run: note: {notes[-1]}")
                    continue
                rec = parse_json_line(so)
                if code != 0 or rec is None:
                    log(se.strip()[-3000:])
                    die(f"{label}: exit {code}, stdout {so.strip()[:500]!r}\n  command: {' '.join(cmd)}")
                if rec.get("prompt_tokens") != prompt or rec.get("gen_tokens") != args.gen_tokens:
                    die(f"{label}: wrong token counts: {rec}")
                rec.update(kind="llm", engine=engine, engine_reported=rec.get("engine"), model=model, round=rnd + 1,
                           peak_rss_kib=rss, wall_seconds=round(wall, 3), loadavg_1m_after=os.getloadavg()[0])
                results.append(rec)
                save()
                log(f"run: {label}: prompt {rec['prompt_tokens_per_s']:,.1f} tok/s, generation {rec['gen_tokens_per_s']:,.1f} tok/s, {rss / 1024:,.0f} MiB")
        k = rnd % max(1, len(engines))
        order = engines[k:] + engines[:k]  # rotate the engine order each round
        for shape, beams, batch in run_cells:
            for engine in order:
                if (shape, beams, batch, engine) in timed_out or over_budget():
                    continue
                cmd = mt_command(engine, args, shape, beams, batch)
                code, so, se, rss, wall = run_child(cmd, args.timeout, mt_env(engine))
                label = f"round {rnd + 1}/{args.rounds} {shape} beams={beams} batch={batch} {engine}"
                if code is None:
                    timed_out.add((shape, beams, batch, engine))
                    notes.append(f"{shape} beams={beams} batch={batch} {engine}: timed out after {args.timeout:.0f} s "
                                 f"in round {rnd + 1}; not run again")
                    log(f"run: note: {notes[-1]}")
                    save()
                    continue
                rec = parse_json_line(so)
                if code != 0 or rec is None:
                    log(se.strip()[-3000:])
                    die(f"{label}: exit {code}, stdout {so.strip()[:500]!r}\n  command: {' '.join(cmd)}")
                sentences = rec.get("sentences")
                expected_tokens = sentences * args.output_tokens if sentences else None
                if rec.get("target_tokens") != expected_tokens or rec.get("beams") != beams or rec.get("batch") != batch:
                    die(f"{label}: wrong output: {rec} (expected target_tokens = sentences x {args.output_tokens})")
                rec.update(kind="mt", engine=engine, engine_reported=rec.get("engine"), shape=shape, round=rnd + 1,
                           peak_rss_kib=rss, wall_seconds=round(wall, 3), loadavg_1m_after=os.getloadavg()[0])
                results.append(rec)
                save()
                log(f"run: {label}: {rec['target_tokens_per_s']:,.1f} tok/s, {rss / 1024:,.0f} MiB peak RSS "
                    f"({wall:.1f} s wall, load {os.getloadavg()[0]:.1f})")
    save()

    # --- report -------------------------------------------------------------------------------------
    env["loadavg_end"] = os.getloadavg()
    save()
    report(env, notes, results, engines, cells, command, out_path)


def report(env, notes, results, engines, cells, command, out_path):
    mt = [r for r in results if r["kind"] == "mt"]
    llm = [r for r in results if r["kind"] == "llm"]
    rounds = max([r["round"] for r in results], default=0)
    print(f"CPU: {env['cpu_model']} ({env['online_cpus']} online CPUs; flags {' '.join(env['cpu_flags'])}); "
          f"threads per engine: {env['threads']}")
    print(f"ctranslate2 {env['ctranslate2']}; llama-cpp-python {env['llama_cpp_python']}; "
          f"tarjama {env.get('tarjama_git_rev', 'not run')}; bench scripts {env['bench_git_rev']}")
    end = env.get("loadavg_end", env.get("loadavg_now", [float("nan")]))[0]
    print(f"load average (1 min) at start {env['loadavg_start'][0]:.2f}, at end {end:.2f}; started {env['date_utc']} UTC")
    print(f"command: {command}")
    for n in notes:
        print(f"note: {n}")
    if mt:
        out_tokens = mt[0]["target_tokens"] // mt[0]["sentences"]
        print()
        print(f"Target tokens/s, median over up to {rounds} rounds (min–max); {mt[0]['sentences']} sentences x 40 source "
              f"tokens, output forced to {out_tokens} tokens; ratios = median of per-round ratios")
        print()
        print(mt_tables(results, engines, cells))
    if llm:
        print()
        print(f"Language models: {llm[0]['gen_tokens']} generated tokens after the prompt (greedy, one token per decode "
              f"call), median over up to {rounds} rounds (min–max); ratios = median of per-round ratios")
        print()
        print(llm_table(results))
    print()
    print(f"raw results: {out_path}")


def report_file(path):
    """--report FILE: print the tables of a results JSON written by an earlier run."""
    d = json.loads(Path(path).read_text())
    results = d["results"]
    engines = []
    for r in results:
        if r["kind"] == "mt" and r["engine"] not in engines:
            engines.append(r["engine"])
    engines.sort(key=lambda e: (MT_ENGINES + EXTRA_ENGINES).index(e))
    order = {"base": 0, "big": 1}
    cells = sorted({(r["shape"], r["beams"], r["batch"]) for r in results if r["kind"] == "mt"},
                   key=lambda c: (order.get(c[0], 9), c[1], c[2]))
    report(d["env"], d["notes"], results, engines, cells, d["command"], path)

if __name__ == "__main__":
    main()
