#!/usr/bin/env python3
"""Reference signed order requests from ccxt, for tests/exec/ccxt_vectors.rs.

Each vector is one IOC limit order on one of the four venues the engine signs (Binance spot,
Upbit, Bybit v5, OKX v5), with fixed credentials, timestamp and (Upbit) JWT nonce; the Bybit and
OKX vectors also carry the signed status query of the same order (``status_query``: Bybit
``GET /v5/order/realtime`` by ``orderLinkId``, OKX ``GET /api/v5/trade/order`` by ``clOrdId``),
which the engine sends when an order's fate must be asked for. The request
is produced by ccxt's own ``sign()`` of the exchange class, called with the parameters the
engine's codec sends (src/exec/gateway/codec/*.rs), in the engine's order, so the url, headers
and body are ccxt's bytes, not this script's. Only ccxt's clock (``milliseconds``) and uuid
generator (``uuid``) are replaced, by the fixed values.

Where ccxt cannot be made to produce the engine's bytes, the vector says so (``notes``) and
carries what can still be compared exactly:

* Binance: ccxt's ``sign()`` always puts ``timestamp`` first (``extend({'timestamp': ...},
  params)``); the engine puts it last, after ``recvWindow``. Binance signs whatever order the
  request uses, so both are valid, but the signatures differ. The vector carries ccxt's full
  request (``ccxt``) and, under ``engine_order``, the form body in the engine's parameter order
  built with ccxt's own ``urlencode`` and signed with ccxt's own ``hmac``, exactly as ``sign()``
  does it, only without the reordering.
* Headers that nobody signs and that differ (Bybit's ``Referer`` broker tag, which the engine does
  not send; Upbit's ``Content-Type``, where the engine adds ``; charset=utf-8``) are listed under
  ``header_exceptions`` with both values, and the test checks the engine's value.

Regenerate (needs only PyPI, no network access to the venues):

    pip install -r tools/ccxt/requirements.txt
    python3 tools/ccxt/make_vectors.py > tools/ccxt/vectors.json
"""

import hashlib
import json
import sys
from urllib.parse import urlsplit

import ccxt

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
PASSPHRASE = "Passphrase42"
RECV_WINDOW = 5000

# (venue, side, symbol, price, quantity, price_scale, qty_scale, client-id prefix, order id,
#  timestamp ms, Upbit nonce). Prices and quantities are the engine's shortest decimal text of
#  mantissa/10^scale (no trailing zeros), which is what its codecs write.
ORDERS = [
    ("binance", "buy", "BTCUSDT", "60000.5", "0.01", 2, 8, "ma", 42, 1700000000000, None),
    ("binance", "sell", "ETHBTC", "0.05123", "1.2345", 6, 4, "run7x", 900001, 1714000123456, None),
    ("upbit", "buy", "KRW-BTC", "95000000", "0.0001", 0, 8, "ma", 42, 1700000000000,
     "0f8fad5b-d9cb-469f-a165-70867728950e"),
    ("upbit", "sell", "KRW-ETH", "4500000", "0.5", 0, 8, "run7x", 900001, 1714000123456,
     "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
    ("bybit", "buy", "BTCUSDT", "25000.1", "0.5", 2, 6, "ma", 7, 1700000000123, None),
    ("bybit", "sell", "SOLUSDT", "143.27", "12.75", 2, 3, "run7x", 900001, 1714000123456, None),
    ("okx", "buy", "BTC-USDT", "25000.1", "0.5", 1, 8, "ma", 7, 1607418537715, None),
    ("okx", "sell", "ETH-USDC", "3012.45", "0.0375", 2, 6, "run7x", 900001, 1714000123456, None),
]


def exchange(cls, ts_ms, nonce=None, passphrase=None):
    """An instance of ccxt's `cls` with the fixed credentials, clock and uuid."""
    ex = cls({"apiKey": API_KEY, "secret": SECRET})
    if passphrase is not None:
        ex.password = passphrase
    ex.milliseconds = lambda: ts_ms
    if nonce is not None:
        ex.uuid = lambda: nonce
    return ex


def request(signed):
    """ccxt's `sign()` result as JSON-ready parts."""
    url = urlsplit(signed["url"])
    return {
        "method": signed["method"],
        "url": signed["url"],
        "host": url.netloc,
        "path": url.path + (("?" + url.query) if url.query else ""),
        "headers": dict(signed["headers"] or {}),
        "body": signed["body"],
    }


def binance(side, symbol, px, qty, cid, ts):
    params = {
        "symbol": symbol,
        "side": side.upper(),
        "type": "LIMIT",
        "timeInForce": "IOC",
        "quantity": qty,
        "price": px,
        "newClientOrderId": cid,
        "newOrderRespType": "FULL",
        "recvWindow": RECV_WINDOW,
    }
    ex = exchange(ccxt.binance, ts)
    ccxt_req = request(ex.sign("order", ["private"], "POST", dict(params)))
    # The engine's order: timestamp last. ccxt's urlencode and hmac, as in binance.sign().
    engine_params = dict(params, timestamp=ts)
    total = ex.urlencode(engine_params)
    sig = ex.hmac(ex.encode(total), ex.encode(SECRET), hashlib.sha256)
    return {
        "params": params,
        "ccxt": ccxt_req,
        "ccxt_signed_text": ccxt_req["body"].rsplit("&signature=", 1)[0],
        "engine_order": {
            "signed_text": total,
            "signature": sig,
            "body": total + "&signature=" + sig,
        },
        "header_exceptions": [],
        "notes": (
            "ccxt's binance.sign() puts timestamp first; the engine sends it last (after "
            "recvWindow). Binance signs the parameters in the order sent, so both are valid and "
            "their signatures differ. 'ccxt' is ccxt's full sign() output; 'engine_order' is the "
            "same parameters in the engine's order, encoded with ccxt's urlencode and signed with "
            "ccxt's hmac exactly as sign() does."
        ),
    }


def upbit(side, symbol, px, qty, cid, ts, nonce):
    params = {
        "market": symbol,
        "side": "bid" if side == "buy" else "ask",
        "volume": qty,
        "price": px,
        "ord_type": "limit",
        "identifier": cid,
        "time_in_force": "ioc",
    }
    ex = exchange(ccxt.upbit, ts, nonce=nonce)
    req = request(ex.sign("orders", ["private"], "POST", dict(params)))
    return {
        "params": params,
        "ccxt": req,
        "query_hash_text": ex.rawencode(params),
        "header_exceptions": [
            {
                "name": "Content-Type",
                "ccxt": req["headers"].get("Content-Type"),
                "engine": "application/json; charset=utf-8",
                "why": "not signed; both name JSON, the engine also names the charset",
            }
        ],
        "notes": "ccxt's full sign(): body and token (query_hash over the same parameters).",
    }


def bybit(side, symbol, px, qty, cid, ts):
    params = {
        "category": "spot",
        "symbol": symbol,
        "side": "Buy" if side == "buy" else "Sell",
        "orderType": "Limit",
        "qty": qty,
        "price": px,
        "timeInForce": "IOC",
        "orderLinkId": cid,
    }
    ex = exchange(ccxt.bybit, ts)
    ex.options["recvWindow"] = RECV_WINDOW
    req = request(ex.sign("v5/order/create", ["private"], "POST", dict(params)))
    return {
        "params": params,
        "ccxt": req,
        "header_exceptions": [
            {
                "name": "Referer",
                "ccxt": req["headers"].get("Referer"),
                "engine": None,
                "why": "ccxt's broker tag, not signed; the engine sends none",
            }
        ],
        "status_query": bybit_status(symbol, cid, ts),
        "notes": "ccxt's full sign().",
    }


def bybit_status(symbol, cid, ts):
    """The order's status query, by orderLinkId, in the engine's parameter order."""
    params = {"category": "spot", "symbol": symbol, "orderLinkId": cid}
    ex = exchange(ccxt.bybit, ts)
    ex.options["recvWindow"] = RECV_WINDOW
    req = request(ex.sign("v5/order/realtime", ["private"], "GET", dict(params)))
    exceptions = [
        {
            "name": "Content-Type",
            "ccxt": req["headers"].get("Content-Type"),
            "engine": None,
            "why": "not signed; a GET has no body, the engine names no content type",
        }
    ]
    if "Referer" in req["headers"]:
        exceptions.append(
            {
                "name": "Referer",
                "ccxt": req["headers"].get("Referer"),
                "engine": None,
                "why": "ccxt's broker tag, not signed; the engine sends none",
            }
        )
    return {"params": params, "ccxt": req, "header_exceptions": exceptions}


def okx(side, symbol, px, qty, cid, ts):
    params = {
        "instId": symbol,
        "tdMode": "cash",
        "side": side,
        "ordType": "ioc",
        "px": px,
        "sz": qty,
        "clOrdId": cid,
    }
    ex = exchange(ccxt.okx, ts, passphrase=PASSPHRASE)
    req = request(ex.sign("trade/order", ["private"], "POST", dict(params)))
    return {
        "params": params,
        "ccxt": req,
        "header_exceptions": [],
        "status_query": okx_status(symbol, cid, ts),
        "notes": "ccxt's full sign() (clOrdId given, so ccxt injects no broker tag).",
    }


def okx_status(symbol, cid, ts):
    """The order's status query, by clOrdId, in the engine's parameter order."""
    params = {"instId": symbol, "clOrdId": cid}
    ex = exchange(ccxt.okx, ts, passphrase=PASSPHRASE)
    req = request(ex.sign("trade/order", ["private"], "GET", dict(params)))
    return {"params": params, "ccxt": req, "header_exceptions": []}


def main():
    vectors = []
    for venue, side, symbol, px, qty, pscale, qscale, prefix, oid, ts, nonce in ORDERS:
        cid = f"{prefix}{oid}"
        if venue == "binance":
            v = binance(side, symbol, px, qty, cid, ts)
        elif venue == "upbit":
            v = upbit(side, symbol, px, qty, cid, ts, nonce)
        elif venue == "bybit":
            v = bybit(side, symbol, px, qty, cid, ts)
        else:
            v = okx(side, symbol, px, qty, cid, ts)
        order = {
            "side": side,
            "symbol": symbol,
            "price": px,
            "quantity": qty,
            "price_scale": pscale,
            "qty_scale": qscale,
            "client_id_prefix": prefix,
            "order_id": oid,
            "client_order_id": cid,
        }
        vectors.append(
            {
                "venue": venue,
                "order": order,
                "timestamp_ms": ts,
                "nonce": nonce,
                **v,
            }
        )
    out = {
        "generator": "tools/ccxt/make_vectors.py",
        "ccxt_version": ccxt.__version__,
        "api_key": API_KEY,
        "secret": SECRET,
        "passphrase": PASSPHRASE,
        "recv_window_ms": RECV_WINDOW,
        "vectors": vectors,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
