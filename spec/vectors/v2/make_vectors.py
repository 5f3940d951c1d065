#!/usr/bin/env python3
"""Writes the audit-bundle-v2 golden vectors in this directory from the v1 sample.

A second, independent implementation of spec/audit-bundle-v2.md (Python's standard
library plus `cryptography` for Ed25519), so the vectors do not come from the code they
test. It takes the v1 sample's twelve lines (two interleaved chains, one stub), keeps
each line's key order and values, and re-hashes them as version 2: every line gains
`body_hash`, every `prev_hash` and `hash` is recomputed, and the stub (acme-region-1
seq 3) commits to the left-out event below by its body_hash. Then it writes the signed
manifest (with each chain's merkle_root), the ZIP, and expected.json.

Run from anywhere: python3 spec/vectors/v2/make_vectors.py. Output is reproducible.
"""

import base64
import hashlib
import io
import json
import os
import zipfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
ZERO = "0" * 64

# The event the stub stands for: its content is not in the bundle (personal data
# erased), only its body_hash. Listed in expected.json as `left_out_canonical`.
LEFT_OUT = {
    "action": "customer.updated",
    "actor": {"email": "zoë.reyes@acme.example", "id": "u_030", "name": "Zoë Reyes", "type": "user"},
    "after": {"contact_email": "j.doe@example.net", "contact_name": "Jane Doe"},
    "before": {"contact_email": None, "contact_name": None},
    "category": "record",
    "chain": "acme-region-1",
    "id": "evt_5d1e0c2a9b7f4e38",
    "outcome": "success",
    "seq": 3,
    "source": {"channel": "web", "ip": "203.0.113.167", "request_id": "req_2f6c0d9e41b7",
               "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/128.0"},
    "target": {"id": "1001", "name": "Customer #1001", "type": "Customer"},
    "ts": "2026-04-01T08:04:12.480Z",
}


def jcs(value):
    """RFC 8785 for the values these vectors hold: ASCII keys (so code point order is
    UTF-16 order), strings, integers, short decimals (Python's repr is the shortest
    round trip, as ECMAScript's), booleans and null."""
    def check(v):
        if isinstance(v, dict):
            for k, x in v.items():
                assert k.isascii(), k
                check(x)
        elif isinstance(v, list):
            for x in v:
                check(x)
        elif isinstance(v, float):
            assert 1e-6 < abs(v) < 1e21 and repr(v) == json.dumps(v), v
    check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def body_of(event):
    return {k: v for k, v in event.items() if k not in ("hash", "prev_hash", "body_hash")}


def leaf(hash_hex):
    return hashlib.sha256(b"\x00" + bytes.fromhex(hash_hex)).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """RFC 6962 §2.1, recursively, over leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """RFC 6962 §2.1.1 PATH(m, D[n]), nearest the leaf first."""
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def main():
    v1_lines = open(os.path.join(VECTORS, "sample", "events.jsonl"), encoding="utf-8").read().splitlines()
    v1_expected = {(e["chain"], e["seq"]): e for e in json.load(open(os.path.join(VECTORS, "sample.expected.json"), encoding="utf-8"))}

    heads = {}
    out_lines = []
    expected_lines = []
    chain_hashes = {}
    for number, text in enumerate(v1_lines, start=1):
        event = json.loads(text)  # dicts keep the line's key order
        chain, seq = event["chain"], event["seq"]
        stub = event.get("omitted") is True
        if not stub:
            # This JCS reproduces the v1 vectors' canonical text, so it is RFC 8785 here.
            v1_body = {k: v for k, v in event.items() if k != "hash"}
            assert jcs(v1_body) == v1_expected[(chain, seq)]["canonical"], (chain, seq)
        prev = heads.get(chain, ZERO)
        assert seq == len(chain_hashes.get(chain, [])) + 1
        body_text = jcs(LEFT_OUT if stub else body_of(event))
        body_hash = sha256_hex(body_text.encode("utf-8"))
        event_hash = sha256_hex(bytes.fromhex(prev) + bytes.fromhex(body_hash))
        rewritten = {}
        for key, value in event.items():
            if key == "prev_hash":
                rewritten[key] = prev
            elif key == "hash":
                rewritten["hash"] = event_hash
                rewritten["body_hash"] = body_hash
            else:
                rewritten[key] = value
        out_lines.append(json.dumps(rewritten, separators=(",", ":"), ensure_ascii=False))
        entry = {"line": number, "chain": chain, "seq": seq}
        if stub:
            entry["omitted"] = True
            entry["canonical"] = None
            entry["left_out_canonical"] = body_text
        else:
            entry["canonical"] = body_text
        entry["prev_hash"] = prev
        entry["body_hash"] = body_hash
        entry["hash"] = event_hash
        expected_lines.append(entry)
        heads[chain] = event_hash
        chain_hashes.setdefault(chain, []).append(event_hash)

    events = ("\n".join(out_lines) + "\n").encode("utf-8")
    events_sha = sha256_hex(events)

    chains = []
    expected_chains = []
    proofs = []
    for chain in sorted(chain_hashes):
        hashes = chain_hashes[chain]
        leaves = [leaf(h) for h in hashes]
        root = mth(leaves).hex()
        chains.append({
            "id": chain,
            "first_seq": 1,
            "last_seq": len(hashes),
            "event_count": len(hashes),
            "start_prev_hash": ZERO,
            "head_hash": hashes[-1],
            "merkle_root": root,
        })
        expected_chains.append({
            "id": chain,
            "last_seq": len(hashes),
            "leaf_hashes": [l.hex() for l in leaves],
            "merkle_root": root,
        })
        for seq in (1, 3, len(hashes)):
            proofs.append({
                "chain": chain,
                "seq": seq,
                "leaf_index": seq - 1,
                "tree_size": len(hashes),
                "hash": hashes[seq - 1],
                "leaf_hash": leaves[seq - 1].hex(),
                "proof": [p.hex() for p in path(seq - 1, leaves)],
                "merkle_root": root,
            })

    manifest = {
        "format": "audit-bundle",
        "format_version": 2,
        "bundle_id": "b-" + events_sha[:8],
        "producer": {"name": "Acme CRM", "version": "4.2.0"},
        "exported_at": "2026-07-01T00:00:00Z",
        "exported_by": {"id": "u_001", "type": "admin", "name": "Dana Reyes"},
        "scope": {"description": "All events", "filter": {}},
        "chains": chains,
        "files": [{"path": "events.jsonl", "sha256": events_sha, "bytes": len(events)}],
    }
    key = Ed25519PrivateKey.from_private_bytes(bytes([1]) * 32)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signed = jcs(manifest).encode("utf-8")
    manifest["signature"] = {
        "alg": "ed25519",
        "key_id": "acme-audit-2026",
        "public_key": base64.b64encode(public).decode(),
        "value": base64.b64encode(key.sign(signed)).decode(),
    }
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    os.makedirs(os.path.join(HERE, "sample"), exist_ok=True)
    with open(os.path.join(HERE, "sample", "events.jsonl"), "wb") as f:
        f.write(events)
    with open(os.path.join(HERE, "sample", "manifest.json"), "wb") as f:
        f.write(manifest_bytes)

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("manifest.json", manifest_bytes), ("events.jsonl", events)):
            info = zipfile.ZipInfo(name, date_time=(2026, 7, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    with open(os.path.join(HERE, "sample-zip.audit.zip"), "wb") as f:
        f.write(archive.getvalue())

    expected = {
        "note": "audit-bundle-v2 sample: for every line its body's canonical text (null for the stub, "
                "whose left-out event is given as left_out_canonical), body_hash and hash; each chain's "
                "leaf hashes and merkle_root; inclusion proofs (leaf_index = seq - 1, tree_size = last_seq).",
        "manifest_signed_canonical": signed.decode("utf-8"),
        "lines": expected_lines,
        "chains": expected_chains,
        "inclusion_proofs": proofs,
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
