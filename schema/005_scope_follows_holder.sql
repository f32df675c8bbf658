-- 005_scope_follows_holder: a row's territory is its holder's, as the holder is now.
--
-- Alerts and SMS outbox rows keep a copy of a département (alerts.dep, sms_outbox.dep) because
-- everything reads it there: the scope of every read, the dep filter, the alert's JSON, its CAP
-- area, the events' dep, the duty officers an escalation calls, the one-open-alert index. When a
-- structure, depot or volunteer moves (its commune, hence its dep, changes), these triggers move
-- the copies in the same statement, so no code path can forget them (see DESIGN-NOTES, Scope).
--
-- What follows whom:
-- - alerts (open and resolved: the history belongs to the holder) follow their structure or depot;
-- - messages to a structure's contacts follow the structure (through the alert that caused them,
--   or the contact itself), messages to a volunteer follow the volunteer;
-- - messages to duty officers stay with the département whose officers were called, and messages
--   typed to a bare phone with the département of the coordinator who sent them: their recipient is
--   no row that moves.

CREATE TRIGGER structures_move_scope AFTER UPDATE OF dep ON structures
WHEN OLD.dep IS NOT NEW.dep BEGIN
	UPDATE alerts SET dep = NEW.dep WHERE holder_kind = 'structure' AND holder_id = NEW.id;
	UPDATE sms_outbox SET dep = NEW.dep WHERE recipient_kind = 'structure_contact'
		AND alert_id IN (SELECT id FROM alerts WHERE holder_kind = 'structure' AND holder_id = NEW.id);
	UPDATE sms_outbox SET dep = NEW.dep WHERE recipient_kind = 'structure_contact'
		AND recipient_id IN (SELECT id FROM structure_contacts WHERE structure_id = NEW.id);
END;

CREATE TRIGGER depots_move_scope AFTER UPDATE OF dep ON depots
WHEN OLD.dep IS NOT NEW.dep BEGIN
	UPDATE alerts SET dep = NEW.dep WHERE holder_kind = 'depot' AND holder_id = NEW.id;
END;

CREATE TRIGGER volunteers_move_scope AFTER UPDATE OF dep ON volunteers
WHEN OLD.dep IS NOT NEW.dep BEGIN
	UPDATE sms_outbox SET dep = NEW.dep WHERE recipient_kind = 'volunteer' AND recipient_id = NEW.id;
END;

-- The triggers find a holder's messages without reading the whole outbox (sms.outbox?alert_id=
-- uses the first index too). Messages are few next to stock reports: two index writes each.
CREATE INDEX sms_outbox_alert ON sms_outbox(alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX sms_outbox_recipient ON sms_outbox(recipient_kind, recipient_id) WHERE recipient_id IS NOT NULL;

-- Rows of holders that moved before this migration carry the old département: set them once.
-- (The audit trigger of alerts records changes of severity and status only: none is written here.)
UPDATE alerts SET dep = s.dep FROM structures s
	WHERE alerts.holder_kind = 'structure' AND s.id = alerts.holder_id AND alerts.dep IS NOT s.dep;
UPDATE alerts SET dep = d.dep FROM depots d
	WHERE alerts.holder_kind = 'depot' AND d.id = alerts.holder_id AND alerts.dep IS NOT d.dep;
UPDATE sms_outbox SET dep = a.dep FROM alerts a
	WHERE sms_outbox.recipient_kind = 'structure_contact' AND a.id = sms_outbox.alert_id AND sms_outbox.dep IS NOT a.dep;
UPDATE sms_outbox SET dep = c.dep FROM (SELECT sc.id, s.dep FROM structure_contacts sc JOIN structures s ON s.id = sc.structure_id) c
	WHERE sms_outbox.recipient_kind = 'structure_contact' AND c.id = sms_outbox.recipient_id AND sms_outbox.dep IS NOT c.dep;
UPDATE sms_outbox SET dep = v.dep FROM volunteers v
	WHERE sms_outbox.recipient_kind = 'volunteer' AND v.id = sms_outbox.recipient_id AND sms_outbox.dep IS NOT v.dep;
