/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_TRANSFER_DIALOG (hd_tech_transfer_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HdTechTransferDialog, hd_tech_transfer_dialog, HD, TECH_TRANSFER_DIALOG, AdwWindow)

/* "Transfer Chat": the colleagues who can take @chat now (logged in,
 * available, not away) and "Back to the team queue" when the request has
 * a team.  Choosing one transfers the chat; a refusal is said in the
 * dialog and changes nothing (the list is read again).  Emits
 * "transferred" (HdChat *) and closes when the server agreed. */
HdTechTransferDialog *hd_tech_transfer_dialog_new (GtkWindow *parent,
                                                   HdSession *session,
                                                   HdChat    *chat);

G_END_DECLS
