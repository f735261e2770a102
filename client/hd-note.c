/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-note"

#include "hd-note.h"
#include "hd-user.h"
#include "hd-client-private.h"
#include "hd-error.h"

#include <string.h>

struct _HdNote
{
  GObject parent_instance;

  gint64 id;
  gint64 request_id;
  char *kind;
  gint64 chat_id;
  GString *body;
  glong length;  /* in characters, kept alongside so appends stay O(appended) */
  GDateTime *created_at;
  GDateTime *updated_at;
  HdUser *author;
  gint64 rating;
  char *rating_comment;
};

G_DEFINE_FINAL_TYPE (HdNote, hd_note, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_REQUEST_ID,
  PROP_KIND,
  PROP_CHAT_ID,
  PROP_BODY,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_AUTHOR,
  PROP_RATING,
  PROP_RATING_COMMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_note_finalize (GObject *object)
{
  HdNote *self = HD_NOTE (object);

  g_free (self->kind);
  g_clear_object (&self->author);
  g_free (self->rating_comment);
  g_string_free (self->body, TRUE);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  G_OBJECT_CLASS (hd_note_parent_class)->finalize (object);
}

static void
hd_note_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  HdNote *self = HD_NOTE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_REQUEST_ID: g_value_set_int64 (value, self->request_id); break;
    case PROP_KIND: g_value_set_string (value, self->kind); break;
    case PROP_CHAT_ID: g_value_set_int64 (value, self->chat_id); break;
    case PROP_BODY: g_value_set_string (value, self->body->str); break;
    case PROP_CREATED_AT: g_value_set_boxed (value, self->created_at); break;
    case PROP_UPDATED_AT: g_value_set_boxed (value, self->updated_at); break;
    case PROP_AUTHOR: g_value_set_object (value, self->author); break;
    case PROP_RATING: g_value_set_int64 (value, self->rating); break;
    case PROP_RATING_COMMENT: g_value_set_string (value, self->rating_comment); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_note_class_init (HdNoteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = hd_note_finalize;
  object_class->get_property = hd_note_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_REQUEST_ID] = g_param_spec_int64 ("request-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, f);
  properties[PROP_CHAT_ID] = g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, NULL, f);
  properties[PROP_CREATED_AT] = g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, f);
  properties[PROP_UPDATED_AT] = g_param_spec_boxed ("updated-at", NULL, NULL, G_TYPE_DATE_TIME, f);
  properties[PROP_AUTHOR] = g_param_spec_object ("author", NULL, NULL, HD_TYPE_USER, f);
  properties[PROP_RATING] = g_param_spec_int64 ("rating", NULL, NULL, 0, 5, 0, f);
  properties[PROP_RATING_COMMENT] = g_param_spec_string ("rating-comment", NULL, NULL, NULL, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_note_init (HdNote *self)
{
  self->body = g_string_new (NULL);
}

HdNote *
hd_note_new_from_json (JsonObject *object,
                       GError    **error)
{
  HdNote *self;
  gint64 id = hd_json_get_int (object, "id", -1);

  if (object == NULL || id < 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_PROTOCOL, "A note without an id");
      return NULL;
    }
  self = g_object_new (HD_TYPE_NOTE, NULL);
  self->id = id;
  hd_note_update_from_json (self, object);
  return self;
}

void
hd_note_update_from_json (HdNote     *self,
                          JsonObject *object)
{
  GObject *o = G_OBJECT (self);
  const char *body;

  g_return_if_fail (HD_IS_NOTE (self));
  if (object == NULL)
    return;

  g_object_freeze_notify (o);
  if (hd_json_has (object, "request_id"))
    hd_set_int (o, &self->request_id, hd_json_get_int (object, "request_id", 0),
                properties[PROP_REQUEST_ID]);
  if (hd_json_has (object, "kind"))
    hd_set_string (o, &self->kind, hd_json_get_string (object, "kind"), properties[PROP_KIND]);
  if (hd_json_has (object, "chat_id"))
    hd_set_int (o, &self->chat_id, hd_json_get_int (object, "chat_id", 0), properties[PROP_CHAT_ID]);
  body = hd_json_get_string (object, "body");
  if (body != NULL && strcmp (body, self->body->str) != 0)
    {
      g_string_assign (self->body, body);
      self->length = g_utf8_strlen (body, -1);
      g_object_notify_by_pspec (o, properties[PROP_BODY]);
    }
  if (hd_json_has (object, "created_at"))
    {
      g_autoptr(GDateTime) t = hd_json_get_time (object, "created_at");
      hd_set_time (o, &self->created_at, t, properties[PROP_CREATED_AT]);
    }
  if (hd_json_has (object, "updated_at"))
    {
      g_autoptr(GDateTime) t = hd_json_get_time (object, "updated_at");
      hd_set_time (o, &self->updated_at, t, properties[PROP_UPDATED_AT]);
    }
  /* Contract v2: who wrote it; for a transcript, its chat's rating. */
  if (hd_json_has (object, "author"))
    {
      g_autoptr(HdUser) u = hd_user_reuse_or_new (self->author, hd_json_get_object (object, "author"));
      hd_set_object (o, (gpointer *) &self->author, u, properties[PROP_AUTHOR]);
    }
  if (hd_json_has (object, "rating"))
    {
      JsonObject *rating = hd_json_get_object (object, "rating");

      hd_set_string (o, &self->rating_comment, hd_json_get_string (rating, "comment"),
                     properties[PROP_RATING_COMMENT]);
      hd_set_int (o, &self->rating, CLAMP (hd_json_get_int (rating, "score", 0), 0, 5),
                  properties[PROP_RATING]);
    }
  g_object_thaw_notify (o);
}

void
hd_note_append (HdNote     *self,
                const char *text)
{
  g_return_if_fail (HD_IS_NOTE (self));
  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return;
  g_string_append (self->body, text);
  self->length += g_utf8_strlen (text, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY]);
}

glong hd_note_get_length (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), 0); return self->length; }
gint64 hd_note_get_id (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), 0); return self->id; }
gint64 hd_note_get_request_id (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), 0); return self->request_id; }
const char *hd_note_get_kind (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), NULL); return self->kind; }
gboolean hd_note_is_transcript (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), FALSE); return g_strcmp0 (self->kind, "chat_transcript") == 0; }
gint64 hd_note_get_chat_id (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), 0); return self->chat_id; }
const char *hd_note_get_body (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), NULL); return self->body->str; }
GDateTime *hd_note_get_created_at (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), NULL); return self->created_at; }
GDateTime *hd_note_get_updated_at (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), NULL); return self->updated_at; }
HdUser *hd_note_get_author (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), NULL); return self->author; }
gboolean hd_note_is_event (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), FALSE); return g_strcmp0 (self->kind, "event") == 0; }
int hd_note_get_rating (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), 0); return (int) self->rating; }
const char *hd_note_get_rating_comment (HdNote *self) { g_return_val_if_fail (HD_IS_NOTE (self), NULL); return self->rating_comment; }
