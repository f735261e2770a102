/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-routes-tech"

#include "hd-api-private.h"
#include "hd-answers.h"
#include "hd-tech.h"

#include <string.h>

/* Contract v2, "Technicians": /chats/{id}/transfer, /canned-responses,
 * /search.  (PATCH /me {"away"} and the privileges are in hd-server.c's
 * routes of those paths.) */

#define IS(m) (strcmp (method, (m)) == 0)

gboolean
hd_routes_tech_is_known (const char *first)
{
  return strcmp (first, "canned-responses") == 0 || strcmp (first, "search") == 0;
}

static void
route_transfer (HdChatService *service,
                Call          *call,
                const char    *method,
                gint64         chat_id)
{
  GError *error = NULL;
  gint64 technician_id, team_id;
  g_autofree HdChatRecord *moved = NULL;

  if (!IS ("POST"))
    {
      hd_api_method_not_allowed (call->msg);
      return;
    }
  if (!hd_api_parse_body (call) ||
      !hd_api_get_id (call, "technician_id", FALSE, FALSE, &technician_id) ||
      !hd_api_get_id (call, "team_id", FALSE, FALSE, &team_id))
    return;
  moved = hd_tech_transfer_chat (service, call->user, chat_id, MAX (technician_id, 0), MAX (team_id, 0),
                                 &error);
  hd_api_respond_result (call->msg, 200, moved ? hd_answer_chat (service, moved, call->user) : NULL,
                         &error);
}

/* Takes @canned. */
static void
respond_canned (SoupServerMessage  *msg,
                guint               status,
                HdCannedRecord     *canned,
                GError            **error)
{
  g_autoptr(HdCannedRecord) c = canned;

  hd_api_respond_result (msg, status, c ? hd_answer_canned (c) : NULL, error);
}

static void
route_canned (HdChatService  *service,
              Call           *call,
              const char     *method,
              char          **seg,
              guint           n_seg)
{
  GError *error = NULL;
  const char *shortcut, *title, *body, *scope;
  gint64 id, team_id;

  if (n_seg == 1)
    {
      if (IS ("GET"))
        {
          g_autoptr(GPtrArray) list = hd_canned_list (service, call->user, &error);

          hd_api_respond_result (call->msg, 200, list ? hd_answer_canned_list (list) : NULL, &error);
        }
      else if (IS ("POST"))
        {
          /* Customers are refused before their input is read. */
          if (!HD_ROLE_IS_STAFF (call->user->role))
            {
              hd_api_respond_error (call->msg, HD_ERROR_FORBIDDEN, "Canned responses are for technicians");
              return;
            }
          if (!hd_api_parse_body (call) ||
              !hd_api_get_string (call, "shortcut", TRUE, &shortcut) ||
              !hd_api_get_string (call, "title", TRUE, &title) ||
              !hd_api_get_string (call, "body", TRUE, &body) ||
              !hd_api_get_string (call, "scope", FALSE, &scope) ||
              !hd_api_get_id (call, "team_id", FALSE, TRUE, &team_id))
            return;
          respond_canned (call->msg, 201,
                          hd_canned_create (service, call->user, shortcut, title, body, scope,
                                            MAX (team_id, 0), &error),
                          &error);
        }
      else
        hd_api_method_not_allowed (call->msg);
      return;
    }

  if (n_seg != 2 || !hd_api_parse_id (seg[1], &id))
    {
      hd_api_respond_error (call->msg, HD_ERROR_NOT_FOUND, "No such canned response");
      return;
    }
  if (IS ("PATCH"))
    {
      if (!HD_ROLE_IS_STAFF (call->user->role))
        {
          hd_api_respond_error (call->msg, HD_ERROR_FORBIDDEN, "Canned responses are for technicians");
          return;
        }
      if (!hd_api_parse_body (call) ||
          !hd_api_get_string (call, "shortcut", FALSE, &shortcut) ||
          !hd_api_get_string (call, "title", FALSE, &title) ||
          !hd_api_get_string (call, "body", FALSE, &body))
        return;
      respond_canned (call->msg, 200,
                      hd_canned_update (service, call->user, id, shortcut, title, body, &error),
                      &error);
    }
  else if (IS ("DELETE"))
    {
      if (!hd_canned_delete (service, call->user, id, &error))
        hd_api_respond_result (call->msg, 0, NULL, &error);
      else
        soup_server_message_set_status (call->msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    hd_api_method_not_allowed (call->msg);
}

static void
route_search (HdChatService *service,
              Call          *call,
              const char    *method,
              GHashTable    *query)
{
  GError *error = NULL;
  const char *q = query ? g_hash_table_lookup (query, "q") : NULL;
  const char *limit_text = query ? g_hash_table_lookup (query, "limit") : NULL;
  guint64 limit = 0;
  g_autoptr(GPtrArray) hits = NULL;

  if (!IS ("GET"))
    {
      hd_api_method_not_allowed (call->msg);
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, G_MAXINT32, &limit, NULL))
    {
      hd_api_respond_error (call->msg, HD_ERROR_BAD_REQUEST, "limit must be a number from 1 to 100");
      return;
    }
  hits = hd_search (service, call->user, q, (guint) limit, &error);
  hd_api_respond_result (call->msg, 200, hits ? hd_answer_search (hits) : NULL, &error);
}

gboolean
hd_routes_tech_handle (HdChatService  *service,
                       Call           *call,
                       const char     *method,
                       GHashTable     *query,
                       char          **seg,
                       guint           n_seg)
{
  gint64 id;

  if (strcmp (seg[0], "chats") == 0 && n_seg == 3 && strcmp (seg[2], "transfer") == 0 &&
      hd_api_parse_id (seg[1], &id))
    route_transfer (service, call, method, id);
  else if (strcmp (seg[0], "canned-responses") == 0)
    route_canned (service, call, method, seg, n_seg);
  else if (strcmp (seg[0], "search") == 0 && n_seg == 1)
    route_search (service, call, method, query);
  else if (strcmp (seg[0], "search") == 0)
    hd_api_respond_error (call->msg, HD_ERROR_NOT_FOUND, "No such call");
  else
    return FALSE;
  return TRUE;
}
