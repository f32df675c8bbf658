/* subscribe: the websocket's own operations, subscribe and unsubscribe (subscribe.c). */
#ifndef RENFORT_SUBSCRIBE_H
#define RENFORT_SUBSCRIBE_H

#include "conn.h"

int subscribe_op(struct app *app, struct ws_session *s, struct op_request *req, struct op_response *res);
int unsubscribe_op(struct app *app, struct ws_session *s, struct op_request *req, struct op_response *res);

#endif
