# quench_library(NAME SOURCES ... DEPS ...): one small static library per module.
# quench_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary registered with CTest.
include(GoogleTest)

function(quench_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE quench_warnings)
endfunction()

function(quench_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock quench_warnings)
  target_compile_definitions(${name} PRIVATE
    QUENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}" QUENCH_SHARED_DATA="${QUENCH_SHARED_DATA}")
  set(labels unit ${ARG_LABELS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${labels}")
endfunction()
