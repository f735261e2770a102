/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"
#include "hd-tech-application.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_WINDOW (hd_tech_window_get_type ())
G_DECLARE_FINAL_TYPE (HdTechWindow, hd_tech_window, HD, TECH_WINDOW, AdwApplicationWindow)

HdTechWindow *hd_tech_window_new               (HdTechApplication *app);
/* Loading state while the remembered session is restored. */
void          hd_tech_window_show_loading      (HdTechWindow *self);
/* Signed out: a status page with a Log In button. */
void          hd_tech_window_show_signed_out   (HdTechWindow *self);
/* Logged in: binds the header, pages and badge to @session (NULL unbinds). */
void          hd_tech_window_set_session       (HdTechWindow *self,
                                                HdSession    *session);
void          hd_tech_window_show_queue        (HdTechWindow *self);
/* Home > Active Chats, and its unread counts (tech-app/hd-tech-active.c). */
void          hd_tech_window_show_active_chats (HdTechWindow *self);
void          hd_tech_window_set_unread        (HdTechWindow *self,
                                                gint64        chat_id,
                                                guint         count);
void          hd_tech_window_show_request_notes (HdTechWindow *self,
                                                 gint64        request_id);
/* Makes the chat alert button draw attention for a moment. */
void          hd_tech_window_draw_attention    (HdTechWindow *self);
void          hd_tech_window_add_toast         (HdTechWindow *self,
                                                const char   *text);
/* Greys out the Accept button of @chat_id while the accept runs. */
void          hd_tech_window_set_accepting     (HdTechWindow *self,
                                                gint64        chat_id,
                                                gboolean      accepting);
/* "The chat transcript was saved as a request Note." */
void          hd_tech_window_show_chat_ended   (HdTechWindow *self,
                                                gint64        request_id);

G_END_DECLS
