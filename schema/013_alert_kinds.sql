-- 013_alert_kinds: two kinds of alert more, and the allocation a shortage alert is answered by.
-- - 'overstock': a holder far above the cover cap while others of its département are critical for
--   the same item (anti-hoarding; the same lifecycle and hysteresis as a shortage);
-- - 'large_receipt': a receipt no allocation delivers, large against the holder's usual levels,
--   flagged to the coordinators;
-- - allocation_id: the allocation on its way to a shortage (its CAP update says so).
-- The table as 009 left it (staff_unfilled alerts, their request_id) gets these; SQLite cannot
-- change a CHECK in place: the table is rebuilt, rows and ids kept (AUTOINCREMENT
-- goes on where it was). Its own triggers and indexes go with the old table and are made again;
-- the triggers of 005 and 007 that move alerts with their holder read the table by its name.
CREATE TABLE alerts_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL CHECK (kind = 'shortage' OR kind = 'silent' OR kind = 'sms_failed' OR kind = 'staff_unfilled' OR
				  kind = 'overstock' OR kind = 'large_receipt'),
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
	resolve_note TEXT,
	request_id INTEGER,
	allocation_id INTEGER
) STRICT;
INSERT INTO alerts_new(id, kind, holder_kind, holder_id, item_id, dep, severity, status, quantity, days_of_cover,
		       stockout_at, opened_at, updated_at, version, acknowledged_at, acknowledged_by, ack_note, resolved_at,
		       resolved_by, resolution, resolve_note, request_id)
	SELECT id, kind, holder_kind, holder_id, item_id, dep, severity, status, quantity, days_of_cover, stockout_at,
	       opened_at, updated_at, version, acknowledged_at, acknowledged_by, ack_note, resolved_at, resolved_by,
	       resolution, resolve_note, request_id
	FROM alerts;
DELETE FROM sqlite_sequence WHERE name = 'alerts_new';
INSERT INTO sqlite_sequence(name, seq) SELECT 'alerts_new', seq FROM sqlite_sequence WHERE name = 'alerts';
DROP TABLE alerts;
PRAGMA legacy_alter_table = ON;
ALTER TABLE alerts_new RENAME TO alerts;
PRAGMA legacy_alter_table = OFF;
CREATE UNIQUE INDEX alerts_one_open ON alerts(kind, holder_kind, holder_id, coalesce(item_id, 0), dep, coalesce(request_id, 0))
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
