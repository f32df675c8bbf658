-- 001_core: territories, access tokens, registries (structures, depots, items, volunteers),
-- stock levels and ledger, audit log, event log, idempotency keys.
--
-- Conventions: every table is STRICT; times are INTEGER milliseconds since the Unix epoch (UTC);
-- calendar dates are TEXT 'YYYY-MM-DD'. renfort_now(), renfort_actor() and renfort_actor_role()
-- are functions that renfortd registers on its connection: the audit triggers use them, so every
-- write is recorded with who and when, whichever code path made it.

CREATE TABLE departements (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	region TEXT NOT NULL,
	lat REAL NOT NULL,
	lng REAL NOT NULL,
	prefecture TEXT
) STRICT;

CREATE TABLE communes (
	insee TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	dep TEXT NOT NULL REFERENCES departements(code),
	postcode TEXT,
	lat REAL NOT NULL,
	lng REAL NOT NULL,
	population INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX communes_dep ON communes(dep);

-- A commune can have several postcodes (and a postcode several communes).
CREATE TABLE commune_postcodes (
	postcode TEXT NOT NULL,
	insee TEXT NOT NULL REFERENCES communes(insee),
	PRIMARY KEY (postcode, insee)
) STRICT, WITHOUT ROWID;

-- API tokens: only a SHA-256 of the secret is kept. scope NULL = the whole region,
-- otherwise ',31,81,' (départements); subject_id = the structure, depot or volunteer a token acts as.
CREATE TABLE tokens (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	hash TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'structure', 'depot', 'volunteer', 'observer')),
	scope TEXT,
	subject_id INTEGER,
	label TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;

CREATE TABLE structures (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	legal_form TEXT NOT NULL,
	finess TEXT UNIQUE,
	commune TEXT NOT NULL REFERENCES communes(insee),
	dep TEXT NOT NULL REFERENCES departements(code),
	lat REAL NOT NULL,
	lng REAL NOT NULL,
	capacity INTEGER,
	occupancy INTEGER,
	staff INTEGER,
	status TEXT NOT NULL DEFAULT 'active',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX structures_dep ON structures(dep, id);
CREATE INDEX structures_category ON structures(category, id);

CREATE TABLE structure_contacts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
	name TEXT,
	phone TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	role TEXT
) STRICT;
CREATE INDEX structure_contacts_structure ON structure_contacts(structure_id);

CREATE TABLE depots (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	level TEXT NOT NULL,
	commune TEXT NOT NULL REFERENCES communes(insee),
	dep TEXT NOT NULL REFERENCES departements(code),
	lat REAL NOT NULL,
	lng REAL NOT NULL,
	phone TEXT,
	status TEXT NOT NULL DEFAULT 'active',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX depots_dep ON depots(dep, id);

CREATE TABLE items (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	unit TEXT NOT NULL,
	reusable INTEGER NOT NULL DEFAULT 0,
	burn_per_worker_day REAL,
	burn_per_patient_day REAL,
	burn_per_bed_day REAL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- Volunteers. Erasure (right to be forgotten) nulls every personal column and sets status 'erased',
-- keeping profession and département as anonymised history.
CREATE TABLE volunteers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	first_name TEXT,
	last_name TEXT,
	phone TEXT UNIQUE,
	email TEXT,
	profession TEXT NOT NULL,
	skills TEXT NOT NULL DEFAULT '',
	languages TEXT NOT NULL DEFAULT 'fr',
	home_commune TEXT REFERENCES communes(insee),
	dep TEXT NOT NULL REFERENCES departements(code),
	travel_radius_km INTEGER NOT NULL DEFAULT 30,
	availability TEXT NOT NULL DEFAULT 'available',
	sms_lang TEXT NOT NULL DEFAULT 'fr',
	consent_at TEXT,
	gender TEXT,
	status TEXT NOT NULL DEFAULT 'active',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX volunteers_dep ON volunteers(dep, id);
CREATE INDEX volunteers_profession ON volunteers(profession, id);

CREATE TABLE volunteer_credentials (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	reference TEXT,
	expires_on TEXT
) STRICT;
CREATE INDEX volunteer_credentials_volunteer ON volunteer_credentials(volunteer_id);
CREATE INDEX volunteer_credentials_expiry ON volunteer_credentials(expires_on);

-- Stock: the current level per holder and item, and the append-only ledger that explains it.
CREATE TABLE stock_levels (
	holder_kind TEXT NOT NULL CHECK (holder_kind IN ('structure', 'depot')),
	holder_id INTEGER NOT NULL,
	item_id INTEGER NOT NULL REFERENCES items(id),
	quantity INTEGER NOT NULL CHECK (quantity >= 0),
	reported_at INTEGER,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (holder_kind, holder_id, item_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE stock_ledger (
	id INTEGER PRIMARY KEY,
	holder_kind TEXT NOT NULL CHECK (holder_kind IN ('structure', 'depot')),
	holder_id INTEGER NOT NULL,
	item_id INTEGER NOT NULL REFERENCES items(id),
	kind TEXT NOT NULL CHECK (kind IN ('report', 'consumption', 'dispatch', 'receipt', 'adjustment')),
	delta INTEGER NOT NULL,
	quantity_after INTEGER NOT NULL,
	actor INTEGER,
	idempotency_key TEXT,
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_ledger_holder ON stock_ledger(holder_kind, holder_id, item_id, at);

-- Audit: every write to a registry, by trigger. before/after are JSON snapshots of the row.
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor INTEGER,
	actor_role TEXT,
	action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'erase')),
	entity TEXT NOT NULL,
	entity_id INTEGER NOT NULL,
	parent_id INTEGER,
	before TEXT,
	after TEXT
) STRICT;
CREATE INDEX audit_entity ON audit(entity, entity_id);
CREATE INDEX audit_parent ON audit(entity, parent_id);

-- Small named values of the server itself (the last event sequence number given out, ...).
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;

-- Idempotency keys: the same key with the same request answers the first response again.
CREATE TABLE idempotency (
	token_id INTEGER NOT NULL,
	key TEXT NOT NULL,
	op TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	response TEXT NOT NULL,
	entity TEXT,
	entity_id INTEGER,
	at INTEGER NOT NULL,
	PRIMARY KEY (token_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_at ON idempotency(at);
CREATE INDEX idempotency_entity ON idempotency(entity, entity_id);

-- A holder of stock keeps its history: it can be closed, not deleted.
CREATE TRIGGER structures_keep_history BEFORE DELETE ON structures
WHEN EXISTS (SELECT 1 FROM stock_ledger WHERE holder_kind = 'structure' AND holder_id = OLD.id)
  OR EXISTS (SELECT 1 FROM stock_levels WHERE holder_kind = 'structure' AND holder_id = OLD.id)
BEGIN
	SELECT RAISE(ABORT, 'structure has stock history');
END;

CREATE TRIGGER depots_keep_history BEFORE DELETE ON depots
WHEN EXISTS (SELECT 1 FROM stock_ledger WHERE holder_kind = 'depot' AND holder_id = OLD.id)
  OR EXISTS (SELECT 1 FROM stock_levels WHERE holder_kind = 'depot' AND holder_id = OLD.id)
BEGIN
	SELECT RAISE(ABORT, 'depot has stock history');
END;
