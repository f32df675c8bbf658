#include "plausibility.h"

#define DAY_MS 86400000.0

double plausibility_projected(long long level, double per_day, long long since, long long now)
{
	double used = per_day > 0 && now > since ? per_day * (double)(now - since) / DAY_MS : 0;
	double left = (double)level - used;
	return left > 0 ? left : 0;
}

enum plausibility plausibility_check(const struct plausibility_params *p, int has_history, long long level,
				     double projected, long long count)
{
	if (p->factor <= 1 || !has_history)
		return PLAUSIBLE;
	/* the high side against the last level (a delivery not declared still came from somewhere
	 * below it), the low side against what consumption leaves: both as wide as the factor */
	long long base = level > p->floor ? level : p->floor;
	if ((double)count > (double)p->factor * (double)base)
		return IMPLAUSIBLE_HIGH;
	if (count > 0 && projected >= (double)p->floor && (double)count * (double)p->factor < projected)
		return IMPLAUSIBLE_LOW;
	return PLAUSIBLE;
}
