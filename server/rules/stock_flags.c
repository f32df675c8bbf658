#include "stock_flags.h"

int overstock_next(int open_now, int cover_known, double days, long long others_critical, double threshold,
		   double margin)
{
	if (!cover_known || others_critical <= 0)
		return 0;
	if (!open_now)
		return days >= threshold;
	/* calming down needs the margin below the threshold: a level bouncing around it does not flap */
	return days >= threshold - margin;
}

int receipt_is_large(long long quantity, long long usual, double factor, long long min_quantity)
{
	if (quantity < min_quantity)
		return 0;
	return (double)quantity > factor * (double)(usual > 0 ? usual : 0);
}
