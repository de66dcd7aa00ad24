# The one library users link: libartifact_store, made of the parts built in
# messages/, migrations/, storage/ and actors/.
set(ARTIFACT_STORE_PARTS artifact_store_wire artifact_store_migrations artifact_store_storage)
if(TARGET artifact_store_actors)
  list(APPEND ARTIFACT_STORE_PARTS artifact_store_actors)
endif()
set(ARTIFACT_STORE_OBJECTS)
foreach(part IN LISTS ARTIFACT_STORE_PARTS)
  list(APPEND ARTIFACT_STORE_OBJECTS $<TARGET_OBJECTS:${part}>)
endforeach()

add_library(artifact_store ${ARTIFACT_STORE_LIBRARY_KIND} ${ARTIFACT_STORE_OBJECTS})
add_library(artifact_store::artifact_store ALIAS artifact_store)
target_include_directories(artifact_store PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${ARTIFACTS_GENERATED_INCLUDE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(artifact_store
  PUBLIC protobuf::libprotobuf caf::openssl caf::io caf::core Threads::Threads
  PRIVATE PkgConfig::PQXX PkgConfig::PQ OpenSSL::Crypto SQLite::SQLite3 prometheus-cpp::core)
set_target_properties(artifact_store PROPERTIES
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  EXPORT_NAME artifact_store)

# What the project's own tests, benchmark and command use besides the API:
# the internal headers and the libraries they name. Not installed.
add_library(artifact_store_internal INTERFACE)
target_include_directories(artifact_store_internal INTERFACE ${PROJECT_SOURCE_DIR})
target_link_libraries(artifact_store_internal INTERFACE artifact_store PkgConfig::PQXX PkgConfig::PQ
  OpenSSL::Crypto SQLite::SQLite3 prometheus-cpp::core)
