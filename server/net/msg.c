#include "msg.h"

#include <stdlib.h>
#include <string.h>

struct msg *msg_new(const char *text, size_t len)
{
	struct msg *m = malloc(sizeof *m + MSG_HEADROOM + len);
	if (!m)
		return NULL;
	m->refs = 1;
	m->len = len;
	if (text)
		memcpy(m->data + MSG_HEADROOM, text, len);
	return m;
}

char *msg_put(char *o, const char *text, size_t n)
{
	memcpy(o, text, n);
	return o + n;
}

char *msg_put_int(char *o, long long v)
{
	char tmp[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*o++ = '-';
	while (n)
		*o++ = tmp[--n];
	return o;
}

void msg_ref(struct msg *m)
{
	m->refs++;
}

void msg_unref(struct msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

unsigned char *msg_payload(struct msg *m)
{
	return m->data + MSG_HEADROOM;
}
