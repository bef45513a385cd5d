# Installation and the Debian package. `cmake --install build --prefix PREFIX` puts dcgan (and dcgan-torch beside
# it, where the front looks) in PREFIX/bin, the shipped configs in PREFIX/share/dcgan/configs (where
# `dcgan train --config NAME` looks), the 256 MNIST images tiny.yaml names in PREFIX/share/dcgan/tests/data (its
# relative path starts beside the config), and README, LICENSE and docs/ in PREFIX/share/doc/dcgan.
# `cpack -G DEB` (in the build folder) packs the same under /usr, its dependencies found by dpkg-shlibdeps.
include(GNUInstallDirs)

# A LibTorch outside the system's folders (the wheel's) stays found from the installed binaries.
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH ON)

set(_dcgan_programs dcgan)
if(NOT DCGAN_TORCH_CLI STREQUAL "dcgan")
  list(APPEND _dcgan_programs ${DCGAN_TORCH_CLI})
endif()
install(TARGETS ${_dcgan_programs} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/dcgan/configs FILES_MATCHING PATTERN "*.yaml")
install(FILES tests/data/mnist/t10k-images-256-idx3-ubyte.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/dcgan/tests/data/mnist)
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
# report.html carries uPlot (MIT): its licence ships beside ours.
install(FILES src/report/assets/uplot/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME LICENSE.uPlot)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dcgan)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "The dcgan authors <dcgan@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Train Deep Convolutional GANs from the command line (LibTorch)")
set(CPACK_PACKAGE_DESCRIPTION "dcgan trains, samples and evaluates DCGANs (Radford et al. 2015) as the PyTorch \
tutorial does, from YAML configs; shipped configs are found by name (dcgan train --list-configs).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: the Debian packages that hold the linked libraries
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)  # quicker to build than xz for a few MB
include(CPack)
