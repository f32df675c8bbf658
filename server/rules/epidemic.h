/* epidemic: reading the daily hospital figures per département that coordinators import (the
 * ARS / Santé publique France layout of schema/data/ars-occitanie-daily.csv: date,
 * departement_code, departement_name, hospitalised, intensive_care, discharged, deaths). Pure: the
 * CSV text in, typed rows out, or an rf_error naming the line, the column and the rule. Whether a
 * département exists and is the caller's is the service's to check (core/epidemic.c). */
#ifndef RENFORT_EPIDEMIC_H
#define RENFORT_EPIDEMIC_H

#include <stddef.h>

#include "error.h"

enum epidemic_figure { EPI_HOSPITALISED, EPI_INTENSIVE_CARE, EPI_DISCHARGED, EPI_DEATHS, EPI_NFIGURES };

#define EPIDEMIC_FIGURE_MAX 10000000LL
#define EPIDEMIC_ROWS_MAX 100000

struct epidemic_row {
	char day[11];                  /* YYYY-MM-DD */
	char dep[4];
	long long figure[EPI_NFIGURES]; /* -1: not given (a blank cell, or no such column) */
	long line;                      /* in the file */
};

/* The column name of a figure ("hospitalised", ...). */
const char *epidemic_figure_name(enum epidemic_figure f);

/* A calendar date YYYY-MM-DD (digits only, a real day of a year 2000 to 2099: bulletins). */
int epidemic_day_valid(const char *s);
/* A département code as INSEE writes them: two digits, 2A or 2B (the three-digit overseas ones
 * are not the region's). */
int epidemic_dep_valid(const char *s);

/* Reads the whole file: *rows (malloc'd, the caller frees it) and *n, or -1 with err set and
 * nothing returned: 400 invalid_csv (empty, malformed), 422 unknown_column (a column not of the
 * layout), 422 invalid_csv (a column missing or given twice, a row of the wrong width, a
 * département and day given twice), 422 invalid (a date, a département code, a figure), 413 (more
 * than EPIDEMIC_ROWS_MAX rows). */
int epidemic_csv_read(const char *data, size_t len, struct epidemic_row **rows, size_t *n, struct rf_error *err);

/* --- the figures as a signal for the forecast ------------------------------------------------------ */

/* The growth is read over the EPIDEMIC_GROWTH_DAYS days that end at a département's last day with a
 * hospitalised figure, when that day is at most EPIDEMIC_STALE_DAYS before today (Paris date): so the
 * figures of the last EPIDEMIC_GROWTH_DAYS + EPIDEMIC_STALE_DAYS days, today included, are all it needs. */
#define EPIDEMIC_GROWTH_DAYS 7
#define EPIDEMIC_STALE_DAYS 3
#define EPIDEMIC_GROWTH_MIN_POINTS 3

enum epidemic_signal {
	EPI_SIGNAL,   /* *growth is set */
	EPI_TOO_FEW,  /* fewer than EPIDEMIC_GROWTH_MIN_POINTS positive hospitalised figures in the window */
	EPI_STALE,    /* the last figure is older than EPIDEMIC_STALE_DAYS: the epidemic has moved on since */
};

/* The growth of one département's hospitalised patients (log per day): the least-squares slope of
 * ln(hospitalised) over the day, over the window above. rows: that département's figures, any order;
 * those without a hospitalised figure, or dated after today (Paris date of now), are not read, and a
 * zero is no point (its log is not a number: a département without patients says nothing of growth). */
enum epidemic_signal epidemic_growth(const struct epidemic_row *rows, size_t n, long long now, double *growth);

#endif
