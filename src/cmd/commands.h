/* One function per command, each in its own cmd_NAME.c; main.c maps names to them. */
#ifndef ADIT_COMMANDS_H
#define ADIT_COMMANDS_H

int cmd_tun(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_genkey(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_genpsk(int argc, char **argv);

/* adit show [IFACE] */
int cmd_show(int argc, char **argv);

/* wg mode: adit [-f] IFACE */
int cmd_wg(int argc, char **argv);
/* For adit --version: the line naming the AEAD backend a wg daemon would use here. */
void cmd_wg_version(void);

#endif
