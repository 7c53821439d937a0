/*
 * Unit tests of filter: PCRE2 patterns on UTF-8 titles (characters, not
 * bytes, whatever the locale), compile errors with their offset, and a
 * pathological pattern that gives up instead of stalling.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"

static int
matches(const char *pattern, const char *s)
{
	char err[256];
	struct filter *f = filter_compile(pattern, err, sizeof(err));
	int rc;

	if (f == NULL)
		fail_msg("%s: %s", pattern, err);
	rc = filter_match(f, s);
	filter_free(f);
	return rc;
}

static void
test_match(void **state)
{
	assert_int_equal(matches("专项债|国债", "5月新增专项债发行提速"), 1);
	assert_int_equal(matches("专项债|国债", "A股三大指数集体高开"), 0);
	/* A class and '.' are characters. */
	assert_int_equal(matches("^[沪深]市", "沪市成交额"), 1);
	assert_int_equal(matches("^[沪深]市", "港市成交额"), 0);
	assert_int_equal(matches("^.{3}$", "三个字"), 1);
	assert_int_equal(matches("(?i)^breaking", "BREAKING: x"), 1);
	assert_int_equal(matches("\\d+亿", "成交额1.2万亿"), 0);
	assert_int_equal(matches("\\d+万亿", "成交额12万亿"), 1);
	/* A title that is not UTF-8 matches nothing. */
	assert_int_equal(matches(".", "\xff"), 0);
}

static void
test_errors(void **state)
{
	char err[256];

	assert_null(filter_compile("(专项债", err, sizeof(err)));
	assert_string_equal(err, "bad regular expression (missing closing "
	    "parenthesis at offset 10)");
	assert_null(filter_compile("a{2,1}", err, sizeof(err)));
	assert_null(filter_compile("\xff", err, sizeof(err)));
	filter_free(NULL);
}

/* Catastrophic backtracking stops at the match limit: no match. */
static void
test_limit(void **state)
{
	char title[64];

	memset(title, 'a', sizeof(title) - 2);
	title[sizeof(title) - 2] = '!';
	title[sizeof(title) - 1] = '\0';
	assert_int_equal(matches("^(a+)+$", title), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
