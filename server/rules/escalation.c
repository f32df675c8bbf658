#include "escalation.h"

int escalation_level_due(long long now, long long since, long long delay_ms)
{
	if (delay_ms <= 0 || now < since)
		return 0;
	long long open_for = now - since;
	return open_for >= 2 * delay_ms ? 2 : open_for >= delay_ms ? 1 : 0;
}
