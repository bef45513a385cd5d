# Third-party packages: LibTorch (Debian's libtorch-dev, or the PyTorch wheel's with DCGAN_TORCH_FROM_PYTHON), OpenCV
# (optional: DCGAN_WITH_OPENCV), CLI11, spdlog/fmt, yaml-cpp, zlib, GoogleTest.
if(DCGAN_TORCH_FROM_PYTHON)
  # The wheel's CMake config enables CUDA when the wheel was built with it; that needs nvcc and Python.
  find_package(Python COMPONENTS Interpreter REQUIRED)
  execute_process(
    COMMAND ${Python_EXECUTABLE} -c "import torch; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE DCGAN_TORCH_PREFIX OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "DCGAN_TORCH_FROM_PYTHON: '${Python_EXECUTABLE} -c \"import torch\"' failed; install PyTorch "
                        "for that interpreter or point Python_EXECUTABLE at one that has it")
  endif()
  list(PREPEND CMAKE_PREFIX_PATH ${DCGAN_TORCH_PREFIX})
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND)
    # CUDA 12.9 and later ship no libnvToolsExt; torch's config falls back to CUDA::nvToolsExt when it cannot find
    # its bundled NVTX3. Point it at the toolkit's header-only nvtx3 instead.
    set(USE_SYSTEM_NVTX ON)
    if(NOT TARGET CUDA::nvToolsExt AND TARGET CUDA::nvtx3)
      add_library(CUDA::nvToolsExt INTERFACE IMPORTED)
      target_link_libraries(CUDA::nvToolsExt INTERFACE CUDA::nvtx3)
    endif()
  endif()
endif()
find_package(Torch REQUIRED)
if(Torch_VERSION VERSION_GREATER_EQUAL 2.12)
  set(CMAKE_CXX_STANDARD 20)  # ATen headers from 2.12/2.13 on require C++20
endif()

# CUDA code (graph capture) is compiled only when this LibTorch has CUDA.
set(DCGAN_WITH_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(DCGAN_WITH_CUDA ON)
endif()

if(DCGAN_WITH_OPENCV)
  find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
else()
  set(OpenCV_LIBS "")
  set(OpenCV_INCLUDE_DIRS "")
endif()
find_package(CLI11 QUIET CONFIG)
if(NOT CLI11_FOUND)
  find_path(DCGAN_CLI11_INCLUDE CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${DCGAN_CLI11_INCLUDE})
endif()
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)

# Torch's config exports a plain list; wrap it in one target whose headers are SYSTEM (no warnings from them).
# Linking through torch's own targets keeps libtorch_cuda.so (torch adds it with --no-as-needed).
if(NOT TARGET dcgan::torch)
  add_library(dcgan_torch INTERFACE)
  add_library(dcgan::torch ALIAS dcgan_torch)
  if(DCGAN_TORCH_FROM_PYTHON AND TARGET fmt::fmt)
    # The wheel bundles its own fmt headers (torch/include/fmt, a newer major version than spdlog was built with);
    # no torch header includes them. Search the fmt that spdlog links against first.
    get_target_property(DCGAN_FMT_INCLUDE fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
    target_include_directories(dcgan_torch SYSTEM INTERFACE ${DCGAN_FMT_INCLUDE})
  endif()
  target_include_directories(dcgan_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  target_link_libraries(dcgan_torch INTERFACE ${TORCH_LIBRARIES})
  target_compile_options(dcgan_torch INTERFACE ${TORCH_CXX_FLAGS})
  if(DCGAN_WITH_CUDA AND TARGET CUDA::cudart)
    target_link_libraries(dcgan_torch INTERFACE CUDA::cudart)
  endif()
endif()
message(STATUS "dcgan: LibTorch ${Torch_VERSION} from ${TORCH_INSTALL_PREFIX}; CUDA ${DCGAN_WITH_CUDA}; "
               "OpenCV ${DCGAN_WITH_OPENCV}; C++${CMAKE_CXX_STANDARD}")
