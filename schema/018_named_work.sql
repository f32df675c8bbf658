-- 018_named_work: who does the work of the coordination cell. An alert taken by a person ("I take
-- it") and the handover notes a shift leaves to the next. Side tables, not columns of alerts: the
-- alerts table is rebuilt by another migration, and neither is a figure of the alert itself.
--
-- The person is the token: each coordinator has their own, labelled with their name, and every
-- acknowledgement, resolution, assignment and note shows that label (the audit keeps its id).

CREATE TABLE alert_assignments (
	alert_id INTEGER PRIMARY KEY REFERENCES alerts(id),
	token_id INTEGER NOT NULL REFERENCES tokens(id),
	at INTEGER NOT NULL
) STRICT;

-- Taking or releasing an alert is part of its history (alerts.timeline reads the audit).
CREATE TRIGGER audit_alert_assignments_create AFTER INSERT ON alert_assignments BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'alert', NEW.alert_id,
		(SELECT holder_id FROM alerts WHERE id = NEW.alert_id),
		json_object('assigned_to', NULL), json_object('assigned_to', NEW.token_id));
END;

CREATE TRIGGER audit_alert_assignments_update AFTER UPDATE ON alert_assignments
WHEN OLD.token_id IS NOT NEW.token_id BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'alert', NEW.alert_id,
		(SELECT holder_id FROM alerts WHERE id = NEW.alert_id),
		json_object('assigned_to', OLD.token_id), json_object('assigned_to', NEW.token_id));
END;

CREATE TRIGGER audit_alert_assignments_delete AFTER DELETE ON alert_assignments BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'alert', OLD.alert_id,
		(SELECT holder_id FROM alerts WHERE id = OLD.alert_id),
		json_object('assigned_to', OLD.token_id), json_object('assigned_to', NULL));
END;

-- A note a shift leaves for the next one, for a territory: the region ('region') or a département.
-- Notes are never edited: a correction is a new note.
CREATE TABLE handovers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	territory TEXT NOT NULL,
	author INTEGER NOT NULL REFERENCES tokens(id),
	note TEXT NOT NULL,
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX handovers_territory ON handovers(territory, at);

CREATE TRIGGER audit_handovers_create AFTER INSERT ON handovers BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'handover', NEW.id, NULL, NULL,
		json_object('territory', NEW.territory, 'note', NEW.note));
END;
