#include "cli_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_http_init(struct cli *c)
{
	if (c->curl)
		return 0;
	c->curl = curl_easy_init();
	if (!c->curl) {
		cli_err("cannot start libcurl");
		return -1;
	}
	return 0;
}

void cli_http_cleanup(struct cli *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	size_t len = size * n;
	if (b->len + len > CLI_HTTP_MAX_BODY || buf_append(b, data, len))
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	return len;
}

/* Appends a header; on failure the list is kept as it was and *ok cleared. */
static struct curl_slist *add_header(struct curl_slist *list, const char *header, int *ok)
{
	struct curl_slist *l = curl_slist_append(list, header);
	if (!l) {
		*ok = 0;
		return list;
	}
	return l;
}

void cli_response_release(struct cli_response *res)
{
	buf_release(&res->body);
	cJSON_Delete(res->json);
	res->json = NULL;
}

int cli_http_send(struct cli *c, const char *method, const char *path, const char *content_type, const char *body,
		  size_t len, const char *idem_key, struct cli_response *res)
{
	memset(res, 0, sizeof *res);
	buf_init(&res->body);
	if (!c->token[0]) {
		cli_err("no token: give --token, set RENFORT_TOKEN, or keep one with `renfort login --token -`");
		return CLI_AUTH;
	}
	if (cli_http_init(c))
		return CLI_UNREACHABLE;
	CURL *h = c->curl;
	curl_easy_reset(h);

	struct buf url, auth, ctype, key;
	buf_init(&url);
	buf_init(&auth);
	buf_init(&ctype);
	buf_init(&key);
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	int rc = CLI_OK;

	if (buf_printf(&url, "%s%s", c->url, path) ||
	    buf_printf(&ctype, "Content-Type: %s", content_type ? content_type : "application/json") ||
	    buf_printf(&key, "Idempotency-Key: %s", idem_key ? idem_key : "")) {
		cli_err("out of memory");
		rc = CLI_UNREACHABLE;
		goto out;
	}
	int ok = buf_printf(&auth, "Authorization: Bearer %s", c->token) == 0;
	headers = add_header(headers, "Accept: application/json, text/csv;q=0.9", &ok);
	/* curl waits a second for "100 Continue" before a large body: renfortd reads it at once */
	headers = add_header(headers, "Expect:", &ok);
	if (ok)
		headers = add_header(headers, auth.data, &ok);
	if (body)
		headers = add_header(headers, ctype.data, &ok);
	if (idem_key)
		headers = add_header(headers, key.data, &ok);
	if (!ok) {
		cli_err("out of memory");
		rc = CLI_UNREACHABLE;
		goto out;
	}

	curl_easy_setopt(h, CURLOPT_URL, url.data);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "renfort/" RENFORT_VERSION);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a stalled answer (nothing for a minute) is given up; a long export that flows is not */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* the token goes nowhere else */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &res->body);
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}

	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
		if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY)
			cli_err("cannot reach renfortd at %s: %s", c->url, why);
		else if (cc == CURLE_WRITE_ERROR)
			cli_err("the answer of %s is too large (more than %zu bytes) or memory ran out", c->url,
				CLI_HTTP_MAX_BODY);
		else
			cli_err("no answer from renfortd at %s: %s", c->url, why);
		rc = CLI_UNREACHABLE;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	char *ct = NULL;
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(res->content_type, sizeof res->content_type, "%s", ct ? ct : "");
	if (strstr(res->content_type, "json") && res->body.len)
		res->json = cJSON_ParseWithLength(res->body.data, res->body.len);
	if (!res->body.data)
		buf_puts(&res->body, "");
out:
	curl_slist_free_all(headers);
	/* the Authorization header is wiped before its memory goes back */
	if (auth.data)
		memset(auth.data, 0, auth.cap);
	buf_release(&auth);
	buf_release(&url);
	buf_release(&ctype);
	buf_release(&key);
	return rc;
}

int cli_http_json(struct cli *c, const char *method, const char *path, const cJSON *body, const char *idem_key,
		  struct cli_response *res)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	if (body && !text) {
		memset(res, 0, sizeof *res);
		cli_err("out of memory");
		return CLI_UNREACHABLE;
	}
	int rc = cli_http_send(c, method, path, "application/json", text, text ? strlen(text) : 0, idem_key, res);
	free(text);
	return rc;
}

static const cJSON *error_object(const struct cli_response *res)
{
	const cJSON *e = res->json ? cJSON_GetObjectItemCaseSensitive(res->json, "error") : NULL;
	return cJSON_IsObject(e) ? e : NULL;
}

const char *cli_http_error_member(const struct cli_response *res, const char *name)
{
	const cJSON *e = error_object(res);
	const cJSON *v = e ? cJSON_GetObjectItemCaseSensitive(e, name) : NULL;
	return cJSON_IsString(v) ? v->valuestring : "";
}

int cli_http_refused(const struct cli_response *res, const char *where)
{
	return cli_http_refused_as(res, where, NULL);
}

int cli_http_refused_as(const struct cli_response *res, const char *where, const char *field_shown)
{
	int rc = res->status == 401 ? CLI_AUTH : res->status >= 500 ? CLI_UNREACHABLE : CLI_REFUSED;
	const cJSON *e = error_object(res);
	struct buf msg;
	buf_init(&msg);
	const cJSON *line = e ? cJSON_GetObjectItemCaseSensitive(e, "line") : NULL;
	if (where)
		buf_printf(&msg, "%s%s", where, cJSON_IsNumber(line) ? " " : ": ");
	if (e) {
		const char *field = cli_http_error_member(res, "field");
		if (field[0] && field_shown)
			field = field_shown;
		const char *rule = cli_http_error_member(res, "rule");
		if (cJSON_IsNumber(line))
			buf_printf(&msg, "line %lld: ", (long long)line->valuedouble);
		if (field[0])
			buf_printf(&msg, "%s: ", field);
		buf_puts(&msg, rule[0] ? rule : cli_http_error_member(res, "message"));
	} else {
		/* not renfortd's JSON (a proxy, or libwebsockets itself): the status and the first line */
		buf_printf(&msg, "the server answered HTTP %ld", res->status);
		const char *text = res->body.data ? res->body.data : "";
		size_t n = strcspn(text, "\r\n");
		if (n && !strchr(res->content_type, '<') && !strstr(res->content_type, "html"))
			buf_printf(&msg, ": %.*s", (int)(n > 200 ? 200 : n), text);
	}
	fputs("renfort: ", stderr);
	for (const char *p = msg.data ? msg.data : ""; *p; p++)
		fputc((unsigned char)*p < 0x20 ? '?' : *p, stderr);
	fputc('\n', stderr);
	if (rc == CLI_AUTH)
		fputs("renfort: the token was refused: check it, or log in again with `renfort login --token -`\n", stderr);
	else if (rc == CLI_UNREACHABLE)
		fputs("renfort: renfortd could not do it (nothing was changed): retry later\n", stderr);
	buf_release(&msg);
	return rc;
}

int cli_query_add(struct buf *path, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (buf_puts(path, strchr(path->data ? path->data : "", '?') ? "&" : "?"))
		return -1;
	const char *parts[2] = {name, value};
	for (int k = 0; k < 2; k++) {
		if (k == 1 && buf_puts(path, "="))
			return -1;
		for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
			int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				    strchr("-._~", *p);
			if (plain ? buf_append(path, p, 1) : buf_printf(path, "%%%c%c", hex[*p >> 4], hex[*p & 15]))
				return -1;
		}
	}
	return 0;
}
