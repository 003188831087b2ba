/* Typos of commands are refused before wg mode would make an interface of them. */
#include <stdint.h>
#include <string.h>

#include "base/addr.h"
#include "cmd/verbs.h"

#define WORD_MAX 32

size_t verbs_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[WORD_MAX + 1][WORD_MAX + 1];

	if (la > WORD_MAX || lb > WORD_MAX)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			size_t best = sub < del ? sub : del;

			best = ins < best ? ins : best;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* One edit for a short command (tun, wg, show: two edits would reach ordinary names such as
 * tap or eth0's letters), two for a longer one (server, client, genkey). */
static size_t reach(const char *verb)
{
	return strlen(verb) <= 4 ? 1 : 2;
}

enum word_kind verbs_classify(const char *word, const char *const *verbs, size_t n,
			      bool under_wg_quick, const char **near)
{
	size_t best = SIZE_MAX;

	*near = NULL;
	if (addr_check_ifname(word) || strchr(word, '%'))
		return WORD_BAD_NAME;
	if (strpbrk(word, "0123456789") || under_wg_quick)
		return WORD_IFACE;
	for (size_t i = 0; i < n; i++) {
		size_t d = verbs_distance(word, verbs[i]);

		if (d <= reach(verbs[i]) && d < best) {
			best = d;
			*near = verbs[i];
		}
	}
	return *near ? WORD_TYPO : WORD_IFACE;
}
