/* gsm: how an SMS text travels: in the GSM 03.38 7-bit alphabet (160 characters a message, 153
 * a part when split) or, for anything outside it, in UCS-2 (70, and 67 a part). Pure. */
#ifndef RENFORT_GSM_H
#define RENFORT_GSM_H

#include <stddef.h>

struct sms_size {
	int ucs2;        /* 0: GSM 7-bit; 1: UCS-2 */
	size_t units;    /* septets (GSM, extension characters count two) or UTF-16 code units */
	int segments;    /* messages the network will carry */
};

/* -1 when text is not valid UTF-8. */
int sms_size_of(const char *text, struct sms_size *out);

#endif
