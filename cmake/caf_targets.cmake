# Imported targets caf::core, caf::io and caf::openssl for CAF 0.17, for which
# Debian ships no CMake package. Used by this project's build and by the
# installed artifact_storeConfig.cmake; a target that already exists (from a
# parent project, or a CAF that does ship its package) is left as it is.
find_package(OpenSSL REQUIRED)
find_path(CAF_INCLUDE_DIR caf/config.hpp)
if(NOT CAF_INCLUDE_DIR)
  message(FATAL_ERROR "CAF 0.17 not found: install libcaf-dev")
endif()
foreach(component core io openssl)
  if(TARGET caf::${component})
    continue()
  endif()
  find_library(CAF_${component}_LIBRARY caf_${component})
  if(NOT CAF_${component}_LIBRARY)
    message(FATAL_ERROR "CAF 0.17 library caf_${component} not found: install libcaf-dev")
  endif()
  add_library(caf::${component} UNKNOWN IMPORTED)
  set_target_properties(caf::${component} PROPERTIES
    IMPORTED_LOCATION ${CAF_${component}_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR})
  if(component STREQUAL "io")
    set_property(TARGET caf::io APPEND PROPERTY INTERFACE_LINK_LIBRARIES caf::core)
  elseif(component STREQUAL "openssl")
    set_property(TARGET caf::openssl APPEND PROPERTY
      INTERFACE_LINK_LIBRARIES caf::io OpenSSL::SSL OpenSSL::Crypto)
  endif()
endforeach()
