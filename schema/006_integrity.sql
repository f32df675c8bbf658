-- 006_integrity: what issue 10's input hardening needs from the schema.

-- An incoming SMS whose gateway sent bytes that are not UTF-8 (a text in another charset) is kept,
-- with U+FFFD in place of each bad byte, and flagged here: sms.inbox says "invalid_utf8": true.
ALTER TABLE sms_inbox ADD COLUMN invalid_utf8 INTEGER NOT NULL DEFAULT 0 CHECK (invalid_utf8 = 0 OR invalid_utf8 = 1);

-- Volunteers' phone numbers are no longer unique in the whole region, only among the volunteers
-- the writer may read (a check in the store, in the writer's scope): a conflict with a row outside
-- the writer's scope told a départemental coordinator, or any volunteer changing their own
-- number, that the number belonged to someone somewhere (DESIGN-NOTES, "Scope"). SQLite cannot
-- drop a column's UNIQUE: the table is rebuilt, rows, ids and the AUTOINCREMENT mark kept (the
-- migration runs with foreign keys off, so that dropping the old table leaves the credentials
-- alone), and its indexes and audit triggers (those of 002_audit.sql) made again.
CREATE TABLE volunteers_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	first_name TEXT,
	last_name TEXT,
	phone TEXT,
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
INSERT INTO volunteers_new(id, first_name, last_name, phone, email, profession, skills, languages, home_commune, dep,
			   travel_radius_km, availability, sms_lang, consent_at, gender, status, created_at, updated_at)
	SELECT id, first_name, last_name, phone, email, profession, skills, languages, home_commune, dep,
	       travel_radius_km, availability, sms_lang, consent_at, gender, status, created_at, updated_at
	FROM volunteers;
-- ids are never reused: the new table starts where the old one stopped, even past its last row
INSERT INTO sqlite_sequence(name, seq)
	SELECT 'volunteers_new', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'volunteers_new');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'volunteers'), 0))
	WHERE name = 'volunteers_new';
DROP TABLE volunteers;
PRAGMA legacy_alter_table = ON;
ALTER TABLE volunteers_new RENAME TO volunteers;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX volunteers_dep ON volunteers(dep, id);
CREATE INDEX volunteers_profession ON volunteers(profession, id);
-- incoming SMS find their volunteers by phone
CREATE INDEX volunteers_phone ON volunteers(phone);
-- The triggers of the old table went with it: 005_scope_follows_holder's (h10-scope: a volunteer's
-- messages follow them when they move), as 005 writes it; then the audit's, as 002 writes them.
DROP TRIGGER IF EXISTS volunteers_move_scope;
CREATE TRIGGER volunteers_move_scope AFTER UPDATE OF dep ON volunteers
WHEN OLD.dep IS NOT NEW.dep BEGIN
	UPDATE sms_outbox SET dep = NEW.dep WHERE recipient_kind = 'volunteer' AND recipient_id = NEW.id;
END;
CREATE TRIGGER audit_volunteers_create AFTER INSERT ON volunteers BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'volunteer', NEW.id, NULL,
		NULL,
		json_object('id', NEW.id, 'first_name', NEW.first_name, 'last_name', NEW.last_name, 'phone', NEW.phone, 'email', NEW.email, 'profession', NEW.profession, 'skills', NEW.skills, 'languages', NEW.languages, 'home_commune', NEW.home_commune, 'dep', NEW.dep, 'travel_radius_km', NEW.travel_radius_km, 'availability', NEW.availability, 'sms_lang', NEW.sms_lang, 'consent_at', NEW.consent_at, 'gender', NEW.gender, 'status', NEW.status));
END;
CREATE TRIGGER audit_volunteers_update AFTER UPDATE ON volunteers
WHEN json_object('id', OLD.id, 'first_name', OLD.first_name, 'last_name', OLD.last_name, 'phone', OLD.phone, 'email', OLD.email, 'profession', OLD.profession, 'skills', OLD.skills, 'languages', OLD.languages, 'home_commune', OLD.home_commune, 'dep', OLD.dep, 'travel_radius_km', OLD.travel_radius_km, 'availability', OLD.availability, 'sms_lang', OLD.sms_lang, 'consent_at', OLD.consent_at, 'gender', OLD.gender, 'status', OLD.status) IS NOT json_object('id', NEW.id, 'first_name', NEW.first_name, 'last_name', NEW.last_name, 'phone', NEW.phone, 'email', NEW.email, 'profession', NEW.profession, 'skills', NEW.skills, 'languages', NEW.languages, 'home_commune', NEW.home_commune, 'dep', NEW.dep, 'travel_radius_km', NEW.travel_radius_km, 'availability', NEW.availability, 'sms_lang', NEW.sms_lang, 'consent_at', NEW.consent_at, 'gender', NEW.gender, 'status', NEW.status) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'volunteer', NEW.id, NULL,
		json_object('id', OLD.id, 'first_name', OLD.first_name, 'last_name', OLD.last_name, 'phone', OLD.phone, 'email', OLD.email, 'profession', OLD.profession, 'skills', OLD.skills, 'languages', OLD.languages, 'home_commune', OLD.home_commune, 'dep', OLD.dep, 'travel_radius_km', OLD.travel_radius_km, 'availability', OLD.availability, 'sms_lang', OLD.sms_lang, 'consent_at', OLD.consent_at, 'gender', OLD.gender, 'status', OLD.status),
		json_object('id', NEW.id, 'first_name', NEW.first_name, 'last_name', NEW.last_name, 'phone', NEW.phone, 'email', NEW.email, 'profession', NEW.profession, 'skills', NEW.skills, 'languages', NEW.languages, 'home_commune', NEW.home_commune, 'dep', NEW.dep, 'travel_radius_km', NEW.travel_radius_km, 'availability', NEW.availability, 'sms_lang', NEW.sms_lang, 'consent_at', NEW.consent_at, 'gender', NEW.gender, 'status', NEW.status));
END;
CREATE TRIGGER audit_volunteers_delete AFTER DELETE ON volunteers BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'volunteer', OLD.id, NULL,
		json_object('id', OLD.id, 'first_name', OLD.first_name, 'last_name', OLD.last_name, 'phone', OLD.phone, 'email', OLD.email, 'profession', OLD.profession, 'skills', OLD.skills, 'languages', OLD.languages, 'home_commune', OLD.home_commune, 'dep', OLD.dep, 'travel_radius_km', OLD.travel_radius_km, 'availability', OLD.availability, 'sms_lang', OLD.sms_lang, 'consent_at', OLD.consent_at, 'gender', OLD.gender, 'status', OLD.status),
		NULL);
END;
