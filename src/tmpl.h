/*
 * tmpl: string templates, the "{id}" and "{category}" of the configuration.
 *
 * One rule for every template: each occurrence of the key is replaced, left
 * to right, by the value as given (the caller escapes it first where a URL
 * needs it).  Pure function of libc.
 */
#ifndef FINEWSD_TMPL_H
#define FINEWSD_TMPL_H

/* TMPL with every KEY replaced by VAL; malloc'd, NULL without memory. */
char *tmpl_fill(const char *tmpl, const char *key, const char *val);

#endif
