# `cmake --install`: the library, the public headers with the generated ones
# and the wire schema, the command and its systemd unit, a CMake package and
# a pkg-config file.
include(CMakePackageConfigHelpers)
set(ARTIFACT_STORE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/artifact_store)

install(TARGETS artifact_store EXPORT artifact_store_targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/artifact_store
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp" PATTERN "*.proto")
install(DIRECTORY ${ARTIFACTS_GENERATED_INCLUDE_DIR}/artifact_store
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
if(TARGET artifact_store_command)
  install(TARGETS artifact_store_command RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # The systemd unit of a node, naming the installed command.
  set(ARTIFACT_STORE_SERVICE_COMMAND ${CMAKE_INSTALL_FULL_BINDIR}/artifact-store)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/artifact-store.service.in
    ${PROJECT_BINARY_DIR}/artifact-store.service @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/artifact-store.service DESTINATION lib/systemd/system)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CHANGELOG.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The CMake package: find_package(artifact_store 0.2) and
# artifact_store::artifact_store. 0.x minor versions may change the C++ API
# (docs/compatibility.md), so only the same minor version is compatible.
if(ARTIFACT_STORE_LIBRARY_KIND STREQUAL "STATIC")
  set(ARTIFACT_STORE_STATIC ON)
else()
  set(ARTIFACT_STORE_STATIC OFF)
endif()
install(EXPORT artifact_store_targets NAMESPACE artifact_store::
  FILE artifact_storeTargets.cmake DESTINATION ${ARTIFACT_STORE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/artifact_storeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/artifact_storeConfig.cmake INSTALL_DESTINATION ${ARTIFACT_STORE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/artifact_storeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/artifact_storeConfig.cmake
  ${PROJECT_BINARY_DIR}/artifact_storeConfigVersion.cmake ${PROJECT_SOURCE_DIR}/cmake/caf_targets.cmake
  DESTINATION ${ARTIFACT_STORE_CMAKE_DIR})

# pkg-config: `pkg-config --cflags --libs artifact_store`. Debian ships no
# .pc file for CAF, so its libraries are named directly.
if(ARTIFACT_STORE_STATIC)
  set(ARTIFACT_STORE_PC_PRIVATE "Requires.private: libpqxx libpq sqlite3 prometheus-cpp-core")
else()
  set(ARTIFACT_STORE_PC_PRIVATE "")
endif()
# Relocatable: the prefix is found from the file's own place, so an install
# with `cmake --install --prefix P` anywhere is described correctly.
file(RELATIVE_PATH ARTIFACT_STORE_PC_TO_PREFIX
  ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" ARTIFACT_STORE_PC_TO_PREFIX "${ARTIFACT_STORE_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/artifact_store.pc.in
  ${PROJECT_BINARY_DIR}/artifact_store.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/artifact_store.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
