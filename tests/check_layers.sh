#!/usr/bin/env bash
# The folders of src/ are layers (DESIGN.md §5): base < pkt < io < lab, wg < cmd < main.c.
# Fails, naming file and line, when an include does not name its folder, names one above the
# including file's own, or joins lab/ and wg/; and when README.md's Layout table misses a
# folder of src/, or a .c file in the row of its folder.
# Usage: tests/check_layers.sh [SRCDIR [README]]   (default: src README.md)
set -u
cd "$(dirname "$0")/.."
SRC=${1:-src}
README=${2:-README.md}

declare -A rank=([base]=0 [pkt]=1 [io]=2 [lab]=3 [wg]=3 [cmd]=4 [main]=5)
order="base < pkt < io < lab, wg < cmd < main.c"
bad=0
complain() { echo "$*"; bad=1; }

for d in "$SRC"/*/; do
	d=$(basename "$d")
	[ -n "${rank[$d]:-}" ] || complain "$SRC/$d/: a folder that is no layer; give it a place in" \
		"tests/check_layers.sh ($order) and DESIGN.md §5"
done

while IFS=: read -r file line text; do
	rel=${file#"$SRC"/}
	from=main # a file directly in $SRC
	[[ $rel == */* ]] && from=${rel%%/*}
	[ -n "${rank[$from]:-}" ] || continue # reported above
	[[ $text =~ \"([^\"]*)\" ]] && inc=${BASH_REMATCH[1]}
	to=${inc%%/*}
	if [ "$to" = "$inc" ]; then
		complain "$file:$line: #include \"$inc\" names no folder (write \"FOLDER/$inc\")"
	elif [ -z "${rank[$to]:-}" ] || [ "$to" = main ]; then
		complain "$file:$line: #include \"$inc\": $to/ is not a folder of $SRC/"
	elif [ "$from" != "$to" ] && [ "${rank[$to]}" -ge "${rank[$from]}" ]; then
		if [ "${rank[$to]}" -eq "${rank[$from]}" ]; then
			complain "$file:$line: $from/ includes $inc: lab/ and wg/ never include each" \
				"other (only cmd/ joins them)"
		else
			complain "$file:$line: $from/ includes $inc, a layer above its own ($order):" \
				"move what it needs down, or pass it down"
		fi
	fi
done < <(grep -rnH --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$SRC")

# The README's Layout table: the lines from "## Layout" to the next heading that start with |.
table=$(awk '/^## Layout/ { on = 1; next } /^## / { on = 0 } on && /^\|/' "$README")
[ -n "$table" ] || complain "$README: no table under '## Layout'"
mentions() { grep -Eq "(^|[^A-Za-z0-9_.-])$(sed 's/\./\\./g' <<<"$2")([^A-Za-z0-9_-]|$)" <<<"$1"; }
for f in "$SRC"/*.c; do
	[ -e "$f" ] || continue
	mentions "$table" "$f" || complain "$README: the Layout table does not mention $f"
done
for d in "$SRC"/*/; do
	d=${d%/}
	row=$(grep -F "\`$d/\`" <<<"$table")
	if [ -z "$row" ]; then
		complain "$README: the Layout table has no row for \`$d/\`"
		continue
	fi
	for f in "$d"/*.c; do
		[ -e "$f" ] || continue
		mentions "$row" "$(basename "$f")" ||
			complain "$README: the Layout table's row for \`$d/\` does not mention $(basename "$f")"
	done
done
exit $bad
