/* renfort_load: drives renfortd over websockets as its clients do (authenticate, subscribe, report),
 * from one thread and one epoll loop, and prints what it measured. Loopback only; bounded in time.
 *
 *   renfort_load ingest -p PORT -t TOKEN [-c conns] [-w window] [-d seconds] [-W warmup_s] [-n holders] [-i items]
 *       every connection keeps `window` stock reports in flight (pipelined), each on another holder and
 *       item, with its own idempotency key; prints acknowledged reports/s and send -> result latency.
 *   renfort_load fanout -p PORT -t TOKEN [-n subscribers] [-m reports] [-r rate] [-n holders]
 *       subscribers follow "stock"; a publisher (a child process, one more connection) sends `reports`
 *       stock reports at `rate` per second (0: a burst, as fast as the socket takes them). The quantity
 *       of each report carries its send time, so subscribers measure report -> event latency from the
 *       event itself.
 *   renfort_load idle -p PORT -t TOKEN [-n conns] [-H hold_s] [-s]
 *       opens n authenticated websockets (-s: each subscribes to "stock"), prints READY when all are
 *       established, holds them hold_s seconds (or until SIGTERM), closes them.
 *
 * Common: -h 127.0.0.x (loopback only), -S src_ips (spread connections over 127.0.0.1..S), -T timeout_s
 * (hard bound on the whole run, default 300), -t @FILE reads the token from FILE.
 * Output: human lines, and one "RESULT mode=... key=value ..." line that scripts parse.
 *
 * The websocket client is written here (RFC 6455: upgrade, masked client frames, fragmented server
 * messages, ping/pong, close); the only JSON it reads is found by scanning ("id", "status", "quantity").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

/* quantity = QBASE + send time (µs, CLOCK_MONOTONIC) modulo QSPAN: stays far above any shortage threshold */
#define QBASE 100000000ULL
#define QSPAN 800000000ULL

enum conn_state { ST_CONNECTING = 1, ST_HANDSHAKE, ST_OPEN, ST_READY, ST_DEAD };
enum conn_role { ROLE_WORKER, ROLE_SUBSCRIBER, ROLE_PUBLISHER, ROLE_IDLE };

struct conn {
	int fd;
	unsigned char state, role, want_out, dirty;
	unsigned char *rbuf; /* bytes read, not yet parsed */
	size_t rlen, rcap;
	unsigned char *wbuf; /* bytes to write */
	size_t wlen, woff, wcap;
	unsigned char *frag; /* a fragmented message being reassembled */
	size_t flen, fcap;
	int frag_op;
	/* ingest */
	uint64_t *sent_ns;   /* per window slot: when its request left, 0 when free */
	uint64_t gen;        /* requests sent by this connection */
	unsigned inflight;
	uint64_t delivered;
};

struct lat {
	uint32_t *v;
	size_t n, cap;
};

static const char *host = "127.0.0.1";
static int port;
static char token[512];
static int src_ips = 1;
static int timeout_s = 300;
static int max_pending = 200; /* handshakes in flight */

static struct conn *conns;
static int nconns;
static int epfd;
static int n_started, n_pending, n_open, n_ready, n_dead, n_failed;
static int closes_reported;
static volatile sig_atomic_t stop_flag;
static uint64_t deadline_ns;
static uint32_t rng = 2463534242u;
static char key_prefix[48];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint32_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void fatal(const char *what)
{
	fprintf(stderr, "renfort_load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "renfort_load: out of memory\n");
		exit(1);
	}
	return q;
}

static void lat_add(struct lat *l, uint64_t ns)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 65536;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	uint64_t us = ns / 1000;
	l->v[l->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* p in per mille */
static uint32_t lat_pct(const struct lat *l, unsigned permille)
{
	if (!l->n)
		return 0;
	size_t i = (size_t)((double)l->n * permille / 1000.0);
	if (i >= l->n)
		i = l->n - 1;
	return l->v[i];
}

static void lat_sort(struct lat *l)
{
	qsort(l->v, l->n, sizeof *l->v, cmp_u32);
}

/* --- buffers and frames ---------------------------------------------------------------------------- */

static void wbuf_reserve(struct conn *c, size_t more)
{
	if (c->woff && c->woff == c->wlen)
		c->woff = c->wlen = 0;
	if (c->wlen + more <= c->wcap)
		return;
	if (c->woff) {
		memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
		c->wlen -= c->woff;
		c->woff = 0;
		if (c->wlen + more <= c->wcap)
			return;
	}
	size_t cap = c->wcap ? c->wcap : 1024;
	while (cap < c->wlen + more)
		cap *= 2;
	c->wbuf = xrealloc(c->wbuf, cap);
	c->wcap = cap;
}

/* Appends one masked client frame (FIN set). */
static void frame_append(struct conn *c, int opcode, const void *payload, size_t len)
{
	wbuf_reserve(c, len + 14);
	unsigned char *o = c->wbuf + c->wlen;
	size_t h = 0;
	o[h++] = (unsigned char)(0x80 | opcode);
	if (len < 126)
		o[h++] = (unsigned char)(0x80 | len);
	else if (len < 65536) {
		o[h++] = 0x80 | 126;
		o[h++] = (unsigned char)(len >> 8);
		o[h++] = (unsigned char)len;
	} else {
		o[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			o[h++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	uint32_t k = xorshift();
	unsigned char mask[4] = {(unsigned char)k, (unsigned char)(k >> 8), (unsigned char)(k >> 16), (unsigned char)(k >> 24)};
	memcpy(o + h, mask, 4);
	h += 4;
	const unsigned char *p = payload;
	unsigned char *d = o + h;
	for (size_t i = 0; i < len; i++)
		d[i] = p[i] ^ mask[i & 3];
	c->wlen += h + len;
	c->dirty = 1;
}

static void conn_dead(struct conn *c, const char *why)
{
	if (c->state == ST_DEAD)
		return;
	if (c->state == ST_CONNECTING || c->state == ST_HANDSHAKE) {
		n_pending--;
		n_failed++;
	} else {
		n_open--;
		if (c->state == ST_READY)
			n_ready--;
	}
	if (why && closes_reported < 5) {
		closes_reported++;
		fprintf(stderr, "renfort_load: connection %d lost: %s\n", (int)(c - conns), why);
	}
	c->state = ST_DEAD;
	n_dead++;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	free(c->frag);
	c->rbuf = c->wbuf = c->frag = NULL;
	c->rlen = c->rcap = c->wlen = c->wcap = c->woff = c->flen = c->fcap = 0;
}

static void set_out(struct conn *c, int on)
{
	if (c->want_out == on || c->state == ST_DEAD)
		return;
	c->want_out = (unsigned char)on;
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what the socket takes now; waits for EPOLLOUT for the rest. */
static void flush_conn(struct conn *c)
{
	c->dirty = 0;
	while (c->woff < c->wlen) {
		ssize_t w = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				set_out(c, 1);
				return;
			}
			conn_dead(c, "write failed");
			return;
		}
		c->woff += (size_t)w;
	}
	c->woff = c->wlen = 0;
	set_out(c, 0);
}

/* --- connections ------------------------------------------------------------------------------------ */

static void start_conn(int i, int role)
{
	struct conn *c = &conns[i];
	memset(c, 0, sizeof *c);
	c->role = (unsigned char)role;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		fatal("socket");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (src_ips > 1) {
		struct sockaddr_in sa = {.sin_family = AF_INET};
		sa.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(i % src_ips));
		setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
		if (bind(c->fd, (struct sockaddr *)&sa, sizeof sa))
			fatal("bind");
	}
	struct sockaddr_in da = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, host, &da.sin_addr);
	if (connect(c->fd, (struct sockaddr *)&da, sizeof da) && errno != EINPROGRESS)
		fatal("connect");
	c->state = ST_CONNECTING;
	c->want_out = 1;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev))
		fatal("epoll_ctl");
	n_started++;
	n_pending++;
}

static void send_upgrade(struct conn *c)
{
	char key[25];
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (int i = 0; i < 22; i++)
		key[i] = b64[xorshift() % 64];
	key[22] = key[23] = '=';
	key[24] = '\0';
	char req[1024];
	int n = snprintf(req, sizeof req,
			 "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n",
			 host, port, key, token);
	wbuf_reserve(c, (size_t)n);
	memcpy(c->wbuf + c->wlen, req, (size_t)n);
	c->wlen += (size_t)n;
	c->state = ST_HANDSHAKE;
	flush_conn(c);
}

/* --- mode state ------------------------------------------------------------------------------------- */

static const char *mode;
/* ingest */
static int window = 16, holders = 2129, items = 53, lines = 1;
static uint64_t g_counter;
static int sending = 1;
static uint64_t win_start, win_end;
static uint64_t acked_in_window, acked_total, errors_total, sent_total;
static struct lat ack_lat;
static int errors_reported;
/* fanout */
static int nreports = 1000;
static double rate;
static struct lat ev_lat;
static uint64_t events_total, first_send_us = UINT64_MAX, last_rx_ns, event_bytes;
static int subscribe_idle;

static int parse_long(const char *p, const char *end, long long *out)
{
	int neg = 0;
	long long v = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	*out = neg ? -v : v;
	return 0;
}

/* The first occurrence of needle in [p, end). */
static const char *find(const char *p, const char *end, const char *needle)
{
	size_t nl = strlen(needle);
	while (p + nl <= end) {
		const char *q = memchr(p, needle[0], (size_t)(end - p));
		if (!q || q + nl > end)
			return NULL;
		if (memcmp(q, needle, nl) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* The integer after "key": in the message, or -1 when absent. */
static long long field_int(const char *p, const char *end, const char *key)
{
	const char *f = find(p, end, key);
	long long v;
	if (!f || parse_long(f + strlen(key), end, &v))
		return -1;
	return v;
}

static void send_report(struct conn *c, unsigned slot, uint64_t id, long long holder, const long long *item_ids,
			const long long *qty, int nlines)
{
	char msg[4096];
	int n = snprintf(msg, sizeof msg,
			 "{\"type\":\"stock.report\",\"id\":%llu,\"idempotency_key\":\"%s-%d-%llu\",\"data\":{"
			 "\"holder_kind\":\"structure\",\"holder_id\":%lld,\"items\":[",
			 (unsigned long long)id, key_prefix, (int)(c - conns), (unsigned long long)id, holder);
	for (int i = 0; i < nlines; i++)
		n += snprintf(msg + n, sizeof msg - (size_t)n, "%s{\"item\":%lld,\"quantity\":%lld}", i ? "," : "",
			      item_ids[i], qty[i]);
	n += snprintf(msg + n, sizeof msg - (size_t)n, "]}}");
	frame_append(c, 1, msg, (size_t)n);
	if (c->sent_ns)
		c->sent_ns[slot] = now_ns();
	c->inflight++;
	sent_total++;
}

/* ingest: the next request of slot `slot` of this connection (id = gen * window + slot). */
static void ingest_send(struct conn *c, unsigned slot)
{
	uint64_t id = c->gen++ * (uint64_t)window + slot; /* the answer's id names its slot */
	uint64_t g = g_counter++;
	long long holder = 1 + (long long)(g % (uint64_t)holders);
	long long item_ids[16], qty[16];
	for (int i = 0; i < lines; i++) {
		item_ids[i] = 1 + (long long)((g / (uint64_t)holders + (uint64_t)i) % (uint64_t)items);
		qty[i] = 100000 + (long long)(xorshift() % 1000);
	}
	send_report(c, slot, id, holder, item_ids, qty, lines);
}

static void report_error(const char *p, size_t len)
{
	errors_total++;
	if (errors_reported++ < 5)
		fprintf(stderr, "renfort_load: error answer: %.*s\n", (int)(len > 300 ? 300 : len), p);
}

static void on_ingest_message(struct conn *c, const char *p, size_t len, uint64_t rx)
{
	const char *end = p + len;
	const char *head_end = p + (len < 64 ? len : 64);
	if (!find(p, head_end, "\"type\":\"result\"") && !find(p, head_end, "\"type\":\"error\"")) {
		report_error(p, len);
		return;
	}
	long long id = field_int(p, head_end, "\"id\":");
	long long status = field_int(p, end, "\"status\":");
	if (id < 0) {
		report_error(p, len);
		return;
	}
	unsigned slot = (unsigned)((uint64_t)id % (uint64_t)window);
	uint64_t sent = c->sent_ns[slot];
	c->sent_ns[slot] = 0;
	if (c->inflight)
		c->inflight--;
	if (status < 200 || status >= 300)
		report_error(p, len);
	else {
		acked_total++;
		if (sent >= win_start && rx <= win_end) {
			acked_in_window++;
			lat_add(&ack_lat, rx - sent);
		}
	}
	if (sending)
		ingest_send(c, slot);
}

static void on_subscriber_message(struct conn *c, const char *p, size_t len, uint64_t rx)
{
	const char *end = p + len;
	if (len > 15 && memcmp(p, "{\"type\":\"event\"", 15) == 0) {
		const char *data = find(p, end, "\"data\":");
		long long q = data ? field_int(data, end, "\"quantity\":") : -1;
		if (q < (long long)QBASE)
			return;
		uint64_t sent_us = (uint64_t)q - QBASE;
		uint64_t rx_us = rx / 1000;
		uint64_t d = (rx_us % QSPAN + QSPAN - sent_us) % QSPAN;
		uint64_t abs_sent = rx_us - d;
		if (abs_sent < first_send_us)
			first_send_us = abs_sent;
		last_rx_ns = rx;
		lat_add(&ev_lat, d * 1000);
		events_total++;
		event_bytes += len;
		c->delivered++;
		return;
	}
	if (c->state == ST_OPEN && find(p, end, "\"type\":\"result\"")) {
		c->state = ST_READY;
		n_ready++;
		return;
	}
	report_error(p, len);
}

/* publisher (in its own process): answers to its reports */
static struct lat pub_lat;
static uint64_t pub_sent[1 << 16];

static void on_publisher_message(struct conn *c, const char *p, size_t len, uint64_t rx)
{
	const char *head_end = p + (len < 64 ? len : 64);
	long long id = field_int(p, head_end, "\"id\":");
	long long status = field_int(p, p + len, "\"status\":");
	if (id < 0 || status < 200 || status >= 300) {
		report_error(p, len);
		return;
	}
	acked_total++;
	uint64_t s = pub_sent[(uint64_t)id & 0xffff];
	if (s)
		lat_add(&pub_lat, rx - s);
	if (c->inflight)
		c->inflight--;
}

static void on_message(struct conn *c, const char *p, size_t len, uint64_t rx)
{
	switch (c->role) {
	case ROLE_WORKER:
		on_ingest_message(c, p, len, rx);
		break;
	case ROLE_SUBSCRIBER:
		on_subscriber_message(c, p, len, rx);
		break;
	case ROLE_PUBLISHER:
		on_publisher_message(c, p, len, rx);
		break;
	default:
		if (c->state == ST_OPEN && find(p, p + len, "\"type\":\"result\"")) {
			c->state = ST_READY;
			n_ready++;
		}
		break;
	}
}

static void on_open(struct conn *c)
{
	n_pending--;
	n_open++;
	c->state = ST_OPEN;
	if (c->role == ROLE_SUBSCRIBER || (c->role == ROLE_IDLE && subscribe_idle)) {
		static const char sub[] = "{\"type\":\"subscribe\",\"id\":1,\"params\":{\"topics\":[\"stock\"]}}";
		frame_append(c, 1, sub, sizeof sub - 1);
		flush_conn(c);
	} else {
		c->state = ST_READY;
		n_ready++;
	}
}

/* Parses the complete frames in rbuf. */
static void parse_frames(struct conn *c, uint64_t rx)
{
	size_t off = 0;
	while (c->state != ST_DEAD && c->rlen - off >= 2) {
		unsigned char *f = c->rbuf + off;
		size_t avail = c->rlen - off;
		uint64_t len = f[1] & 127;
		size_t h = 2;
		if (len == 126) {
			if (avail < 4)
				break;
			len = ((uint64_t)f[2] << 8) | f[3];
			h = 4;
		} else if (len == 127) {
			if (avail < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | f[2 + i];
			h = 10;
		}
		if (f[1] & 0x80) {
			conn_dead(c, "server sent a masked frame");
			return;
		}
		if (len > (64u << 20)) {
			conn_dead(c, "frame too large");
			return;
		}
		if (avail < h + len) {
			if (h + len > c->rcap) {
				c->rcap = h + len;
				c->rbuf = xrealloc(c->rbuf, c->rcap);
			}
			break;
		}
		int fin = f[0] & 0x80, op = f[0] & 0x0f;
		unsigned char *pl = f + h;
		if (op == 8) {
			char why[160];
			unsigned code = len >= 2 ? ((unsigned)pl[0] << 8 | pl[1]) : 0;
			snprintf(why, sizeof why, "closed by the server (%u %.*s)", code, len > 2 ? (int)(len - 2 > 120 ? 120 : len - 2) : 0,
				 (const char *)pl + 2);
			conn_dead(c, why);
			return;
		} else if (op == 9) {
			frame_append(c, 10, pl, (size_t)len);
		} else if (op == 10) {
			/* pong: nothing */
		} else if (op == 0 || op == 1 || op == 2) {
			if (op != 0 && fin && !c->flen)
				on_message(c, (const char *)pl, (size_t)len, rx);
			else {
				if (c->flen + len > c->fcap) {
					c->fcap = (size_t)(c->flen + len) * 2;
					c->frag = xrealloc(c->frag, c->fcap);
				}
				memcpy(c->frag + c->flen, pl, (size_t)len);
				c->flen += (size_t)len;
				if (fin) {
					on_message(c, (const char *)c->frag, c->flen, rx);
					c->flen = 0;
				}
			}
		}
		off += h + (size_t)len;
	}
	if (c->state == ST_DEAD)
		return;
	if (off) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

static void on_readable(struct conn *c)
{
	for (int round = 0; round < 4; round++) {
		if (c->rcap - c->rlen < 2048) {
			c->rcap = c->rcap ? c->rcap * 2 : 4096;
			c->rbuf = xrealloc(c->rbuf, c->rcap);
		}
		size_t space = c->rcap - c->rlen;
		ssize_t r = recv(c->fd, c->rbuf + c->rlen, space, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_dead(c, "read failed");
			return;
		}
		if (r == 0) {
			conn_dead(c, c->state == ST_HANDSHAKE ? "closed during the handshake" : "closed by the server");
			return;
		}
		uint64_t rx = now_ns();
		c->rlen += (size_t)r;
		if (c->state == ST_HANDSHAKE) {
			const char *e = find((const char *)c->rbuf, (const char *)c->rbuf + c->rlen, "\r\n\r\n");
			if (!e)
				continue;
			if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.1 101", 12) != 0) {
				char why[128];
				snprintf(why, sizeof why, "upgrade refused: %.60s", (const char *)c->rbuf);
				for (char *s = why; *s; s++)
					if (*s == '\r' || *s == '\n')
						*s = ' ';
				conn_dead(c, why);
				return;
			}
			size_t used = (size_t)(e + 4 - (const char *)c->rbuf);
			memmove(c->rbuf, c->rbuf + used, c->rlen - used);
			c->rlen -= used;
			on_open(c);
			if (c->state == ST_DEAD)
				return;
		}
		parse_frames(c, rx);
		if (c->state == ST_DEAD)
			return;
		if ((size_t)r < space)
			return; /* the socket is drained */
	}
}

static void on_event(struct conn *c, uint32_t evs)
{
	if (c->state == ST_DEAD)
		return;
	if (c->state == ST_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof err;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err || (evs & (EPOLLERR | EPOLLHUP))) {
			errno = err;
			conn_dead(c, "connect failed");
			return;
		}
		if (evs & EPOLLOUT)
			send_upgrade(c);
		return;
	}
	if (evs & (EPOLLIN | EPOLLHUP | EPOLLERR))
		on_readable(c);
	if (c->state != ST_DEAD && (evs & EPOLLOUT))
		flush_conn(c);
}

/* One turn of the loop: starts connections while few handshakes are pending, dispatches, flushes. */
static void loop_once(int timeout_ms, int conn_target, int role)
{
	static struct epoll_event evs[1024];
	while (n_started < conn_target && n_pending < max_pending)
		start_conn(n_started, role);
	int n = epoll_wait(epfd, evs, 1024, timeout_ms);
	for (int i = 0; i < n; i++)
		on_event(evs[i].data.ptr, evs[i].events);
	for (int i = 0; i < n; i++) {
		struct conn *c = evs[i].data.ptr;
		if (c->dirty && c->state != ST_DEAD)
			flush_conn(c);
	}
	if (now_ns() > deadline_ns) {
		fprintf(stderr, "renfort_load: timeout (-T %d s) reached\n", timeout_s);
		printf("RESULT mode=%s error=timeout\n", mode);
		exit(3);
	}
}

/* Opens conns [first, first + count) and waits until they are ready or failed. */
static int connect_all(int count, int role, double *secs)
{
	uint64_t t0 = now_ns();
	while (!stop_flag && (n_started < count || n_pending > 0 || n_open > n_ready))
		loop_once(100, count, role);
	*secs = (double)(now_ns() - t0) / 1e9;
	return n_ready;
}

static void raise_nofile(int want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if ((rlim_t)want + 16 > rl.rlim_cur)
		fprintf(stderr, "renfort_load: %d connections need more descriptors than the limit (%llu)\n", want,
			(unsigned long long)rl.rlim_cur);
}

/* --- modes ------------------------------------------------------------------------------------------- */

static int run_ingest(int nc, double duration, double warmup)
{
	conns = calloc((size_t)nc, sizeof *conns);
	nconns = nc;
	double csecs;
	int ready = connect_all(nc, ROLE_WORKER, &csecs);
	printf("connected: %d/%d in %.2f s\n", ready, nc, csecs);
	if (ready < nc) {
		printf("RESULT mode=ingest error=connect ready=%d\n", ready);
		return 1;
	}
	uint64_t t0 = now_ns();
	win_start = t0 + (uint64_t)(warmup * 1e9);
	win_end = win_start + (uint64_t)(duration * 1e9);
	for (int i = 0; i < nc; i++) {
		struct conn *c = &conns[i];
		c->sent_ns = calloc((size_t)window, sizeof *c->sent_ns);
		for (int s = 0; s < window; s++)
			ingest_send(c, (unsigned)s);
		flush_conn(c);
	}
	while (!stop_flag && now_ns() < win_end && n_open == nc)
		loop_once(50, nc, ROLE_WORKER);
	sending = 0;
	/* drain what is in flight (bounded) */
	uint64_t drain_end = now_ns() + 10000000000ULL;
	for (;;) {
		uint64_t inflight = 0;
		for (int i = 0; i < nc; i++)
			if (conns[i].state != ST_DEAD)
				inflight += conns[i].inflight;
		if (!inflight || now_ns() > drain_end || n_open == 0)
			break;
		loop_once(50, nc, ROLE_WORKER);
	}
	double secs = (double)(win_end - win_start) / 1e9;
	lat_sort(&ack_lat);
	double rps = (double)acked_in_window / secs;
	printf("ingest: %d connections x %d in flight, %d line(s) per report, %.1f s measured after %.1f s warm-up\n", nc, window,
	       lines, secs, warmup);
	printf("  acked reports: %llu in window (%.0f/s), %llu total, %llu errors, %d connections lost\n",
	       (unsigned long long)acked_in_window, rps, (unsigned long long)acked_total, (unsigned long long)errors_total,
	       nc - n_open);
	printf("  ack latency us: p50=%u p90=%u p99=%u p99.9=%u max=%u\n", lat_pct(&ack_lat, 500), lat_pct(&ack_lat, 900),
	       lat_pct(&ack_lat, 990), lat_pct(&ack_lat, 999), ack_lat.n ? ack_lat.v[ack_lat.n - 1] : 0);
	printf("RESULT mode=ingest conns=%d window=%d lines=%d secs=%.2f acked=%llu rate=%.0f errors=%llu lost=%d "
	       "p50_us=%u p99_us=%u max_us=%u\n",
	       nc, window, lines, secs, (unsigned long long)acked_in_window, rps, (unsigned long long)errors_total, nc - n_open,
	       lat_pct(&ack_lat, 500), lat_pct(&ack_lat, 990), ack_lat.n ? ack_lat.v[ack_lat.n - 1] : 0);
	return errors_total || n_open < nc ? 1 : 0;
}

/* The publisher's process: one connection, `nreports` reports, paced or in a burst. */
static void publisher(int slot, int out_fd)
{
	/* a fresh loop of its own; the subscribers are the parent's */
	close(epfd);
	for (int i = 0; i < slot; i++)
		if (conns[i].state != ST_DEAD)
			close(conns[i].fd);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	n_pending = n_open = n_ready = n_dead = n_failed = 0;
	errors_total = acked_total = 0;
	n_started = slot;
	start_conn(slot, ROLE_PUBLISHER);
	while (n_pending)
		loop_once(100, slot + 1, ROLE_PUBLISHER);
	struct conn *c = &conns[slot];
	if (c->state == ST_DEAD) {
		dprintf(out_fd, "publisher: connection failed\n");
		_exit(1);
	}
	uint64_t t0 = now_ns();
	for (int s = 0; s < nreports && !stop_flag; s++) {
		if (rate > 0) {
			uint64_t due = t0 + (uint64_t)((double)s * 1e9 / rate);
			for (;;) {
				uint64_t t = now_ns();
				if (t >= due)
					break;
				uint64_t d = due - t;
				if (d > 2000000) {
					loop_once((int)(d / 1000000) - 1, slot + 1, ROLE_PUBLISHER);
					continue;
				}
				struct timespec ts = {0, (long)d};
				nanosleep(&ts, NULL);
			}
		} else {
			/* a burst: as fast as the socket takes them */
			while (c->wlen - c->woff > 65536 && c->state != ST_DEAD)
				loop_once(10, slot + 1, ROLE_PUBLISHER);
		}
		if (c->state == ST_DEAD)
			break;
		uint64_t t = now_ns();
		long long holder = 1 + (long long)((uint64_t)s % (uint64_t)holders);
		long long item = 1 + (long long)(((uint64_t)s / (uint64_t)holders) % (uint64_t)items);
		long long q = (long long)(QBASE + (t / 1000) % QSPAN);
		pub_sent[(uint64_t)s & 0xffff] = t;
		send_report(c, 0, (uint64_t)s, holder, &item, &q, 1);
		flush_conn(c);
		if (rate > 0 || (s & 63) == 63)
			loop_once(0, slot + 1, ROLE_PUBLISHER);
	}
	uint64_t t1 = now_ns();
	/* the answers (bounded) */
	uint64_t end = now_ns() + 20000000000ULL;
	while (c->state != ST_DEAD && acked_total + errors_total < (uint64_t)nreports && now_ns() < end && !stop_flag)
		loop_once(50, slot + 1, ROLE_PUBLISHER);
	lat_sort(&pub_lat);
	dprintf(out_fd,
		"publisher: %d reports sent in %.3f s (%.0f/s offered), %llu acked, %llu errors; ack latency us p50=%u p99=%u "
		"max=%u\n",
		nreports, (double)(t1 - t0) / 1e9, nreports / ((double)(t1 - t0) / 1e9 + 1e-9), (unsigned long long)acked_total,
		(unsigned long long)errors_total, lat_pct(&pub_lat, 500), lat_pct(&pub_lat, 990),
		pub_lat.n ? pub_lat.v[pub_lat.n - 1] : 0);
	dprintf(out_fd, "PUB acked=%llu errors=%llu ack_p50_us=%u ack_p99_us=%u\n", (unsigned long long)acked_total,
		(unsigned long long)errors_total, lat_pct(&pub_lat, 500), lat_pct(&pub_lat, 990));
	_exit(0);
}

static int run_fanout(int nsubs, int quiet_ms)
{
	conns = calloc((size_t)nsubs + 1, sizeof *conns);
	nconns = nsubs + 1;
	double csecs;
	int ready = connect_all(nsubs, ROLE_SUBSCRIBER, &csecs);
	printf("subscribers: %d/%d ready in %.2f s\n", ready, nsubs, csecs);
	if (ready < nsubs) {
		printf("RESULT mode=fanout error=connect ready=%d\n", ready);
		return 1;
	}
	fflush(stdout);
	int pipefd[2];
	if (pipe(pipefd))
		fatal("pipe");
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		close(pipefd[0]);
		publisher(nsubs, pipefd[1]);
	}
	close(pipefd[1]);
	uint64_t expected = (uint64_t)nsubs * (uint64_t)nreports;
	uint64_t start = now_ns(), last_progress = start;
	uint64_t seen = 0;
	int pub_done = 0;
	while (!stop_flag && events_total < expected) {
		loop_once(20, nsubs, ROLE_SUBSCRIBER);
		uint64_t t = now_ns();
		if (events_total != seen) {
			seen = events_total;
			last_progress = t;
		}
		if (!pub_done && waitpid(pid, NULL, WNOHANG) == pid)
			pub_done = 1;
		/* quiet: nothing new for a while (after the publisher has finished, or for long) */
		if (t - last_progress > (uint64_t)quiet_ms * 1000000ULL * (pub_done ? 1 : 5))
			break;
		if (n_open == 0)
			break;
	}
	if (!pub_done) {
		/* the publisher ends by itself once its answers are in (bounded); wait for it */
		uint64_t end = now_ns() + 25000000000ULL;
		while (waitpid(pid, NULL, WNOHANG) == 0) {
			if (now_ns() > end) {
				kill(pid, SIGTERM);
				waitpid(pid, NULL, 0);
				break;
			}
			loop_once(20, nsubs, ROLE_SUBSCRIBER);
		}
	}
	char pubout[2048];
	ssize_t pn = read(pipefd[0], pubout, sizeof pubout - 1);
	pubout[pn > 0 ? pn : 0] = '\0';
	close(pipefd[0]);
	lat_sort(&ev_lat);
	double span = last_rx_ns && first_send_us != UINT64_MAX ? (double)last_rx_ns / 1e9 - (double)first_send_us / 1e6 : 0;
	double dps = span > 0 ? (double)events_total / span : 0;
	double avg = events_total ? (double)event_bytes / (double)events_total : 0;
	int lost_subs = nsubs - n_open;
	fputs(pubout, stdout);
	printf("fanout: %d subscribers, %d reports at %s, %llu/%llu events delivered (loss %.3f%%), span %.3f s -> %.0f "
	       "deliveries/s, event size %.0f B, %d subscribers lost\n",
	       nsubs, nreports, rate > 0 ? "a paced rate" : "burst", (unsigned long long)events_total,
	       (unsigned long long)expected, expected ? 100.0 * (double)(expected - events_total) / (double)expected : 0, span,
	       dps, avg, lost_subs);
	printf("  report -> event latency us: p50=%u p90=%u p99=%u p99.9=%u max=%u\n", lat_pct(&ev_lat, 500),
	       lat_pct(&ev_lat, 900), lat_pct(&ev_lat, 990), lat_pct(&ev_lat, 999), ev_lat.n ? ev_lat.v[ev_lat.n - 1] : 0);
	const char *pubres = strstr(pubout, "PUB ");
	char pubkv[256] = "";
	if (pubres) {
		snprintf(pubkv, sizeof pubkv, "%s", pubres + 4);
		pubkv[strcspn(pubkv, "\n")] = '\0';
	}
	printf("RESULT mode=fanout subs=%d reports=%d rate=%.0f delivered=%llu expected=%llu dps=%.0f p50_us=%u p99_us=%u "
	       "max_us=%u size=%.0f lost_subs=%d %s\n",
	       nsubs, nreports, rate, (unsigned long long)events_total, (unsigned long long)expected, dps, lat_pct(&ev_lat, 500),
	       lat_pct(&ev_lat, 990), ev_lat.n ? ev_lat.v[ev_lat.n - 1] : 0, avg, lost_subs, pubkv);
	return events_total == expected ? 0 : 1;
}

static int run_idle(int n, int hold_s)
{
	conns = calloc((size_t)n, sizeof *conns);
	nconns = n;
	double csecs;
	int ready = connect_all(n, ROLE_IDLE, &csecs);
	printf("connected: ready=%d failed=%d of %d in %.2f s (%.0f conn/s)\n", ready, n_failed, n, csecs,
	       csecs > 0 ? ready / csecs : 0);
	printf("READY %d\n", ready);
	fflush(stdout);
	uint64_t end = now_ns() + (uint64_t)hold_s * 1000000000ULL;
	if (end > deadline_ns - 1000000000ULL)
		end = deadline_ns - 1000000000ULL;
	while (!stop_flag && now_ns() < end)
		loop_once(200, n, ROLE_IDLE);
	printf("after hold: open=%d lost=%d\n", n_open, ready - n_open);
	printf("RESULT mode=idle conns=%d ready=%d failed=%d held=%d connect_s=%.2f\n", n, ready, n_failed, n_open, csecs);
	return ready == n && n_open == n ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: renfort_load ingest|fanout|idle -p PORT -t TOKEN|@FILE [-h 127.0.0.x] [-S src_ips] [-T timeout_s]\n"
		"  ingest: [-c conns=16] [-w in_flight_per_conn=16] [-d seconds=10] [-W warmup_s=1] [-n holders=2129]\n"
		"          [-i items=53] [-l lines_per_report=1]\n"
		"  fanout: [-n subscribers=1000] [-m reports=1000] [-r rate_per_s=0 (burst)] [-N holders=2129] [-q quiet_ms=2000]\n"
		"  idle:   [-n conns=1000] [-H hold_s=10] [-s (subscribe to stock)]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	mode = argv[1];
	int nc = -1, hold_s = 10, quiet_ms = 2000;
	double duration = 10, warmup = 1;
	int conns_ingest = 16;
	int opt;
	optind = 2;
	while ((opt = getopt(argc, argv, "h:p:t:S:T:c:w:d:W:n:i:l:m:r:N:q:H:s")) != -1) {
		switch (opt) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 't':
			if (optarg[0] == '@') {
				FILE *f = fopen(optarg + 1, "r");
				if (!f || !fgets(token, sizeof token, f))
					fatal("token file");
				fclose(f);
				token[strcspn(token, "\r\n")] = '\0';
			} else
				snprintf(token, sizeof token, "%s", optarg);
			break;
		case 'S':
			src_ips = atoi(optarg);
			break;
		case 'T':
			timeout_s = atoi(optarg);
			break;
		case 'c':
			conns_ingest = atoi(optarg);
			break;
		case 'w':
			window = atoi(optarg);
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'W':
			warmup = atof(optarg);
			break;
		case 'n':
			nc = atoi(optarg);
			break;
		case 'i':
			items = atoi(optarg);
			break;
		case 'l':
			lines = atoi(optarg);
			break;
		case 'm':
			nreports = atoi(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'N':
			holders = atoi(optarg);
			break;
		case 'q':
			quiet_ms = atoi(optarg);
			break;
		case 'H':
			hold_s = atoi(optarg);
			break;
		case 's':
			subscribe_idle = 1;
			break;
		default:
			usage();
		}
	}
	if (strncmp(host, "127.", 4) != 0) {
		fprintf(stderr, "renfort_load: loopback addresses only (127.x.x.x)\n");
		return 2;
	}
	if (port <= 0 || !token[0] || window < 1 || holders < 1 || items < 1 || lines < 1 || lines > 16 || items < lines)
		usage();
	deadline_ns = now_ns() + (uint64_t)timeout_s * 1000000000ULL;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rng ^= (uint32_t)getpid() * 2654435761u ^ (uint32_t)now_ns();
	snprintf(key_prefix, sizeof key_prefix, "ld%d-%llx", (int)getpid(), (unsigned long long)(now_ns() / 1000));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		fatal("epoll_create1");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "ingest") == 0) {
		if (nc > 0)
			holders = nc; /* -n is the holder count in this mode */
		raise_nofile(conns_ingest);
		return run_ingest(conns_ingest, duration, warmup);
	}
	if (strcmp(mode, "fanout") == 0) {
		nc = nc > 0 ? nc : 1000;
		raise_nofile(nc + 1);
		return run_fanout(nc, quiet_ms);
	}
	if (strcmp(mode, "idle") == 0) {
		nc = nc > 0 ? nc : 1000;
		raise_nofile(nc);
		return run_idle(nc, hold_s);
	}
	usage();
	return 2;
}
