// How much load the heavy tests apply: all of it, or a smaller volume in
// the ThreadSanitizer build.
//
// ThreadSanitizer makes instrumented code many times slower, and every race
// it sees through CAF costs a symbolised report even when it is suppressed.
// Tests that exist for their volume (a flood of puts, many open/close
// cycles, many threads by many rounds, many random samples) therefore run a
// smaller volume in that build: each still checks the same behaviour, on
// less of it. Test names give the full volume. Bounds that only guard
// against a hang are longer there, and in the AddressSanitizer build
// (hang_bound).
//
// CMake defines ARTIFACTS_THREAD_SANITIZER when ARTIFACTS_SANITIZE is
// "thread"; the AddressSanitizer build is recognised by the compiler's own
// macros (GCC's __SANITIZE_ADDRESS__, clang's __has_feature).
#pragma once

#include <chrono>

#if defined(__SANITIZE_ADDRESS__)
#define ARTIFACTS_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARTIFACTS_ADDRESS_SANITIZER 1
#endif
#endif

namespace artifacts::scenarios {

#ifdef ARTIFACTS_THREAD_SANITIZER
inline constexpr bool thread_sanitizer_build = true;
#else
inline constexpr bool thread_sanitizer_build = false;
#endif

#ifdef ARTIFACTS_ADDRESS_SANITIZER
inline constexpr bool address_sanitizer_build = true;
#else
inline constexpr bool address_sanitizer_build = false;
#endif

// `full`, or `reduced` in the ThreadSanitizer build.
template <class T>
constexpr T load_volume(T full, T reduced) {
  return thread_sanitizer_build ? reduced : full;
}

// A bound on a wait that only catches a hang: `bound`, three times as long
// in the ThreadSanitizer build and twice as long in the AddressSanitizer
// build.
template <class Rep, class Period>
constexpr std::chrono::duration<Rep, Period> hang_bound(std::chrono::duration<Rep, Period> bound) {
  return thread_sanitizer_build ? bound * 3 : address_sanitizer_build ? bound * 2 : bound;
}

}  // namespace artifacts::scenarios
