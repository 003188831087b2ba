/* adit client: the lab's VPN client (tasks 3 to 8), the other end of the plaintext tunnel. */
#include "cmd/commands.h"
#include "lab/lab.h"

int cmd_client(int argc, char **argv)
{
	return lab_main(CMD_CLIENT, argc, argv);
}
