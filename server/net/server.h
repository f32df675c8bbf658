/* server: the libwebsockets context on one port (HTTP, websocket, static files), the one event
 * loop, timers (group commit, housekeeping) and a clean shutdown on SIGTERM/SIGINT. */
#ifndef RENFORT_SERVER_H
#define RENFORT_SERVER_H

#include "app.h"

/* Runs renfortd until a signal asks it to stop. The app's config, store and hub are ready.
 * Returns the process exit code. */
int server_run(struct app *app);

#endif
