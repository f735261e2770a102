/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include <glib/gi18n.h>
#include <string.h>

#include "hd-session-canned.h"
#include "hd-session-private.h"
#include "hd-list-model-private.h"
#include "hd-error.h"
#include "hd-protocol.h"

#define SHORTCUT_MAX_CHARS 32
#define TITLE_MAX_CHARS    200

/* ---- HdCannedResponse ----------------------------------------------- */

struct _HdCannedResponse
{
  GObject parent_instance;

  gint64  id;
  char   *shortcut;
  char   *title;
  char   *body;
  char   *scope;
  gint64  team_id;
};

G_DEFINE_FINAL_TYPE (HdCannedResponse, hd_canned_response, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SHORTCUT,
  PROP_TITLE,
  PROP_BODY,
  PROP_SCOPE,
  PROP_TEAM_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_canned_response_finalize (GObject *object)
{
  HdCannedResponse *self = HD_CANNED_RESPONSE (object);

  g_free (self->shortcut);
  g_free (self->title);
  g_free (self->body);
  g_free (self->scope);
  G_OBJECT_CLASS (hd_canned_response_parent_class)->finalize (object);
}

static void
hd_canned_response_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HdCannedResponse *self = HD_CANNED_RESPONSE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_SHORTCUT: g_value_set_string (value, self->shortcut); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_BODY: g_value_set_string (value, self->body); break;
    case PROP_SCOPE: g_value_set_string (value, self->scope); break;
    case PROP_TEAM_ID: g_value_set_int64 (value, self->team_id); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_canned_response_class_init (HdCannedResponseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hd_canned_response_finalize;
  object_class->get_property = hd_canned_response_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SHORTCUT] = g_param_spec_string ("shortcut", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, NULL, ro);
  properties[PROP_SCOPE] = g_param_spec_string ("scope", NULL, NULL, NULL, ro);
  properties[PROP_TEAM_ID] = g_param_spec_int64 ("team-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_canned_response_init (HdCannedResponse *self)
{
}

static void
update_from_json (HdCannedResponse *self,
                  JsonObject       *o)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  hd_set_int (object, &self->id, hd_json_get_int (o, "id", self->id), properties[PROP_ID]);
  if (hd_json_has (o, "shortcut"))
    hd_set_string (object, &self->shortcut, hd_json_get_string (o, "shortcut"), properties[PROP_SHORTCUT]);
  if (hd_json_has (o, "title"))
    hd_set_string (object, &self->title, hd_json_get_string (o, "title"), properties[PROP_TITLE]);
  if (hd_json_has (o, "body"))
    hd_set_string (object, &self->body, hd_json_get_string (o, "body"), properties[PROP_BODY]);
  if (hd_json_has (o, "scope"))
    hd_set_string (object, &self->scope, hd_json_get_string (o, "scope"), properties[PROP_SCOPE]);
  if (hd_json_has (o, "team_id"))
    hd_set_int (object, &self->team_id, hd_json_get_int (o, "team_id", 0), properties[PROP_TEAM_ID]);
  g_object_thaw_notify (object);
}

gint64 hd_canned_response_get_id (HdCannedResponse *self) { g_return_val_if_fail (HD_IS_CANNED_RESPONSE (self), 0); return self->id; }
const char *hd_canned_response_get_shortcut (HdCannedResponse *self) { g_return_val_if_fail (HD_IS_CANNED_RESPONSE (self), NULL); return self->shortcut; }
const char *hd_canned_response_get_title (HdCannedResponse *self) { g_return_val_if_fail (HD_IS_CANNED_RESPONSE (self), NULL); return self->title; }
const char *hd_canned_response_get_body (HdCannedResponse *self) { g_return_val_if_fail (HD_IS_CANNED_RESPONSE (self), NULL); return self->body; }
const char *hd_canned_response_get_scope (HdCannedResponse *self) { g_return_val_if_fail (HD_IS_CANNED_RESPONSE (self), NULL); return self->scope; }
gint64 hd_canned_response_get_team_id (HdCannedResponse *self) { g_return_val_if_fail (HD_IS_CANNED_RESPONSE (self), 0); return self->team_id; }

/* ---- checks --------------------------------------------------------- */

static gboolean
shortcut_ok (const char *s)
{
  gsize n = strlen (s);

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

  if (!g_utf8_validate (s, -1, NULL) || g_utf8_strlen (s, -1) > TITLE_MAX_CHARS || strpbrk (s, "\r\n"))
    return FALSE;
  for (; *s && !seen; s = g_utf8_next_char (s))
    seen = !g_unichar_isspace (g_utf8_get_char (s));
  return seen;
}

gboolean
hd_canned_response_check (const char  *shortcut,
                          const char  *title,
                          const char  *body,
                          GError     **error)
{
  if (shortcut != NULL && *shortcut == '\0')
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, _("Please enter a shortcut."));
      return FALSE;
    }
  if (shortcut != NULL && !shortcut_ok (shortcut))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           _("A shortcut is 1 to 32 characters: lower-case letters a–z, digits, “-” and “_”."));
      return FALSE;
    }
  if (title != NULL && !title_ok (title))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           _("Please enter a title: one line of 1 to 200 characters."));
      return FALSE;
    }
  if (body != NULL && !hd_protocol_validate_message_body (body, -1, NULL))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           _("Please enter the text: 1 to 4000 characters."));
      return FALSE;
    }
  return TRUE;
}

/* ---- the list ------------------------------------------------------- */

static HdListModel *
canned_model (HdSession *self)
{
  HdListModel *model = g_object_get_data (G_OBJECT (self), "hd-canned-responses");

  if (model == NULL)
    {
      model = hd_list_model_new (HD_TYPE_CANNED_RESPONSE);
      g_object_set_data_full (G_OBJECT (self), "hd-canned-responses", model, g_object_unref);
    }
  return model;
}

static HdCannedResponse *
upsert (HdListModel *model,
        JsonObject  *o)
{
  gint64 id = hd_json_get_int (o, "id", -1);
  HdCannedResponse *item;
  guint pos;

  if (id < 0)
    return NULL;
  if (hd_list_model_find_id (model, id, &pos))
    item = g_list_model_get_item (G_LIST_MODEL (model), pos);
  else
    item = g_object_new (HD_TYPE_CANNED_RESPONSE, NULL);
  update_from_json (item, o);
  return item;   /* transfer full */
}

static int
by_shortcut (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  return g_strcmp0 (((HdCannedResponse *) a)->shortcut, ((HdCannedResponse *) b)->shortcut);
}

static int
by_shortcut_ptr (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return by_shortcut (*(HdCannedResponse **) a, *(HdCannedResponse **) b, NULL);
}

static char *
canned_path (HdFeed *feed)
{
  return g_strdup ("/canned-responses");
}

static gboolean
canned_apply (HdFeed     *feed,
              JsonObject *root)
{
  HdListModel *model = hd_feed_get_model (feed);
  JsonArray *list = hd_json_get_array (root, "canned_responses");
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      HdCannedResponse *item;

      if (JSON_NODE_HOLDS_OBJECT (element) && (item = upsert (model, json_node_get_object (element))))
        g_ptr_array_add (items, item);
    }
  g_ptr_array_sort_with_data (items, (GCompareDataFunc) by_shortcut_ptr, NULL);
  hd_list_model_set_items (model, items);
  return FALSE;
}

static const HdFeedClass canned_feed = { canned_path, canned_apply, NULL };

void
hd_session_refresh_canned_responses (HdSession *self)
{
  gboolean created = FALSE;
  HdFeed *feed;

  g_return_if_fail (HD_IS_SESSION (self));
  feed = hd_session_ensure_feed (self, &canned_feed, "canned", 0, canned_model (self), &created);
  hd_feed_fetch (feed);
}

GListModel *
hd_session_get_canned_responses (HdSession *self)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  if (hd_session_lookup_feed (self, "canned", 0) == NULL)
    hd_session_refresh_canned_responses (self);
  return G_LIST_MODEL (canned_model (self));
}

/* ---- calls ---------------------------------------------------------- */

static void
written_answer (GTask      *task,
                HdSession  *self,
                JsonObject *root)
{
  HdListModel *model = canned_model (self);
  g_autoptr(HdCannedResponse) item = NULL;
  GListStore *store = hd_list_model_get_store (model);
  guint pos;

  if (root == NULL || !(item = upsert (model, root)))
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no canned response");
      return;
    }
  /* Kept in shortcut order: a changed shortcut moves the item. */
  if (hd_list_model_find_id (model, item->id, &pos))
    g_list_store_remove (store, pos);
  g_list_store_insert_sorted (store, item, by_shortcut, NULL);
  g_task_return_pointer (task, g_steal_pointer (&item), g_object_unref);
}

static gboolean
refuse_early (HdSession           *self,
              const char          *shortcut,
              const char          *title,
              const char          *body,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  if (hd_canned_response_check (shortcut, title, body, &error))
    return FALSE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_return_error (task, g_steal_pointer (&error));
  return TRUE;
}

void
hd_session_create_canned_async (HdSession           *self,
                                const char          *shortcut,
                                const char          *title,
                                const char          *body,
                                const char          *scope,
                                gint64               team_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  JsonObject *o;

  g_return_if_fail (HD_IS_SESSION (self));
  /* Every field is needed: a missing one is checked as empty. */
  if (refuse_early (self, shortcut ? shortcut : "", title ? title : "", body ? body : "",
                    hd_session_create_canned_async, cancellable, callback, user_data))
    return;
  o = json_object_new ();
  json_object_set_string_member (o, "shortcut", shortcut);
  json_object_set_string_member (o, "title", title);
  json_object_set_string_member (o, "body", body);
  if (scope != NULL)
    json_object_set_string_member (o, "scope", scope);
  if (team_id > 0)
    json_object_set_int_member (o, "team_id", team_id);
  hd_session_call_answer (self, "POST", "/canned-responses", o, written_answer,
                          hd_session_create_canned_async, cancellable, callback, user_data);
}

void
hd_session_update_canned_async (HdSession           *self,
                                gint64               id,
                                const char          *shortcut,
                                const char          *title,
                                const char          *body,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/canned-responses/%" G_GINT64_FORMAT, id);
  JsonObject *o;

  g_return_if_fail (HD_IS_SESSION (self));
  if (refuse_early (self, shortcut, title, body, hd_session_update_canned_async,
                    cancellable, callback, user_data))
    return;
  o = json_object_new ();
  if (shortcut != NULL)
    json_object_set_string_member (o, "shortcut", shortcut);
  if (title != NULL)
    json_object_set_string_member (o, "title", title);
  if (body != NULL)
    json_object_set_string_member (o, "body", body);
  hd_session_call_answer (self, "PATCH", path, o, written_answer,
                          hd_session_update_canned_async, cancellable, callback, user_data);
}

HdCannedResponse *
hd_session_canned_finish (HdSession     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdSession *self = g_task_get_source_object (task);
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hd_session_call_finish (self, result, &error);
  guint pos;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (hd_list_model_find_id (canned_model (self), id, &pos))
    g_list_store_remove (hd_list_model_get_store (canned_model (self)), pos);
  g_task_return_boolean (task, TRUE);
}

void
hd_session_delete_canned_async (HdSession           *self,
                                gint64               id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/canned-responses/%" G_GINT64_FORMAT, id);
  GTask *task;

  g_return_if_fail (HD_IS_SESSION (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_delete_canned_async);
  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) id), NULL);
  hd_session_call_async (self, "DELETE", path, NULL, cancellable, on_deleted, task);
}

gboolean
hd_session_delete_canned_finish (HdSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- teams ---------------------------------------------------------- */

void
hd_team_ref_free (HdTeamRef *team)
{
  if (team == NULL)
    return;
  g_free (team->name);
  g_free (team);
}

static int
by_team_name (gconstpointer a,
              gconstpointer b)
{
  return g_utf8_collate ((*(HdTeamRef **) a)->name, (*(HdTeamRef **) b)->name);
}

static void
teams_answer (GTask      *task,
              HdSession  *self,
              JsonObject *root)
{
  JsonArray *teams = hd_json_get_array (root, "teams");
  GPtrArray *out;

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_team_ref_free);
  for (guint i = 0; teams != NULL && i < json_array_get_length (teams); i++)
    {
      JsonNode *element = json_array_get_element (teams, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      HdTeamRef *team;

      if (o == NULL || hd_json_get_int (o, "id", -1) <= 0)
        continue;
      team = g_new0 (HdTeamRef, 1);
      team->id = hd_json_get_int (o, "id", -1);
      team->name = g_strdup (hd_json_get_string (o, "name") ? hd_json_get_string (o, "name") : "");
      g_ptr_array_add (out, team);
    }
  g_ptr_array_sort (out, by_team_name);
  g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

void
hd_session_list_teams_async (HdSession           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (HD_IS_SESSION (self));
  hd_session_call_answer (self, "GET", "/teams", NULL, teams_answer, hd_session_list_teams_async,
                          cancellable, callback, user_data);
}

GPtrArray *
hd_session_list_teams_finish (HdSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
