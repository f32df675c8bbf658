/* cap: alerts as OASIS Common Alerting Protocol 1.2 documents, and an Atom feed of them.
 * Times are written as the CAP schema wants them: 2020-03-28T18:00:00+00:00 (no Z, no fraction). */
#ifndef RENFORT_CAP_H
#define RENFORT_CAP_H

#include "buf.h"

struct alert_row;

/* The CAP <status> of what a server sends: "Exercise" when it runs an exercise (its database is marked
 * so), "Actual" otherwise. */
const char *cap_status(int exercise);
/* One <alert> (with the XML declaration when standalone); exercise: see cap_status. */
int cap_alert_xml(struct buf *out, const struct alert_row *a, const char *sender, int exercise, int standalone);
/* An Atom feed whose entries carry the CAP alerts inline. */
int cap_feed_begin(struct buf *out, const char *base_url, long long updated_ms);
int cap_feed_entry(struct buf *out, const struct alert_row *a, const char *base_url, const char *sender, int exercise);
int cap_feed_end(struct buf *out);

/* XML text escaping (&, <, >, ", ') of s, appended to out. */
int xml_escape(struct buf *out, const char *s);
/* 2020-03-28T18:00:00+00:00; out needs 32 bytes. */
const char *cap_time(long long ms, char out[32]);

#endif
