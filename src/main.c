#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/log.h"
#include "cmd/commands.h"
#include "cmd/verbs.h"

/* ADIT_VERSION comes from the Makefile: git describe, or the VERSION file. */

static int cmd_version(int argc, char **argv);

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "tun", cmd_tun, "create a TUN/TAP interface, print its packets, answer pings (tasks 2, 9)" },
	{ "server", cmd_server, "run the lab's VPN server, plaintext UDP (tasks 3-8)" },
	{ "client", cmd_client, "run the lab's VPN client, plaintext UDP (tasks 3-8)" },
	{ "genkey", cmd_genkey, "print a new private key (as wg genkey)" },
	{ "pubkey", cmd_pubkey, "print the public key of the private key on stdin (as wg pubkey)" },
	{ "genpsk", cmd_genpsk, "print a new pre-shared key (as wg genpsk)" },
	{ "show", cmd_show, "show adit interfaces as wg show does, with drops and offloads" },
	{ "wg", cmd_wg, "run WireGuard on an interface: adit wg [-f] IFACE (any name)" },
	{ "probe-address", cmd_probe_address,
	  "where a wg interface's path-MTU probes to a peer go (a subnet-only peer)" },
	{ "version", cmd_version, "print adit's version" },
};

/* Words a user types expecting a command, never an interface: wg mode would otherwise make
 * an interface of that name and go to the background. 'adit wg NAME' still makes one. */
static const char *const reserved[] = { "status", "list", "start", "stop", "up", "down" };

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("adit %s\n", ADIT_VERSION);
	cmd_wg_version();
	return EXIT_OK;
}

/* A bare first word that names no command: an interface for wg mode, unless it is a typo
 * of a command or no interface name at all (verbs.h has the rule). wg-quick runs
 * "$WG_QUICK_USERSPACE_IMPLEMENTATION IFACE", so that variable in the environment means
 * wg-quick (or someone who chose to invoke adit its way) is calling: names are taken as
 * they are, as before. */
static bool word_is_iface(const char *word)
{
	const char *verbs[sizeof(commands) / sizeof(commands[0]) + 1], *near, *why;
	size_t n = 0;

	for (; n < sizeof(commands) / sizeof(commands[0]); n++)
		verbs[n] = commands[n].name;
	verbs[n++] = "help";
	switch (verbs_classify(word, verbs, n, getenv("WG_QUICK_USERSPACE_IMPLEMENTATION"),
			       &near)) {
	case WORD_TYPO:
		log_error("'%s' is not an adit command: did you mean '%s'? (see 'adit --help'; "
			  "for a WireGuard interface of that name: adit wg %s)", word, near, word);
		return false;
	case WORD_BAD_NAME:
		why = addr_check_ifname(word);
		log_error("'%s' is neither an adit command (see 'adit --help') nor an interface "
			  "name for wg mode (%s)", word,
			  why ? why : "wg mode takes a plain name, without '%'");
		return false;
	default:
		return true;
	}
}

static void usage(FILE *f)
{
	fputs("usage: adit COMMAND [OPTIONS]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("  [-f] IFACE  the same, as wireguard-go is invoked (IFACE not a command's name,\n"
	      "             nor close to one unless it has a digit: wg0 is an IFACE, sever is not)\n", f);
	fputs("\n'adit COMMAND --help' shows a command's options.\n", f);
}

int main(int argc, char **argv)
{
	log_level_from_env();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(argv[1], reserved[i])) {
			log_error("'%s' is not an adit command (see 'adit --help'; 'adit show' shows "
				  "adit's interfaces); for an interface of that name: adit wg %s",
				  argv[1], argv[1]);
			return EXIT_USAGE;
		}
	/* Options first (adit -f wg0) are wg mode's, as wireguard-go takes them. */
	if (argv[1][0] != '-' && !word_is_iface(argv[1]))
		return EXIT_USAGE;
	/* Anything else is wg mode's interface and options; cmd_wg names an option it does not
	 * know. */
	return cmd_wg(argc, argv);
}
