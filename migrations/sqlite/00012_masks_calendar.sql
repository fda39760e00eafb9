-- +goose Up
-- Issue 10, finding 2: a stored ID mask showed the last 4 characters, inside the
-- 6-character identity check. Masks now keep at most the first 4 characters
-- (min(4, n-6) of n, never negative) and the rest is stars, as wide as the value
-- (app/pii MaskID). Every old mask kept at least that many leading characters in
-- clear, so cutting it there and padding with '*' gives exactly the new mask.
-- (proxy_id_masked is a display column of the otherwise immutable ballots.)
UPDATE owners SET id_masked =
    substr(id_masked, 1, max(0, min(4, length(id_masked) - 6))) ||
    substr('********************************', 1, length(id_masked) - max(0, min(4, length(id_masked) - 6)))
WHERE id_masked <> '';
UPDATE ballots SET proxy_id_masked =
    substr(proxy_id_masked, 1, max(0, min(4, length(proxy_id_masked) - 6))) ||
    substr('********************************', 1, length(proxy_id_masked) - max(0, min(4, length(proxy_id_masked) - 6)))
WHERE proxy_id_masked <> '';

-- Finding 10: the State Council's holiday notices loaded by the platform administrator
-- (app/calendar). The notices shipped in app/rules stay built in; a year loaded here
-- replaces the built-in one of the same year.
CREATE TABLE holiday_calendars (
    year INTEGER PRIMARY KEY,
    basis TEXT NOT NULL,
    loaded_by INTEGER NULL,
    loaded_by_name TEXT NOT NULL DEFAULT '',
    loaded_at DATETIME NOT NULL,
    FOREIGN KEY (loaded_by) REFERENCES users(id)
);

-- The year's days: 'rest' spans (statutory holidays with the days swapped into them)
-- and 'workday' make-up working days (date_from = date_to), dates as YYYY-MM-DD.
CREATE TABLE holiday_calendar_days (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    FOREIGN KEY (year) REFERENCES holiday_calendars(year),
    CONSTRAINT ck_holiday_calendar_days_kind CHECK (kind IN ('rest','workday'))
);
CREATE INDEX idx_holiday_calendar_days_year ON holiday_calendar_days(year);

-- +goose Down
DROP TABLE holiday_calendar_days;
DROP TABLE holiday_calendars;
-- The masks stay in their new form: the old one cannot be restored from a mask.
