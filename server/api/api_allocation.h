/* api_allocation: the shared stock's operations as clients see them: requests for stock, the nearest
 * stock, depot reserves, allocation proposals with their explanation, the allocations' workflow,
 * and CSV exports of the allocations and of the ledger. */
#ifndef RENFORT_API_ALLOCATION_H
#define RENFORT_API_ALLOCATION_H

#include <cjson/cJSON.h>

struct allocation_row;
struct stock_request_row;

/* An allocation as allocations.get and its events give it. */
cJSON *allocation_json(const struct allocation_row *a);
/* A request for stock as stock_requests.list and its events give it, with the need computed now. */
cJSON *request_json(const struct stock_request_row *r);

#endif
