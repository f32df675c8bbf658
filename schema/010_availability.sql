-- 010_availability: volunteers' availability as windows, and the credential reminders sent.

-- "Unavailable from ... until ...", "available only from ... until ...": times in milliseconds
-- (UTC); end_at NULL for an unavailability with no end ("until further notice"). The volunteers'
-- three-value availability stays, as what holds now (kept current when a window starts or ends).
CREATE TABLE volunteer_windows (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind = 'unavailable' OR kind = 'available'),
	start_at INTEGER NOT NULL,
	end_at INTEGER CHECK (end_at IS NULL OR end_at > start_at),
	source TEXT NOT NULL CHECK (source = 'web' OR source = 'sms' OR source = 'api'),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX volunteer_windows_volunteer ON volunteer_windows(volunteer_id, start_at);
-- the windows that begin or end, for the availability that holds now
CREATE INDEX volunteer_windows_start ON volunteer_windows(start_at);
CREATE INDEX volunteer_windows_end ON volunteer_windows(end_at) WHERE end_at IS NOT NULL;
-- the shifts that begin or end, likewise (an assigned volunteer is on_mission during them)
CREATE INDEX staff_shifts_start ON staff_shifts(start_at);
CREATE INDEX staff_shifts_end ON staff_shifts(end_at);

CREATE TRIGGER audit_volunteer_windows_create AFTER INSERT ON volunteer_windows BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'volunteer_window', NEW.id, NEW.volunteer_id,
		NULL, json_object('id', NEW.id, 'volunteer_id', NEW.volunteer_id, 'kind', NEW.kind, 'start_at', NEW.start_at,
				  'end_at', NEW.end_at, 'source', NEW.source));
END;
CREATE TRIGGER audit_volunteer_windows_update AFTER UPDATE ON volunteer_windows BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'volunteer_window', NEW.id, NEW.volunteer_id,
		json_object('start_at', OLD.start_at, 'end_at', OLD.end_at),
		json_object('start_at', NEW.start_at, 'end_at', NEW.end_at));
END;
CREATE TRIGGER audit_volunteer_windows_delete AFTER DELETE ON volunteer_windows BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'volunteer_window', OLD.id, OLD.volunteer_id,
		json_object('id', OLD.id, 'volunteer_id', OLD.volunteer_id, 'kind', OLD.kind, 'start_at', OLD.start_at,
			    'end_at', OLD.end_at, 'source', OLD.source), NULL);
END;

-- A reminder is sent once per credential expiry (a renewed credential, with another date, gets
-- its own). Credentials are a registry's children, rewritten whole by an update: the reminder is
-- keyed by what it was about, not by the child row's id.
CREATE TABLE credential_reminders (
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	expires_on TEXT NOT NULL,
	sms_id INTEGER,
	at INTEGER NOT NULL,
	PRIMARY KEY (volunteer_id, kind, expires_on)
) STRICT, WITHOUT ROWID;
