#!/usr/bin/env python3
"""Reference `session.logon` signatures from ccxt, for the codec's test
(src/exec/gateway/codec/binance_ws/tests.rs, `ccxt_logon_vectors`).

Binance's WebSocket API signs `session.logon` like any signed request: the parameters sorted by
key, query-string encoded, Ed25519 over those bytes, Base64. ccxt's own `ccxt.pro.binance
.sign_params` is that signer (its WebSocket methods, e.g. `userDataStream.subscribe.signature`,
send what it returns); here its clock (`nonce`) is fixed so `timestamp` is too. Nothing is sent.
The key is the illustrative Ed25519 key Binance publishes in fix-api.md, never a real key; the
API key is the docs' example.

Regenerate (PyPI only; the version is pinned in tools/ccxt/requirements.txt):

    pip install -r tools/ccxt/requirements.txt
    python3 tools/binance_ws/make_ccxt_vectors.py > tools/binance_ws/ccxt_vectors.json
"""

import json
import sys

import ccxt
import ccxt.pro

PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
    "-----END PRIVATE KEY-----\n"
)
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
CASES = [(1649729878532, 5000), (1700000000000, 5000), (1796310490353, 60000), (1649729878532, None)]


def main():
    out = []
    for ts, window in CASES:
        ex = ccxt.pro.binance({"apiKey": API_KEY, "secret": PEM})
        ex.nonce = lambda ts=ts: ts
        # ccxt puts its `options.recvWindow` (10000 by default) over the call's own: set it.
        if window is None:
            ex.options.pop("recvWindow", None)
        else:
            ex.options["recvWindow"] = window
        signed = ex.sign_params({})
        out.append({
            "api_key": API_KEY,
            "timestamp_ms": ts,
            "recv_window_ms": window or 0,
            "payload": ex.rawencode(ex.keysort({k: v for k, v in signed.items() if k != "signature"})),
            "signature": signed["signature"],
        })
    json.dump({"ccxt_version": ccxt.__version__, "vectors": out}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
