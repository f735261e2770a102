/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-chat"

#include "hd-chat.h"
#include "hd-user.h"
#include "hd-client-private.h"
#include "hd-error.h"

struct _HdChat
{
  GObject parent_instance;

  gint64 id;
  gint64 request_id;
  HdChatState state;
  HdUser *customer;
  HdUser *technician;
  char *target_kind;
  gint64 target_id;
  gint64 note_id;
  GDateTime *created_at;
  GDateTime *accepted_at;
  GDateTime *ended_at;
  gint64 queue_position;
  gint64 estimated_wait;
  gint64 rating;
  char *rating_comment;
  HdEndReason end_reason;
};

G_DEFINE_FINAL_TYPE (HdChat, hd_chat, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_REQUEST_ID,
  PROP_STATE,
  PROP_CUSTOMER,
  PROP_TECHNICIAN,
  PROP_TARGET_KIND,
  PROP_TARGET_ID,
  PROP_NOTE_ID,
  PROP_CREATED_AT,
  PROP_ACCEPTED_AT,
  PROP_ENDED_AT,
  PROP_QUEUE_POSITION,
  PROP_ESTIMATED_WAIT,
  PROP_RATING,
  PROP_RATING_COMMENT,
  PROP_END_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_chat_finalize (GObject *object)
{
  HdChat *self = HD_CHAT (object);

  g_clear_object (&self->customer);
  g_clear_object (&self->technician);
  g_free (self->target_kind);
  g_free (self->rating_comment);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->accepted_at, g_date_time_unref);
  g_clear_pointer (&self->ended_at, g_date_time_unref);
  G_OBJECT_CLASS (hd_chat_parent_class)->finalize (object);
}

static void
hd_chat_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  HdChat *self = HD_CHAT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_REQUEST_ID: g_value_set_int64 (value, self->request_id); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_CUSTOMER: g_value_set_object (value, self->customer); break;
    case PROP_TECHNICIAN: g_value_set_object (value, self->technician); break;
    case PROP_TARGET_KIND: g_value_set_string (value, self->target_kind); break;
    case PROP_TARGET_ID: g_value_set_int64 (value, self->target_id); break;
    case PROP_NOTE_ID: g_value_set_int64 (value, self->note_id); break;
    case PROP_CREATED_AT: g_value_set_boxed (value, self->created_at); break;
    case PROP_ACCEPTED_AT: g_value_set_boxed (value, self->accepted_at); break;
    case PROP_ENDED_AT: g_value_set_boxed (value, self->ended_at); break;
    case PROP_QUEUE_POSITION: g_value_set_int64 (value, self->queue_position); break;
    case PROP_ESTIMATED_WAIT: g_value_set_int64 (value, self->estimated_wait); break;
    case PROP_RATING: g_value_set_int64 (value, self->rating); break;
    case PROP_RATING_COMMENT: g_value_set_string (value, self->rating_comment); break;
    case PROP_END_REASON: g_value_set_enum (value, self->end_reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_chat_class_init (HdChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = hd_chat_finalize;
  object_class->get_property = hd_chat_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_REQUEST_ID] = g_param_spec_int64 ("request-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HD_TYPE_CHAT_STATE,
                                              HD_CHAT_STATE_WAITING, f);
  properties[PROP_CUSTOMER] = g_param_spec_object ("customer", NULL, NULL, HD_TYPE_USER, f);
  properties[PROP_TECHNICIAN] = g_param_spec_object ("technician", NULL, NULL, HD_TYPE_USER, f);
  properties[PROP_TARGET_KIND] = g_param_spec_string ("target-kind", NULL, NULL, NULL, f);
  properties[PROP_TARGET_ID] = g_param_spec_int64 ("target-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_NOTE_ID] = g_param_spec_int64 ("note-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_CREATED_AT] = g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, f);
  properties[PROP_ACCEPTED_AT] = g_param_spec_boxed ("accepted-at", NULL, NULL, G_TYPE_DATE_TIME, f);
  properties[PROP_ENDED_AT] = g_param_spec_boxed ("ended-at", NULL, NULL, G_TYPE_DATE_TIME, f);
  properties[PROP_QUEUE_POSITION] = g_param_spec_int64 ("queue-position", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_ESTIMATED_WAIT] = g_param_spec_int64 ("estimated-wait", NULL, NULL, -1, G_MAXINT64, -1, f);
  properties[PROP_RATING] = g_param_spec_int64 ("rating", NULL, NULL, 0, 5, 0, f);
  properties[PROP_RATING_COMMENT] = g_param_spec_string ("rating-comment", NULL, NULL, NULL, f);
  properties[PROP_END_REASON] = g_param_spec_enum ("end-reason", NULL, NULL, HD_TYPE_END_REASON,
                                                   HD_END_REASON_NONE, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_chat_init (HdChat *self)
{
  self->estimated_wait = -1;
}

HdChat *
hd_chat_new_from_json (JsonObject *object,
                       GError    **error)
{
  HdChat *self;
  gint64 id = hd_json_get_int (object, "id", -1);

  if (object == NULL || id < 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_PROTOCOL, "A chat without an id");
      return NULL;
    }
  self = g_object_new (HD_TYPE_CHAT, NULL);
  self->id = id;
  hd_chat_update_from_json (self, object);
  return self;
}

void
hd_chat_update_from_json (HdChat     *self,
                          JsonObject *object)
{
  GObject *o = G_OBJECT (self);

  g_return_if_fail (HD_IS_CHAT (self));
  if (object == NULL)
    return;
  /* A copy from before the chat was accepted is stale once one from after
   * it came: across servers an event from the other one (the customer's
   * chat.requested) can arrive later than this server's answer to the
   * accept.  accepted_at is never cleared (a chat moved back to a queue
   * keeps it), so a null one is older. */
  if (self->accepted_at != NULL && hd_json_has (object, "accepted_at")
      && json_node_is_null (json_object_get_member (object, "accepted_at")))
    return;

  g_object_freeze_notify (o);
  if (hd_json_has (object, "request_id"))
    hd_set_int (o, &self->request_id, hd_json_get_int (object, "request_id", 0),
                properties[PROP_REQUEST_ID]);
  if (hd_json_has (object, "state"))
    {
      HdChatState state = HD_CHAT_STATE_WAITING;

      hd_chat_state_from_string (hd_json_get_string (object, "state"), &state);
      /* An ended chat never comes back; a late, stale copy must not
       * revive it. */
      if (state != self->state && self->state != HD_CHAT_STATE_ENDED)
        {
          self->state = state;
          g_object_notify_by_pspec (o, properties[PROP_STATE]);
        }
    }
  if (hd_json_has (object, "customer"))
    {
      g_autoptr(HdUser) u = hd_user_reuse_or_new (self->customer,
                                                  hd_json_get_object (object, "customer"));
      hd_set_object (o, (gpointer *) &self->customer, u, properties[PROP_CUSTOMER]);
    }
  if (hd_json_has (object, "technician"))
    {
      g_autoptr(HdUser) u = hd_user_reuse_or_new (self->technician,
                                                  hd_json_get_object (object, "technician"));
      hd_set_object (o, (gpointer *) &self->technician, u, properties[PROP_TECHNICIAN]);
    }
  if (hd_json_has (object, "target"))
    {
      JsonObject *target = hd_json_get_object (object, "target");
      hd_set_string (o, &self->target_kind, hd_json_get_string (target, "kind"),
                     properties[PROP_TARGET_KIND]);
      hd_set_int (o, &self->target_id, hd_json_get_int (target, "id", 0),
                  properties[PROP_TARGET_ID]);
    }
  if (hd_json_has (object, "note_id"))
    hd_set_int (o, &self->note_id, hd_json_get_int (object, "note_id", 0), properties[PROP_NOTE_ID]);
  if (hd_json_has (object, "created_at"))
    {
      g_autoptr(GDateTime) t = hd_json_get_time (object, "created_at");
      hd_set_time (o, &self->created_at, t, properties[PROP_CREATED_AT]);
    }
  if (hd_json_has (object, "accepted_at"))
    {
      g_autoptr(GDateTime) t = hd_json_get_time (object, "accepted_at");
      hd_set_time (o, &self->accepted_at, t, properties[PROP_ACCEPTED_AT]);
    }
  if (hd_json_has (object, "ended_at"))
    {
      g_autoptr(GDateTime) t = hd_json_get_time (object, "ended_at");
      hd_set_time (o, &self->ended_at, t, properties[PROP_ENDED_AT]);
    }
  /* Contract v2, customers: where a waiting chat stands, its rating. */
  if (hd_json_has (object, "queue_position"))
    hd_set_int (o, &self->queue_position, MAX (hd_json_get_int (object, "queue_position", 0), 0),
                properties[PROP_QUEUE_POSITION]);
  if (hd_json_has (object, "estimated_wait_s"))
    hd_set_int (o, &self->estimated_wait, hd_json_get_int (object, "estimated_wait_s", -1),
                properties[PROP_ESTIMATED_WAIT]);
  if (hd_json_has (object, "rating"))
    {
      JsonObject *rating = hd_json_get_object (object, "rating");

      hd_set_string (o, &self->rating_comment, hd_json_get_string (rating, "comment"),
                     properties[PROP_RATING_COMMENT]);
      hd_set_int (o, &self->rating, CLAMP (hd_json_get_int (rating, "score", 0), 0, 5),
                  properties[PROP_RATING]);
    }
  /* Contract v2, technicians: why an ended chat ended (null while open;
   * an unknown string reads as none).  Like the state, an ended chat's
   * reason stays once known. */
  if (hd_json_has (object, "end_reason"))
    {
      HdEndReason reason = HD_END_REASON_NONE;

      hd_end_reason_from_string (hd_json_get_string (object, "end_reason"), &reason);
      if (reason != self->end_reason && reason != HD_END_REASON_NONE)
        {
          self->end_reason = reason;
          g_object_notify_by_pspec (o, properties[PROP_END_REASON]);
        }
    }
  g_object_thaw_notify (o);
}

gint64 hd_chat_get_id (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return self->id; }
gint64 hd_chat_get_request_id (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return self->request_id; }
HdChatState hd_chat_get_state (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return self->state; }
HdUser *hd_chat_get_customer (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->customer; }
HdUser *hd_chat_get_technician (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->technician; }
const char *hd_chat_get_target_kind (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->target_kind; }
gint64 hd_chat_get_target_id (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return self->target_id; }
gint64 hd_chat_get_note_id (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return self->note_id; }
GDateTime *hd_chat_get_created_at (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->created_at; }
GDateTime *hd_chat_get_accepted_at (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->accepted_at; }
GDateTime *hd_chat_get_ended_at (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->ended_at; }
gint64 hd_chat_get_queue_position (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return self->queue_position; }
gint64 hd_chat_get_estimated_wait (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), -1); return self->estimated_wait; }
int hd_chat_get_rating (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), 0); return (int) self->rating; }
const char *hd_chat_get_rating_comment (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), NULL); return self->rating_comment; }
HdEndReason hd_chat_get_end_reason (HdChat *self) { g_return_val_if_fail (HD_IS_CHAT (self), HD_END_REASON_NONE); return self->end_reason; }
