#!/usr/bin/env python3
"""Helpers for bench/run.sh (python3 stdlib only).

  results.py facts OUT BIN_ORIG BIN_COPY ROOT KNOBS   machine and tool facts as JSON (stdout)
  results.py brief OUT ID BYTES                       one-line summary of a measurement
  results.py compare REPORT_A REPORT_B                 are two timberline reports the same? (JSON)
  results.py aggregate OUT WALL_SECONDS                writes OUT/results.json and OUT/results.md
"""
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time

# ---------------------------------------------------------------- small readers


def sh(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else ""
    except (OSError, subprocess.SubprocessError):
        return None


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def time_v(out, mid):
    """Peak RSS (KiB), elapsed (s) and exit status of the /usr/bin/time -v run."""
    try:
        t = open(os.path.join(out, "time", mid + ".txt")).read()
    except OSError:
        return {}
    r = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    if m:
        r["rss_kib"] = int(m.group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t)
    if m:
        s = 0.0
        for part in m.group(1).split(":"):
            s = s * 60 + float(part)
        r["elapsed_s"] = s
    m = re.search(r"Exit status: (\d+)", t)
    if m:
        r["exit"] = int(m.group(1))
    return r


def hyperfine(out, mid):
    d = load_json(os.path.join(out, "hyperfine", mid + ".json"))
    if not d or not d.get("results"):
        return None
    r = d["results"][0]
    return {"mean_s": r["mean"], "stddev_s": r.get("stddev") or 0.0, "min_s": r["min"], "max_s": r["max"],
            "runs": len(r.get("times") or []), "exit_codes": sorted(set(r.get("exit_codes") or []))}


def report_counts(rep):
    s = load_json(os.path.join(rep, "summary.json"))
    if not s:
        return None
    ioc = sum(r.get("hits", 0) for r in s.get("rules", []) if ":" in r["id"])
    rules = sum(r.get("hits", 0) for r in s.get("rules", []) if ":" not in r["id"])
    return {"events": s["counts"]["events"], "ioc_events": ioc, "rule_events": rules,
            "rules_hit": sum(1 for r in s.get("rules", []) if r.get("hits")),
            "lines": s["counts"].get("lines"), "bytes": s["counts"].get("bytes"),
            "evidence_status": s.get("evidence_status")}


# ---------------------------------------------------------------- facts


def facts(out, bin_orig, bin_copy, root, knobs):
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    except OSError:
        pass
    load = open("/proc/loadavg").read().split()[:3]
    rev = sh(["git", "-C", root, "rev-parse", "--short", "HEAD"]) or "?"
    dirty = bool(sh(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"]))
    with open(bin_copy, "rb") as f:
        bsha = hashlib.sha256(f.read()).hexdigest()
    built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(bin_orig)))
    corpus = load_json(os.path.join(out, "corpus", "corpus.json"), {})
    versions = {
        "timberline": sh([bin_copy, "--version"]),
        "ripgrep": sh(["rg", "--version"]),
        "ugrep": sh(["ugrep", "--version"]),
        "grep": sh(["grep", "--version"]),
        "hyperfine": sh(["hyperfine", "--version"]),
        "gzip": sh(["gzip", "--version"]),
        "python": platform.python_version(),
    }
    f = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": " ".join(platform.uname()[i] for i in (0, 2, 4)),
        "nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "load_at_start": load,
        "git_rev": rev, "tree_modified": dirty,
        "binary": {"path": bin_orig, "sha256": bsha, "built": built, "run_from_copy": bin_copy},
        "versions": versions, "knobs": knobs,
        "corpus": {k: corpus.get(k) for k in ("mb", "seed", "intl", "decoded_bytes", "lines", "forms", "rules", "sets")},
    }
    forms = corpus.get("forms", {})
    f["summary"] = {
        "date": f["date"],
        "host": "%s, nproc=%s, %s RAM" % (f["host"], f["nproc"], mem),
        "cpu": cpu,
        "load": "%s (1/5/15 min; other tenants skew absolute numbers)" % " ".join(load),
        "binary": "%s (sha256 %s, built %s), run from a copy" % (bin_orig, bsha[:16], built),
        "timberline": "%s [%s%s]" % (versions["timberline"], rev, ", tree modified" if dirty else ""),
        "ripgrep": versions["ripgrep"], "ugrep": versions["ugrep"], "grep": versions["grep"],
        "hyperfine": versions["hyperfine"],
        "corpus": "%.1f MB in %s lines (%s with UTF-8 names or messages, --intl %s); gz/ %.1f MB, tar.gz %.1f MB" % (
            (corpus.get("decoded_bytes") or 0) / 1e6, corpus.get("lines"),
            (corpus.get("planted") or {}).get("intl.lines", 0), corpus.get("intl", 0),
            forms.get("gz", {}).get("bytes", 0) / 1e6, forms.get("tar", {}).get("bytes", 0) / 1e6),
        "knobs": knobs,
    }
    json.dump(f, sys.stdout, indent=1)
    print()


# ---------------------------------------------------------------- compare two reports

RUN_FIELDS = ("command_line", "started", "finished", "threads")


def compare(a, b):
    """Every report file must be byte-identical except the fields that record the run itself:
    manifest.json's command_line/started/finished/threads, report.html's <header> (the same
    facts for people), and the SHA256SUMS lines of those two files."""
    names = sorted(set(os.listdir(a)) | set(os.listdir(b)))
    res = {}
    for n in names:
        pa, pb = os.path.join(a, n), os.path.join(b, n)
        if os.path.isdir(pa) or os.path.isdir(pb):
            continue
        if not (os.path.exists(pa) and os.path.exists(pb)):
            res[n] = "missing in " + (b if os.path.exists(pa) else a)
            continue
        da, db = open(pa, "rb").read(), open(pb, "rb").read()
        if da == db:
            res[n] = "identical"
            continue
        if n == "manifest.json":
            ja, jb = json.loads(da), json.loads(db)
            differ = [k for k in RUN_FIELDS if ja.get(k) != jb.get(k)]
            for k in RUN_FIELDS:
                ja.pop(k, None)
                jb.pop(k, None)
            res[n] = ("identical but run fields (%s)" % ", ".join(differ)) if ja == jb else "DIFFERENT"
        elif n == "report.html":
            strip = lambda d: re.sub(rb"<header>.*?</header>", b"", d, count=1, flags=re.S)
            res[n] = "identical but <header> (run facts)" if strip(da) == strip(db) else "DIFFERENT"
        elif n == "SHA256SUMS":
            keep = lambda d: sorted(l for l in d.splitlines() if not l.endswith((b" manifest.json", b" report.html")))
            res[n] = "identical but manifest/report lines" if keep(da) == keep(db) else "DIFFERENT"
        else:
            res[n] = "DIFFERENT"
    ok = bool(res) and not any(v == "DIFFERENT" or v.startswith("missing") for v in res.values())
    json.dump({"a": a, "b": b, "identical": ok, "files": res}, sys.stdout, indent=1)
    print()


# ---------------------------------------------------------------- aggregate

COLS = [  # (key, heading, literal-only note)
    ("tl", "timberline -j{T}"),
    ("rg", "rg split (-F pass + regex pass)"),
    ("rga", "rg split, --no-unicode regex pass"),
    ("rgF", "rg -F (literals only)"),
    ("ug", "ugrep, 1 pass"),
    ("ugF", "ugrep -F (literals only)"),
    ("gr", "grep -E, 1 pass"),
    ("grF", "grep -F (literals only)"),
]


def load_plan(out, nbytes):
    rows = {}
    try:
        lines = open(os.path.join(out, "measurements.tsv")).read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        mid, tool, form, sset, status, trc, first, cap = (line.split("\t") + [""] * 8)[:8]
        kinds = {"rgF": ("rg", "-F literals"), "rgR": ("rg", "regexes"), "rgRa": ("rg", "regexes, --no-unicode"), "ugF": ("ugrep", "-F literals"),
                 "ugC": ("ugrep", "one pass"), "grF": ("grep", "-F literals"), "grE": ("grep", "-E one pass"),
                 "timberline": ("timberline", "-jN"), "timberline-j1": ("timberline", "-j1"), "zcat": ("zcat", "floor")}
        tool, variant = kinds.get(tool, (tool, ""))
        r = {"id": mid, "tool": tool, "variant": variant, "form": form, "set": sset, "status": status, "tool_exit": trc,
             "first_run_s": float(first) if first else None, "cap_s": float(cap) if cap else None}
        r.update({k: v for k, v in time_v(out, mid).items() if k in ("rss_kib",)})
        hf = hyperfine(out, mid)
        if hf:
            r.update(hf)
        cmdf = os.path.join(out, "cmd", mid + ".sh")
        if os.path.exists(cmdf):
            lines = [l for l in open(cmdf).read().splitlines() if not l.startswith("trap ")]
            r["command"] = re.sub(r" &$", "", lines[0]) if lines else ""
        if form != "tiny":
            if r.get("mean_s"):
                r["mb_s"] = nbytes / 1e6 / r["mean_s"]
            elif r.get("first_run_s") and status in ("ok", "error-in-hyperfine"):
                # a single run: the -j1 identity runs, or hyperfine failed after a good first run
                r["mb_s"] = nbytes / 1e6 / r["first_run_s"]
            elif status.startswith("timeout") and r["cap_s"]:
                # killed at the cap (or its pattern compile alone took longer on a 1-line file)
                r["mb_s_below"] = nbytes / 1e6 / r["cap_s"]
        if status != "ok":
            src = re.sub(r"^(\w+)-\w+-(\d+)$", r"\1-tiny-\2", mid) if status.endswith("-on-1-line") else mid
            try:
                msg = " ".join(l.strip() for l in open(os.path.join(out, "err", src + ".txt"), errors="replace")
                               if l.strip())
            except OSError:
                msg = ""
            if msg:
                r["stderr"] = msg[:300]
        n = read_int(os.path.join(out, "out", mid + ".lines"))
        if n is not None:
            r["output_lines" if status == "ok" else "partial_output_lines"] = n
        if tool == "timberline":
            c = report_counts(os.path.join(out, "reports", mid))
            if c:
                r["report"] = c
        rows[mid] = r
    # A killed command's peak RSS is the RSS it had reached: a lower bound, as is its 1-line run's.
    for r in rows.values():
        if r["status"].startswith("timeout"):
            t = rows.get(re.sub(r"^(\w+)-\w+-(\d+)$", r"\1-tiny-\2", r["id"])) if r["form"] != "tiny" else None
            low = max(r.get("rss_kib") or 0, (t or {}).get("rss_kib") or (t or {}).get("rss_kib_at_least") or 0)
            r.pop("rss_kib", None)
            if low:
                r["rss_kib_at_least"] = low
    return rows


def combine(parts, nbytes):
    """rg's two passes as one entry: times add up, the peak RSS is the larger one."""
    if any(p is None for p in parts):
        return None
    st = [p["status"] for p in parts]
    r = {"id": " + ".join(p["id"] for p in parts), "status": "ok", "parts": [p["id"] for p in parts]}
    r["rss_kib"] = max((p.get("rss_kib") or 0) for p in parts) or None
    if any(p.get("rss_kib_at_least") for p in parts):
        r["rss_kib_at_least"] = max((p.get("rss_kib_at_least") or p.get("rss_kib") or 0) for p in parts)
        r.pop("rss_kib", None)
    if any(s.startswith("timeout") for s in st):
        r["status"] = "timeout"
        cap = max(p["cap_s"] for p in parts if p["status"].startswith("timeout"))
        r["mb_s_below"] = nbytes / 1e6 / cap
    elif any(s != "ok" for s in st):
        r["status"] = next(s for s in st if s != "ok")
    else:
        r["mean_s"] = sum(p["mean_s"] for p in parts)
        r["mb_s"] = nbytes / 1e6 / r["mean_s"]
    if all("output_lines" in p for p in parts):
        r["output_lines"] = sum(p["output_lines"] for p in parts)
    return r


def fmt_speed(r, tl=None):
    if r is None:
        return "-"
    if r.get("mb_s"):
        s = "%.1f" % r["mb_s"]
        if tl and tl.get("mb_s") and r is not tl:
            s += " (%.2fx)" % (tl["mb_s"] / r["mb_s"])
        if r["status"] == "error-in-hyperfine":
            s += " (1st run only: hyperfine failed)"
        return s
    if r.get("mb_s_below"):
        s = "< %.1f, %s" % (r["mb_s_below"], "cap hit on 1 line" if r["status"] == "timeout-on-1-line" else "killed at cap")
        if tl and tl.get("mb_s"):
            s += " (> %.1fx)" % (tl["mb_s"] / r["mb_s_below"])
        return s
    return r["status"]


def fmt_rss(r):
    if r is None:
        return "-"
    if r.get("rss_kib_at_least"):
        return ">= %.0f" % (r["rss_kib_at_least"] / 1024)
    if r.get("rss_kib"):
        return "%.0f%s" % (r["rss_kib"] / 1024, "*" if r["status"].startswith("timeout") else "")
    return r["status"] if r["status"] != "ok" else "-"


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def aggregate(out, wall):
    facts = load_json(os.path.join(out, "facts.json"), {})
    corpus = load_json(os.path.join(out, "corpus", "corpus.json"), {})
    nbytes = corpus.get("decoded_bytes", 0)
    rows = load_plan(out, nbytes)
    knobs = dict(kv.split("=", 1) for kv in facts.get("knobs", "").split() if "=" in kv)
    threads = knobs.get("THREADS", "2")
    forms = [f for f in ("plain", "gz", "tar") if any(r["form"] == f for r in rows.values())]
    sets = sorted({int(r["set"]) for r in rows.values() if r["set"].isdigit()})

    def get(mid):
        return rows.get(mid)

    # the matrix: per form x set, one entry per tool column
    matrix = {}
    for f in forms:
        for n in sets:
            e = {"tl": get("tl-%s-%d" % (f, n)), "rgF": get("rgF-%s-%d" % (f, n)),
                 "ugF": get("ugF-%s-%d" % (f, n)), "grF": get("grF-%s-%d" % (f, n))}
            if n >= 1000:
                e["rg"] = combine([get("rgF-%s-%d" % (f, n)), get("rgR-%s" % f)], nbytes)
                e["rga"] = combine([get("rgF-%s-%d" % (f, n)), get("rgRa-%s" % f)], nbytes)
                e["ug"] = get("ugC-%s-%d" % (f, n))
                e["gr"] = get("grE-%s-%d" % (f, n))
            else:  # the 10-set has no rules: the literal pass is the whole job
                e["rg"], e["rga"], e["ug"], e["gr"] = e["rgF"], e["rgF"], e["ugF"], e["grF"]
            matrix["%s/%d" % (f, n)] = e

    ratios = {}
    for key, e in matrix.items():
        tl = e.get("tl")
        ratios[key] = {}
        for col, _ in COLS[1:]:
            p = e.get(col)
            if tl and tl.get("mb_s") and p:
                if p.get("mb_s"):
                    ratios[key][col] = {"timberline_speed_over_peer": tl["mb_s"] / p["mb_s"]}
                elif p.get("mb_s_below"):
                    ratios[key][col] = {"timberline_speed_over_peer_at_least": tl["mb_s"] / p["mb_s_below"]}

    identity = {}
    for f in forms:
        for n in sets:
            c = load_json(os.path.join(out, "identity", "tl-%s-%d.json" % (f, n)))
            if c is not None:
                identity["%s/%d" % (f, n)] = c
    scaling = None
    a, b = get("tl-plain-1000"), get("tl-j1-plain-1000")
    if a and b and a.get("mb_s") and b.get("mb_s"):
        scaling = {"threads": int(threads), "mb_s": a["mb_s"], "mb_s_j1": b["mb_s"], "ratio": a["mb_s"] / b["mb_s"]}

    pairs = None
    pf = os.path.join(out, "scaling-pairs.tsv")
    if os.path.exists(pf):
        prows = [l.split("\t") for l in open(pf).read().splitlines() if l.strip()]
        by = {}
        for k, jj, sec, rc in prows:
            if rc.strip() == "1":  # hits found: the run completed
                by.setdefault(int(k), {})[int(jj)] = float(sec)
        full = [v for _, v in sorted(by.items()) if 1 in v and int(threads) in v]
        if full:
            j1 = [v[1] for v in full]
            jn = [v[int(threads)] for v in full]
            per = sorted(a / b for a, b in zip(j1, jn))
            mid = len(per) // 2
            median = per[mid] if len(per) % 2 else (per[mid - 1] + per[mid]) / 2
            pairs = {"pairs": len(full), "j1_s": j1, "jn_s": jn, "j1_mean_s": sum(j1) / len(j1),
                     "jn_mean_s": sum(jn) / len(jn), "ratio_of_means": (sum(j1) / len(j1)) / (sum(jn) / len(jn)),
                     "pair_ratio_min": per[0], "pair_ratio_median": median, "pair_ratio_max": per[-1]}
    if scaling is not None:
        scaling["alternating"] = pairs
    elif pairs:
        scaling = {"threads": int(threads), "alternating": pairs}

    catchall = None
    if os.path.exists(os.path.join(out, "time", "catchall.txt")):
        tv = time_v(out, "catchall")
        catchall = {"exit": read_int(os.path.join(out, "rc", "catchall")), "elapsed_s": tv.get("elapsed_s"),
                    "rss_kib": tv.get("rss_kib"), "report_kib": read_int(os.path.join(out, "reports", "catchall.kib")),
                    "report": report_counts(os.path.join(out, "reports", "catchall"))}
        if catchall["elapsed_s"]:
            catchall["mb_s"] = nbytes / 1e6 / catchall["elapsed_s"]

    checks = {"patterns_check_exit": read_int(os.path.join(out, "patterns-check.rc")),
              "patterns_check_failures": [l for l in open(os.path.join(out, "patterns-check.txt")).read().splitlines()
                                          if l.startswith("FAIL")] if os.path.exists(os.path.join(out, "patterns-check.txt")) else None,
              "peer_dialects": load_json(os.path.join(out, "check-peers.json"))}

    result = {"facts": facts, "wall_seconds": int(wall), "bytes": nbytes, "threads": int(threads),
              "measurements": list(rows.values()), "matrix": {k: {c: (v["id"] if v and "id" in v else None) for c, v in e.items()}
                                                              for k, e in matrix.items()},
              "combined": {k: {c: e[c] for c in ("rg", "rga") if e.get(c) and "parts" in e[c]}
                           for k, e in matrix.items()},
              "ratios": ratios, "identity_j1": identity, "scaling": scaling, "catchall": catchall,
              "checks": checks, "load_at_end": open("/proc/loadavg").read().split()[:3]}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)

    # ---------------- markdown
    T = threads
    md = ["# Timberline benchmark results", ""]
    s = facts.get("summary", {})
    for k in ("date", "host", "cpu", "load", "binary", "timberline", "ripgrep", "ugrep", "grep", "hyperfine", "corpus", "knobs"):
        if k in s:
            md.append("- **%s**: %s" % (k, s[k]))
    md.append("- **load at end**: %s; **bench wall time**: %d s" % (" ".join(result["load_at_end"]), wall))
    md += ["", "MB/s = %.1f MB of decoded log text / mean wall time; the same byte count for every form and "
           "tool (grep reads the plain form only). `(N.NNx)` = timberline's MB/s / that tool's MB/s (above 1: "
           "timberline is faster). `< X, killed at cap` = stopped at the time cap, so slower than X MB/s. rg's "
           "default regex pass uses Unicode classes (`\\b`, `\\w` also match letters beyond ASCII) and leaves its "
           "fast DFA at non-ASCII bytes; `--no-unicode` gives ASCII classes, the semantics of timberline's byte "
           "mode, and is shown as its own column. Sets of "
           "1,000 and more hold the 50 rules plus literals: the `literals only` columns do less work than "
           "timberline there, the others the same job." % (nbytes / 1e6), ""]
    for f in forms:
        title = {"plain": "plain files", "gz": "per-file .gz", "tar": "one .tar.gz"}[f]
        md += ["## %s: MB/s" % title, ""]
        head = ["set"] + [h.format(T=T) for _, h in COLS]
        trs = []
        for n in sets:
            e = matrix["%s/%d" % (f, n)]
            row = ["%d" % n] + [fmt_speed(e.get(c), e.get("tl")) if not (f != "plain" and c.startswith("gr")) else "n/a"
                                for c, _ in COLS]
            trs.append(row)
        md += [md_table(head, trs), ""]
        z = get("zcat-%s" % f)
        if z:
            md += ["zcat floor (decompression only, %s): %s MB/s%s" % (
                "%s cores, one zcat per file" % T if f == "gz" else "one stream, one core",
                fmt_speed(z), "" if z["status"] == "ok" else " (%s)" % z["status"]), ""]
    md += ["## Peak RSS, MiB", "",
           "`/usr/bin/time -v`, first run; the largest single process (rg's `gzip -d` children are not added). "
           "`>= N`: killed at the cap; N is the RSS it had reached by then, or that of its run on the 1-line file if larger.", ""]
    head = ["form/set"] + [h.format(T=T) for _, h in COLS]
    trs = []
    for key, e in matrix.items():
        trs.append([key] + [fmt_rss(e.get(c)) if not (not key.startswith("plain") and c.startswith("gr")) else "n/a"
                            for c, _ in COLS])
    md += [md_table(head, trs), ""]

    # fixed costs
    md += ["## Fixed cost: every set against a 1-line file (seconds, peak RSS MiB)", ""]
    fc_cols = [("tl-cold-tiny-%d", "timberline, empty cache (compile + store)"),
               ("tl-tiny-%d", "timberline, warm cache"), ("rgF-tiny-%d", "rg -F -i"),
               ("ugF-tiny-%d", "ugrep -F -i"), ("ugC-tiny-%d", "ugrep 1 pass"),
               ("grF-tiny-%d", "grep -F -i"), ("grE-tiny-%d", "grep -E 1 pass")]
    trs = []
    for n in sets:
        row = ["%d" % n]
        for pat, _ in fc_cols:
            r = get(pat % n)
            if not r:
                row.append("-")
            elif r.get("mean_s") is not None:
                row.append("%.3f / %s" % (r["mean_s"], fmt_rss(r)))
            else:
                row.append("%s / %s" % (r["status"], fmt_rss(r)))
        trs.append(row)
    md += [md_table(["set"] + [h for _, h in fc_cols], trs), ""]
    r = get("rgR-tiny")
    if r and r.get("mean_s") is not None:
        md += ["rg with the 50 regexes alone: %.3f s, %s MiB." % (r["mean_s"], fmt_rss(r)), ""]

    # scaling and identity
    md += ["## Threads", ""]
    if scaling and scaling.get("mb_s"):
        md.append("timberline -j%s / -j1, plain corpus, 1,000 set, one run each: %.1f / %.1f MB/s = **%.2fx**" % (
            T, scaling["mb_s"], scaling["mb_s_j1"], scaling["ratio"]))
    alt = scaling.get("alternating") if scaling else None
    if alt:
        md += ["", "%d alternating -j1/-j%s pairs (the steadier figure on a shared machine): -j1 mean %.2f s, "
               "-j%s mean %.2f s = **%.2fx**; per pair %.2fx to %.2fx, median %.2fx" % (
                   alt["pairs"], T, alt["j1_mean_s"], T, alt["jn_mean_s"], alt["ratio_of_means"],
                   alt["pair_ratio_min"], alt["pair_ratio_max"], alt["pair_ratio_median"])]
    md += ["", "-j1 output identical to -j%s (timeline.jsonl, timeline.csv, summary.json byte for byte; manifest.json "
           "and report.html apart from the run's command line, times and thread count):" % T, ""]
    trs = []
    for key, c in identity.items():
        f, n = key.split("/")
        j1 = get("tl-%s-%s-j1" % (f, n))
        diffs = ", ".join("%s: %s" % (k, v) for k, v in c["files"].items() if not v.startswith("identical"))
        trs.append([key, "**yes**" if c["identical"] else "**NO**", diffs or "",
                    "%.2f s" % j1["first_run_s"] if j1 and j1.get("first_run_s") else "-"])
    md += [md_table(["form/set", "identical", "differences", "-j1 time (1 run)"], trs), ""]

    # hit counts
    md += ["## Output sizes (sanity)", "",
           "timberline: events (indicator / rule). Peers: matching lines. Indicator events should equal the "
           "-F lines; rule events exceed rg's regex lines by the lines two rules hit; one-pass peers print a line "
           "once, whatever hit it.", ""]
    trs = []
    for key, e in matrix.items():
        f, n = key.split("/")
        tl = e.get("tl")
        rep = tl.get("report") if tl else None
        cells = ["%d (%d / %d)" % (rep["events"], rep["ioc_events"], rep["rule_events"]) if rep else "-"]
        for mid in ("rgF-%s-%s" % (f, n), "rgR-%s" % f, "rgRa-%s" % f, "ugF-%s-%s" % (f, n), "ugC-%s-%s" % (f, n),
                    "grF-%s-%s" % (f, n), "grE-%s-%s" % (f, n)):
            r = get(mid)
            if mid.startswith("rgR") and n == "10":
                r = None
            cells.append(str(r["output_lines"]) if r and "output_lines" in r else (r["status"] if r else "-"))
        trs.append([key] + cells)
    md += [md_table(["form/set", "timberline", "rg -F", "rg regex", "rg regex --no-unicode", "ugrep -F", "ugrep 1 pass", "grep -F", "grep -E"], trs), ""]

    if catchall:
        rep = catchall.get("report") or {}
        md += ["## Catch-all (one rule matching every line, default --memory, -j%s, plain)" % T, "",
               "exit %s, %s events, %.1f s (%.1f MB/s), peak RSS %.0f MiB, report %.0f MiB" % (
                   catchall["exit"], rep.get("events", "?"), catchall.get("elapsed_s") or 0,
                   catchall.get("mb_s") or 0, (catchall.get("rss_kib") or 0) / 1024,
                   (catchall.get("report_kib") or 0) / 1024), ""]

    md += ["## Checks", "",
           "- timberline patterns check: exit %s%s" % (checks["patterns_check_exit"], "".join(
               "\n  - `%s`" % l for l in (checks["patterns_check_failures"] or []))),
           "- rule test lines in the peers' dialects: %s" % json.dumps(checks["peer_dialects"]), ""]
    bad = [r for r in rows.values() if r["status"] not in ("ok", "timeout", "timeout-on-1-line")]
    if bad:
        md += ["**Failed commands** (exit code not the expected one):", ""]
        md += ["- %s: %s, tool exit %s%s" % (r["id"], r["status"], r["tool_exit"],
                                            ": `%s`" % r["stderr"] if r.get("stderr") else "") for r in bad]
        md.append("")

    # every command
    md += ["## Every command", "", "`cmd/ID.sh` in the bench directory holds the exact command line.", ""]
    trs = []
    for r in rows.values():
        trs.append([r["id"], r["status"], "%.3f" % r["mean_s"] if r.get("mean_s") is not None else "-",
                    "%.3f" % r["stddev_s"] if r.get("mean_s") is not None else "-",
                    "%.3f" % r["min_s"] if r.get("min_s") is not None else "-",
                    str(r.get("runs", "-")),
                    "%.2f" % r["first_run_s"] if r.get("first_run_s") is not None else "-",
                    fmt_speed(r) if r["form"] != "tiny" else "-", fmt_rss(r),
                    str(r["output_lines"]) if "output_lines" in r else
                    "%d (partial)" % r["partial_output_lines"] if "partial_output_lines" in r else
                    str((r.get("report") or {}).get("events", ""))])
    md += [md_table(["id", "status", "mean s", "+/- s", "min s", "runs", "1st run s", "MB/s", "RSS MiB", "output"], trs), ""]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(md))


def brief(out, mid, nbytes):
    nbytes = int(nbytes)
    hf = hyperfine(out, mid)
    tv = time_v(out, mid)
    parts = []
    if hf:
        parts.append("mean %.3f s x%d" % (hf["mean_s"], hf["runs"]))
        if not mid.startswith(("tl-cold-tiny", "tl-tiny", "rgF-tiny", "rgR-tiny", "ugF-tiny", "ugC-tiny", "grF-tiny", "grE-tiny")):
            parts.append("%.1f MB/s" % (nbytes / 1e6 / hf["mean_s"]))
    if tv.get("rss_kib"):
        parts.append("RSS %.0f MiB" % (tv["rss_kib"] / 1024))
    print(", ".join(parts))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "facts":
        facts(*sys.argv[2:7])
    elif cmd == "brief":
        brief(*sys.argv[2:5])
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif cmd == "aggregate":
        aggregate(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
