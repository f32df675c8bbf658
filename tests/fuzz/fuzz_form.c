/* fuzz_form: the form (application/x-www-form-urlencoded) parser and the gateways' webhooks.
 *
 * Input: a form, as a Twilio webhook's body or a Kannel webhook's query string. Each input goes
 * through:
 * - form_parse(). Invariants: at most FORM_MAX_FIELDS fields; the fields escaped again with
 *   form_escape() parse to the same names and values; form_get() finds each name's first value.
 * - twilio_signature(): 28 characters of base64, accepted by twilio_signature_ok(), refused once
 *   a character changes, and the same for the re-escaped form (it signs values, not their escapes).
 * - the webhooks' handlers as the group commit runs them, on a database, rolled back: Twilio's
 *   inbound message and status (signed correctly by the harness, so that the input reaches the
 *   handling behind the signature) and Kannel's inbound message and delivery report (the fields as
 *   query parameters, with the configured secret). Invariant: 2xx, or a 4xx naming a code, a
 *   field and a rule. */
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "fuzz_app.h"
#include "twilio_sig.h"

static void check_signature(const struct form *f, const struct form *again, const char *url)
{
	char sig[32], sig2[32];
	FZ_CHECK(twilio_signature(FZ_TWILIO_TOKEN, url, f, sig) == 0, "no signature");
	FZ_CHECK(strlen(sig) == 28, "a signature of %zu characters", strlen(sig));
	FZ_CHECK(twilio_signature_ok(FZ_TWILIO_TOKEN, url, f, sig) == 1, "its own signature refused");
	FZ_CHECK(twilio_signature(FZ_TWILIO_TOKEN, url, again, sig2) == 0 && strcmp(sig, sig2) == 0,
		 "the re-escaped form signs differently");
	sig2[0] = sig[0] == 'A' ? 'B' : 'A';
	FZ_CHECK(twilio_signature_ok(FZ_TWILIO_TOKEN, url, f, sig2) == 0, "a changed signature accepted");
}

/* The fields as the HTTP layer hands a query string over: string parameters. */
static cJSON *params_of(const struct form *f, const char *secret)
{
	cJSON *p = cJSON_CreateObject();
	if (secret)
		cJSON_AddStringToObject(p, "secret", secret);
	for (size_t i = 0; i < f->n; i++)
		if (!cJSON_GetObjectItemCaseSensitive(p, f->names[i]))
			cJSON_AddStringToObject(p, f->names[i], f->values[i]);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct form f;
	int rc = form_parse(&f, text, size);
	if (rc) {
		form_release(&f);
		/* refused by the webhook too, with its error */
		fz_run_op("sms.twilio_inbound", &fz_admin, NULL, NULL, text, size, "x");
		return 0;
	}
	FZ_CHECK(f.n <= FORM_MAX_FIELDS, "%zu fields", f.n);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < f.n; i++) {
		FZ_CHECK(form_get(&f, f.names[i]) != NULL, "form_get misses %s", f.names[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(f.names[j], f.names[i]) == 0) {
				FZ_CHECK(form_get(&f, f.names[i]) == f.values[j], "form_get does not give the first value");
				break;
			}
		FZ_CHECK(form_escape(&b, f.names[i]) == 0 && buf_puts(&b, "=") == 0 && form_escape(&b, f.values[i]) == 0 &&
				 buf_puts(&b, "&") == 0,
			 "out of memory");
	}
	struct form again;
	FZ_CHECK(form_parse(&again, b.data ? b.data : "", b.len) == 0, "the re-escaped form is refused: %s", b.data);
	FZ_CHECK(again.n == f.n, "%zu fields, %zu once re-escaped", f.n, again.n);
	for (size_t i = 0; i < f.n; i++)
		FZ_CHECK(strcmp(f.names[i], again.names[i]) == 0 && strcmp(f.values[i], again.values[i]) == 0,
			 "field %zu changed once re-escaped", i);
	check_signature(&f, &again, FZ_PUBLIC_URL "/sms/twilio/inbound");

	char sig[32];
	twilio_signature(FZ_TWILIO_TOKEN, FZ_PUBLIC_URL "/sms/twilio/inbound", &f, sig);
	fz_run_op("sms.twilio_inbound", &fz_admin, NULL, NULL, text, size, sig);
	twilio_signature(FZ_TWILIO_TOKEN, FZ_PUBLIC_URL "/sms/twilio/status?id=1", &f, sig);
	cJSON *status_params = cJSON_CreateObject();
	cJSON_AddStringToObject(status_params, "id", "1");
	fz_run_op("sms.twilio_status", &fz_admin, status_params, NULL, text, size, sig);
	fz_run_op("sms.kannel_inbound", &fz_admin, params_of(&f, FZ_KANNEL_SECRET), NULL, NULL, 0, NULL);
	fz_run_op("sms.kannel_dlr", &fz_admin, params_of(&f, FZ_KANNEL_SECRET), NULL, NULL, 0, NULL);
	form_release(&again);
	form_release(&f);
	buf_release(&b);
	return 0;
}
