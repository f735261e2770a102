/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hdclient.h"

G_BEGIN_DECLS

/* Why a chat ended, as the technician reads it ("The customer ended the
 * chat", "Nobody answered in time", …); translated, static.  NULL for
 * HD_END_REASON_NONE (open, or the server did not say). */
const char *hd_tech_end_reason_text (HdEndReason reason);

G_END_DECLS
