/* buf: a growable byte buffer, always NUL-terminated, with a hard size limit. */
#ifndef RENFORT_BUF_H
#define RENFORT_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Each returns 0, or -1 when memory runs out (the buffer keeps what it had). */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int buf_printf(struct buf *b, const char *fmt, ...);
/* Gives the buffer's memory to the caller (free() it); the buffer is left empty. */
char *buf_detach(struct buf *b);

#endif
