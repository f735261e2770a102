/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 names a button whose label has a mnemonic ("_Email") twice: it
 * sets the button's own accessible label to the raw text and also points
 * it at its mnemonic label, and screen readers hear both joined
 * ("_Email Email").  This leaves every such button under @root (itself
 * included, and the buttons inside menu buttons) one name: the mnemonic
 * label's text.  Call it once the labels are set, e.g. right after
 * gtk_widget_init_template (). */
void hd_accessible_fix_mnemonic_names (GtkWidget *root);

G_END_DECLS
