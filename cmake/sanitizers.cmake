# DCGAN_SANITIZE=ON: build every target with AddressSanitizer and UndefinedBehaviorSanitizer (errors are fatal).
if(DCGAN_SANITIZE)
  set(DCGAN_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${DCGAN_SANITIZER_FLAGS} -O1 -g)
  add_link_options(${DCGAN_SANITIZER_FLAGS})
  message(STATUS "dcgan: building with ASan + UBSan")
endif()
