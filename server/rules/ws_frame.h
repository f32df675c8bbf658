/* ws_frame: websocket frames (RFC 6455) as a server reads and writes them, and the opening
 * handshake's key. Pure: bytes in, a frame header or the rule it breaks out.
 *
 * renfortd frames its websockets itself on libwebsockets' raw sockets: libwebsockets 4.1 processed
 * unmasked client frames, which RFC 6455 (5.1) says must fail the connection. */
#ifndef RENFORT_WS_FRAME_H
#define RENFORT_WS_FRAME_H

#include <stddef.h>

enum ws_opcode { WS_CONTINUATION = 0x0, WS_TEXT = 0x1, WS_BINARY = 0x2, WS_CLOSE = 0x8, WS_PING = 0x9, WS_PONG = 0xA };

/* Close codes renfortd sends. */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_GOING_AWAY 1001
#define WS_CLOSE_PROTOCOL_ERROR 1002
#define WS_CLOSE_INVALID_DATA 1007
#define WS_CLOSE_POLICY 1008

struct ws_frame {
	int fin;
	int opcode;
	unsigned long long length; /* of the payload */
	unsigned char mask[4];
	size_t header_length;      /* 2 to 14 bytes */
};

/* Reads the header of a client frame at buf[0..len). in_message: a fragmented text or binary
 * message is in progress (a continuation is then due, a new data frame is not). Returns 1 with *f
 * set, 0 when more bytes are needed, or -1 with *why (the rule broken, for the close frame): the
 * connection must then fail with 1002. */
int ws_frame_read_header(const unsigned char *buf, size_t len, int in_message, struct ws_frame *f, const char **why);

/* Unmasks n payload bytes in place; offset: payload bytes of this frame before p. */
void ws_unmask(unsigned char *p, size_t n, const unsigned char mask[4], unsigned long long offset);

/* Writes the header of a server frame (FIN set, unmasked) into h (10 bytes at most); returns its
 * length. */
size_t ws_frame_write_header(unsigned char *h, int opcode, size_t length);
/* The header's length for a payload of length bytes. */
size_t ws_frame_header_length(size_t length);

/* Checks a close frame's payload from a client: empty, or a code that may be sent (RFC 6455 7.4)
 * and a UTF-8 reason. Returns NULL, or the rule broken. *code is the code (1005 when none). */
const char *ws_close_payload_check(const unsigned char *p, size_t n, int *code);

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: 28 characters and a NUL in out. Returns -1 when the
 * key is not the base64 of 16 bytes. */
int ws_accept_key(const char *key, char out[29]);

#endif
