/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-view.h"

G_BEGIN_DECLS

/* hd-chat-attach.c: sending files from the chat view. */
void hd_chat_view_choose_file     (HdChatView *self);
void hd_chat_view_take_screenshot (HdChatView *self);
void hd_chat_view_setup_drop      (HdChatView *self);

G_END_DECLS
