/* adit server and adit client: the lab's VPN server (tasks 4 to 8) and client (tasks 3 to 8),
 * the two ends of the plaintext tunnel. One command line, lab/opts.c; one relay, lab/lab.c. */
#include "base/log.h"
#include "base/privs.h"
#include "cmd/commands.h"
#include "lab/lab.h"

static int lab_command(enum lab_cmd cmd, int argc, char **argv)
{
	struct privs_user user = { 0 };
	struct lab_opts o;

	if (!opts_parse(&o, cmd, argc, argv))
		return EXIT_USAGE;
	if (o.help) {
		opts_usage(cmd, true);
		return EXIT_OK;
	}
	if (privs_find_user(&user, o.user) < 0) /* --user, or else ADIT_USER */
		return EXIT_USAGE;
	return lab_run(&o, &user) < 0 ? EXIT_FAIL : EXIT_OK;
}

int cmd_server(int argc, char **argv)
{
	return lab_command(CMD_SERVER, argc, argv);
}

int cmd_client(int argc, char **argv)
{
	return lab_command(CMD_CLIENT, argc, argv);
}
