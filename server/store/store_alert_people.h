/* store_alert_people: the people of an alert (who acknowledged, resolved or took it, by their
 * tokens' labels) and the assignment of an alert to a person ("I take it"). */
#ifndef RENFORT_STORE_ALERT_PEOPLE_H
#define RENFORT_STORE_ALERT_PEOPLE_H

#include "store_alert.h"

/* The columns and joins a people's read of alerts adds (after ALERT_NAMES' own), read back by
 * store_alert_people_read from column `first` on. The alert is `a`. */
#define ALERT_PEOPLE                                                                                     \
	", coalesce(tk.label, ''), coalesce(tr.label, ''), coalesce(g.token_id, 0), coalesce(g.at, 0), "   \
	"coalesce(tg.label, '')"
#define ALERT_PEOPLE_JOINS                                                                               \
	" LEFT JOIN tokens tk ON tk.id = a.acknowledged_by LEFT JOIN tokens tr ON tr.id = a.resolved_by "   \
	"LEFT JOIN alert_assignments g ON g.alert_id = a.id LEFT JOIN tokens tg ON tg.id = g.token_id"

struct sqlite3_stmt;
void store_alert_people_read(struct sqlite3_stmt *s, int first, struct alert_row *a);

/* Fills the people of a row read without them (the alert engine's reads, for its events). */
int store_alert_people(struct store *st, struct alert_row *a);

/* The alert is taken by token (the previous taker, if any, is replaced); at: now. */
int store_alert_assign(struct store *st, long long alert_id, long long token);
/* Nobody has it any more: STORE_NOTFOUND when nobody had it. */
int store_alert_unassign(struct store *st, long long alert_id);

/* The acknowledgement of the last shortage alert of (holder, item) that recovered by a count at or
 * after `since`, while acknowledged: its severity, acknowledged_at and _by, ack_note are written
 * into out (nothing else). STORE_NOTFOUND when there is none. */
int store_alert_last_recovered_ack(struct store *st, enum holder_kind hk, long long holder, long long item,
				   long long since, struct alert_row *out);

#endif
