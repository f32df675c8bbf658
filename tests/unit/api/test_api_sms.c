/* The SMS gateways' webhooks as handlers (api_sms.c), called without a server: what the fuzzers
 * found there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "app.h"

/* Found by tests/fuzz (fuzz_form, corpus/form/finding-twilio-bad-form-leak): a Twilio webhook whose
 * body is not a form was refused, but the parser's copy of the body was never freed. Visible here
 * as the heap growing with each refused webhook (and as a leak under LeakSanitizer). */
static void test_twilio_webhook_bad_form_frees(void **state)
{
	(void)state;
	struct app app;
	memset(&app, 0, sizeof app);
	assert_int_equal(config_init(&app.cfg), 0);
	enum { BODY = 16384, CALLS = 200 };
	char *body = malloc(BODY);
	assert_non_null(body);
	memset(body, 'a', BODY);
	memcpy(body + BODY - 4, "=%zz", 4);
	size_t before = mallinfo2().uordblks;
	for (int i = 0; i < CALLS; i++) {
		struct op_request req;
		struct op_response res;
		memset(&req, 0, sizeof req);
		memset(&res, 0, sizeof res);
		req.raw_body = body;
		req.raw_len = BODY;
		op_sms_twilio_inbound(&app, &req, &res);
		assert_int_equal(res.status, 400);
		assert_string_equal(res.err.field, "body");
		op_response_release(&res);
	}
	size_t after = mallinfo2().uordblks;
	if (after > before + BODY * CALLS / 2)
		fail_msg("the heap grew by %zu bytes over %d refused webhooks", after - before, CALLS);
	free(body);
	config_release(&app.cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twilio_webhook_bad_form_frees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
