# ccache as the compiler launcher. BASEDIR lets clones in other folders share hits; NOHASHDIR keeps the working
# directory out of the hash of units built with -g (the sanitizer pass), which would otherwise miss in every new
# clone (their debug info then names the folder of the clone that compiled them first); the sloppiness settings let
# it cache units built with a precompiled header.
if(DCGAN_USE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(DCGAN_CCACHE_PROGRAM ccache)
  if(DCGAN_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_NOHASHDIR=1
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        ${DCGAN_CCACHE_PROGRAM})
    message(STATUS "dcgan: compiling through ${DCGAN_CCACHE_PROGRAM}")
  endif()
endif()
