-- 009_deployments: staff requests, their shifts, the calls made to volunteers (in waves) and the
-- replies received; the staff_unfilled alert. See server/DESIGN-NOTES.md, "Deployments".

-- Alerts get a kind for an unfilled staff request, and the request it is about (one open alert per
-- request: two requests of one structure are two alerts). SQLite cannot change a CHECK or an index
-- expression in place: the table is rebuilt, rows, ids, indexes and triggers kept. Its CHECK is
-- written with OR (004: an IN list builds a temporary index on every insert).
CREATE TABLE alerts_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL CHECK (kind = 'shortage' OR kind = 'silent' OR kind = 'sms_failed' OR kind = 'staff_unfilled'),
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
	request_id INTEGER
) STRICT;
INSERT INTO alerts_new(id, kind, holder_kind, holder_id, item_id, dep, severity, status, quantity, days_of_cover,
		       stockout_at, opened_at, updated_at, version, acknowledged_at, acknowledged_by, ack_note, resolved_at,
		       resolved_by, resolution, resolve_note)
	SELECT id, kind, holder_kind, holder_id, item_id, dep, severity, status, quantity, days_of_cover, stockout_at,
	       opened_at, updated_at, version, acknowledged_at, acknowledged_by, ack_note, resolved_at, resolved_by,
	       resolution, resolve_note
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
-- 003's audit triggers went with the old table: the same again
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

-- A structure's request for people. dep is the structure's (moved with it, below); professions,
-- credentials, skills and languages are space-separated words; times are milliseconds (UTC).
-- filled counts the accepted calls: never more than count (the CHECK is the last guard; the
-- service checks first and answers "already filled").
CREATE TABLE staff_requests (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	dep TEXT NOT NULL,
	professions TEXT NOT NULL,
	credentials TEXT NOT NULL DEFAULT '',
	skills TEXT NOT NULL DEFAULT '',
	languages TEXT NOT NULL DEFAULT '',
	count INTEGER NOT NULL CHECK (count >= 1),
	urgency TEXT NOT NULL CHECK (urgency = 'immediate' OR urgency = 'today' OR urgency = 'planned'),
	notes TEXT,
	address TEXT,
	contact_phone TEXT,
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	deadline INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'filling' OR status = 'filled' OR
						   status = 'expired' OR status = 'cancelled'),
	filled INTEGER NOT NULL DEFAULT 0 CHECK (filled >= 0 AND filled <= count),
	wave INTEGER NOT NULL DEFAULT 0,
	escalated_at INTEGER,
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_at INTEGER,
	close_reason TEXT
) STRICT;
CREATE INDEX staff_requests_dep ON staff_requests(dep, id);
CREATE INDEX staff_requests_structure ON staff_requests(structure_id, id);
CREATE INDEX staff_requests_active ON staff_requests(deadline) WHERE status = 'open' OR status = 'filling';

-- The shifts of a request: every person assigned works each of them.
CREATE TABLE staff_shifts (
	request_id INTEGER NOT NULL REFERENCES staff_requests(id),
	start_at INTEGER NOT NULL,
	end_at INTEGER NOT NULL CHECK (end_at > start_at),
	PRIMARY KEY (request_id, start_at)
) STRICT, WITHOUT ROWID;

-- One call of one volunteer for one request (a volunteer is called once per request). code is the
-- reply code, unique among the volunteer's open and accepted calls; rank, distance and the
-- fairness figures are those the matching saw when the call was made. An accepted call is an
-- assignment.
CREATE TABLE staff_calls (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	request_id INTEGER NOT NULL REFERENCES staff_requests(id),
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	wave INTEGER NOT NULL,
	rank INTEGER NOT NULL,
	code TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'accepted' OR status = 'declined' OR
						   status = 'expired' OR status = 'failed' OR status = 'withdrawn' OR
						   status = 'cancelled' OR status = 'late'),
	distance_m INTEGER NOT NULL,
	widened INTEGER NOT NULL DEFAULT 0,
	prev_called_at INTEGER,
	prev_deployments INTEGER NOT NULL DEFAULT 0,
	sms_id INTEGER,
	called_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	answered_at INTEGER,
	updated_at INTEGER NOT NULL,
	UNIQUE (request_id, volunteer_id)
) STRICT;
CREATE UNIQUE INDEX staff_calls_code ON staff_calls(volunteer_id, code) WHERE status = 'open' OR status = 'accepted';
CREATE INDEX staff_calls_volunteer ON staff_calls(volunteer_id, id);
CREATE INDEX staff_calls_open ON staff_calls(expires_at) WHERE status = 'open';

-- The last guard of "never more people than asked": a call becomes accepted only while the
-- request has a place, and the request counts it in the same statement's trigger.
CREATE TRIGGER staff_calls_accept BEFORE UPDATE OF status ON staff_calls
WHEN NEW.status = 'accepted' AND OLD.status != 'accepted' BEGIN
	SELECT RAISE(ABORT, 'staff request already filled')
	WHERE (SELECT filled >= count FROM staff_requests WHERE id = NEW.request_id);
END;
CREATE TRIGGER staff_calls_count AFTER UPDATE OF status ON staff_calls
WHEN (NEW.status = 'accepted') != (OLD.status = 'accepted') BEGIN
	UPDATE staff_requests SET filled = filled + CASE WHEN NEW.status = 'accepted' THEN 1 ELSE -1 END
	WHERE id = NEW.request_id;
END;

-- What volunteers answered (SMS or their page), tied to the call it was about: a reply that could
-- name no single call is kept once per open call of its sender, so that each request shows it.
CREATE TABLE staff_replies (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	request_id INTEGER NOT NULL REFERENCES staff_requests(id),
	call_id INTEGER NOT NULL REFERENCES staff_calls(id),
	volunteer_id INTEGER NOT NULL,
	source TEXT NOT NULL CHECK (source = 'sms' OR source = 'web'),
	inbox_id INTEGER,
	text TEXT,
	verb TEXT NOT NULL,
	result TEXT NOT NULL,
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_replies_request ON staff_replies(request_id, id);
CREATE INDEX staff_replies_volunteer ON staff_replies(volunteer_id);

-- A request is its structure's: it moves with it (005's rule).
CREATE TRIGGER structures_move_staff AFTER UPDATE OF dep ON structures
WHEN OLD.dep IS NOT NEW.dep BEGIN
	UPDATE staff_requests SET dep = NEW.dep WHERE structure_id = NEW.id;
END;

-- Audit: every write of the three tables, like the registries'. Snapshots of calls and replies
-- carry the request's département (audit.list scopes by it); a reply's text is personal data,
-- removed from them when its volunteer is erased.
CREATE TRIGGER audit_staff_requests_create AFTER INSERT ON staff_requests BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'staff_request', NEW.id, NEW.structure_id, NULL,
		json_object('id', NEW.id, 'structure_id', NEW.structure_id, 'dep', NEW.dep, 'professions', NEW.professions,
			    'credentials', NEW.credentials, 'skills', NEW.skills, 'languages', NEW.languages, 'count', NEW.count,
			    'urgency', NEW.urgency, 'notes', NEW.notes, 'address', NEW.address, 'contact_phone', NEW.contact_phone,
			    'starts_at', NEW.starts_at, 'ends_at', NEW.ends_at, 'deadline', NEW.deadline, 'status', NEW.status,
			    'filled', NEW.filled));
END;
CREATE TRIGGER audit_staff_requests_update AFTER UPDATE ON staff_requests
WHEN OLD.status IS NOT NEW.status OR OLD.filled IS NOT NEW.filled OR OLD.wave IS NOT NEW.wave OR OLD.dep IS NOT NEW.dep
  OR OLD.escalated_at IS NOT NEW.escalated_at BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'staff_request', NEW.id, NEW.structure_id,
		json_object('dep', OLD.dep, 'status', OLD.status, 'filled', OLD.filled, 'wave', OLD.wave,
			    'escalated_at', OLD.escalated_at),
		json_object('dep', NEW.dep, 'status', NEW.status, 'filled', NEW.filled, 'wave', NEW.wave,
			    'escalated_at', NEW.escalated_at, 'close_reason', NEW.close_reason));
END;
CREATE TRIGGER audit_staff_calls_create AFTER INSERT ON staff_calls BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'staff_call', NEW.id, NEW.request_id, NULL,
		json_object('id', NEW.id, 'request_id', NEW.request_id, 'volunteer_id', NEW.volunteer_id,
			    'dep', (SELECT dep FROM staff_requests WHERE id = NEW.request_id), 'wave', NEW.wave,
			    'rank', NEW.rank, 'code', NEW.code, 'status', NEW.status, 'distance_m', NEW.distance_m,
			    'expires_at', NEW.expires_at));
END;
CREATE TRIGGER audit_staff_calls_update AFTER UPDATE ON staff_calls
WHEN OLD.status IS NOT NEW.status BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'staff_call', NEW.id, NEW.request_id,
		json_object('status', OLD.status, 'dep', (SELECT dep FROM staff_requests WHERE id = NEW.request_id)),
		json_object('status', NEW.status, 'dep', (SELECT dep FROM staff_requests WHERE id = NEW.request_id)));
END;
CREATE TRIGGER audit_staff_replies_create AFTER INSERT ON staff_replies BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'staff_reply', NEW.id, NEW.request_id, NULL,
		json_object('id', NEW.id, 'request_id', NEW.request_id, 'call_id', NEW.call_id,
			    'volunteer_id', NEW.volunteer_id, 'dep', (SELECT dep FROM staff_requests WHERE id = NEW.request_id),
			    'source', NEW.source, 'text', NEW.text, 'verb', NEW.verb, 'result', NEW.result));
END;
