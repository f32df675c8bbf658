-- 007_outbox_cause: an outbox row names its cause as a kind and an id ("alert", 12), not only an
-- alert: a deployment call, an allocation or a reply to an incoming message is a cause too, and what
-- becomes of the message reaches the listeners of its cause's kind (core/outbox.c). alert_id becomes
-- (cause_kind, cause_id); the outbox is rebuilt because its alert_id was a foreign key to alerts,
-- which a cause of another kind cannot keep. Rows, ids and indexes are kept; the JSON of messages
-- and their events still says alert_id when the cause is an alert.

-- 005's trigger reads sms_outbox.alert_id: it is written again below.
DROP TRIGGER structures_move_scope;

CREATE TABLE sms_outbox_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL,
	kind TEXT NOT NULL,
	dep TEXT,
	recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('structure_contact', 'duty_officer', 'volunteer', 'phone')),
	recipient_id INTEGER,
	phone TEXT,
	lang TEXT NOT NULL DEFAULT 'fr',
	text TEXT,
	cause_kind TEXT CHECK ((cause_kind IS NULL) = (cause_id IS NULL)),
	cause_id INTEGER,
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	gateway TEXT,
	gateway_ref TEXT,
	updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO sms_outbox_new(id, created_at, kind, dep, recipient_kind, recipient_id, phone, lang, text, cause_kind,
			   cause_id, status, attempts, next_attempt_at, last_error, gateway, gateway_ref, updated_at)
	SELECT id, created_at, kind, dep, recipient_kind, recipient_id, phone, lang, text,
	       CASE WHEN alert_id IS NULL THEN NULL ELSE 'alert' END, alert_id, status, attempts, next_attempt_at,
	       last_error, gateway, gateway_ref, updated_at
	FROM sms_outbox;
-- the ids go on where they were (AUTOINCREMENT: never reused)
DELETE FROM sqlite_sequence WHERE name = 'sms_outbox_new';
INSERT INTO sqlite_sequence(name, seq) SELECT 'sms_outbox_new', seq FROM sqlite_sequence WHERE name = 'sms_outbox';
DROP TABLE sms_outbox;
PRAGMA legacy_alter_table = ON;
ALTER TABLE sms_outbox_new RENAME TO sms_outbox;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX sms_outbox_due ON sms_outbox(status, next_attempt_at);
CREATE INDEX sms_outbox_dep ON sms_outbox(dep, id);
CREATE INDEX sms_outbox_cause ON sms_outbox(cause_kind, cause_id) WHERE cause_id IS NOT NULL;
CREATE INDEX sms_outbox_recipient ON sms_outbox(recipient_kind, recipient_id) WHERE recipient_id IS NOT NULL;

CREATE TRIGGER structures_move_scope AFTER UPDATE OF dep ON structures
WHEN OLD.dep IS NOT NEW.dep BEGIN
	UPDATE alerts SET dep = NEW.dep WHERE holder_kind = 'structure' AND holder_id = NEW.id;
	UPDATE sms_outbox SET dep = NEW.dep WHERE recipient_kind = 'structure_contact' AND cause_kind = 'alert'
		AND cause_id IN (SELECT id FROM alerts WHERE holder_kind = 'structure' AND holder_id = NEW.id);
	UPDATE sms_outbox SET dep = NEW.dep WHERE recipient_kind = 'structure_contact'
		AND recipient_id IN (SELECT id FROM structure_contacts WHERE structure_id = NEW.id);
END;
