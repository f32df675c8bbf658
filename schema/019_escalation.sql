-- 019_escalation: a critical alert nobody acknowledged goes up: after escalation_minutes to the
-- duty officers of its département (level 1), after twice that to the region's (level 2). One row
-- per alert and level sent, so that a level is sent once; its audit row puts it in the timeline.

CREATE TABLE alert_escalations (
	alert_id INTEGER NOT NULL REFERENCES alerts(id),
	level INTEGER NOT NULL CHECK (level = 1 OR level = 2),
	at INTEGER NOT NULL,
	PRIMARY KEY (alert_id, level)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER audit_alert_escalations_create AFTER INSERT ON alert_escalations BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'alert', NEW.alert_id,
		(SELECT holder_id FROM alerts WHERE id = NEW.alert_id),
		json_object('escalated', NULL), json_object('escalated', NEW.level));
END;
