/* adit server: the lab's VPN server (tasks 4 to 8), one end of the plaintext tunnel. */
#include "commands.h"
#include "lab.h"
#include "log.h"

int cmd_server(int argc, char **argv)
{
	struct lab_opts o;
	int ret = opts_parse(&o, CMD_SERVER, argc, argv);

	if (ret)
		return ret;
	if (o.help) {
		opts_usage(CMD_SERVER, true);
		return EXIT_OK;
	}
	return lab_run(&o);
}
