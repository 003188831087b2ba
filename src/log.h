/* Messages to the user. Every message starts with "adit: " and, for errors, says what to do. */
#ifndef ADIT_LOG_H
#define ADIT_LOG_H

/* Exit statuses, the same for every command. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* a run-time failure: the system refused something */
	EXIT_USAGE = 2, /* a bad command line: the message names the value */
};

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
