/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_CANNED_POPOVER (hd_tech_canned_popover_get_type ())
G_DECLARE_FINAL_TYPE (HdTechCannedPopover, hd_tech_canned_popover, HD, TECH_CANNED_POPOVER, GtkPopover)

/* Canned responses in a chat's message entry: typing "/" and the start of
 * a shortcut (at the start or after a space) shows the matching responses
 * above the cursor; Up/Down choose, Enter or Tab put the body in place of
 * "/shortcut" for editing before sending, Escape closes.  The keyboard
 * focus stays in the entry all along.  The popover lives as long as
 * @view (it is the view's child). */
HdTechCannedPopover *hd_tech_canned_popover_attach (HdSession  *session,
                                                    HdChatView *view);

G_END_DECLS
