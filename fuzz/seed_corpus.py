#!/usr/bin/env python3
"""Builds the fuzz seed corpora (fuzz/seeds/<target>/) from the example payloads of Binance's docs.

Reads ../shared/reference/binance beside the repository (or the path given as the first argument). The docs'
examples are not strict JSON, so `//` comments are cut, trailing commas dropped and `[...]` placeholders
emptied before parsing. Each seed file is named by the SHA-1 of its bytes, as libFuzzer names its own.
The seeds are committed; rerun this only when the reference changes.
"""

import hashlib
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
REF = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "reference" / "binance"
OUT = HERE / "seeds"


def cut_comments(text):
    lines = []
    for line in text.splitlines():
        in_str = escaped = False
        cut = len(line)
        for i, c in enumerate(line):
            if in_str:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
            elif c == "/" and line[i + 1 : i + 2] == "/":
                cut = i
                break
        lines.append(line[:cut])
    return "\n".join(lines)


def loose_json(text):
    text = cut_comments(text.replace("[...]", "[]").replace("...", ""))
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    try:
        return json.loads(text)
    except ValueError:
        return None


def code_blocks(md):
    return re.findall(r"```[a-zA-Z]*\n(.*?)```", md, flags=re.S)


def braced_blocks(text):
    """Top-level {...} or [...] spans of a plain-text page (the futures captures have no fences)."""
    out, depth, start, in_str, escaped = [], 0, None, False, False
    for i, c in enumerate(text):
        if in_str:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_str = False
            continue
        if c == '"' and depth > 0:
            in_str = True
        elif c in "{[":
            if depth == 0:
                start = i
            depth += 1
        elif c in "}]" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(text[start : i + 1])
    return out


seeds = {}


def add(target, value):
    data = value if isinstance(value, bytes) else json.dumps(value, separators=(",", ":")).encode()
    seeds.setdefault(target, set()).add(data)


def read(rel):
    p = REF / rel
    if not p.exists():
        print(f"missing {p}, skipped", file=sys.stderr)
        return ""
    return p.read_text(encoding="utf-8")


# WebSocket API: replies, requests (their params are signing seeds), pushed events.
for block in code_blocks(read("spot-docs/web-socket-api.md")):
    v = loose_json(block)
    if not isinstance(v, dict):
        continue
    if "status" in v or "result" in v or "error" in v:
        add("api_reply", v)
        add("spot_responses", v)
    if "event" in v:
        add("user_data_push", v)
    if isinstance(v.get("params"), dict):
        add("sign_payload", v["params"])
        add("api_reply", v)

# User data events, as the API connection receives them.
for block in code_blocks(read("spot-docs/user-data-stream.md")):
    v = loose_json(block)
    if isinstance(v, dict):
        add("user_data_push", v if "event" in v else {"subscriptionId": 0, "event": v})

# Market stream payloads, raw and as combined frames, and control replies.
for block in code_blocks(read("spot-docs/web-socket-streams.md")):
    v = loose_json(block)
    if v is None:
        continue
    add("market_frame", v)
    if isinstance(v, dict) and "e" in v:
        add("market_frame", {"stream": v.get("s", "btcusdt").lower() + "@" + str(v["e"]), "data": v})

# Futures API pages: replies and stream payloads.
for page in sorted((REF / "futures-docs").glob("*.txt")) if (REF / "futures-docs").exists() else []:
    for span in braced_blocks(page.read_text(encoding="utf-8")):
        v = loose_json(span)
        if isinstance(v, dict) and ("result" in v or "error" in v):
            add("api_reply", v)
        elif isinstance(v, dict) and isinstance(v.get("params"), dict):
            add("sign_payload", v["params"])

# DEX frames.
for doc in ["dex-docs/ws-streams.md", "dex-docs/ws-connection.md"]:
    for block in code_blocks(read(doc)):
        for span in braced_blocks(block) or [block]:
            v = loose_json(span)
            if v is not None:
                add("dex_frame", v)
                if isinstance(v, dict) and "e" in v:
                    add("dex_frame", {"stream": "trades", "data": v})

# Signing vectors: their payloads, as `k=v&...` text.
vectors = read("signing-vectors.json")
if vectors:
    def payloads(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and "=" in v and ("payload" in k.lower() or "&" in v):
                    yield v
                else:
                    yield from payloads(v)
        elif isinstance(node, list):
            for v in node:
                yield from payloads(v)

    for p in payloads(json.loads(vectors)):
        add("sign_payload", p.encode())

# Key files: the signing vectors' PEM keys and the project's own test keys (tests/fixtures), good and bad.
if vectors:
    def pems(node):
        if isinstance(node, dict):
            for v in node.values():
                yield from pems(v)
        elif isinstance(node, list):
            for v in node:
                yield from pems(v)
        elif isinstance(node, str) and "-----BEGIN" in node:
            yield node

    for p in pems(json.loads(vectors)):
        add("pem_keys", p.encode())
for key_file in sorted((HERE.parent / "crates" / "binance-ws" / "tests" / "fixtures").glob("*.pem")):
    add("pem_keys", key_file.read_bytes())

for target, items in sorted(seeds.items()):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    for data in items:
        (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{target}: {len(items)} seeds")
