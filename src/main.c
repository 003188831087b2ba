#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

#define ADIT_VERSION "0.1.0"

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
};

static void usage(FILE *f)
{
	fputs("usage: adit COMMAND [OPTIONS]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("  [-f] IFACE  run WireGuard on interface IFACE, configured with wg (wg mode)\n", f);
	fputs("\n'adit COMMAND --help' shows a command's options.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("adit %s\n", ADIT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	/* Anything else is wg mode's interface (with -f), as wireguard-go takes it. */
	if (argv[1][0] == '-' && strcmp(argv[1], "-f") && strcmp(argv[1], "--foreground")) {
		log_error("unknown option '%s' (see 'adit --help')", argv[1]);
		return EXIT_USAGE;
	}
	return cmd_wg(argc - 1, argv + 1);
}
