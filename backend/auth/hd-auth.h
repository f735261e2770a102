/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Password hashing (argon2id through libsodium's crypto_pwhash_str), random
 * session tokens and the login throttle of the contract.  Hashing and
 * verifying take tens of milliseconds, so the async variants run on a
 * worker thread (g_task_run_in_thread) and must be used from the main loop. */

gboolean  hd_auth_init                      (GError             **error);

char     *hd_auth_hash_password_sync        (const char          *password,
                                             GError             **error);
void      hd_auth_hash_password_async       (const char          *password,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char     *hd_auth_hash_password_finish      (GAsyncResult        *result,
                                             GError             **error);

gboolean  hd_auth_verify_password_sync      (const char          *hash,
                                             const char          *password);
/* Completes with TRUE when @password matches @hash, FALSE (and no error)
 * when it does not. */
void      hd_auth_verify_password_async     (const char          *hash,
                                             const char          *password,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean  hd_auth_verify_password_finish    (GAsyncResult        *result,
                                             GError             **error);

/* A new 256-bit random token, as 64 lowercase hex characters. */
char     *hd_auth_new_token                 (void);
/* What the store keeps instead of the token: SHA-256 as 64 hex characters. */
char     *hd_auth_hash_token                (const char          *token);

/* The login throttle: at most @max_failures failed logins for one login name
 * within @window_usec; then refused until the oldest failure leaves the
 * window.  Times are monotonic microseconds (g_get_monotonic_time ()). */
typedef struct _HdLoginThrottle HdLoginThrottle;

HdLoginThrottle *hd_login_throttle_new            (guint            max_failures,
                                                   gint64           window_usec);
void             hd_login_throttle_free           (HdLoginThrottle *self);
/* TRUE when another attempt for @login is allowed now. */
gboolean         hd_login_throttle_allow          (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gint64           now_usec);
void             hd_login_throttle_record_failure (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gint64           now_usec);
void             hd_login_throttle_reset          (HdLoginThrottle *self,
                                                   const char      *login);

/* Several servers share one throttle (backend/bus/): @mirror hears of each
 * failure (@failed TRUE) and reset recorded here; apply_remote () records
 * another server's without calling @mirror.  Main thread only. */
typedef void (*HdLoginThrottleMirror) (const char *login,
                                       gboolean    failed,
                                       gpointer    user_data);
void             hd_login_throttle_set_mirror     (HdLoginThrottle       *self,
                                                   HdLoginThrottleMirror  mirror,
                                                   gpointer               user_data);
void             hd_login_throttle_apply_remote   (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gboolean         failed,
                                                   gint64           now_usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdLoginThrottle, hd_login_throttle_free)

G_END_DECLS
