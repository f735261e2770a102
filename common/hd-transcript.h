/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A transcript note's body, as stored and sent on the wire, has one line
 * per message: the RFC 3339 UTC time with milliseconds, a space, the
 * author, ": ", the body (whose own line breaks follow as lines of their
 * own).  That is for programs; people read this instead: each message's
 * time in @tz as "HH:MM", with the date ("2026-11-30 06:04") on the first
 * line and whenever the day changes, and, if @zone_label, the zone's
 * abbreviation after each dated time ("2026-11-30 06:04 UTC").  Lines
 * that do not start with a time are kept as they are. */
char *hd_transcript_for_people (const char *body,
                                GTimeZone  *tz,
                                gboolean    zone_label);

/* One line of a transcript note's body for a message at @time (µs since
 * the epoch) by @author (NULL: a system line, the server's own sentence),
 * appended to @out.  Returns its length in characters. */
glong hd_transcript_append_line (GString    *out,
                                 gint64      time,
                                 const char *author,
                                 const char *body);
/* The same as a new string; *@n_chars: its length in characters. */
char *hd_transcript_line        (gint64      time,
                                 const char *author,
                                 const char *body,
                                 glong      *n_chars);
/* The whole body of a chat's transcript from its messages (GPtrArray of
 * HdMessageRecord, in order; a system message's line has no author). */
char *hd_transcript_of_messages (GPtrArray  *messages);

G_END_DECLS
