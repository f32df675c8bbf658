-- 012_allocations: the shared stock moves. Requests for stock, allocation proposals (what the
-- allocator computed for every holder it looked at) and their lines, the workflow of each line
-- (proposed, approved, dispatched, received or cancelled), the depots' reserves, and a ledger that
-- follows stock on its way.

-- The ledger is rebuilt (as 004 did: rows, ids and index kept, CHECKs written with OR) for three
-- changes:
-- - stock on its way is a holder of its own, 'transit' (holder_id: the allocation), so that each
--   step of an allocation writes balanced rows: a dispatch takes from the source and gives to
--   transit, a receipt takes from transit and gives to the structure, and what was lost or found on
--   the way is a 'discrepancy' row of transit. The rows of one cause add up to its discrepancies:
--   conservation can be checked cause by cause;
-- - 'discrepancy' is a kind;
-- - a receipt that no allocation delivers declares its origin (a purchase, a donation, other).
CREATE TABLE stock_ledger_new (
	id INTEGER PRIMARY KEY,
	holder_kind TEXT NOT NULL CHECK (holder_kind = 'structure' OR holder_kind = 'depot' OR holder_kind = 'transit'),
	holder_id INTEGER NOT NULL,
	item_id INTEGER NOT NULL REFERENCES items(id),
	kind TEXT NOT NULL CHECK (kind = 'report' OR kind = 'consumption' OR kind = 'dispatch' OR kind = 'receipt' OR
				  kind = 'adjustment' OR kind = 'discrepancy'),
	delta INTEGER NOT NULL,
	quantity_after INTEGER NOT NULL,
	actor INTEGER,
	idempotency_key TEXT,
	at INTEGER NOT NULL,
	report_id INTEGER REFERENCES stock_reports(id),
	cause_kind TEXT,
	cause_id INTEGER,
	origin TEXT CHECK (origin IS NULL OR origin = 'purchase' OR origin = 'donation' OR origin = 'other')
) STRICT;
INSERT INTO stock_ledger_new(id, holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, idempotency_key,
			     at, report_id, cause_kind, cause_id)
	SELECT id, holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, idempotency_key, at, report_id,
	       cause_kind, cause_id
	FROM stock_ledger;
DROP TABLE stock_ledger;
PRAGMA legacy_alter_table = ON;
ALTER TABLE stock_ledger_new RENAME TO stock_ledger;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX stock_ledger_holder ON stock_ledger(holder_kind, holder_id, item_id, at);
-- the rows of an allocation, for its history and the conservation checks
CREATE INDEX stock_ledger_cause ON stock_ledger(cause_kind, cause_id) WHERE cause_id IS NOT NULL;

-- What a structure asks for (its own token, or a coordinator on its behalf). Open until an
-- allocation answering it is received (served) or someone cancels it. The structure's département
-- is read through the structure (a join), so a request follows its structure when it moves.
CREATE TABLE stock_requests (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	item_id INTEGER NOT NULL REFERENCES items(id),
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	reason TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status = 'open' OR status = 'served' OR status = 'cancelled'),
	allocation_id INTEGER, -- the allocation whose receipt served it
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_by INTEGER,
	closed_at INTEGER,
	cancel_reason TEXT
) STRICT;
CREATE INDEX stock_requests_open ON stock_requests(item_id, structure_id) WHERE status = 'open';
CREATE INDEX stock_requests_structure ON stock_requests(structure_id, id);

-- One run of the allocator for one item over a territory, with the parameters it used.
CREATE TABLE allocation_proposals (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	item_id INTEGER NOT NULL REFERENCES items(id),
	scope TEXT,           -- the proposer's territory (',31,81,'), NULL: the region
	dep TEXT,             -- the one département asked for, NULL: the whole territory
	target_days REAL NOT NULL,
	cap_days REAL NOT NULL,
	floor_days REAL NOT NULL,
	pack INTEGER NOT NULL,
	supply INTEGER NOT NULL,
	demand INTEGER NOT NULL,
	given INTEGER NOT NULL,
	short_supply INTEGER NOT NULL,
	capped INTEGER NOT NULL,
	level REAL NOT NULL,
	holders INTEGER NOT NULL, -- holders looked at (rows of allocation_assessments)
	created_by INTEGER,
	created_at INTEGER NOT NULL
) STRICT;

-- The explanation: every holder the allocator looked at, with its figures and its outcome (the
-- rule that set its quantity, or why it has none).
CREATE TABLE allocation_assessments (
	proposal_id INTEGER NOT NULL REFERENCES allocation_proposals(id),
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	outcome TEXT NOT NULL,
	quantity INTEGER NOT NULL,   -- the level it had
	stock_now REAL NOT NULL,     -- less the use estimated since its count
	incoming INTEGER NOT NULL,
	burn_per_day REAL,           -- NULL: unknown
	cover_before REAL,
	cover_after REAL,
	weight REAL NOT NULL,
	need INTEGER NOT NULL,
	demand INTEGER NOT NULL,
	requested INTEGER NOT NULL,
	request_above_need INTEGER NOT NULL,
	given INTEGER NOT NULL,
	alert TEXT,                  -- the severity of its open shortage alert
	PRIMARY KEY (proposal_id, structure_id)
) STRICT, WITHOUT ROWID;

-- A line: a quantity of one item from a depot (an allocation) or from a structure (a transfer, mutual
-- aid) to a structure, and where it is in its workflow. The parties' départements are read through
-- them (joins).
CREATE TABLE allocations (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	proposal_id INTEGER REFERENCES allocation_proposals(id), -- NULL: made by hand
	kind TEXT NOT NULL CHECK (kind = 'allocation' OR kind = 'transfer'),
	item_id INTEGER NOT NULL REFERENCES items(id),
	source_kind TEXT NOT NULL CHECK (source_kind = 'depot' OR source_kind = 'structure'),
	source_id INTEGER NOT NULL,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	status TEXT NOT NULL CHECK (status = 'proposed' OR status = 'approved' OR status = 'dispatched' OR
				    status = 'received' OR status = 'cancelled'),
	proposed_quantity INTEGER NOT NULL CHECK (proposed_quantity > 0),
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	received_quantity INTEGER CHECK (received_quantity >= 0),
	outcome TEXT,                -- a proposed line's outcome (its explanation is its assessment)
	distance_km REAL,
	request_id INTEGER REFERENCES stock_requests(id),
	alert_id INTEGER,            -- the shortage alert it answers
	note TEXT,
	discrepancy_reason TEXT,
	cancel_reason TEXT,
	cancelled_from TEXT,
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	approved_by INTEGER,
	approved_at INTEGER,
	dispatched_by INTEGER,
	dispatched_at INTEGER,
	received_by INTEGER,
	received_at INTEGER,
	cancelled_by INTEGER,
	cancelled_at INTEGER,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX allocations_structure ON allocations(structure_id, item_id, status);
CREATE INDEX allocations_source ON allocations(source_kind, source_id, item_id, status);
CREATE INDEX allocations_proposal ON allocations(proposal_id) WHERE proposal_id IS NOT NULL;
CREATE INDEX allocations_item ON allocations(item_id, status);

-- What a depot keeps of an item whatever happens: the allocator gives only what is above it.
CREATE TABLE stock_reserves (
	depot_id INTEGER NOT NULL REFERENCES depots(id),
	item_id INTEGER NOT NULL REFERENCES items(id),
	quantity INTEGER NOT NULL CHECK (quantity >= 0),
	updated_by INTEGER,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (depot_id, item_id)
) STRICT, WITHOUT ROWID;
