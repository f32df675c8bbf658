-- 020_history: what the coordination cell reads back. Reports by time (trends of reports per hour,
-- who reported today: the reporting completeness) and alerts by opening time (trends of active
-- alerts, the daily situation report). The ledger is read by its holder index.
CREATE INDEX stock_reports_at ON stock_reports(at);
CREATE INDEX alerts_opened ON alerts(opened_at);
