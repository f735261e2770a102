/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "hd-note.h"

G_BEGIN_DECLS

#define HD_TYPE_NOTE_ROW (hd_note_row_get_type ())
G_DECLARE_FINAL_TYPE (HdNoteRow, hd_note_row, HD, NOTE_ROW, GtkWidget)

/* One note of a request as a card: what it is, when, and its body as
 * plain text (a transcript with local, readable times).  Property "note"
 * (HdNote, may be NULL); it follows the note's notify (transcripts grow). */
GtkWidget *hd_note_row_new      (void);
HdNote    *hd_note_row_get_note (HdNoteRow *self);
void       hd_note_row_set_note (HdNoteRow *self,
                                 HdNote    *note);

G_END_DECLS
