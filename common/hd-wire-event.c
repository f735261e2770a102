/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An event's frames from its records (hd-wire-event.h). */
#include "hd-wire-event.h"
#include "hd-json.h"

#include <string.h>

/* {"type":@type,"data": — the frame's head. */
static GString *
frame_open (const char *type)
{
  GString *out = g_string_sized_new (512);

  g_string_append (out, "{\"type\":");
  hd_json_append_string (out, type);
  g_string_append (out, ",\"data\":");
  return out;
}

/* The event's data as @viewer (NULL: staff) sees it. */
static void
write_data (GString           *out,
            const HdEventData *d,
            const HdWireView  *view)
{
  switch (d->kind)
    {
    case HD_EVENT_DATA_EMPTY:
      g_string_append (out, "{}");
      break;
    case HD_EVENT_DATA_CHAT:
      hd_wire_write_chat (out, d->chat, view);
      break;
    case HD_EVENT_DATA_MESSAGE:
      hd_wire_write_message (out, d->message, view);
      break;
    case HD_EVENT_DATA_PRESENCE:
      hd_wire_write_user (out, d->user, view);
      break;
    case HD_EVENT_DATA_NOTE:
      hd_wire_write_note_for (out, d->note, d->note->body, view);
      break;
    case HD_EVENT_DATA_NOTE_APPENDED:
      hd_wire_write_note_appended (out, d->note, d->appended);
      break;
    case HD_EVENT_DATA_PRIVILEGES:
      hd_wire_write_privileges (out, d->privileges);
      break;
    case HD_EVENT_DATA_TYPING:
      hd_wire_write_typing (out, d->chat_id, d->user_id);
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
write_frame (const char         *type,
             const HdEventData  *d,
             HdWireViewFor       view_for,
             gpointer            view_data,
             const HdUserRecord *viewer)
{
  GString *out = frame_open (type);
  HdWireView view = view_for (view_data, viewer, d->kind == HD_EVENT_DATA_MESSAGE ? d->user : NULL);

  write_data (out, d, &view);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

void
hd_wire_event_frames (const char        *type,
                      const HdEventData *d,
                      HdWireViewFor      view_for,
                      gpointer           view_data,
                      char             **staff_frame,
                      char             **customer_frame)
{
  HdUserRecord as_customer = { .role = HD_ROLE_CUSTOMER };
  char *customer;

  *staff_frame = write_frame (type, d, view_for, view_data, NULL);
  *customer_frame = NULL;

  /* Customers see other people without email and login: a second text
   * where people appear in it, kept only when it differs. */
  switch (d->kind)
    {
    case HD_EVENT_DATA_CHAT:
      as_customer.id = d->chat->customer_id;
      break;
    case HD_EVENT_DATA_MESSAGE:
    case HD_EVENT_DATA_NOTE:
      as_customer.id = d->customer_id;
      break;
    case HD_EVENT_DATA_PRESENCE:
      break;
    default:
      return;
    }
  customer = write_frame (type, d, view_for, view_data, &as_customer);
  if (strcmp (customer, *staff_frame) == 0)
    g_free (customer);
  else
    *customer_frame = customer;
}
