-- 006_integrity: what issue 10's input hardening needs from the schema.

-- An incoming SMS whose gateway sent bytes that are not UTF-8 (a text in another charset) is kept,
-- with U+FFFD in place of each bad byte, and flagged here: sms.inbox says "invalid_utf8": true.
ALTER TABLE sms_inbox ADD COLUMN invalid_utf8 INTEGER NOT NULL DEFAULT 0 CHECK (invalid_utf8 = 0 OR invalid_utf8 = 1);
