#!/usr/bin/python3
"""Which of the given WireGuard keys a file (a core dump) holds, and in which form.

  keys_in.py FILE KEYFILE...     KEYFILE: a key in base64, as wg genkey and genpsk write it

Each key is looked for as its 32 bytes, as hex (lower and upper case, as UAPI and a debugger
print it) and as its base64 text. Prints one line per form found. Exit status 0 if any form
of any key is in FILE, 1 if none is.
"""
import base64
import sys


def forms(text):
    raw = base64.b64decode(text, validate=True)
    assert len(raw) == 32, "not a WireGuard key"
    return {"binary": raw, "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode(),
            "base64": text.encode()}


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    found = False
    for keyfile in sys.argv[2:]:
        with open(keyfile) as f:
            text = f.read().strip()
        for name, pattern in forms(text).items():
            at = data.find(pattern)
            if at >= 0:
                print("%s: %s at offset %d" % (keyfile, name, at))
                found = True
    sys.exit(0 if found else 1)


if __name__ == "__main__":
    main()
