/* Messages to the user. Every message starts with "adit: " and, for errors, says what to do.
 * They go to stderr, or to syslog once a daemon has left its terminal. */
#ifndef ADIT_LOG_H
#define ADIT_LOG_H

#include <stdbool.h>
#include <stdint.h>

/* How much is said; LOG_LEVEL=verbose|error|silent sets it as wireguard-go reads it, and
 * -v / -q on the command line after that. */
enum log_level { LEVEL_SILENT, LEVEL_ERRORS, LEVEL_INFO, LEVEL_VERBOSE };

extern enum log_level log_level;

/* Reads LOG_LEVEL; an unknown value is said and ignored. */
void log_level_from_env(void);
/* From now on messages go to syslog (the journal under systemd), as "adit[PID]", and true;
 * false where there is no syslog socket (/dev/log, as in many containers): messages keep
 * going to stderr, as wireguard-go's do, rather than nowhere. */
bool log_to_syslog(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only at verbose level: what the data path does with a packet it drops. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A log line per event that may come at line rate says at most a few a second: a limiter per
 * kind of event. Returns true when this one may be said. */
struct log_ratelimit {
	uint64_t second;
	unsigned int count;
};
bool log_ratelimit_allow(struct log_ratelimit *r, uint64_t now_ms);

#endif
