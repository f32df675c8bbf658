#include "server_tokens.h"

#include "app.h"
#include "store.h"
#include "store_token.h"

int server_token_issue(struct app *app, enum role role, const char *label, char secret[48])
{
	char hash[65];
	long long id;
	if (auth_token_generate(secret))
		return -1;
	auth_token_hash(secret, hash);
	if (store_begin(app->store, app_now(app), NULL))
		return -1;
	if (store_token_create(app->store, role, "", 0, label, hash, &id) || store_commit(app->store)) {
		store_rollback(app->store);
		return -1;
	}
	return 0;
}
