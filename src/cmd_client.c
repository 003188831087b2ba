/* adit client: the lab's VPN client (tasks 3 to 8), the other end of the plaintext tunnel. */
#include "commands.h"
#include "lab.h"
#include "log.h"

int cmd_client(int argc, char **argv)
{
	struct lab_opts o;
	int ret = opts_parse(&o, CMD_CLIENT, argc, argv);

	if (ret)
		return ret;
	if (o.help) {
		opts_usage(CMD_CLIENT, true);
		return EXIT_OK;
	}
	return lab_run(&o);
}
