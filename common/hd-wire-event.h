/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-wire.h"

G_BEGIN_DECLS

/* An event of the server's WebSocket protocol, as records, and its frames
 * {"type":…,"data":…} written from them.  The chat service (backend/core/)
 * fills an HdEventData when it emits an event and calls
 * hd_wire_event_frames () once, on its own thread, before the fan-out;
 * the door only copies the texts to sockets and the bus stores them for
 * other servers.  The wire format lives here so that the service needs
 * nothing of the layers above it to write it. */

typedef enum {
  HD_EVENT_DATA_EMPTY,          /* {} */
  HD_EVENT_DATA_CHAT,           /* @chat, as staff and as its customer see it */
  HD_EVENT_DATA_MESSAGE,        /* @message (@user: its author when at hand), as
                                 * staff and as @customer_id sees it */
  HD_EVENT_DATA_PRESENCE,       /* @user (a technician), as staff and as customers see it */
  HD_EVENT_DATA_NOTE,           /* @note, as staff and as @customer_id sees it */
  HD_EVENT_DATA_NOTE_APPENDED,  /* @note (a transcript) without its body but @appended */
  HD_EVENT_DATA_PRIVILEGES,     /* @privileges */
  HD_EVENT_DATA_TYPING,         /* @chat_id, @user_id */
} HdEventDataKind;

/* What an event says; borrowed from the emitter while its frames are
 * written. */
typedef struct {
  HdEventDataKind        kind;
  const HdChatRecord    *chat;
  const HdMessageRecord *message;
  const HdUserRecord    *user;
  const HdNoteRecord    *note;
  const char            *appended;
  const HdPrivileges    *privileges;
  gint64                 chat_id;
  gint64                 user_id;
  gint64                 customer_id;
} HdEventData;

/* The view through which @viewer (NULL: staff) sees the records, @known
 * (or NULL) being a user already at hand (the server's:
 * hd_chat_service_view ()).  Called once per frame, just before the frame
 * is written: the view of one call may be spent by the next. */
typedef HdWireView (*HdWireViewFor) (gpointer            data,
                                     const HdUserRecord *viewer,
                                     const HdUserRecord *known);

/* Writes the event's frame for staff into *@staff_frame and, where people
 * appear in it (a chat, a message, a note, presence) and the text differs,
 * the frame its customer sees (other people's email and login left out)
 * into *@customer_frame; else *@customer_frame is NULL.  Both newly
 * allocated. */
void hd_wire_event_frames (const char        *type,
                           const HdEventData *data,
                           HdWireViewFor      view_for,
                           gpointer           view_data,
                           char             **staff_frame,
                           char             **customer_frame);

G_END_DECLS
