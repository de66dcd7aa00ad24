# Sanitizer and fuzz builds of the project's own tree (developers' builds;
# scripts/test and scripts/fuzz set them).

# Sanitizer builds: "address" (AddressSanitizer with UndefinedBehaviorSanitizer)
# or "thread" (ThreadSanitizer). Applies to every target, generated code too.
set(ARTIFACTS_SANITIZE "" CACHE STRING "Sanitizer build: empty, address or thread")
set_property(CACHE ARTIFACTS_SANITIZE PROPERTY STRINGS "" address thread)
if(ARTIFACTS_SANITIZE STREQUAL "address")
  set(ARTIFACTS_SANITIZER_FLAGS -fsanitize=address,undefined
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(ARTIFACTS_SANITIZE STREQUAL "thread")
  set(ARTIFACTS_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
  # protobuf 3.21's map_field.h gives MapFieldBase two extra members when
  # __SANITIZE_THREAD__ is defined. Debian's libprotobuf is built without
  # it, so google::protobuf::Struct (compiled into libprotobuf) and our
  # inline accessors would disagree on its layout and read its map at the
  # wrong offset. Undefining the macro keeps the library's layout; libstdc++
  # reads it only to set _GLIBCXX_TSAN, which is therefore set directly.
  # -g1: every report, suppressed ones included, is symbolised before it is
  # matched against tests/sanitizers/tsan.supp, and reading full debug
  # information took half the CPU time of a short test. Level 1 keeps what
  # a report shows: function names, inlined frames and line numbers.
  # ARTIFACTS_THREAD_SANITIZER is how the code knows the build (read by
  # scenarios/load_scale.hpp).
  set(ARTIFACTS_SANITIZER_COMPILE_FLAGS -U__SANITIZE_THREAD__ -D_GLIBCXX_TSAN=1 -g1
      -DARTIFACTS_THREAD_SANITIZER)
elseif(NOT ARTIFACTS_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ARTIFACTS_SANITIZE must be empty, address or thread")
endif()
if(ARTIFACTS_SANITIZER_FLAGS)
  add_compile_options(${ARTIFACTS_SANITIZER_FLAGS} ${ARTIFACTS_SANITIZER_COMPILE_FLAGS})
  add_link_options(${ARTIFACTS_SANITIZER_FLAGS})
endif()

# Fuzz build: libFuzzer targets under tests/fuzz (see scripts/fuzz). Clang
# only. Everything is compiled with coverage instrumentation, AddressSanitizer
# and UndefinedBehaviorSanitizer; only the fuzz executables link libFuzzer's
# main. The actor layer, scenarios, tests and the command are left out: the
# targets need only the wire schema and the storage layer.
option(ARTIFACTS_FUZZ "Build only the libFuzzer targets (clang)" OFF)
if(ARTIFACTS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ARTIFACTS_FUZZ needs clang (configure with CXX=clang++)")
  endif()
  if(ARTIFACTS_SANITIZER_FLAGS)
    message(FATAL_ERROR "ARTIFACTS_FUZZ brings its own sanitizers: leave ARTIFACTS_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
endif()

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Protobuf REQUIRED)
find_package(Catch2 REQUIRED)
find_package(SQLite3 REQUIRED)
