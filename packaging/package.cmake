# The Debian package `seen` (docs/operations.md "Install"): cpack -G DEB
# in the build tree, or scripts/package.sh.  Installs only the two
# programs, the unit, the sysusers.d and tmpfiles.d entries, the man
# pages, the bash completion, the example configuration and the docs.
file(STRINGS ${CMAKE_SOURCE_DIR}/common/version.h SEEN_VERSION_LINE
  REGEX "define SEEN_VERSION ")
string(REGEX REPLACE ".*\"(.*)\".*" "\\1" SEEN_PKG_VERSION
  "${SEEN_VERSION_LINE}")
set(PKG ${CMAKE_SOURCE_DIR}/packaging)

install(TARGETS seen seen-node RUNTIME DESTINATION bin)
install(FILES ${PKG}/seen-node@.service DESTINATION /lib/systemd/system)
install(FILES ${PKG}/sysusers.conf DESTINATION lib/sysusers.d
  RENAME seen.conf)
install(FILES ${PKG}/tmpfiles.conf DESTINATION lib/tmpfiles.d
  RENAME seen.conf)
install(FILES ${PKG}/seen.bash-completion
  DESTINATION share/bash-completion/completions RENAME seen)
install(FILES ${PKG}/seen.conf.example DESTINATION /etc/seen)
install(FILES ${CMAKE_SOURCE_DIR}/README.md
  ${CMAKE_SOURCE_DIR}/docs/operations.md DESTINATION share/doc/seen)

# The man pages are written in mdoc (docs/man/), installed compressed as
# Debian's policy asks.
set(SEEN_MAN_OUT)
foreach(page seen.1 seen-node.8 seen.conf.5)
  string(REGEX REPLACE ".*\\." "" section ${page})
  set(out ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND gzip -9n < ${CMAKE_SOURCE_DIR}/docs/man/${page} > ${out}
    DEPENDS ${CMAKE_SOURCE_DIR}/docs/man/${page})
  list(APPEND SEEN_MAN_OUT ${out})
  install(FILES ${out} DESTINATION share/man/man${section})
endforeach()
add_custom_target(seen-man ALL DEPENDS ${SEEN_MAN_OUT})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME seen)
set(CPACK_PACKAGE_VERSION ${SEEN_PKG_VERSION})
set(CPACK_PACKAGE_CONTACT "Seen maintainers <seen@localhost>"
  CACHE STRING "The package's Maintainer field")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "federated record matching for child safeguarding")
set(CPACK_PACKAGE_DESCRIPTION
  "Seen lets the agencies that protect children see one child, and one\n\
perpetrator, across agency and local-authority boundaries, without\n\
pooling their records.  Each agency runs one node (seen-node, a systemd\n\
service per node: seen-node@NAME) and drives it with seen.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PKG}/postinst ${PKG}/prerm
  ${PKG}/postrm ${PKG}/conffiles)
include(CPack)
