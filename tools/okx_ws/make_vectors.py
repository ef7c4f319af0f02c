#!/usr/bin/env python3
"""Reference OKX v5 private WebSocket login messages from ccxt, for the engine's okx_ws codec
(src/exec/gateway/codec/okx_ws/tests.rs, `login_matches_ccxt_vectors`).

Each vector is the `{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}` message that
ccxt.pro's own okx `authenticate()` builds (sign = Base64(HMAC-SHA256(secret, timestamp + "GET" +
"/users/self/verify")), timestamp in seconds), for fixed credentials and a fixed clock. Only ccxt's
clock (`seconds`) is replaced, and its `watch` (which would open a socket) is replaced by a capture
of the message it is handed; the message is serialised compactly in ccxt's key order, which is
the engine's. As a second, separate check each vector also carries `sign_helper`: the same
signature from ccxt's sync `okx().hmac(...)` helper, and `auth`, the signed text.

No network is used. Regenerate (PyPI only; version pinned in tools/ccxt/requirements.txt):

    pip install -r tools/ccxt/requirements.txt
    python3 tools/okx_ws/make_vectors.py > tools/okx_ws/vectors.json
"""

import asyncio
import hashlib
import json

import ccxt
import ccxt.pro

# The same illustrative credentials as tools/ccxt/make_vectors.py (never a real key).
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
PASSPHRASE = "Passphrase42"

# Unix seconds: OKX's documented example time, one in 2024, and a small one.
TIMESTAMPS = [1704876947, 1714000123, 1538054050]


class Captured(Exception):
    """Raised by the patched `watch` to stop `authenticate` once it has built its message."""

    def __init__(self, message):
        super().__init__("captured")
        self.message = message


async def ccxt_login(ts):
    ex = ccxt.pro.okx({"apiKey": API_KEY, "secret": SECRET, "password": PASSPHRASE})

    def watch(url, message_hash, message, subscribe_hash=None, subscription=None):
        raise Captured(message)

    ex.seconds = lambda: ts
    ex.watch = watch
    try:
        await ex.authenticate()
    except Captured as c:
        return c.message
    finally:
        await ex.close()
    raise RuntimeError("authenticate() sent nothing")


def helper_sign(ts):
    ex = ccxt.okx()
    auth = str(ts) + "GET" + "/users/self/verify"
    return auth, ex.hmac(ex.encode(auth), ex.encode(SECRET), hashlib.sha256, "base64")


def main():
    vectors = []
    for ts in TIMESTAMPS:
        message = asyncio.run(ccxt_login(ts))
        auth, sign = helper_sign(ts)
        assert message["args"][0]["sign"] == sign, "ccxt's authenticate and hmac helper differ"
        vectors.append(
            {
                "timestamp_s": ts,
                "auth": auth,
                "sign_helper": sign,
                "message": json.dumps(message, separators=(",", ":")),
            }
        )
    out = {
        "generator": "tools/okx_ws/make_vectors.py",
        "ccxt_version": ccxt.__version__,
        "api_key": API_KEY,
        "secret": SECRET,
        "passphrase": PASSPHRASE,
        "vectors": vectors,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
