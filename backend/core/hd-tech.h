/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* Contract v2, "Technicians", in the chat service's terms: calls that
 * answer a REST call return records (the routes write them,
 * api/hd-answers.h) or NULL with an HD_ERROR. */

/* hd-waiting.c: no chat is stuck. */

/* At the limit of active chats (@p->max_chats_per_technician, 0: none). */
gboolean hd_tech_is_busy                 (HdChatService      *self,
                                          const HdUserRecord       *technician,
                                          const HdPrivileges *p);
/* @available, @away: -1 keeps.  Staff only.  The caller's record (with
 * presence) after the change. */
HdUserRecord *hd_tech_set_presence                  (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          int             available,
                                          int             away,
                                          GError        **error);
/* @technician_id went offline, away or unavailable: the waiting chats
 * that waited on them move to their team's queue or end no_answer. */
void     hd_waiting_technician_unreachable (HdChatService *self,
                                            gint64         technician_id);
/* One pass of the timeouts: waiting chats past waiting_timeout_s or whose
 * technicians cannot answer, active chats idle for inactivity_timeout_s.
 * @now in microseconds since the epoch. */
void     hd_waiting_sweep                (HdChatService  *self,
                                          gint64          now);
/* Runs hd_waiting_sweep () every second on the thread-default main
 * context until the service is finalised. */
void     hd_waiting_start                (HdChatService  *self);

/* hd-transfer.c */
/* Exactly one of @technician_id, @team_id is > 0.  The chat after the
 * move (free with g_free ()). */
HdChatRecord *hd_tech_transfer_chat      (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          gint64          chat_id,
                                          gint64          technician_id,
                                          gint64          team_id,
                                          GError        **error);

/* hd-canned.c */
/* GPtrArray of HdCannedRecord: the caller's personal ones, their teams'
 * and the global ones, by shortcut. */
GPtrArray *hd_canned_list                (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          GError        **error);
/* @team_id: 0 none. */
HdCannedRecord *hd_canned_create                (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          const char     *shortcut,
                                          const char     *title,
                                          const char     *body,
                                          const char     *scope,
                                          gint64          team_id,
                                          GError        **error);
/* NULL keeps a field. */
HdCannedRecord *hd_canned_update                (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          gint64          id,
                                          const char     *shortcut,
                                          const char     *title,
                                          const char     *body,
                                          GError        **error);
gboolean hd_canned_delete                (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          gint64          id,
                                          GError        **error);

/* hd-search.c */
#define HD_SEARCH_MAX_QUERY_CHARS 1000
#define HD_SEARCH_DEFAULT_LIMIT   20
#define HD_SEARCH_MAX_LIMIT       100
/* An FTS5 query from what a person typed: each word a quoted prefix
 * term, all required; NULL when no word is left. */
char    *hd_search_build_query           (const char     *text);
/* GPtrArray of HdSearchHitRecord, best match first. */
GPtrArray *hd_search                     (HdChatService  *self,
                                          const HdUserRecord   *caller,
                                          const char     *text,
                                          guint           limit,
                                          GError        **error);

G_END_DECLS
