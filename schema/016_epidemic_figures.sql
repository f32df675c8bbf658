-- 016_epidemic_figures: the daily hospital figures per département that coordinators import (issue
-- 14, part 3), as the ARS published them (the layout of schema/data/ars-occitanie-daily.csv). NULL
-- where the bulletin gave no figure (not 0: an unknown is not a count). One row per département and
-- day: a later import of the same day replaces it (the ARS corrected its bulletins).
CREATE TABLE epidemic_figures (
	dep TEXT NOT NULL REFERENCES departements(code),
	day TEXT NOT NULL,                -- YYYY-MM-DD
	hospitalised INTEGER,
	intensive_care INTEGER,
	discharged INTEGER,
	deaths INTEGER,
	imported_at INTEGER NOT NULL,     -- ms
	PRIMARY KEY (dep, day)
) WITHOUT ROWID;
