# Tests for the Python tooling: report schema, validator and plotting.
# Included from tests/CMakeLists.txt:  include(${CMAKE_CURRENT_SOURCE_DIR}/python_tests.cmake)
#
# Uses Debian's interpreter explicitly (python3-jsonschema and python3-matplotlib are installed for it).
#
# Run as a script (cmake -DPLOT_OUT=DIR -DPLOT_STEMS=a,b -DPLOT_FORMATS=png,svg -DPLOT_HTML_STRINGS=x|y
# -DPLOT_MIN_FIGURES=N -P python_tests.cmake), this file instead checks a plot.py output directory: every
# STEM.FORMAT exists and is non-empty, index.html embeds at least N figures and contains every string.
if(CMAKE_SCRIPT_MODE_FILE)
  set(problems "")
  string(REPLACE "," ";" stems "${PLOT_STEMS}")
  string(REPLACE "," ";" formats "${PLOT_FORMATS}")
  foreach(stem IN LISTS stems)
    foreach(fmt IN LISTS formats)
      set(f "${PLOT_OUT}/${stem}.${fmt}")
      if(NOT EXISTS "${f}")
        list(APPEND problems "${f}: missing")
      else()
        file(SIZE "${f}" size)
        if(size EQUAL 0)
          list(APPEND problems "${f}: empty")
        endif()
      endif()
    endforeach()
  endforeach()
  set(index "${PLOT_OUT}/index.html")
  if(NOT EXISTS "${index}")
    list(APPEND problems "${index}: missing")
  else()
    file(READ "${index}" page)
    string(LENGTH "${page}" page_len)
    if(page_len EQUAL 0)
      list(APPEND problems "${index}: empty")
    endif()
    string(REGEX MATCHALL "<figure>" figures "${page}")
    list(LENGTH figures n_figures)
    if(n_figures LESS PLOT_MIN_FIGURES)
      list(APPEND problems "${index}: ${n_figures} figures, expected at least ${PLOT_MIN_FIGURES}")
    endif()
    string(REPLACE "|" ";" wanted "${PLOT_HTML_STRINGS}")
    foreach(text IN LISTS wanted)
      string(FIND "${page}" "${text}" at)
      if(at EQUAL -1)
        list(APPEND problems "${index}: does not contain \"${text}\"")
      endif()
    endforeach()
  endif()
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "plot output check failed:\n  ${text}")
  endif()
  message(STATUS "plot output OK: ${PLOT_OUT}")
  return()
endif()

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

# The committed reports (the reference run and the CI baseline) must stay valid as the schema evolves.
add_test(NAME schema_validates_committed_results
         COMMAND ${PUSHBENCH_PYTHON} ${PUSHBENCH_VALIDATE_REPORT} ${PUSHBENCH_REPORT_SCHEMA}
                 ${CMAKE_SOURCE_DIR}/results/full.json ${CMAKE_SOURCE_DIR}/results/baseline.json
                 ${CMAKE_SOURCE_DIR}/results/schedule.json ${CMAKE_SOURCE_DIR}/results/browser.json
                 ${CMAKE_SOURCE_DIR}/results/brokers.json ${CMAKE_SOURCE_DIR}/results/proxies.json
                 ${CMAKE_SOURCE_DIR}/results/idle_memory.json ${CMAKE_SOURCE_DIR}/results/delayed_acks.json)
set_tests_properties(schema_validates_committed_results PROPERTIES LABELS "python" TIMEOUT 120)

# The schema is closed: the sample report with one undeclared field (server.cpu_seconds beside
# cpu_s, as a rename would leave it) is rejected for exactly that field.
add_test(NAME schema_rejects_undeclared_field
         COMMAND ${PUSHBENCH_PYTHON} ${PUSHBENCH_VALIDATE_REPORT}
                 ${PUSHBENCH_REPORT_SCHEMA} ${PUSHBENCH_TEST_DATA}/renamed_field_report.json)
set_tests_properties(schema_rejects_undeclared_field PROPERTIES
  LABELS "python" TIMEOUT 60
  PASS_REGULAR_EXPRESSION "INVALID \\(1 error\\)[^\n]*\n[^\n]*server[^\n]*'cpu_seconds' was unexpected"
  FAIL_REGULAR_EXPRESSION "Traceback")

# The crafted bad report must be rejected as schema-invalid. Matching the output (rather than WILL_FAIL)
# makes sure the failure is a validation failure, not a crash or an unreadable file (those print
# "Traceback" / "ERROR" instead of "INVALID"); the exit status is ignored when a pass regex is set.
add_test(NAME schema_rejects_bad
         COMMAND ${PUSHBENCH_PYTHON} ${PUSHBENCH_VALIDATE_REPORT}
                 ${PUSHBENCH_REPORT_SCHEMA} ${PUSHBENCH_TEST_DATA}/bad_report.json)

# The plot model (scripts/pushbench_plot/model.py) on committed reports: figures read as written, and the
# schema_version fallbacks for a report that predates workload.subscriptions / server.rss_bytes_per_stream.
add_test(NAME plot_model_fallbacks
         COMMAND ${PUSHBENCH_PYTHON} ${CMAKE_SOURCE_DIR}/tests/plot_model_test.py)
set_tests_properties(plot_model_fallbacks PROPERTIES
  LABELS "python" TIMEOUT 60
  ENVIRONMENT "${PUSHBENCH_PYTHON_TEST_ENV}")

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

# plot.py on a real report (tests/data/plot_features_report.json, from `pushbench run --suite
# tests/data/plot_features_suite.json`) holding every newer field: SSE and WebSocket over HTTP/1.1 and HTTP/2
# (one also over TLS) at two subscription counts, compression on/off, find-max, chat over both HTTP versions,
# resume, the browser connection cap and slow consumers. check_plot_output.py checks the per-group and summary
# charts and the page; plot_features_charts then checks the charts that only such a report produces.
set(PUSHBENCH_PLOT_FEATURES_OUT ${CMAKE_BINARY_DIR}/tests/plot_features_out)
add_test(NAME plot_features
         COMMAND ${PUSHBENCH_PYTHON} ${CMAKE_SOURCE_DIR}/tests/check_plot_output.py
                 --plot ${PUSHBENCH_PLOT} --format png,svg
                 ${PUSHBENCH_TEST_DATA}/plot_features_report.json ${PUSHBENCH_PLOT_FEATURES_OUT})
# 14 groups + 4 summary charts + 5 charts from the newer fields
add_test(NAME plot_features_charts
         COMMAND ${CMAKE_COMMAND}
                 -DPLOT_OUT=${PUSHBENCH_PLOT_FEATURES_OUT}
                 -DPLOT_FORMATS=png,svg
                 -DPLOT_STEMS=latency_summary,throughput,wire_overhead,server_cost,scaling,multiplexing,memory_compression,max_rate,workloads
                 -DPLOT_MIN_FIGURES=23
                 "-DPLOT_HTML_STRINGS=HTTP version|TLS|TCP connections|server RSS/subscription|HTTP/2|find-max: max sustainable events/s|resume: reconnects|chat: message path|browser: subscriptions starved|slow clients: p99 latency|HTTP/1.1 vs HTTP/2 multiplexing|Max sustainable rate per transport|by transport and compression|vs subscriptions|Workloads: resume"
                 -P ${CMAKE_CURRENT_LIST_FILE})
# Several reports at once, old (sample) and new fields mixed: must not fail.
add_test(NAME plot_multi_report
         COMMAND ${PUSHBENCH_PYTHON} ${PUSHBENCH_PLOT}
                 ${PUSHBENCH_TEST_DATA}/sample_report.json ${PUSHBENCH_TEST_DATA}/plot_features_report.json
                 --out ${CMAKE_BINARY_DIR}/tests/plot_multi_out --format png)

set_tests_properties(plot_features PROPERTIES
  LABELS "python" TIMEOUT 300
  FIXTURES_SETUP plot_features_out
  ENVIRONMENT "${PUSHBENCH_PYTHON_TEST_ENV}")
set_tests_properties(plot_features_charts PROPERTIES
  LABELS "python" TIMEOUT 60
  FIXTURES_REQUIRED plot_features_out)
set_tests_properties(plot_multi_report PROPERTIES
  LABELS "python" TIMEOUT 300
  FAIL_REGULAR_EXPRESSION "Traceback"
  ENVIRONMENT "${PUSHBENCH_PYTHON_TEST_ENV}")
