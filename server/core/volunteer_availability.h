/* volunteer_availability: volunteers' availability as windows (their page, a coordinator, the SMS INDISPO with
 * a date), the three-value availability kept as what holds now (set when a window or an assigned
 * shift begins or ends), and the reminders of credentials about to expire. Each runs in the
 * caller's transaction. */
#ifndef RENFORT_VOLUNTEER_AVAILABILITY_H
#define RENFORT_VOLUNTEER_AVAILABILITY_H

#include "error.h"
#include "store_availability.h"

struct app;
struct principal;

/* A window for volunteer w->volunteer_id, if who may change them (themselves, a coordinator in
 * scope; 404 otherwise). w is completed (id). *now_availability gets what holds now (16 bytes). */
int availability_window_add(struct app *app, const struct principal *who, struct window_row *w, char *now_availability,
			    struct rf_error *err);
int availability_window_delete(struct app *app, const struct principal *who, long long volunteer, long long id,
			       char *now_availability, struct rf_error *err);
/* What holds now for a volunteer who may be read by who (404 otherwise), into out (16 bytes). */
int availability_of(struct app *app, const struct principal *who, long long volunteer, char *out, struct rf_error *err);

/* An SMS from volunteer: DISPO (available 1: the unavailabilities covering now end), INDISPO
 * (available 0: with a number of days or a date in text, a window until then, else unavailable
 * until they say otherwise). *until gets the window's end, 0 when none. Its event always. */
int availability_by_sms(struct app *app, long long volunteer, const char *dep, int available, const char *text,
			long long *until);

/* Windows and shifts that began or ended since the last run: those volunteers' availability; the
 * credentials expiring within credential_reminder_days: their reminder SMS, once per date. */
int availability_tick(struct app *app, long long now);

#endif
