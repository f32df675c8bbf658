-- 015_forecast: the trend estimator's state and projection with each level, and what quieter alerts
-- remember (issue 14; server/rules/forecast.c, server/rules/alert_rules.c).

-- The samples the counts made (the last 8, packed by store_stock.c), and the rate path projected
-- from them at the level's last evaluation: rate (units/day) at fc_level_at, growing by fc_growth
-- (log per day, damped), with the standard errors of both (log), the number of samples fitted (0:
-- the rate is the cold-start fallback, fc_fallback_high its upper bound) and whether the newest was a
-- high surprise; the holder's own growth and how much its samples say of it (for the pooled prior). consumed_since_count: consumption declared by movements since the last
-- count (already in quantity: the estimate must not count it twice). The band: stockout_low_at (the
-- earliest likely) and stockout_high_at. due_at: when the level must be looked at again without a new
-- count (an alert's hold ends, the projected cover crosses a threshold, the estimate reaches zero):
-- not indexed, since nearly every report line moves it (an index entry rewritten each time); the
-- sweep reads the table once a check interval instead.
ALTER TABLE stock_levels ADD COLUMN fc_samples BLOB;
ALTER TABLE stock_levels ADD COLUMN fc_fitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN fc_level REAL;
ALTER TABLE stock_levels ADD COLUMN fc_level_at INTEGER;
ALTER TABLE stock_levels ADD COLUMN fc_growth REAL;
ALTER TABLE stock_levels ADD COLUMN fc_own_growth REAL;
ALTER TABLE stock_levels ADD COLUMN fc_sxx REAL;
ALTER TABLE stock_levels ADD COLUMN fc_level_se REAL;
ALTER TABLE stock_levels ADD COLUMN fc_growth_se REAL;
ALTER TABLE stock_levels ADD COLUMN fc_surprise INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN fc_fallback_high REAL;
ALTER TABLE stock_levels ADD COLUMN consumed_since_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN stockout_low_at INTEGER;
ALTER TABLE stock_levels ADD COLUMN stockout_high_at INTEGER;
ALTER TABLE stock_levels ADD COLUMN due_at INTEGER;

-- Alerts: a severity goes down only once the projection has allowed it for alert_hold_hours
-- (calm_since: when it began to); a shortage that comes back within alert_reopen_hours reopens its
-- alert (reopened_at, reopen_count); the SMS last sent for it (sms_severity, sms_at) rules the
-- cool-down.
ALTER TABLE alerts ADD COLUMN calm_since INTEGER;
ALTER TABLE alerts ADD COLUMN reopened_at INTEGER;
ALTER TABLE alerts ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN sms_severity TEXT;
ALTER TABLE alerts ADD COLUMN sms_at INTEGER;
