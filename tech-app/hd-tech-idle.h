/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HD_TYPE_TECH_IDLE (hd_tech_idle_get_type ())
G_DECLARE_FINAL_TYPE (HdTechIdle, hd_tech_idle, HD, TECH_IDLE, GObject)

/* Presence from the desktop: "away" (gboolean, notifies) is TRUE while
 * the session is idle (org.gnome.Mutter.IdleMonitor: an idle watch of
 * "away-after-idle-minutes" from @settings, then a user-active watch) or
 * the screen is locked (org.gnome.ScreenSaver ActiveChanged).  Services
 * that are absent (no GNOME Shell, Xvfb) or go away are harmless: then
 * nothing is away.  @settings may be NULL (5 minutes). */
HdTechIdle *hd_tech_idle_new      (GSettings  *settings);
/* Starts watching the session bus (once); idempotent. */
void        hd_tech_idle_start    (HdTechIdle *self);
gboolean    hd_tech_idle_get_away (HdTechIdle *self);

G_END_DECLS
