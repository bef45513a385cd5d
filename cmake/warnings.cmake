# dcgan_warnings: the project's warning flags, applied to its own targets only.
add_library(dcgan_warnings INTERFACE)
target_compile_options(dcgan_warnings INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wpedantic)
