#!/usr/bin/env python3
"""Reference signed account requests from ccxt, for tests/exec/ccxt_account_vectors.rs.

The account API's calls (src/exec/account/venues/) for the four venues: cancel by client id,
open orders, balances, and the public rules and time requests, each produced by ccxt's own
``sign()`` of the exchange class with the parameters the engine sends, in the engine's order.
Credentials, clock and (Upbit) JWT nonce are the fixed ones of make_vectors.py (imported from
it, so both files sign with the same key); only ccxt's clock (``milliseconds``) and uuid
generator (``uuid``) are replaced.

Kept apart from make_vectors.py (order and status vectors) so the two can change independently;
it writes tools/ccxt/account_vectors.json:

    pip install -r tools/ccxt/requirements.txt
    python3 tools/ccxt/account_vectors.py > tools/ccxt/account_vectors.json

As for the orders, Binance's ``sign()`` always puts ``timestamp`` first and the engine last; the
vector then carries ccxt's request and, under ``engine_order``, the same parameters in the
engine's order encoded with ccxt's ``urlencode`` and signed with ccxt's ``hmac``.
"""

import hashlib
import json
import sys

import ccxt

from make_vectors import API_KEY, PASSPHRASE, RECV_WINDOW, SECRET, exchange, request

TS = 1700000000123
NONCE = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def binance_private(name, method, path, params):
    ex = exchange(ccxt.binance, TS)
    sent = dict(params, recvWindow=RECV_WINDOW)
    req = request(ex.sign(path, ["private"], method, dict(sent)))
    total = ex.urlencode(dict(sent, timestamp=TS))
    sig = ex.hmac(ex.encode(total), ex.encode(SECRET), hashlib.sha256)
    ccxt_query = req["path"].split("?", 1)[1]
    return {
        "venue": "binance",
        "name": name,
        "params": params,
        "ccxt": req,
        "ccxt_signed_text": ccxt_query.rsplit("&signature=", 1)[0],
        "engine_order": {"signed_text": total, "signature": sig},
        "notes": "ccxt puts timestamp first, the engine last: see make_vectors.py.",
    }


def binance_public(name, path, params):
    ex = exchange(ccxt.binance, TS)
    return {
        "venue": "binance",
        "name": name,
        "params": params,
        "ccxt": request(ex.sign(path, ["public"], "GET", dict(params))),
    }


def upbit(name, method, path, params, api="private"):
    ex = exchange(ccxt.upbit, TS, nonce=NONCE)
    return {
        "venue": "upbit",
        "name": name,
        "params": params,
        "ccxt": request(ex.sign(path, [api], method, dict(params))),
    }


def bybit(name, method, path, params):
    ex = exchange(ccxt.bybit, TS)
    ex.options["recvWindow"] = RECV_WINDOW
    req = request(ex.sign(path, ["private"], method, dict(params)))
    exceptions = []
    if "Referer" in req["headers"]:
        exceptions.append(
            {
                "name": "Referer",
                "ccxt": req["headers"]["Referer"],
                "engine": None,
                "why": "ccxt's broker tag, not signed; the engine sends none",
            }
        )
    if method == "GET":
        exceptions.append(
            {
                "name": "Content-Type",
                "ccxt": req["headers"].get("Content-Type"),
                "engine": None,
                "why": "a GET has no body; not signed; the engine sends none",
            }
        )
    return {
        "venue": "bybit",
        "name": name,
        "params": params,
        "ccxt": req,
        "header_exceptions": exceptions,
    }


def okx(name, method, path, params):
    ex = exchange(ccxt.okx, TS, passphrase=PASSPHRASE)
    return {
        "venue": "okx",
        "name": name,
        "params": params,
        "ccxt": request(ex.sign(path, ["private"], method, dict(params))),
    }


def main():
    vectors = [
        binance_private(
            "cancel", "DELETE", "order", {"symbol": "BTCUSDT", "origClientOrderId": "ma42"}
        ),
        binance_private("open_orders_symbol", "GET", "openOrders", {"symbol": "ETHBTC"}),
        binance_private("open_orders_all", "GET", "openOrders", {}),
        binance_private("balances", "GET", "account", {"omitZeroBalances": "true"}),
        binance_public("rules", "exchangeInfo", {"symbols": '["BTCUSDT","ETHBTC"]'}),
        binance_public("time", "time", {}),
        upbit("cancel", "DELETE", "order", {"identifier": "ma42"}),
        upbit("open_orders_symbol", "GET", "orders/open", {"market": "KRW-ETH"}),
        upbit("open_orders_all", "GET", "orders/open", {}),
        upbit("balances", "GET", "accounts", {}),
        upbit("rules", "GET", "orders/chance", {"market": "KRW-BTC"}),
        bybit(
            "cancel",
            "POST",
            "v5/order/cancel",
            {"category": "spot", "symbol": "BTCUSDT", "orderLinkId": "ma7"},
        ),
        bybit(
            "open_orders_symbol",
            "GET",
            "v5/order/realtime",
            {"category": "spot", "openOnly": 0, "limit": 50, "symbol": "BTCUSDT"},
        ),
        bybit("balances", "GET", "v5/account/wallet-balance", {"accountType": "UNIFIED"}),
        okx("cancel", "POST", "trade/cancel-order", {"instId": "BTC-USDT", "clOrdId": "ma7"}),
        okx(
            "open_orders_symbol",
            "GET",
            "trade/orders-pending",
            {"instType": "SPOT", "instId": "BTC-USDT"},
        ),
        okx("balances", "GET", "account/balance", {}),
    ]
    out = {
        "generator": "tools/ccxt/account_vectors.py",
        "ccxt_version": ccxt.__version__,
        "api_key": API_KEY,
        "secret": SECRET,
        "passphrase": PASSPHRASE,
        "recv_window_ms": RECV_WINDOW,
        "timestamp_ms": TS,
        "nonce": NONCE,
        "vectors": vectors,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
