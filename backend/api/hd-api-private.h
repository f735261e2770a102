/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* For the route files of api/: one call's state and the helpers that read
 * its input and write its answer (defined in hd-server.c). */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hd-chat-service.h"
#include "hd-server.h"
#include "hd-error.h"

G_BEGIN_DECLS

/* A REST call (or an /events upgrade) on its way through the core thread:
 * the message waits paused while its route runs there, inside a group
 * commit, and goes out once the commit is done. */
typedef struct {
  HdServer          *server;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
  /* the route answers later (after a password hash, a mail) */
  gboolean           deferred;
  /* /events: the caller, once authenticated */
  gboolean           events;
  HdUserRecord      *user;
} Job;

typedef struct {
  SoupServerMessage *msg;
  JsonParser        *parser;
  JsonObject        *body;
  HdUserRecord      *user;
  const char        *token;
  Job               *job;
} Call;


/* Each answers the call itself (400) and returns FALSE on bad input. */
gboolean hd_api_parse_body      (Call        *call);
gboolean hd_api_get_string      (Call        *call,
                                 const char  *member,
                                 gboolean     required,
                                 const char **out);
/* *out = -1 when absent, 0 when null (if @nullable). */
gboolean hd_api_get_id          (Call        *call,
                                 const char  *member,
                                 gboolean     required,
                                 gboolean     nullable,
                                 gint64      *out);
/* *out = -1 when absent. */
gboolean hd_api_get_bool        (Call        *call,
                                 const char  *member,
                                 gboolean     required,
                                 int         *out);
/* An integer in [@min, @max]; *out = -1 when absent. */
gboolean hd_api_get_int         (Call        *call,
                                 const char  *member,
                                 gint64       min,
                                 gint64       max,
                                 gint64      *out);
gboolean hd_api_parse_id        (const char  *text,
                                 gint64      *out);

void     hd_api_respond_error   (SoupServerMessage *msg,
                                 HdErrorCode        code,
                                 const char        *message);
/* Takes @body; on NULL answers *@error (and clears it). */
void     hd_api_respond_result  (SoupServerMessage  *msg,
                                 guint               status,
                                 char               *body,
                                 GError            **error);
void     hd_api_method_not_allowed (SoupServerMessage *msg);

/* hd-routes-tech.c: contract v2 "Technicians" routes.  Returns FALSE when
 * the path is not one of them. */
gboolean hd_routes_tech_is_known (const char *first_segment);
gboolean hd_routes_tech_handle  (HdChatService *service,
                                 Call          *call,
                                 const char    *method,
                                 GHashTable    *query,
                                 char         **seg,
                                 guint          n_seg);

G_END_DECLS
