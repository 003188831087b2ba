#!/usr/bin/env bash
# Installs the Debian packages adit needs to build, test and run the lab, and only those
# that are missing, so every make target can call it cheaply.
# Usage: deps.sh [build|man|check|demo|bench]
set -eu

build="gcc make pkg-config libmnl-dev libssl-dev libsodium-dev libcap-ng-dev libpcap-dev"
# intel-ipsec-mb, the data path's faster ChaCha20-Poly1305, exists for x86-64 only; elsewhere
# adit builds without it and seals with OpenSSL.
[ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] && build="$build libipsec-mb-dev"
# The man page (make man, make install): scdoc turns doc/adit.8.scd into roff.
man="scdoc"
# man-db and groff-base: tests/install.sh renders the page with man -l. gdb:
# tests/netns/wg-core-secrets.sh takes cores of a live daemon with its gcore. nftables:
# tests/netns/wg-pmtu.sh's routers drop "fragmentation needed" and fragments with nft.
check="$build $man clang libclang-rt-14-dev libcmocka-dev iproute2 iputils-ping iputils-arping tcpdump gdb
	python3-scapy procps wireguard-tools wireguard-go man-db groff-base nftables"
demo="$build iproute2 iputils-ping tcpdump python3 procps wireguard-tools"
# bench/run.sh and bench/scale.sh: the measuring tools (python3 writes scale.sh's configs),
# every tunnel they compare adit with, and what ../shared/anchors/wireguard-go/build.sh
# needs to build upstream wireguard-go offline.
bench="$build iperf3 jq iproute2 iputils-ping procps gawk python3 wireguard-tools wireguard-go openvpn
	openssl fastd tinc golang-go golang-golang-x-crypto-dev golang-golang-x-net-dev golang-golang-x-sys-dev git"

case "${1:-build}" in
build) want=$build ;;
man) want=$man ;;
check) want=$check ;;
demo) want=$demo ;;
bench) want=$bench ;;
*) echo "usage: $0 [build|man|check|demo|bench]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "adit: missing Debian packages:$missing (run 'make' as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "adit: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
	{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing; }
