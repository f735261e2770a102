/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-canned"

#include "hd-tech.h"
#include "hd-chat-service-private.h"
#include "hd-store-tech.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <string.h>

/* Canned responses: personal (the owner's), team (its members') and
 * global (all staff's); team and global ones are an admin's to write. */

#define SHORTCUT_MAX_CHARS 32
#define TITLE_MAX_CHARS    200


static gboolean
shortcut_ok (const char *s)
{
  gsize n;

  if (s == NULL)
    return FALSE;
  n = strlen (s);
  if (n < 1 || n > SHORTCUT_MAX_CHARS)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
      return FALSE;
  return TRUE;
}

static gboolean
title_ok (const char *s)
{
  gboolean seen = FALSE;

  if (s == NULL || !g_utf8_validate (s, -1, NULL) || g_utf8_strlen (s, -1) > TITLE_MAX_CHARS ||
      strpbrk (s, "\r\n") != NULL)
    return FALSE;
  for (; *s && !seen; s = g_utf8_next_char (s))
    seen = !g_unichar_isspace (g_utf8_get_char (s));
  return seen;
}

static gboolean
check_fields (const char  *shortcut,
              const char  *title,
              const char  *body,
              GError     **error)
{
  if (shortcut != NULL && !shortcut_ok (shortcut))
    {
      hd_fail (error, HD_ERROR_BAD_REQUEST,
            "A shortcut is 1 to 32 characters: lower-case letters a–z, digits, “-” and “_”");
      return FALSE;
    }
  if (title != NULL && !title_ok (title))
    {
      hd_fail (error, HD_ERROR_BAD_REQUEST, "The title must be one line of 1 to 200 characters");
      return FALSE;
    }
  if (body != NULL && !hd_protocol_validate_message_body (body, -1, NULL))
    {
      hd_fail (error, HD_ERROR_BAD_REQUEST, "The text must be 1 to 4000 characters, not only white space");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
hd_canned_list (HdChatService  *self,
                const HdUserRecord   *caller,
                GError        **error)
{
  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Canned responses are for technicians");
  return hd_store_canned_list (hd_chat_service_get_store (self), caller->id, error);
}

HdCannedRecord *
hd_canned_create (HdChatService  *self,
                  const HdUserRecord   *caller,
                  const char     *shortcut,
                  const char     *title,
                  const char     *body,
                  const char     *scope_text,
                  gint64          team_id,
                  GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(HdCannedRecord) c = NULL;
  HdCannedScope scope;

  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Canned responses are for technicians");
  if (shortcut == NULL || title == NULL || body == NULL)
    return hd_fail (error, HD_ERROR_BAD_REQUEST, "shortcut, title and body are required");
  if (!check_fields (shortcut, title, body, error))
    return NULL;
  if (!hd_canned_scope_from_string (scope_text ? scope_text : "personal", &scope))
    return hd_fail (error, HD_ERROR_BAD_REQUEST, "scope must be personal, team or global");
  if (scope != HD_CANNED_SCOPE_PERSONAL && caller->role != HD_ROLE_ADMIN)
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only an administrator writes team and global canned responses");
  if (scope == HD_CANNED_SCOPE_TEAM)
    {
      g_autoptr(HdTeamRecord) team = team_id > 0 ? hd_store_team_get (store, team_id, NULL) : NULL;

      if (team == NULL)
        return hd_fail (error, HD_ERROR_BAD_REQUEST, "A team canned response needs the team_id of a team");
    }
  else if (team_id > 0)
    return hd_fail (error, HD_ERROR_BAD_REQUEST, "team_id is only for team canned responses");

  c = g_new0 (HdCannedRecord, 1);
  c->scope = scope;
  c->owner_id = caller->id;
  c->team_id = scope == HD_CANNED_SCOPE_TEAM ? team_id : 0;
  c->shortcut = g_strdup (shortcut);
  c->title = g_strdup (title);
  c->body = g_strdup (body);
  if (!hd_store_canned_create (store, c, error))
    return NULL;
  return g_steal_pointer (&c);
}

/* The canned response @id if @caller may see it (else 404), and whether
 * they may change it. */
static HdCannedRecord *
get_visible (HdChatService  *self,
             const HdUserRecord   *caller,
             gint64          id,
             gboolean       *may_write,
             GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(HdCannedRecord) c = NULL;
  gboolean visible;

  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Canned responses are for technicians");
  c = hd_store_canned_get (store, id, NULL);
  if (c == NULL)
    return hd_fail (error, HD_ERROR_NOT_FOUND, "Canned response not found");
  switch (c->scope)
    {
    case HD_CANNED_SCOPE_PERSONAL:
      visible = c->owner_id == caller->id;
      break;
    case HD_CANNED_SCOPE_TEAM:
      visible = hd_store_team_has_member (store, c->team_id, caller->id);
      break;
    case HD_CANNED_SCOPE_GLOBAL:
    default:
      visible = TRUE;
      break;
    }
  visible = visible || caller->role == HD_ROLE_ADMIN;
  if (!visible)
    return hd_fail (error, HD_ERROR_NOT_FOUND, "Canned response not found");
  *may_write = c->owner_id == caller->id || caller->role == HD_ROLE_ADMIN;
  return g_steal_pointer (&c);
}

HdCannedRecord *
hd_canned_update (HdChatService  *self,
                  const HdUserRecord   *caller,
                  gint64          id,
                  const char     *shortcut,
                  const char     *title,
                  const char     *body,
                  GError        **error)
{
  gboolean may_write = FALSE;
  g_autoptr(HdCannedRecord) c = get_visible (self, caller, id, &may_write, error);

  if (c == NULL)
    return NULL;
  if (!may_write)
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only its owner or an administrator changes this canned response");
  if (!check_fields (shortcut, title, body, error))
    return NULL;
  if (shortcut)
    {
      g_free (c->shortcut);
      c->shortcut = g_strdup (shortcut);
    }
  if (title)
    {
      g_free (c->title);
      c->title = g_strdup (title);
    }
  if (body)
    {
      g_free (c->body);
      c->body = g_strdup (body);
    }
  c->updated_at = g_get_real_time ();
  if (!hd_store_canned_update (hd_chat_service_get_store (self), c, error))
    return NULL;
  return g_steal_pointer (&c);
}

gboolean
hd_canned_delete (HdChatService  *self,
                  const HdUserRecord   *caller,
                  gint64          id,
                  GError        **error)
{
  gboolean may_write = FALSE;
  g_autoptr(HdCannedRecord) c = get_visible (self, caller, id, &may_write, error);

  if (c == NULL)
    return FALSE;
  if (!may_write)
    {
      hd_fail (error, HD_ERROR_FORBIDDEN, "Only its owner or an administrator deletes this canned response");
      return FALSE;
    }
  return hd_store_canned_delete (hd_chat_service_get_store (self), id, error);
}
