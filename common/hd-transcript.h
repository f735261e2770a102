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

G_END_DECLS
