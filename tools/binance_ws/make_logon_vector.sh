#!/bin/sh
# Independent Ed25519 vectors for src/exec/gateway/codec/binance_ws/tests.rs, made with OpenSSL
# (3.x: `pkeyutl -rawin`). The key is the illustrative Ed25519 key Binance publishes in
# fix-api.md ("The Ed25519 private key used in the example computation"); never a real key.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/key.pem" <<'PEM'
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u
-----END PRIVATE KEY-----
PEM
sign() {
    printf '%s' "$1" > "$dir/msg"
    openssl pkeyutl -sign -inkey "$dir/key.pem" -rawin -in "$dir/msg" | openssl enc -base64 -A
    echo
}
# 1. Binance's own FIX logon example (fix-api.md): expected
#    4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA==
echo "fix_example: $(sign "$(printf 'A\001EXAMPLE\001SPOT\0011\00120240627-11:17:25.223')")"
# 2. A session.logon payload (the docs' session.logon apiKey and timestamp, recvWindow 5000).
echo "logon: $(sign 'apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&recvWindow=5000&timestamp=1649729878532')"
echo "public_key_hex: $(openssl pkey -in "$dir/key.pem" -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n')"
