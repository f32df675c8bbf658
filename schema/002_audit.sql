-- 002_audit: one trigger per write on every registry table, so no code path can skip the audit.
-- Generated once from the column lists below; edit by hand with the tables.

CREATE TRIGGER audit_structures_create AFTER INSERT ON structures BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'structure', NEW.id, NULL,
		NULL,
		json_object('id', NEW.id, 'name', NEW.name, 'category', NEW.category, 'legal_form', NEW.legal_form, 'finess', NEW.finess, 'commune', NEW.commune, 'dep', NEW.dep, 'lat', NEW.lat, 'lng', NEW.lng, 'capacity', NEW.capacity, 'occupancy', NEW.occupancy, 'staff', NEW.staff, 'status', NEW.status));
END;

CREATE TRIGGER audit_structures_update AFTER UPDATE ON structures
WHEN json_object('id', OLD.id, 'name', OLD.name, 'category', OLD.category, 'legal_form', OLD.legal_form, 'finess', OLD.finess, 'commune', OLD.commune, 'dep', OLD.dep, 'lat', OLD.lat, 'lng', OLD.lng, 'capacity', OLD.capacity, 'occupancy', OLD.occupancy, 'staff', OLD.staff, 'status', OLD.status) IS NOT json_object('id', NEW.id, 'name', NEW.name, 'category', NEW.category, 'legal_form', NEW.legal_form, 'finess', NEW.finess, 'commune', NEW.commune, 'dep', NEW.dep, 'lat', NEW.lat, 'lng', NEW.lng, 'capacity', NEW.capacity, 'occupancy', NEW.occupancy, 'staff', NEW.staff, 'status', NEW.status) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'structure', NEW.id, NULL,
		json_object('id', OLD.id, 'name', OLD.name, 'category', OLD.category, 'legal_form', OLD.legal_form, 'finess', OLD.finess, 'commune', OLD.commune, 'dep', OLD.dep, 'lat', OLD.lat, 'lng', OLD.lng, 'capacity', OLD.capacity, 'occupancy', OLD.occupancy, 'staff', OLD.staff, 'status', OLD.status),
		json_object('id', NEW.id, 'name', NEW.name, 'category', NEW.category, 'legal_form', NEW.legal_form, 'finess', NEW.finess, 'commune', NEW.commune, 'dep', NEW.dep, 'lat', NEW.lat, 'lng', NEW.lng, 'capacity', NEW.capacity, 'occupancy', NEW.occupancy, 'staff', NEW.staff, 'status', NEW.status));
END;

CREATE TRIGGER audit_structures_delete AFTER DELETE ON structures BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'structure', OLD.id, NULL,
		json_object('id', OLD.id, 'name', OLD.name, 'category', OLD.category, 'legal_form', OLD.legal_form, 'finess', OLD.finess, 'commune', OLD.commune, 'dep', OLD.dep, 'lat', OLD.lat, 'lng', OLD.lng, 'capacity', OLD.capacity, 'occupancy', OLD.occupancy, 'staff', OLD.staff, 'status', OLD.status),
		NULL);
END;

CREATE TRIGGER audit_structure_contacts_create AFTER INSERT ON structure_contacts BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'structure_contact', NEW.id, NEW.structure_id,
		NULL,
		json_object('id', NEW.id, 'structure_id', NEW.structure_id, 'name', NEW.name, 'phone', NEW.phone, 'lang', NEW.lang, 'role', NEW.role));
END;

CREATE TRIGGER audit_structure_contacts_update AFTER UPDATE ON structure_contacts
WHEN json_object('id', OLD.id, 'structure_id', OLD.structure_id, 'name', OLD.name, 'phone', OLD.phone, 'lang', OLD.lang, 'role', OLD.role) IS NOT json_object('id', NEW.id, 'structure_id', NEW.structure_id, 'name', NEW.name, 'phone', NEW.phone, 'lang', NEW.lang, 'role', NEW.role) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'structure_contact', NEW.id, NEW.structure_id,
		json_object('id', OLD.id, 'structure_id', OLD.structure_id, 'name', OLD.name, 'phone', OLD.phone, 'lang', OLD.lang, 'role', OLD.role),
		json_object('id', NEW.id, 'structure_id', NEW.structure_id, 'name', NEW.name, 'phone', NEW.phone, 'lang', NEW.lang, 'role', NEW.role));
END;

CREATE TRIGGER audit_structure_contacts_delete AFTER DELETE ON structure_contacts BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'structure_contact', OLD.id, OLD.structure_id,
		json_object('id', OLD.id, 'structure_id', OLD.structure_id, 'name', OLD.name, 'phone', OLD.phone, 'lang', OLD.lang, 'role', OLD.role),
		NULL);
END;

CREATE TRIGGER audit_depots_create AFTER INSERT ON depots BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'depot', NEW.id, NULL,
		NULL,
		json_object('id', NEW.id, 'name', NEW.name, 'level', NEW.level, 'commune', NEW.commune, 'dep', NEW.dep, 'lat', NEW.lat, 'lng', NEW.lng, 'phone', NEW.phone, 'status', NEW.status));
END;

CREATE TRIGGER audit_depots_update AFTER UPDATE ON depots
WHEN json_object('id', OLD.id, 'name', OLD.name, 'level', OLD.level, 'commune', OLD.commune, 'dep', OLD.dep, 'lat', OLD.lat, 'lng', OLD.lng, 'phone', OLD.phone, 'status', OLD.status) IS NOT json_object('id', NEW.id, 'name', NEW.name, 'level', NEW.level, 'commune', NEW.commune, 'dep', NEW.dep, 'lat', NEW.lat, 'lng', NEW.lng, 'phone', NEW.phone, 'status', NEW.status) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'depot', NEW.id, NULL,
		json_object('id', OLD.id, 'name', OLD.name, 'level', OLD.level, 'commune', OLD.commune, 'dep', OLD.dep, 'lat', OLD.lat, 'lng', OLD.lng, 'phone', OLD.phone, 'status', OLD.status),
		json_object('id', NEW.id, 'name', NEW.name, 'level', NEW.level, 'commune', NEW.commune, 'dep', NEW.dep, 'lat', NEW.lat, 'lng', NEW.lng, 'phone', NEW.phone, 'status', NEW.status));
END;

CREATE TRIGGER audit_depots_delete AFTER DELETE ON depots BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'depot', OLD.id, NULL,
		json_object('id', OLD.id, 'name', OLD.name, 'level', OLD.level, 'commune', OLD.commune, 'dep', OLD.dep, 'lat', OLD.lat, 'lng', OLD.lng, 'phone', OLD.phone, 'status', OLD.status),
		NULL);
END;

CREATE TRIGGER audit_items_create AFTER INSERT ON items BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'item', NEW.id, NULL,
		NULL,
		json_object('id', NEW.id, 'code', NEW.code, 'name', NEW.name, 'category', NEW.category, 'unit', NEW.unit, 'reusable', NEW.reusable, 'burn_per_worker_day', NEW.burn_per_worker_day, 'burn_per_patient_day', NEW.burn_per_patient_day, 'burn_per_bed_day', NEW.burn_per_bed_day));
END;

CREATE TRIGGER audit_items_update AFTER UPDATE ON items
WHEN json_object('id', OLD.id, 'code', OLD.code, 'name', OLD.name, 'category', OLD.category, 'unit', OLD.unit, 'reusable', OLD.reusable, 'burn_per_worker_day', OLD.burn_per_worker_day, 'burn_per_patient_day', OLD.burn_per_patient_day, 'burn_per_bed_day', OLD.burn_per_bed_day) IS NOT json_object('id', NEW.id, 'code', NEW.code, 'name', NEW.name, 'category', NEW.category, 'unit', NEW.unit, 'reusable', NEW.reusable, 'burn_per_worker_day', NEW.burn_per_worker_day, 'burn_per_patient_day', NEW.burn_per_patient_day, 'burn_per_bed_day', NEW.burn_per_bed_day) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'item', NEW.id, NULL,
		json_object('id', OLD.id, 'code', OLD.code, 'name', OLD.name, 'category', OLD.category, 'unit', OLD.unit, 'reusable', OLD.reusable, 'burn_per_worker_day', OLD.burn_per_worker_day, 'burn_per_patient_day', OLD.burn_per_patient_day, 'burn_per_bed_day', OLD.burn_per_bed_day),
		json_object('id', NEW.id, 'code', NEW.code, 'name', NEW.name, 'category', NEW.category, 'unit', NEW.unit, 'reusable', NEW.reusable, 'burn_per_worker_day', NEW.burn_per_worker_day, 'burn_per_patient_day', NEW.burn_per_patient_day, 'burn_per_bed_day', NEW.burn_per_bed_day));
END;

CREATE TRIGGER audit_items_delete AFTER DELETE ON items BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'item', OLD.id, NULL,
		json_object('id', OLD.id, 'code', OLD.code, 'name', OLD.name, 'category', OLD.category, 'unit', OLD.unit, 'reusable', OLD.reusable, 'burn_per_worker_day', OLD.burn_per_worker_day, 'burn_per_patient_day', OLD.burn_per_patient_day, 'burn_per_bed_day', OLD.burn_per_bed_day),
		NULL);
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

CREATE TRIGGER audit_volunteer_credentials_create AFTER INSERT ON volunteer_credentials BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'volunteer_credential', NEW.id, NEW.volunteer_id,
		NULL,
		json_object('id', NEW.id, 'volunteer_id', NEW.volunteer_id, 'kind', NEW.kind, 'reference', NEW.reference, 'expires_on', NEW.expires_on));
END;

CREATE TRIGGER audit_volunteer_credentials_update AFTER UPDATE ON volunteer_credentials
WHEN json_object('id', OLD.id, 'volunteer_id', OLD.volunteer_id, 'kind', OLD.kind, 'reference', OLD.reference, 'expires_on', OLD.expires_on) IS NOT json_object('id', NEW.id, 'volunteer_id', NEW.volunteer_id, 'kind', NEW.kind, 'reference', NEW.reference, 'expires_on', NEW.expires_on) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'volunteer_credential', NEW.id, NEW.volunteer_id,
		json_object('id', OLD.id, 'volunteer_id', OLD.volunteer_id, 'kind', OLD.kind, 'reference', OLD.reference, 'expires_on', OLD.expires_on),
		json_object('id', NEW.id, 'volunteer_id', NEW.volunteer_id, 'kind', NEW.kind, 'reference', NEW.reference, 'expires_on', NEW.expires_on));
END;

CREATE TRIGGER audit_volunteer_credentials_delete AFTER DELETE ON volunteer_credentials BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'volunteer_credential', OLD.id, OLD.volunteer_id,
		json_object('id', OLD.id, 'volunteer_id', OLD.volunteer_id, 'kind', OLD.kind, 'reference', OLD.reference, 'expires_on', OLD.expires_on),
		NULL);
END;

CREATE TRIGGER audit_tokens_create AFTER INSERT ON tokens BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'create', 'token', NEW.id, NULL,
		NULL,
		json_object('id', NEW.id, 'role', NEW.role, 'scope', NEW.scope, 'subject_id', NEW.subject_id, 'label', NEW.label, 'revoked_at', NEW.revoked_at));
END;

CREATE TRIGGER audit_tokens_update AFTER UPDATE ON tokens
WHEN json_object('id', OLD.id, 'role', OLD.role, 'scope', OLD.scope, 'subject_id', OLD.subject_id, 'label', OLD.label, 'revoked_at', OLD.revoked_at) IS NOT json_object('id', NEW.id, 'role', NEW.role, 'scope', NEW.scope, 'subject_id', NEW.subject_id, 'label', NEW.label, 'revoked_at', NEW.revoked_at) BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'update', 'token', NEW.id, NULL,
		json_object('id', OLD.id, 'role', OLD.role, 'scope', OLD.scope, 'subject_id', OLD.subject_id, 'label', OLD.label, 'revoked_at', OLD.revoked_at),
		json_object('id', NEW.id, 'role', NEW.role, 'scope', NEW.scope, 'subject_id', NEW.subject_id, 'label', NEW.label, 'revoked_at', NEW.revoked_at));
END;

CREATE TRIGGER audit_tokens_delete AFTER DELETE ON tokens BEGIN
	INSERT INTO audit(at, actor, actor_role, action, entity, entity_id, parent_id, before, after)
	VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'delete', 'token', OLD.id, NULL,
		json_object('id', OLD.id, 'role', OLD.role, 'scope', OLD.scope, 'subject_id', OLD.subject_id, 'label', OLD.label, 'revoked_at', OLD.revoked_at),
		NULL);
END;
