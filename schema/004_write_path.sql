-- 004_write_path: the same constraints, cheaper to check on every stock report.

-- A CHECK of the form "kind IN (five values)" makes SQLite build a temporary index of the five
-- values for every row inserted; the same rule written with OR is a few comparisons. The ledger is
-- rebuilt with that one change (SQLite cannot alter a CHECK in place); rows, ids and the index are
-- kept. legacy_alter_table: the triggers of 001 that read stock_ledger are left as they are by the
-- rename, and find the new table under the old name.
CREATE TABLE stock_ledger_new (
	id INTEGER PRIMARY KEY,
	holder_kind TEXT NOT NULL CHECK (holder_kind IN ('structure', 'depot')),
	holder_id INTEGER NOT NULL,
	item_id INTEGER NOT NULL REFERENCES items(id),
	kind TEXT NOT NULL CHECK (kind = 'report' OR kind = 'consumption' OR kind = 'dispatch' OR kind = 'receipt' OR kind = 'adjustment'),
	delta INTEGER NOT NULL,
	quantity_after INTEGER NOT NULL,
	actor INTEGER,
	idempotency_key TEXT,
	at INTEGER NOT NULL,
	report_id INTEGER REFERENCES stock_reports(id)
) STRICT;
INSERT INTO stock_ledger_new(id, holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, idempotency_key,
			     at, report_id)
	SELECT id, holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, idempotency_key, at, report_id
	FROM stock_ledger;
DROP TABLE stock_ledger;
PRAGMA legacy_alter_table = ON;
ALTER TABLE stock_ledger_new RENAME TO stock_ledger;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX stock_ledger_holder ON stock_ledger(holder_kind, holder_id, item_id, at);

-- Remembered answers are looked up by entity only to erase a person's data: stock reports, which
-- name no entity, need not be indexed there (one index write less per report).
DROP INDEX idempotency_entity;
CREATE INDEX idempotency_entity ON idempotency(entity, entity_id) WHERE entity IS NOT NULL;

-- Nothing looks reports up by holder (a holder's history is the ledger's, by its own index, with
-- report_id): the index only cost a page written at a random place on every report.
DROP INDEX stock_reports_holder;
