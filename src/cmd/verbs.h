/* What adit makes of a first word that names no command: a typo of one, or wg mode's
 * interface (adit IFACE, as wireguard-go is invoked). */
#ifndef ADIT_VERBS_H
#define ADIT_VERBS_H

#include <stdbool.h>
#include <stddef.h>

enum word_kind {
	WORD_IFACE,    /* wg mode's interface name */
	WORD_TYPO,     /* close to a command's name: *near names it */
	WORD_BAD_NAME, /* no command, and no interface name either */
};

/* The rule, in order: a word that is not a valid interface name is refused; a word with a
 * digit in it is an interface (wg0, wgtest-123: no command has a digit, and wg-quick's names
 * usually do); under wg-quick (under_wg_quick) any valid name is an interface, as before; a
 * word within a short edit distance of a command (sever, shwo, clinet) is a typo; any other
 * valid name is an interface. 'adit wg NAME' takes any name and never comes here. */
enum word_kind verbs_classify(const char *word, const char *const *verbs, size_t n,
			      bool under_wg_quick, const char **near);

/* Edit distance with adjacent transpositions (optimal string alignment); words longer than
 * 32 characters are far from everything (SIZE_MAX). */
size_t verbs_distance(const char *a, const char *b);

#endif
