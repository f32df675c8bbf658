/* Property test of the shared stock's use cases (stock.c, stock_requests.c, allocations.c) on a real
 * database: thousands of random sequences of counts, declared consumption and receipts, requests,
 * proposals, lines by hand and transfers, approvals (with edits), dispatches, receipts (partial,
 * with discrepancies) and cancellations, by principals within and outside scope, steps repeated at
 * random. Each step runs under its savepoint as the group commit runs it, and is undone alone when
 * refused. After each step, against a model the test keeps from the steps' results alone:
 * - every level is the model's, none is negative, and its ledger rows add up to it;
 * - every allocation's stock on its way is what was dispatched and not yet received or cancelled,
 *   and never went below 0 in its ledger rows;
 * - the region's whole stock (levels + stock on its way) changed only by counts, declared
 *   consumption, declared receipts and the discrepancies of receipts;
 * - a step refused changed nothing, and no step is applied twice (its repetition is refused).
 * Each sequence runs in a transaction rolled back at its end, from the same starting world.
 * RENFORT_PROPERTY_SEQUENCES sets how many (default 2000), RENFORT_PROPERTY_SEED the seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_engine.h"
#include "allocations.h"
#include "app.h"
#include "auth.h"
#include "seed.h"
#include "stock.h"
#include "stock_requests.h"
#include "store_allocation.h"
#include "store_stock.h"
#include "tx.h"
#include "unit_fixture.h"

#define H 3600000LL
#define NS 6    /* structures: 4 in the Tarn, 2 in the Hérault */
#define ND 3    /* depots: regional (31), the Tarn's, the Hérault's */
#define NI 2    /* items */
#define MAXA 512

static struct unit_store *G;
static struct app A;
static long long S[NS], D[ND], I[NI];
static struct principal ADMIN, C81, C34, REGION;
static unsigned long long rng = 88172645463325252ULL;

static unsigned long long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long long pick(long long n)
{
	return (long long)(rnd() % (unsigned long long)n);
}

/* --- the model ------------------------------------------------------------------------------------ */

struct model {
	long long level[NS + ND][NI]; /* structures first, then depots */
	long long total;              /* every level + every transit */
	long long steps, refused;
};

static struct model M;

static int holder_index(enum holder_kind k, long long id)
{
	for (int i = 0; i < NS; i++)
		if (k == HOLDER_STRUCTURE && S[i] == id)
			return i;
	for (int i = 0; i < ND; i++)
		if (k == HOLDER_DEPOT && D[i] == id)
			return NS + i;
	fail_msg("holder %d %lld is none of the world's", (int)k, id);
	return -1;
}

static int item_index(long long id)
{
	for (int i = 0; i < NI; i++)
		if (I[i] == id)
			return i;
	fail_msg("item %lld is none of the world's", id);
	return -1;
}

static long long q1(const char *sql)
{
	return unit_query_int(G->st, sql);
}

/* Fills out[holder][item] with a query's (holder_kind, holder_id, item_id, value) rows. */
static void by_holder(const char *sql, long long out[NS + ND][NI])
{
	memset(out, 0, sizeof(long long) * (NS + ND) * NI);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(G->st), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("cannot prepare %s", sql);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		if (strcmp(kind, "transit") == 0)
			continue;
		int h = holder_index(strcmp(kind, "depot") == 0 ? HOLDER_DEPOT : HOLDER_STRUCTURE, sqlite3_column_int64(s, 1));
		out[h][item_index(sqlite3_column_int64(s, 2))] = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
}

/* The invariants, after a step (the sequence and step say where, when one breaks). */
static void check(int seq, int step, const char *what)
{
	long long level[NS + ND][NI], ledger[NS + ND][NI], total = 0;
	by_holder("SELECT holder_kind, holder_id, item_id, quantity FROM stock_levels", level);
	by_holder("SELECT holder_kind, holder_id, item_id, sum(delta) FROM stock_ledger GROUP BY 1, 2, 3", ledger);
	for (int h = 0; h < NS + ND; h++)
		for (int i = 0; i < NI; i++) {
			if (level[h][i] != M.level[h][i] || ledger[h][i] != level[h][i])
				fail_msg("sequence %d step %d (%s): holder %d item %lld: level %lld, ledger %lld, model %lld", seq, step,
					 what, h, I[i], level[h][i], ledger[h][i], M.level[h][i]);
			total += level[h][i];
		}
	if (q1("SELECT count(*) FROM stock_levels WHERE quantity < 0") != 0)
		fail_msg("sequence %d step %d (%s): a negative level", seq, step, what);
	/* stock on its way: what was dispatched and is not received or cancelled, never below 0 */
	long long bad = q1("SELECT count(*) FROM allocations a WHERE (SELECT coalesce(sum(delta), 0) FROM stock_ledger l "
			   "WHERE l.holder_kind = 'transit' AND l.holder_id = a.id) != "
			   "CASE WHEN a.status = 'dispatched' THEN a.quantity ELSE 0 END");
	if (bad)
		fail_msg("sequence %d step %d (%s): %lld allocations whose stock on its way is wrong", seq, step, what, bad);
	if (q1("SELECT count(*) FROM stock_ledger WHERE holder_kind = 'transit' AND quantity_after < 0") != 0)
		fail_msg("sequence %d step %d (%s): stock on its way below 0", seq, step, what);
	/* every allocation's rows add up to its discrepancies: nothing made or lost but what was declared */
	if (q1("SELECT count(*) FROM (SELECT cause_id, sum(CASE WHEN kind = 'discrepancy' THEN 0 ELSE delta END) AS s "
	       "FROM stock_ledger WHERE cause_id IS NOT NULL GROUP BY cause_id) WHERE s != 0") != 0)
		fail_msg("sequence %d step %d (%s): an allocation's rows do not balance", seq, step, what);
	total += q1("SELECT coalesce(sum(quantity), 0) FROM allocations WHERE status = 'dispatched'");
	if (total != M.total)
		fail_msg("sequence %d step %d (%s): the region holds %lld, the model %lld", seq, step, what, total, M.total);
}

/* --- the world ------------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	if (!(G = unit_store_open()))
		return -1;
	char err[512] = "";
	if (seed_reference_data(G->st, UNIT_DATA_DIR, UNIT_NOW, err, sizeof err)) {
		fprintf(stderr, "seed: %s\n", err);
		return -1;
	}
	static const char *const structures[NS] = {
		"'EHPAD A', 'ehpad', 'public', '81004', '81', 43.93, 2.13, 60, 40",
		"'CH B', 'hospital', 'public', '81065', '81', 43.61, 2.24, 300, 200",
		"'SSIAD C', 'home_care', 'association', '81004', '81', 43.93, 2.13, 20, 15",
		"'MAS D', 'disability_home', 'foundation', '81065', '81', 43.61, 2.24, 40, 35",
		"'EHPAD E', 'ehpad', 'private_for_profit', '34172', '34', 43.61, 3.87, 80, 50",
		"'CH F', 'hospital', 'public', '34032', '34', 43.34, 3.21, 250, 150",
	};
	static const char *const depots[ND] = {
		"'Socle régional', 'regional', '31555', '31', 43.6, 1.43",
		"'Socle du Tarn', 'departemental', '81004', '81', 43.93, 2.13",
		"'Socle de l''Hérault', 'departemental', '34172', '34', 43.61, 3.87",
	};
	if (store_begin(G->st, UNIT_NOW, NULL))
		return -1;
	char sql[512];
	for (int i = 0; i < NS; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO structures(name, category, legal_form, commune, dep, lat, lng, occupancy, "
					  "staff, created_at, updated_at) VALUES (%s, 0, 0)", structures[i]);
		if (store_exec(G->st, sql))
			return -1;
	}
	for (int i = 0; i < ND; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO depots(name, level, commune, dep, lat, lng, created_at, updated_at) "
					  "VALUES (%s, 0, 0)", depots[i]);
		if (store_exec(G->st, sql))
			return -1;
	}
	if (store_commit(G->st))
		return -1;
	for (int i = 0; i < NS; i++)
		S[i] = unit_query_int(G->st, "SELECT min(id) FROM structures") + i;
	for (int i = 0; i < ND; i++)
		D[i] = unit_query_int(G->st, "SELECT min(id) FROM depots") + i;
	I[0] = unit_query_int(G->st, "SELECT id FROM items WHERE code = 'respirator'");
	I[1] = unit_query_int(G->st, "SELECT id FROM items WHERE code = 'gloves-examination'");
	A.store = G->st;
	/* the flags of stock (overstock, large receipts) run too: they must move no stock */
	A.cfg.overstock_days = 30;
	A.cfg.large_receipt_factor = 3;
	A.cfg.large_receipt_min = 100;
	if (threshold_rules_parse("*/*=7,3 ehpad/*=10,4 hospital/*=5,2", 1.0, &A.thresholds, err, sizeof err) ||
	    allocation_config_init(&A.alloc, 14, 10, 3, 21, "ehpad=2 hospital=1.5 *=1", "*=1", "gloves-examination=50 *=1",
				   err, sizeof err)) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	ADMIN = unit_principal(ROLE_ADMIN, "", 0, 1);
	/* the starting world: every holder has counted both items (depots hold a lot, structures some) */
	if (store_begin(G->st, UNIT_NOW - 24 * H, NULL))
		return -1;
	for (int h = 0; h < NS + ND; h++) {
		struct stock_report *r = calloc(1, sizeof *r);
		struct stock_report_result *out = malloc(sizeof *out);
		struct rf_error e;
		r->holder.kind = h < NS ? HOLDER_STRUCTURE : HOLDER_DEPOT;
		r->holder.id = h < NS ? S[h] : D[h - NS];
		r->nlines = NI;
		for (int i = 0; i < NI; i++) {
			r->lines[i].item.id = I[i];
			r->lines[i].quantity = h < NS ? 200 + 300 * h : 6000;
		}
		r->occupancy = r->staff = -1;
		int rc = stock_report_apply(&A, &ADMIN, r, out, &e);
		free(r);
		free(out);
		if (rc)
			return -1;
	}
	events_drop_from(&A, 0);
	if (store_commit(G->st))
		return -1;
	REGION = unit_principal(ROLE_COORDINATOR, "", 0, 2);
	C81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 3);
	C34 = unit_principal(ROLE_COORDINATOR, ",34,", 0, 4);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	events_release(&A.events);
	unit_store_close(G);
	return 0;
}

/* --- the steps ------------------------------------------------------------------------------------- */

/* A random principal: mostly ones that may act, sometimes one that may not. */
static const struct principal *someone(struct principal *own, enum holder_kind kind, long long id)
{
	switch (pick(6)) {
	case 0:
		return &C81;
	case 1:
		return &C34;
	case 2:
		*own = unit_principal(kind == HOLDER_DEPOT ? ROLE_DEPOT : ROLE_STRUCTURE, "", id, 10 + id);
		return own;
	case 3:
		return &REGION;
	default:
		return &ADMIN;
	}
}

/* An allocation of the sequence in this status (any status one time in five, for the steps that
 * must be refused), picked at random; 0 when there is none. */
static long long some_allocation(const char *status)
{
	char sql[192];
	if (!pick(5))
		status = NULL;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM allocations%s%s%s", status ? " WHERE status = '" : "",
		 status ? status : "", status ? "'" : "");
	long long n = q1(sql);
	if (n <= 0)
		return 0;
	snprintf(sql, sizeof sql, "SELECT id FROM allocations%s%s%s ORDER BY id LIMIT 1 OFFSET %lld",
		 status ? " WHERE status = '" : "", status ? status : "", status ? "'" : "", pick(n));
	return q1(sql);
}

static void holder_of(enum holder_kind *k, long long *id)
{
	long long h = pick(NS + ND);
	*k = h < NS ? HOLDER_STRUCTURE : HOLDER_DEPOT;
	*id = h < NS ? S[h] : D[h - NS];
}

/* One random step: 0 when applied (the model follows), -1 when refused. what: its name. */
static int one_step(const char **what)
{
	struct rf_error err;
	struct principal own;
	enum holder_kind k;
	long long id;
	int item = (int)pick(NI);
	int op = (int)pick(100);
	holder_of(&k, &id);
	if (op < 2) {
		/* the overstock job: it looks again at the pending départements' overstock alerts */
		*what = "overstock review";
		A.overstock_overflow = (int)pick(2);
		int rc = alert_engine_overstock_pending(&A);
		A.overstock_npending = 0;
		A.overstock_overflow = 0;
		return rc;
	}
	if (op < 18) {
		*what = "count";
		struct stock_report *r = calloc(1, sizeof *r);
		struct stock_report_result *out = malloc(sizeof *out);
		r->holder.kind = k;
		r->holder.id = id;
		r->nlines = 1;
		r->lines[0].item.id = I[item];
		r->lines[0].quantity = pick(6) ? pick(4000) : 0;
		r->occupancy = r->staff = -1;
		int h = holder_index(k, id), rc = stock_report_apply(&A, someone(&own, k, id), r, out, &err);
		if (!rc) {
			M.total += r->lines[0].quantity - M.level[h][item];
			M.level[h][item] = r->lines[0].quantity;
		}
		free(r);
		free(out);
		return rc;
	}
	if (op < 30) {
		int receipt = pick(2);
		*what = receipt ? "declared receipt" : "declared consumption";
		struct stock_movement m;
		memset(&m, 0, sizeof m);
		m.holder.kind = k;
		m.holder.id = id;
		m.item.id = I[item];
		m.kind = receipt ? MOVE_RECEIPT : MOVE_CONSUMPTION;
		m.quantity = 1 + pick(800);
		m.origin = receipt && pick(8) ? "donation" : NULL; /* sometimes none: refused */
		struct stock_movement_result out;
		int rc = stock_move(&A, someone(&own, k, id), &m, &out, &err);
		if (!rc) {
			M.total += out.delta;
			M.level[holder_index(k, id)][item] += out.delta;
		}
		return rc;
	}
	if (op < 36) {
		*what = "request";
		struct stock_request_new in = {S[pick(NS)], {NULL, I[item]}, 1 + pick(3000), "random"};
		struct stock_request_row out;
		return stock_request_create(&A, someone(&own, HOLDER_STRUCTURE, in.structure_id), &in, &out, &err);
	}
	if (op < 42) {
		*what = "proposal";
		static const char *const deps[] = {NULL, "81", "34", "31"};
		struct stock_item_ref ref = {NULL, I[item]};
		long long p;
		const struct principal *who = pick(3) ? &ADMIN : pick(2) ? &C81 : &C34;
		return allocation_propose(&A, who, &ref, deps[pick(4)], &p, &err);
	}
	if (op < 48) {
		*what = "line by hand";
		struct allocation_new in;
		memset(&in, 0, sizeof in);
		in.item.id = I[item];
		holder_of(&in.source_kind, &in.source_id);
		in.structure_id = S[pick(NS)];
		in.quantity = 1 + pick(500);
		struct allocation_row *out = malloc(sizeof *out);
		int rc = allocation_create(&A, pick(2) ? &ADMIN : &C81, &in, out, &err);
		free(out);
		return rc;
	}
	static const char *const wanted[] = {"proposed", "approved", "dispatched", NULL};
	int stage = op < 62 ? 0 : op < 76 ? 1 : op < 90 ? 2 : 3;
	long long a = some_allocation(wanted[stage]);
	if (!a) {
		*what = "nothing";
		return -1;
	}
	struct allocation_row *row = malloc(sizeof *row), *out = malloc(sizeof *out);
	int rc = store_allocation_get(G->st, &principal_system, a, row);
	assert_int_equal(rc, STORE_OK);
	enum holder_kind sk = row->source_kind;
	long long sid = row->source_id;
	if (op < 62) {
		*what = "approval";
		rc = allocation_approve(&A, pick(4) ? &ADMIN : someone(&own, sk, sid), a, pick(3) ? 0 : 1 + pick(600), out, &err);
	} else if (op < 76) {
		*what = "dispatch";
		rc = allocation_dispatch(&A, pick(3) ? &ADMIN : someone(&own, sk, sid), a, out, &err);
		if (!rc) {
			M.level[holder_index(sk, sid)][item_index(out->item_id)] -= out->quantity;
		}
	} else if (op < 90) {
		*what = "receipt";
		long long sent = row->quantity;
		long long got = pick(3) ? sent : sent + pick(41) - 20;
		if (got < 0)
			got = 0;
		rc = allocation_receive(&A, pick(3) ? &ADMIN : someone(&own, HOLDER_STRUCTURE, row->structure_id), a, got,
					pick(10) ? "crushed boxes" : NULL, out, &err);
		if (!rc) {
			M.level[holder_index(HOLDER_STRUCTURE, row->structure_id)][item_index(out->item_id)] += got;
			M.total += got - sent;
		}
	} else {
		*what = "cancellation";
		rc = allocation_cancel(&A, pick(3) ? &ADMIN : someone(&own, sk, sid), a, "random", out, &err);
		if (!rc && row->status == ALLOCATION_DISPATCHED)
			M.level[holder_index(sk, sid)][item_index(out->item_id)] += out->quantity;
	}
	free(row);
	free(out);
	return rc;
}

static void test_conservation(void **state)
{
	(void)state;
	const char *env = getenv("RENFORT_PROPERTY_SEQUENCES");
	int sequences = env ? atoi(env) : 2000;
	if ((env = getenv("RENFORT_PROPERTY_SEED")))
		rng = strtoull(env, NULL, 10);
	static const char *const kinds[] = {"count", "declared receipt", "declared consumption", "request", "proposal",
					    "line by hand", "approval", "dispatch", "receipt", "cancellation", "overstock review"};
	long long applied[11] = {0};
	long long steps_all = 0, refused_all = 0;
	for (int seq = 0; seq < sequences; seq++) {
		memset(&M, 0, sizeof M);
		long long now = UNIT_NOW + seq;
		assert_int_equal(store_begin(G->st, now, NULL), STORE_OK);
		/* the model starts from the world as it is */
		by_holder("SELECT holder_kind, holder_id, item_id, quantity FROM stock_levels", M.level);
		for (int h = 0; h < NS + ND; h++)
			for (int i = 0; i < NI; i++)
				M.total += M.level[h][i];
		int steps = 10 + (int)pick(40);
		for (int step = 0; step < steps; step++) {
			/* time goes by: the burn rates' estimates and the stock now move with it */
			now += pick(3) ? 0 : pick(12 * H);
			store_set_now(G->st, now);
			assert_int_equal(tx_savepoint(&A), 0);
			const char *what = "?";
			int rc = one_step(&what);
			if (rc == 0)
				assert_int_equal(tx_release(&A), 0);
			else
				tx_rollback_savepoint(&A);
			events_drop_from(&A, 0);
			M.steps++;
			M.refused += rc != 0;
			for (int k = 0; k < 11 && rc == 0; k++)
				applied[k] += strcmp(kinds[k], what) == 0;
			check(seq, step, what);
		}
		steps_all += M.steps;
		refused_all += M.refused;
		tx_rollback(&A);
	}
	M.steps = steps_all;
	M.refused = refused_all;
	print_message("%d sequences, %lld steps (%lld refused):", sequences, M.steps, M.refused);
	for (int k = 0; k < 11; k++)
		print_message(" %s %lld,", kinds[k], applied[k]);
	print_message("\n");
	/* every kind of step was applied, many times: the invariants were tested on all of them */
	for (int k = 0; k < 11; k++)
		if (applied[k] < sequences / 20)
			fail_msg("%s applied %lld times only", kinds[k], applied[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conservation),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
