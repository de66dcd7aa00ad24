# `scripts/package`: a Debian package of the installed tree through CPack.
# Its run-time dependencies are computed from the binaries (dpkg-shlibdeps);
# building against the headers needs the -dev packages recommended here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME artifact-store)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "artifact-store developers")
set(CPACK_PACKAGE_CONTACT "artifact-store developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
  "libcaf-dev, libprotobuf-dev, libssl-dev, pkg-config, cmake")
set(CPACK_PACKAGE_DESCRIPTION "The shared library libartifact_store, its C++ headers under \
include/artifact_store, the artifacts.v1 wire schema, a CMake package, a pkg-config file \
and the artifact-store command.")
include(CPack)
