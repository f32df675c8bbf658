#include "escalation.h"

int escalation_level_due(long long now, long long since, long long delay_ms)
{
	if (delay_ms <= 0 || now < since)
		return 0;
	long long open_for = now - since;
	return open_for >= 2 * delay_ms ? 2 : open_for >= delay_ms ? 1 : 0;
}

int alert_sms_allowed(long long now, int level, int last_level, long long last_at, long long cooldown_ms)
{
	if (cooldown_ms <= 0 || last_level <= 0 || level > last_level)
		return 1;
	/* a clock behind the last text (a restored file): still within the cool-down */
	return now - last_at >= cooldown_ms;
}
