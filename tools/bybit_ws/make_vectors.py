#!/usr/bin/env python3
"""Reference Bybit v5 WebSocket `auth` requests from ccxt, for the codec's test
(src/exec/gateway/codec/bybit_ws/tests.rs, `ccxt_auth_vectors`).

Each vector is the `auth` message ccxt's own `ccxt.pro.bybit.authenticate()` builds (ccxt signs
``"GET/realtime" + expires`` with its own ``hmac`` helper, hex digest), captured where ccxt would
send it: ``watch`` is replaced by a function that records the message and resolves ccxt's future,
and ccxt's clock (``milliseconds``) by a fixed value, so ``expires = now + 10000`` is fixed too.
Nothing is sent anywhere. The credentials are the fixed ones of tools/ccxt/make_vectors.py (not a
real key).

The script also recomputes each signature with Python's own ``hmac`` and refuses to write a vector
where the two differ.

Regenerate (PyPI only; the version is pinned in tools/ccxt/requirements.txt):

    pip install -r tools/ccxt/requirements.txt
    python3 tools/bybit_ws/make_vectors.py > tools/bybit_ws/vectors.json
"""

import asyncio
import hashlib
import hmac
import json
import sys

import ccxt
import ccxt.pro

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
OTHER_SECRET = "t0pS3cretT0pS3cretT0pS3cretT0pS"

# (secret, ccxt's clock in ms): ccxt's expires is the clock + 10000.
CASES = [
    (SECRET, 1700000000000),
    (SECRET, 1714000123456),
    (OTHER_SECRET, 1),
]


async def ccxt_auth(secret, now_ms):
    """The message ccxt.pro.bybit.authenticate() would send, captured before sending."""
    ex = ccxt.pro.bybit({"apiKey": API_KEY, "secret": secret})
    ex.milliseconds = lambda: now_ms
    sent = []

    def watch(url, message_hash, message=None, subscribe_hash=None, *args, **kwargs):
        sent.append(message)
        future = ex.client(url).reusableFuture(message_hash)
        future.resolve(True)
        return future

    ex.watch = watch
    url = ex.implode_hostname(ex.urls["api"]["ws"]["private"]["trade"])
    await ex.authenticate(url)
    await ex.close()
    assert len(sent) == 1, sent
    return url, sent[0]


def main():
    vectors = []
    for secret, now_ms in CASES:
        url, msg = asyncio.run(ccxt_auth(secret, now_ms))
        api_key, expires, signature = msg["args"]
        payload = "GET/realtime" + expires
        mine = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if mine != signature:
            sys.exit(f"ccxt and hmac disagree for {payload!r}: {signature} vs {mine}")
        vectors.append({
            "api_key": api_key,
            "secret": secret,
            "expires": int(expires),
            "payload": payload,
            "signature": signature,
            "url": url,
            "request": msg,
        })
    json.dump({
        "generator": "tools/bybit_ws/make_vectors.py",
        "ccxt": ccxt.__version__,
        "notes": "request is ccxt's auth message; ccxt sends expires as a string, the engine "
                 "as a number (Bybit's docs); the test compares the signature byte for byte.",
        "auth": vectors,
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
