# DCGAN_SANITIZE=ON: build every target with AddressSanitizer and UndefinedBehaviorSanitizer (errors are fatal).
#
# At -O1 (the level ASan's documentation recommends) with the debug information of DCGAN_SANITIZE_DEBUG, which comes
# after the build type's flags and so wins over their -g: -g1 by default, line tables, all a sanitizer report needs
# (every frame's function, file and line), with which GCC 14 compiles the precompiled LibTorch header 26% faster
# than with -g and units 4-35% faster (docs/testing.md); -g adds local variables for a debugger.
if(DCGAN_SANITIZE)
  set(DCGAN_SANITIZE_DEBUG -g1 CACHE STRING "Debug information of the sanitized build (-g1: line tables; -g: full)")
  set(DCGAN_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${DCGAN_SANITIZER_FLAGS} -O1 ${DCGAN_SANITIZE_DEBUG})
  add_link_options(${DCGAN_SANITIZER_FLAGS})
  message(STATUS "dcgan: building with ASan + UBSan (${DCGAN_SANITIZE_DEBUG})")
endif()
