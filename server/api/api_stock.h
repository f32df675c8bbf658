/* api_stock: stock as clients read it: reports and movements (parsed into stock.c's typed
 * requests, answered from their results), levels, cover and thresholds. */
#ifndef RENFORT_API_STOCK_H
#define RENFORT_API_STOCK_H

#include "stock.h"

/* A level as the stock.level event and a movement's answer give it:
 * {"item","quantity","burn_per_day","days_of_cover","stockout_at","alert","holder_kind","holder_id"}
 * and extra (",\"name\":value..." or NULL) before the end. NULL when memory runs out. */
char *api_level_object(enum holder_kind kind, long long holder, const struct stock_level *lv, const char *extra);

#endif
