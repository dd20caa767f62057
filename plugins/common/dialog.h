/* SPDX-License-Identifier: MIT */
/*
 * Startup checks that talk: a TCP or UDP exchange with a station's own
 * service from inside its network namespace (apomon_host.socket).  Built
 * into each type that needs it, since a type is one shared object on its
 * own; hidden, so that a type still exports only its entry symbol.
 */
#ifndef APOMON_PLUGIN_DIALOG_H
#define APOMON_PLUGIN_DIALOG_H

#include <stddef.h>
#include <stdint.h>

#include "apomon/station-type.h"

#define DLG_HIDDEN __attribute__((visibility("hidden")))

struct dlg {
	int fd;
	unsigned timeout_ms; /* for each read and write */
	char buf[2048];	     /* what was read and not yet returned */
	size_t len;
};

/* Connects to address:port over TCP in st's namespace.  0, -EAGAIN when
 * the service does not listen yet, or another negative errno. */
DLG_HIDDEN int dlg_connect(struct dlg *d, const struct apomon_host *host,
			   const struct apomon_station *st, const char *address, uint16_t port,
			   unsigned timeout_ms);
DLG_HIDDEN void dlg_close(struct dlg *d);

/* Reads one line (CRLF or LF stripped) into line; -ETIMEDOUT, -EPIPE. */
DLG_HIDDEN int dlg_read_line(struct dlg *d, char *line, size_t size);
/* Sends text as is (the caller adds "\r\n"). */
DLG_HIDDEN int dlg_send(struct dlg *d, const char *text);

/* Reads lines until one that is not a continuation ("250-..." is one of
 * SMTP and FTP) and returns its numeric code (220, 230, ...), or a
 * negative errno; the last line is left in line. */
DLG_HIDDEN int dlg_read_reply(struct dlg *d, char *line, size_t size);

#endif
