#!/usr/bin/env bash
# adit genkey, pubkey and genpsk against wireguard-tools' wg: each reads what the other writes,
# both compute the same public keys, and both refuse the same bad input with status 1. No
# namespaces: these commands touch no interface.
. "$(dirname "$0")/lib.sh"
need_adit
command -v wg >/dev/null || { skip "adit's keys against wg" "wg is not installed"; finish; }

# b64 HEX: the 32 bytes HEX as a key in base64.
b64() { echo "$1" | xxd -r -p | base64; }
# decoded_len KEY: how many bytes the base64 KEY decodes to.
decoded_len() { echo "$1" | base64 -d | wc -c; }
same() { [ "$1" = "$2" ] || { echo "'$1' != '$2'"; return 1; }; }

k=$("$ADIT" genkey)
check "adit genkey prints a 44-character base64 key" grep -Eqx '[A-Za-z0-9+/]{43}=' <<<"$k"
check "adit pubkey and wg pubkey agree on adit's key" \
	same "$("$ADIT" pubkey <<<"$k")" "$(wg pubkey <<<"$k")"

k=$(wg genkey)
check "adit pubkey and wg pubkey agree on wg's key" \
	same "$("$ADIT" pubkey <<<"$k")" "$(wg pubkey <<<"$k")"
k=$(wg genpsk) # 32 random bytes, not clamped: the clamping in X25519 itself must match
check "and on an unclamped key" same "$("$ADIT" pubkey <<<"$k")" "$(wg pubkey <<<"$k")"

# RFC 7748 §6.1: Alice's and Bob's private and public keys.
alice=$(b64 77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a)
alice_pub=$(b64 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a)
bob=$(b64 5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb)
bob_pub=$(b64 de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f)
check "RFC 7748 Alice's private key gives her public key" same "$("$ADIT" pubkey <<<"$alice")" "$alice_pub"
check "RFC 7748 Bob's private key gives his public key" same "$("$ADIT" pubkey <<<"$bob")" "$bob_pub"

check "trailing white space and NUL bytes after the key are accepted" \
	same "$(printf '%s \t\r\n\0\n\n' "$alice" | "$ADIT" pubkey)" "$alice_pub"

# clamped KEY: bits 0-2 of the first byte clear, bit 7 of the last clear, bit 6 set.
clamped() {
	local bytes
	read -ra bytes < <(echo "$1" | base64 -d | od -An -tu1 -v | tr '\n' ' ')
	[ "${#bytes[@]}" -eq 32 ] && [ $((bytes[0] & 7)) -eq 0 ] && [ $((bytes[31] & 192)) -eq 64 ]
}
all_clamped=1
for _ in $(seq 20); do clamped "$("$ADIT" genkey)" || all_clamped=0; done
check "20 adit genkey keys are all clamped" test $all_clamped -eq 1
check "two adit genkey keys differ" sh -c "[ \"\$($ADIT genkey)\" != \"\$($ADIT genkey)\" ]"

p1=$("$ADIT" genpsk)
p2=$("$ADIT" genpsk)
check "adit genpsk prints 44 characters" test ${#p1} -eq 44
check "that decode to 32 bytes" test "$(decoded_len "$p1")" -eq 32
check "and differ between runs" test "$p1" != "$p2"
check "wg accepts adit's pre-shared key as a key" wg pubkey <<<"$p1"

# refused FORMAT ARGS...: the printf output given to wg pubkey and to adit pubkey. Both exit 1
# with the same message (adit's says "adit:" where wg's says "wg:") and print nothing.
refused() {
	local wg_rc adit_rc
	# shellcheck disable=SC2059 # the format is the point: it can make NUL bytes
	printf "$@" >"$T/in"
	wg pubkey <"$T/in" >"$T/wg.out" 2>"$T/wg.err"
	wg_rc=$?
	"$ADIT" pubkey <"$T/in" >"$T/adit.out" 2>"$T/adit.err"
	adit_rc=$?
	echo "wg: $wg_rc $(cat "$T/wg.err") / adit: $adit_rc $(cat "$T/adit.err")"
	[ "$wg_rc" -eq 1 ] && [ "$adit_rc" -eq 1 ] && [ ! -s "$T/wg.out" ] && [ ! -s "$T/adit.out" ] &&
		same "$(sed 's/^adit:/wg:/' "$T/adit.err")" "$(cat "$T/wg.err")"
}
check "a short key is refused by both" refused '%s\n' "${alice:0:40}"
check "an empty input is refused by both" refused ''
check "a key without its '=' is refused by both" refused '%s\n' "${alice:0:43}A"
check "a key with a character outside base64 is refused by both" refused '%s\n' "*${alice:1}"
check "a key with unused bits set in its last character is refused by both" \
	refused '%s\n' "${alice_pub:0:42}b="
check "a key with trailing characters is refused by both" refused '%s x\n' "$alice"
check "a key with a NUL byte inside is refused by both" refused '%s\0%s' "${alice:0:20}" "${alice:21}"
check "a key that is 44 spaces is refused by both" refused '%44s\n' ""

# genkey's warning when its output is a file others can read, as wg's.
(umask 022 && "$ADIT" genkey >"$T/open.key" 2>"$T/open.err")
(umask 022 && wg genkey >"$T/wg-open.key" 2>"$T/wg-open.err")
check "genkey warns about a world-readable output file, as wg does" \
	same "$(cat "$T/open.err")" "$(cat "$T/wg-open.err")"
check "and still writes the key" wg pubkey <"$T/open.key"
(umask 077 && "$ADIT" genkey >"$T/closed.key" 2>"$T/closed.err")
check "but not with umask 077" test ! -s "$T/closed.err"
"$ADIT" genkey 2>"$T/pipe.err" | cat >/dev/null
check "nor to a pipe" test ! -s "$T/pipe.err"

"$ADIT" genkey extra >"$T/usage.out" 2>"$T/usage.err"
rc=$?
check "an extra argument prints wg's usage line, status 1" \
	sh -c "[ $rc -eq 1 ] && [ \"\$(cat $T/usage.err)\" = 'Usage: adit genkey' ]"
finish
