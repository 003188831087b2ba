/* adit server: the lab's VPN server (tasks 4 to 8), one end of the plaintext tunnel. */
#include "cmd/commands.h"
#include "lab/lab.h"

int cmd_server(int argc, char **argv)
{
	return lab_main(CMD_SERVER, argc, argv);
}
