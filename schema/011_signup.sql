-- 011_signup: joining the reserve from the public sign-up page. A phone is confirmed by a code sent
-- to it by SMS (only its hash is kept; it expires, and is used once); requests of codes, sign-ups
-- and lost links are counted per phone and per address, to limit them. The volunteer signs up
-- "pending" (a status of volunteers, which have no CHECK on it): a coordinator of the département
-- validates their credentials (status "active") before they can be called.
CREATE TABLE signup_codes (
	phone TEXT PRIMARY KEY,
	code_hash TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE signup_requests (
	key TEXT NOT NULL,   -- "phone:+33639981301", "address:192.0.2.7"
	kind TEXT NOT NULL CHECK (kind = 'code' OR kind = 'signup' OR kind = 'link'),
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX signup_requests_key ON signup_requests(key, at);
