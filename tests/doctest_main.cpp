// The one translation unit that holds doctest's runner; every test executable links it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

// The tests use doctest 2.4's API (TEST_CASE_TEMPLATE, CHECK_THROWS_WITH_AS, doctest::Contains).
static_assert(DOCTEST_VERSION_MAJOR == 2 && DOCTEST_VERSION_MINOR >= 4, "rnnlab's tests need doctest >= 2.4");
