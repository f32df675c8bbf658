/* libFuzzer target: a stream of client websocket frames as renfortd reads them (ws_frame.c, utf8.c).
 * Checks, beyond "no crash": a header is either refused with a rule, incomplete, or within the
 * input's bounds; unmasking twice gives the bytes back; UTF-8 checked whole and checked in two
 * pieces agree; a close payload is accepted only with a code a peer may send. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "ws_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	size_t at = 0;
	int in_message = 0;
	while (at < size) {
		struct ws_frame f;
		const char *why = NULL;
		int rc = ws_frame_read_header(buf + at, size - at, in_message, &f, &why);
		if (rc < 0) {
			if (!why || !utf8_valid(why, strlen(why)))
				abort();
			break;
		}
		if (rc == 0)
			break;
		if (f.header_length < 6 || f.header_length > 14 || f.header_length > size - at)
			abort();
		size_t left = size - at - f.header_length;
		size_t n = f.length < left ? (size_t)f.length : left;
		unsigned char *p = buf + at + f.header_length;
		unsigned char *copy = malloc(n ? n : 1);
		memcpy(copy, p, n);
		size_t half = n / 2;
		ws_unmask(p, half, f.mask, 0);
		ws_unmask(p + half, n - half, f.mask, half);
		ws_unmask(p, n, f.mask, 0);
		if (memcmp(copy, p, n))
			abort();
		free(copy);
		ws_unmask(p, n, f.mask, 0);
		unsigned st = 0;
		int whole = utf8_valid(p, n);
		int pieces = utf8_feed(&st, p, half) == 0 && utf8_feed(&st, p + half, n - half) == 0 && st == 0;
		if (whole != pieces)
			abort();
		if (f.opcode == WS_CLOSE) {
			int code;
			if (!ws_close_payload_check(p, n, &code) && n >= 2 && (code < 1000 || code > 4999))
				abort();
		} else if (f.opcode < WS_CLOSE)
			in_message = !f.fin;
		if (f.length > left)
			break;
		at += f.header_length + (size_t)f.length;
	}
	free(buf);
	return 0;
}
