/* adit genkey, pubkey, genpsk: wg's key commands, byte for byte the same input, output, messages
 * and exit statuses, so that scripts and the lab's instructions can use either program. */
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "wg/crypto.h"

static bool usage_ok(int argc, char **argv)
{
	if (argc == 1)
		return true;
	fprintf(stderr, "Usage: adit %s\n", argv[0]);
	return false;
}

/* wg warns but still writes: the key is already on its way into that file. */
static void warn_if_world_accessible(void)
{
	struct stat st;

	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n",
		      stderr);
}

/* A private key is clamped (as Curve25519 uses it); a pre-shared key is 32 random bytes. */
static int print_new_key(int argc, char **argv, bool clamp)
{
	uint8_t key[WG_KEY_LEN];
	char base64[WG_KEY_BASE64_LEN + 1];

	if (!usage_ok(argc, argv))
		return 1;
	warn_if_world_accessible();
	if (!crypto_init())
		return 1;
	if (clamp)
		crypto_generate_private_key(key);
	else
		crypto_random(key, sizeof(key));
	crypto_key_to_base64(base64, key);
	puts(base64);
	crypto_wipe(key, sizeof(key));
	crypto_wipe(base64, sizeof(base64));
	return 0;
}

int cmd_genkey(int argc, char **argv)
{
	return print_new_key(argc, argv, true);
}

int cmd_genpsk(int argc, char **argv)
{
	return print_new_key(argc, argv, false);
}

/* As wg's char_is_space: the C locale's white space, whatever the locale. */
static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Exactly 44 characters, then only white space and NUL bytes up to the end of the input. */
static int read_key(uint8_t key[WG_KEY_LEN])
{
	char base64[WG_KEY_BASE64_LEN + 1];
	int c, ret = 1;

	if (fread(base64, 1, WG_KEY_BASE64_LEN, stdin) != WG_KEY_BASE64_LEN)
		goto bad_key;
	base64[WG_KEY_BASE64_LEN] = '\0';
	while ((c = getc(stdin)) != EOF) {
		if (c && !is_space(c)) {
			fputs("adit: Trailing characters found after key\n", stderr);
			goto out;
		}
	}
	if (crypto_key_from_base64(key, base64)) {
		ret = 0;
		goto out;
	}
bad_key:
	fputs("adit: Key is not the correct length or format\n", stderr);
out:
	crypto_wipe(base64, sizeof(base64));
	return ret;
}

int cmd_pubkey(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN], pub[WG_KEY_LEN];
	char base64[WG_KEY_BASE64_LEN + 1];
	int ret = 1;

	if (!usage_ok(argc, argv))
		return 1;
	if (!crypto_init())
		return 1;
	if (read_key(key))
		goto out;
	if (!crypto_public_key(pub, key)) {
		fputs("adit: cannot compute the public key\n", stderr);
		goto out;
	}
	crypto_key_to_base64(base64, pub);
	puts(base64);
	ret = 0;
out:
	crypto_wipe(key, sizeof(key));
	return ret;
}
