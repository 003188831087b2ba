/* One function per command, in cmd_NAME.c (server and client share cmd_lab.c); main.c maps
 * names to them. */
#ifndef ADIT_COMMANDS_H
#define ADIT_COMMANDS_H

/* Exit statuses, the same for every command, and given only here in cmd/: below it, a
 * failure is a negative errno (or false from a parser), said where it happens. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* a run-time failure: the system refused something */
	EXIT_USAGE = 2, /* a bad command line: the message names the value */
};

int cmd_tun(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_genkey(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_genpsk(int argc, char **argv);

/* adit show [IFACE] */
int cmd_show(int argc, char **argv);

/* adit probe-address IFACE PEER ADDRESS|auto: where path-MTU probes go */
int cmd_probe_address(int argc, char **argv);

/* wg mode: adit [-f] IFACE */
int cmd_wg(int argc, char **argv);
/* For adit --version: the line naming the AEAD backend a wg daemon would use here. */
void cmd_wg_version(void);

#endif
