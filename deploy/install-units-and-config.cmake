# Run by `cmake --install` (deploy/CMakeLists.txt sets the RENFORT_* variables just before): here
# CMAKE_INSTALL_PREFIX is the prefix of this install, and $ENV{DESTDIR} a staging root that file(INSTALL)
# adds by itself and that the paths written into the units must not contain.

# An installation directory as configured (relative: under the prefix) made absolute.
function(renfort_full_path out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

renfort_full_path(RENFORT_BINDIR "${RENFORT_INSTALL_BINDIR}")
renfort_full_path(RENFORT_CONFDIR "${RENFORT_INSTALL_SYSCONFDIR}/renfort")
renfort_full_path(RENFORT_DOCDIR "${RENFORT_INSTALL_DOCDIR}")
renfort_full_path(unitdir "${RENFORT_INSTALL_UNITDIR}")

foreach(unit renfortd.service renfortd-backup.service renfortd-backup.timer)
  set(dest "$ENV{DESTDIR}${unitdir}/${unit}")
  message(STATUS "Installing: ${dest}")
  file(READ "${RENFORT_DEPLOY_SOURCE_DIR}/${unit}.in" template)
  file(CONFIGURE OUTPUT "${dest}" CONTENT "${template}" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${dest}")
endforeach()

# 0640: the file holds secrets (gateway passwords); INSTALL.md gives it to root:renfort.
set(conf "$ENV{DESTDIR}${RENFORT_CONFDIR}/renfortd.conf")
if(EXISTS "${conf}")
  message(STATUS "Kept: ${conf} (the configuration in use; the new sample is ${RENFORT_DOCDIR}/renfortd.conf)")
else()
  file(INSTALL DESTINATION "${RENFORT_CONFDIR}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
       FILES "${RENFORT_DEPLOY_SOURCE_DIR}/renfortd.conf")
endif()
