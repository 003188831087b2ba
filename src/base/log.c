#include <errno.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "base/log.h"

#define LINES_PER_SECOND 5

enum log_level log_level = LEVEL_INFO;
static bool use_syslog;

void log_level_from_env(void)
{
	const char *v = getenv("LOG_LEVEL");

	if (!v || !*v)
		return;
	if (!strcmp(v, "verbose") || !strcmp(v, "debug"))
		log_level = LEVEL_VERBOSE;
	else if (!strcmp(v, "error"))
		log_level = LEVEL_ERRORS;
	else if (!strcmp(v, "silent"))
		log_level = LEVEL_SILENT;
	else
		log_warn("LOG_LEVEL=%s is not a level (verbose, error or silent); ignored", v);
}

bool log_to_syslog(void)
{
	struct stat st;

	if (stat(_PATH_LOG, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	openlog("adit", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = true;
	return true;
}

__attribute__((format(printf, 3, 0)))
static void emit(int priority, const char *prefix, const char *fmt, va_list ap)
{
	int saved = errno; /* so a caller can say why, then return -errno */

	if (use_syslog) {
		vsyslog(priority, fmt, ap);
	} else {
		/* The per-packet lines go to stdout; keep their order with ours when both are a
		 * file. */
		fflush(stdout);
		fputs(prefix, stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	errno = saved;
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LEVEL_ERRORS)
		return;
	va_start(ap, fmt);
	emit(LOG_ERR, "adit: ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LEVEL_INFO)
		return;
	va_start(ap, fmt);
	emit(LOG_WARNING, "adit: warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LEVEL_INFO)
		return;
	va_start(ap, fmt);
	emit(LOG_INFO, "adit: ", fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LEVEL_VERBOSE)
		return;
	va_start(ap, fmt);
	emit(LOG_DEBUG, "adit: ", fmt, ap);
	va_end(ap);
}

bool log_ratelimit_allow(struct log_ratelimit *r, uint64_t now_ms)
{
	if (now_ms / 1000 != r->second) {
		r->second = now_ms / 1000;
		r->count = 0;
	}
	return ++r->count <= LINES_PER_SECOND;
}
