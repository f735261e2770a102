/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* The answers of the routes (and of the hub: hello, a resent message):
 * the records the chat service returns, written as JSON text for @viewer
 * (NULL: staff) with common/hd-wire.h's writers; nested ids are resolved
 * through hd_chat_service_view ().  Each returns a new string.  Call them
 * on the core thread (the view reads the store). */

char *hd_answer_user       (HdChatService         *service,
                            const HdUserRecord    *user,
                            const HdUserRecord    *viewer);
/* {"users":[…]} */
char *hd_answer_users      (HdChatService         *service,
                            GPtrArray             *users,
                            const HdUserRecord    *viewer);
char *hd_answer_privileges (const HdPrivileges    *privileges);
char *hd_answer_team       (HdChatService         *service,
                            const HdTeamRecord    *team,
                            const HdUserRecord    *viewer);
/* {"teams":[…]} */
char *hd_answer_teams      (HdChatService         *service,
                            GPtrArray             *teams,
                            const HdUserRecord    *viewer);
char *hd_answer_request    (HdChatService         *service,
                            const HdRequestEntry  *entry,
                            const HdUserRecord    *viewer);
/* {"requests":[…]} of HdRequestEntry */
char *hd_answer_requests   (HdChatService         *service,
                            GPtrArray             *entries,
                            const HdUserRecord    *viewer);
char *hd_answer_note       (HdChatService         *service,
                            const HdNoteRecord    *note,
                            const HdUserRecord    *viewer);
/* {"notes":[…]} */
char *hd_answer_notes      (HdChatService         *service,
                            GPtrArray             *notes,
                            const HdUserRecord    *viewer);
char *hd_answer_chat       (HdChatService         *service,
                            const HdChatRecord    *chat,
                            const HdUserRecord    *viewer);
/* {"chats":[…]} of HdChatRecord */
char *hd_answer_chats      (HdChatService         *service,
                            GArray                *chats,
                            const HdUserRecord    *viewer);
/* @author: the message's author when at hand (NULL: looked up). */
char *hd_answer_message    (HdChatService         *service,
                            const HdMessageRecord *message,
                            const HdUserRecord    *author,
                            const HdUserRecord    *viewer);
/* {"messages":[…],"more":@more} */
char *hd_answer_messages   (HdChatService         *service,
                            GPtrArray             *messages,
                            gboolean               more,
                            const HdUserRecord    *viewer);
/* {"token","user"} */
char *hd_answer_login      (HdChatService         *service,
                            const HdLogin         *login);
/* Contract v2, "Technicians" (nothing in them to resolve). */
char *hd_answer_canned     (const HdCannedRecord  *canned);
/* {"canned_responses":[…]} of HdCannedRecord */
char *hd_answer_canned_list (GPtrArray            *canned);
/* {"results":[…]} of HdSearchHitRecord */
char *hd_answer_search     (GPtrArray             *hits);
/* {"sent_to":@address} */
char *hd_answer_sent_to    (const char            *address);

G_END_DECLS
