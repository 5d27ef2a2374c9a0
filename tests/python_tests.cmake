# Tests for the Python tooling: report schema, validator and plotting.
# Included from tests/CMakeLists.txt:  include(${CMAKE_CURRENT_SOURCE_DIR}/python_tests.cmake)
#
# Uses Debian's interpreter explicitly (python3-jsonschema and python3-matplotlib are installed for it).

set(PUSHBENCH_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python interpreter with jsonschema and matplotlib, used by the Python tooling tests")

set(PUSHBENCH_REPORT_SCHEMA ${CMAKE_SOURCE_DIR}/core/report.schema.json)
set(PUSHBENCH_VALIDATE_REPORT ${CMAKE_SOURCE_DIR}/scripts/validate_report.py)
set(PUSHBENCH_PLOT ${CMAKE_SOURCE_DIR}/scripts/plot.py)
set(PUSHBENCH_TEST_DATA ${CMAKE_SOURCE_DIR}/tests/data)
set(PUSHBENCH_PLOT_OUT ${CMAKE_BINARY_DIR}/tests/plot_sample_out)
# matplotlib wants a writable config/cache directory; HOME may not be writable under ctest.
set(PUSHBENCH_PYTHON_TEST_ENV "MPLCONFIGDIR=${CMAKE_BINARY_DIR}/tests/mplconfig" "MPLBACKEND=Agg")

# The sample report must satisfy the schema (exit status 0).
add_test(NAME schema_validates_sample
         COMMAND ${PUSHBENCH_PYTHON} ${PUSHBENCH_VALIDATE_REPORT}
                 ${PUSHBENCH_REPORT_SCHEMA} ${PUSHBENCH_TEST_DATA}/sample_report.json)

# The crafted bad report must be rejected as schema-invalid. Matching the output (rather than WILL_FAIL)
# makes sure the failure is a validation failure, not a crash or an unreadable file (those print
# "Traceback" / "ERROR" instead of "INVALID"); the exit status is ignored when a pass regex is set.
add_test(NAME schema_rejects_bad
         COMMAND ${PUSHBENCH_PYTHON} ${PUSHBENCH_VALIDATE_REPORT}
                 ${PUSHBENCH_REPORT_SCHEMA} ${PUSHBENCH_TEST_DATA}/bad_report.json)

# plot.py on the sample into a scratch directory, then check every PNG/SVG/HTML file it should write.
add_test(NAME plot_sample
         COMMAND ${PUSHBENCH_PYTHON} ${CMAKE_SOURCE_DIR}/tests/check_plot_output.py
                 --plot ${PUSHBENCH_PLOT} --format png,svg
                 ${PUSHBENCH_TEST_DATA}/sample_report.json ${PUSHBENCH_PLOT_OUT})

set_tests_properties(schema_validates_sample PROPERTIES LABELS "python" TIMEOUT 60)
set_tests_properties(schema_rejects_bad PROPERTIES
  LABELS "python" TIMEOUT 60
  PASS_REGULAR_EXPRESSION "bad_report\\.json: INVALID \\([0-9]+ errors?\\)"
  FAIL_REGULAR_EXPRESSION "Traceback")
set_tests_properties(plot_sample PROPERTIES
  LABELS "python" TIMEOUT 180
  ENVIRONMENT "${PUSHBENCH_PYTHON_TEST_ENV}")
