#include "ws_frame.h"

#include "utf8.h"

#include <openssl/evp.h>
#include <string.h>

int ws_frame_read_header(const unsigned char *buf, size_t len, int in_message, struct ws_frame *f, const char **why)
{
	if (len < 2)
		return 0;
	f->fin = buf[0] >> 7;
	f->opcode = buf[0] & 0x0f;
	if (buf[0] & 0x70) {
		*why = "reserved bits must be 0 (no extension was negotiated)";
		return -1;
	}
	if (!(buf[1] & 0x80)) {
		*why = "client frames must be masked";
		return -1;
	}
	switch (f->opcode) {
	case WS_CONTINUATION:
		if (!in_message) {
			*why = "a continuation frame must follow a fragmented message";
			return -1;
		}
		break;
	case WS_TEXT:
	case WS_BINARY:
		if (in_message) {
			*why = "a new message cannot start inside a fragmented one";
			return -1;
		}
		break;
	case WS_CLOSE:
	case WS_PING:
	case WS_PONG:
		if (!f->fin || (buf[1] & 0x7f) > 125) {
			*why = "control frames must not be fragmented and carry at most 125 bytes";
			return -1;
		}
		break;
	default:
		*why = "unknown opcode";
		return -1;
	}
	size_t h = 2;
	unsigned long long n = buf[1] & 0x7f;
	if (n == 126) {
		if (len < 4)
			return 0;
		n = (unsigned long long)buf[2] << 8 | buf[3];
		h = 4;
		if (n < 126) {
			*why = "a length must be written in its shortest form";
			return -1;
		}
	} else if (n == 127) {
		if (len < 10)
			return 0;
		n = 0;
		for (int i = 0; i < 8; i++)
			n = n << 8 | buf[2 + i];
		h = 10;
		if (n >> 63) {
			*why = "the most significant bit of a 64-bit length must be 0";
			return -1;
		}
		if (n < 65536) {
			*why = "a length must be written in its shortest form";
			return -1;
		}
	}
	if (len < h + 4)
		return 0;
	memcpy(f->mask, buf + h, 4);
	f->length = n;
	f->header_length = h + 4;
	return 1;
}

void ws_unmask(unsigned char *p, size_t n, const unsigned char mask[4], unsigned long long offset)
{
	unsigned k = (unsigned)(offset & 3);
	for (size_t i = 0; i < n; i++, k = (k + 1) & 3)
		p[i] ^= mask[k];
}

size_t ws_frame_header_length(size_t length)
{
	return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

size_t ws_frame_write_header(unsigned char *h, int opcode, size_t length)
{
	h[0] = (unsigned char)(0x80 | (opcode & 0x0f));
	if (length < 126) {
		h[1] = (unsigned char)length;
		return 2;
	}
	if (length < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(length >> 8);
		h[3] = (unsigned char)length;
		return 4;
	}
	h[1] = 127;
	for (int i = 0; i < 8; i++)
		h[2 + i] = (unsigned char)((unsigned long long)length >> (56 - 8 * i));
	return 10;
}

const char *ws_close_payload_check(const unsigned char *p, size_t n, int *code)
{
	*code = 1005; /* "no status received" */
	if (n == 0)
		return NULL;
	if (n == 1)
		return "a close payload must be empty or start with a 2-byte code";
	int c = p[0] << 8 | p[1];
	/* codes a peer may send: 1000-1003, 1007-1011, and 3000-4999 for libraries and applications */
	if (!((c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1011) || (c >= 3000 && c <= 4999)))
		return "a close code must be one a peer may send";
	if (!utf8_valid(p + 2, n - 2))
		return "a close reason must be UTF-8";
	*code = c;
	return NULL;
}

static int is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int ws_accept_key(const char *key, char out[29])
{
	/* 16 bytes in base64: 22 characters, then "==" (RFC 6455 4.1) */
	if (strlen(key) != 24 || key[22] != '=' || key[23] != '=')
		return -1;
	for (int i = 0; i < 22; i++)
		if (!is_b64(key[i]))
			return -1;
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char text[24 + sizeof guid];
	memcpy(text, key, 24);
	memcpy(text + 24, guid, sizeof guid);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!EVP_Digest(text, 24 + sizeof guid - 1, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, 20);
	out[28] = '\0';
	return 0;
}
