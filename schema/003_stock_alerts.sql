-- 003_stock_alerts: stock reports and the burn-rate estimate, alerts, per-holder threshold
-- overrides, duty officers (who is called for a département), and the SMS outbox.

-- One row per report received (the ledger rows of its items point to it).
CREATE TABLE stock_reports (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	holder_kind TEXT NOT NULL CHECK (holder_kind IN ('structure', 'depot')),
	holder_id INTEGER NOT NULL,
	items INTEGER NOT NULL,
	occupancy INTEGER,
	staff INTEGER,
	actor INTEGER,
	idempotency_key TEXT,
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_reports_holder ON stock_reports(holder_kind, holder_id, at);

ALTER TABLE stock_ledger ADD COLUMN report_id INTEGER REFERENCES stock_reports(id);

-- The burn-rate estimator's state, kept with the level it explains (see server/burn.c).
ALTER TABLE stock_levels ADD COLUMN anchor_at INTEGER;
ALTER TABLE stock_levels ADD COLUMN anchor_quantity INTEGER;
ALTER TABLE stock_levels ADD COLUMN inflow INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN burn_rate REAL;
ALTER TABLE stock_levels ADD COLUMN burn_samples INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN burn_per_day REAL;
ALTER TABLE stock_levels ADD COLUMN days_of_cover REAL;
ALTER TABLE stock_levels ADD COLUMN stockout_at INTEGER;
CREATE INDEX stock_levels_item ON stock_levels(item_id, holder_kind);

-- Alerts. One open (not resolved) alert per (kind, holder, item), updated in place. SMS failures
-- have no holder ('none', 0): one alert per département counts the messages that could not go.
CREATE TABLE alerts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL CHECK (kind IN ('shortage', 'silent', 'sms_failed')),
	holder_kind TEXT NOT NULL CHECK (holder_kind IN ('structure', 'depot', 'none')),
	holder_id INTEGER NOT NULL,
	item_id INTEGER REFERENCES items(id),
	dep TEXT NOT NULL,
	severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical', 'stockout')),
	status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
	quantity INTEGER,
	days_of_cover REAL,
	stockout_at INTEGER,
	opened_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	acknowledged_at INTEGER,
	acknowledged_by INTEGER,
	ack_note TEXT,
	resolved_at INTEGER,
	resolved_by INTEGER,
	resolution TEXT CHECK (resolution IN ('recovered', 'manual', 'reported')),
	resolve_note TEXT
) STRICT;
CREATE UNIQUE INDEX alerts_one_open ON alerts(kind, holder_kind, holder_id, coalesce(item_id, 0), dep)
	WHERE status != 'resolved';
CREATE INDEX alerts_status ON alerts(status, dep);
CREATE INDEX alerts_holder ON alerts(holder_kind, holder_id);

CREATE TRIGGER audit_alerts_create AFTER INSERT ON alerts BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'alert', NEW.id, NEW.holder_id, NULL,
		json_object('kind', NEW.kind, 'holder_kind', NEW.holder_kind, 'holder_id', NEW.holder_id,
			    'item_id', NEW.item_id, 'dep', NEW.dep, 'severity', NEW.severity, 'status', NEW.status,
			    'quantity', NEW.quantity, 'days_of_cover', NEW.days_of_cover));
END;

CREATE TRIGGER audit_alerts_update AFTER UPDATE ON alerts
WHEN OLD.severity IS NOT NEW.severity OR OLD.status IS NOT NEW.status BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'alert', NEW.id, NEW.holder_id,
		json_object('severity', OLD.severity, 'status', OLD.status, 'days_of_cover', OLD.days_of_cover),
		json_object('severity', NEW.severity, 'status', NEW.status, 'days_of_cover', NEW.days_of_cover,
			    'ack_note', NEW.ack_note, 'resolution', NEW.resolution, 'resolve_note', NEW.resolve_note));
END;

-- Thresholds of one holder (all items when item_id is NULL), over the configured ones.
CREATE TABLE alert_overrides (
	holder_kind TEXT NOT NULL CHECK (holder_kind IN ('structure', 'depot')),
	holder_id INTEGER NOT NULL,
	item_id INTEGER NOT NULL DEFAULT 0,
	warning_days REAL NOT NULL CHECK (warning_days > 0),
	critical_days REAL NOT NULL CHECK (critical_days > 0 AND critical_days <= warning_days),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (holder_kind, holder_id, item_id)
) STRICT, WITHOUT ROWID;

-- The people called when a département's alerts turn critical (dep NULL: the whole region).
CREATE TABLE duty_officers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	phone TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	dep TEXT REFERENCES departements(code),
	status TEXT NOT NULL DEFAULT 'active',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER audit_duty_officers_create AFTER INSERT ON duty_officers BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'duty_officer', NEW.id, NULL, NULL,
		json_object('id', NEW.id, 'name', NEW.name, 'phone', NEW.phone, 'lang', NEW.lang, 'dep', NEW.dep, 'status', NEW.status));
END;
CREATE TRIGGER audit_duty_officers_update AFTER UPDATE ON duty_officers
WHEN json_object('name', OLD.name, 'phone', OLD.phone, 'lang', OLD.lang, 'dep', OLD.dep, 'status', OLD.status)
  IS NOT json_object('name', NEW.name, 'phone', NEW.phone, 'lang', NEW.lang, 'dep', NEW.dep, 'status', NEW.status) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'duty_officer', NEW.id, NULL,
		json_object('id', OLD.id, 'name', OLD.name, 'phone', OLD.phone, 'lang', OLD.lang, 'dep', OLD.dep, 'status', OLD.status),
		json_object('id', NEW.id, 'name', NEW.name, 'phone', NEW.phone, 'lang', NEW.lang, 'dep', NEW.dep, 'status', NEW.status));
END;
CREATE TRIGGER audit_duty_officers_delete AFTER DELETE ON duty_officers BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'duty_officer', OLD.id, NULL,
		json_object('id', OLD.id, 'name', OLD.name, 'phone', OLD.phone, 'lang', OLD.lang, 'dep', OLD.dep, 'status', OLD.status), NULL);
END;

-- SMS to send: written in the same transaction as the decision that causes them (the outbox).
CREATE TABLE sms_outbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL,
	kind TEXT NOT NULL,
	dep TEXT,
	recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('structure_contact', 'duty_officer', 'volunteer', 'phone')),
	recipient_id INTEGER,
	phone TEXT,
	lang TEXT NOT NULL DEFAULT 'fr',
	text TEXT,
	alert_id INTEGER REFERENCES alerts(id),
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	gateway TEXT,
	gateway_ref TEXT,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sms_outbox_due ON sms_outbox(status, next_attempt_at);
CREATE INDEX sms_outbox_dep ON sms_outbox(dep, id);

-- Messages received (Kannel MO, Twilio inbound). A gateway's message id is processed once.
CREATE TABLE sms_inbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	gateway TEXT NOT NULL,
	gateway_id TEXT NOT NULL,
	phone TEXT,
	to_number TEXT,
	text TEXT,
	keyword TEXT,
	result TEXT,
	volunteer_id INTEGER,
	received_at INTEGER NOT NULL,
	UNIQUE (gateway, gateway_id)
) STRICT;
CREATE INDEX sms_inbox_volunteer ON sms_inbox(volunteer_id);

-- Phones that sent STOP: nothing is sent to them until they send START.
CREATE TABLE sms_optouts (
	phone TEXT PRIMARY KEY,
	at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
