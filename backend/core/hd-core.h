/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* The core thread (doc/threads.md): the chat service and its store live on
 * a thread of their own, fed by a queue of commands, so that no rule and
 * no SQL runs on the main loop.  The thread takes every command waiting,
 * runs them in one transaction (a savepoint each), commits once, and only
 * then hands each command's answer back to the main context: a REST
 * response or a socket's echo is never sent before its commit (group
 * commit).  The service's events travel the same way, in order, before the
 * answers of their batch.
 *
 * The core thread runs a GMainContext of its own (pushed as its
 * thread-default), so the service's async calls (password hashing, mail)
 * complete there too. */

typedef struct _HdCore HdCore;

/* Core thread, inside the batch's transaction.  Return FALSE when the
 * command failed: its savepoint is rolled back and its events dropped.
 * @hot: the command only posts messages or typing (see
 * hd_chat_service_command_end ()). */
typedef gboolean (*HdCoreFunc) (HdChatService *service,
                                gpointer       data);
/* Main context, after the batch's commit; @committed FALSE when the commit
 * failed (nothing of the batch happened).  (hd_core_run_hot (): maybe the
 * core thread.) */
typedef void     (*HdCoreDone) (gpointer       data,
                                gboolean       committed);

/* Takes over @service: from now on only the core thread touches it (or a
 * caller between hd_core_enter () and hd_core_leave ()). */
HdCore        *hd_core_new            (HdChatService  *service);
/* Runs what is queued, stops the thread, and drops the service. */
void           hd_core_free           (HdCore         *core);

HdChatService *hd_core_get_service    (HdCore         *core);
/* The core that took over @service. */
HdCore        *hd_core_of             (HdChatService  *service);
GMainContext  *hd_core_get_context    (HdCore         *core);
/* Other work for the core thread, between its batches (the socket side of
 * the door, so that a frame read, its batch and the frames that batch
 * sends are one thread's work): it waits for @fd too, at most
 * @next_wait () ms, and then calls @run () (outside the service: it may
 * queue commands, not run them).  @fd -1: none (returns once the core
 * thread no longer calls them). */
typedef int  (*HdCoreIoWait) (gpointer data);
typedef void (*HdCoreIoRun)  (gpointer data);
void           hd_core_set_io         (HdCore         *core,
                                       int             fd,
                                       HdCoreIoWait    next_wait,
                                       HdCoreIoRun     run,
                                       gpointer        data);

/* Any thread: queue a command.  @done may be NULL; @destroy frees @data
 * after @done ran (on the main context). */
void           hd_core_run            (HdCore         *core,
                                       HdCoreFunc      func,
                                       gboolean        hot,
                                       HdCoreDone      done,
                                       gpointer        data,
                                       GDestroyNotify  destroy);
/* The same for a hot command whose @done only writes to sockets (any
 * thread may): it runs on the core thread right after the commit, unless
 * something the core handed to the main context is still waiting there;
 * then it runs there, after that.  Either way in order. */
void           hd_core_run_hot        (HdCore         *core,
                                       HdCoreFunc      func,
                                       HdCoreDone      done,
                                       gpointer        data,
                                       GDestroyNotify  destroy);
/* Core thread: run @func on the main context, after what the core handed
 * there so far (events, answers).  For answers of async completions. */
void           hd_core_to_main        (HdCore         *core,
                                       GSourceFunc     func,
                                       gpointer        data,
                                       GDestroyNotify  destroy);

/* Core thread, after the commit: deliver @event now, on this thread (any
 * thread may write to the sockets), or return FALSE to have it go to the
 * sink on the main context. */
typedef gboolean (*HdEventDirect) (const HdEvent *event,
                                   gpointer       user_data);

/* Called on the thread that ran @direct, once the events it took at a
 * time are all delivered: a batch's events and answers, or one event
 * outside a batch.  @direct may keep what it writes until then (one write
 * per socket for all of a batch's frames). */
typedef void     (*HdEventFlush)  (gpointer       user_data);

/* The service's events, after their commit, in order: to @direct on the
 * core thread when nothing the core handed to the main context is still
 * waiting there (no hop through the main loop), else to @sink on the main
 * context; then @flush.  @direct and @flush may be NULL.  Once this
 * returns, the old @direct and @flush are not running and will not run
 * again. */
void           hd_core_set_event_sink (HdCore         *core,
                                       HdEventSink     sink,
                                       HdEventDirect   direct,
                                       HdEventFlush    flush,
                                       gpointer        user_data);

/* Any thread but the core's: wait until the core is between batches and
 * keep it there, to call the service directly (tests, start-up). */
void           hd_core_enter          (HdCore         *core);
void           hd_core_leave          (HdCore         *core);

G_END_DECLS
