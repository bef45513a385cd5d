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
if(DCGAN_REQUIRE_CUDA AND NOT DCGAN_WITH_CUDA)
  message(FATAL_ERROR "DCGAN_REQUIRE_CUDA: the LibTorch found (${TORCH_INSTALL_PREFIX}, ${Torch_VERSION}) has no CUDA; "
                      "on Debian 13: libtorch-cuda-dev (bash scripts/debian13.sh --cuda makes a root with it)")
endif()

# Sets `result` (cached) to whether LibTorch's c10d header `header` compiles with `macro` defined and `includes`
# searched: a backend's header and the library headers found for it must come from matching versions.
function(dcgan_c10d_header_compiles header macro includes result)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS} ${includes})
  set(CMAKE_REQUIRED_DEFINITIONS -D${macro})
  set(CMAKE_REQUIRED_FLAGS "${TORCH_CXX_FLAGS} -std=c++${CMAKE_CXX_STANDARD}")
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # compile only: linking would need all of LibTorch
  check_cxx_source_compiles("#include <torch/csrc/distributed/c10d/${header}>
int main() { return 0; }" ${result})
endfunction()

# Distributed training (c10d): LibTorch ships the Gloo and NCCL process groups, but not always the headers of the
# libraries behind them. Gloo's come from Debian's libgloo-dev (the wheel may carry its own under torch/include).
set(DCGAN_WITH_NCCL OFF)
if(DCGAN_WITH_GLOO)
  find_path(DCGAN_GLOO_INCLUDE gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
  if(NOT DCGAN_GLOO_INCLUDE AND NOT DCGAN_TORCH_FROM_PYTHON)
    message(FATAL_ERROR "DCGAN_WITH_GLOO: gloo's headers (gloo/algorithm.h) were not found; on Debian: apt-get "
                        "install libgloo-dev (scripts/setup.sh does), or configure with -DDCGAN_WITH_GLOO=OFF")
  endif()
endif()
# The wheel ships no gloo headers; others (Debian's, via scripts/gpu-deps.sh) may predate the Gloo its
# ProcessGroupGloo.hpp was written against. Check that they compile together; if not, build without Gloo (the normal
# variable shadows the option for this configure).
if(DCGAN_WITH_GLOO AND DCGAN_TORCH_FROM_PYTHON)
  dcgan_c10d_header_compiles(ProcessGroupGloo.hpp USE_C10D_GLOO "${DCGAN_GLOO_INCLUDE}" DCGAN_GLOO_HEADERS_FIT)
  if(NOT DCGAN_GLOO_HEADERS_FIT)
    message(WARNING "dcgan: no gloo headers that fit this LibTorch's ProcessGroupGloo.hpp (found: "
                    "'${DCGAN_GLOO_INCLUDE}'); distributed training is built without Gloo")
    set(DCGAN_WITH_GLOO OFF)
  endif()
endif()
if(DCGAN_WITH_CUDA)
  set(_nccl_hints ${TORCH_INCLUDE_DIRS})
  if(DCGAN_TORCH_FROM_PYTHON)
    execute_process(
      COMMAND ${Python_EXECUTABLE} -c
              "import importlib.util as u; s = u.find_spec('nvidia.nccl'); print(list(s.submodule_search_locations)[0] + '/include')"
      OUTPUT_VARIABLE _nccl_py OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    list(APPEND _nccl_hints ${_nccl_py})
  endif()
  find_path(DCGAN_NCCL_INCLUDE nccl.h HINTS ${_nccl_hints} ${CUDAToolkit_INCLUDE_DIRS})
  find_path(DCGAN_C10D_NCCL_HEADER torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp HINTS ${TORCH_INCLUDE_DIRS})
  if(DCGAN_NCCL_INCLUDE AND DCGAN_C10D_NCCL_HEADER)
    dcgan_c10d_header_compiles(ProcessGroupNCCL.hpp USE_C10D_NCCL "${DCGAN_NCCL_INCLUDE};${CUDAToolkit_INCLUDE_DIRS}"
                               DCGAN_NCCL_HEADERS_FIT)
    if(DCGAN_NCCL_HEADERS_FIT)
      set(DCGAN_WITH_NCCL ON)
    else()
      message(WARNING "dcgan: ProcessGroupNCCL.hpp does not compile with the NCCL headers found; built without NCCL")
    endif()
  else()
    message(STATUS "dcgan: NCCL's headers not found; distributed CUDA runs use Gloo only")
  endif()
endif()

if(DCGAN_WITH_OPENCV)
  find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
  # JPEGs are decoded with libjpeg itself, so that its warnings about damaged data are seen (data/image_decode.h).
  find_package(JPEG REQUIRED)
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
find_package(nlohmann_json REQUIRED)  # report.html's data (report/html_report.cpp)

# libpng: PNG output (grid.cpp); without it PNGs go through OpenCV, and without both they fail with a message.
find_package(PNG QUIET)
set(DCGAN_WITH_PNG OFF)
if(PNG_FOUND)
  set(DCGAN_WITH_PNG ON)
endif()
# giflib: the animations (progress.gif, `sample --out walks.gif`); without it they fail with a message.
find_package(GIF QUIET)
set(DCGAN_WITH_GIF OFF)
if(GIF_FOUND)
  set(DCGAN_WITH_GIF ON)
endif()
# The LibTorch-free `dcgan sample` (plain_generator.cpp) needs CBLAS (Debian: libblas-dev's header; at run time
# libblas.so.3 is OpenBLAS, as for LibTorch), OpenMP and libpng. The wheel's machines lack some: built without it
# there, with a warning (the normal variable shadows the option for this configure).
if(DCGAN_PLAIN_SAMPLE)
  find_path(DCGAN_CBLAS_INCLUDE cblas.h PATH_SUFFIXES ${CMAKE_LIBRARY_ARCHITECTURE} openblas)
  find_library(DCGAN_CBLAS_LIBRARY NAMES blas openblas cblas)
  find_package(OpenMP QUIET COMPONENTS CXX)
  if(NOT DCGAN_CBLAS_INCLUDE OR NOT DCGAN_CBLAS_LIBRARY OR NOT OpenMP_CXX_FOUND OR NOT DCGAN_WITH_PNG)
    set(_why "CBLAS header '${DCGAN_CBLAS_INCLUDE}', CBLAS library '${DCGAN_CBLAS_LIBRARY}', OpenMP ${OpenMP_CXX_FOUND}, libpng ${DCGAN_WITH_PNG}")
    if(NOT DCGAN_TORCH_FROM_PYTHON)
      message(FATAL_ERROR "DCGAN_PLAIN_SAMPLE: missing dependencies (${_why}); on Debian: apt-get install "
                          "libblas-dev libpng-dev (scripts/setup.sh does), or configure with -DDCGAN_PLAIN_SAMPLE=OFF")
    endif()
    message(WARNING "dcgan: built without the LibTorch-free sample path (${_why})")
    set(DCGAN_PLAIN_SAMPLE OFF)
  endif()
endif()

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
  # PyTorch's wheels export the copies of libstdc++'s std::filesystem they link statically (pytorch#133437): a
  # binary that names libtorch before libstdc++ binds its own std::filesystem calls to those copies, a different
  # libstdc++ build than the one the rest of the process runs. libstdc++ named first, before any object, binds them
  # to the system's. Harmless with Debian's LibTorch, which exports no such copies; on for every build so the
  # Debian CI links with it too.
  target_link_options(dcgan_torch INTERFACE "LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state")
  target_link_libraries(dcgan_torch INTERFACE ${TORCH_LIBRARIES})
  target_compile_options(dcgan_torch INTERFACE ${TORCH_CXX_FLAGS})
  if(DCGAN_WITH_CUDA AND TARGET CUDA::cudart)
    target_link_libraries(dcgan_torch INTERFACE CUDA::cudart)
  endif()
endif()
message(STATUS "dcgan: LibTorch ${Torch_VERSION} from ${TORCH_INSTALL_PREFIX}; CUDA ${DCGAN_WITH_CUDA}; "
               "OpenCV ${DCGAN_WITH_OPENCV}; libpng ${DCGAN_WITH_PNG}; giflib ${DCGAN_WITH_GIF}; plain sample ${DCGAN_PLAIN_SAMPLE}; "
               "Gloo ${DCGAN_WITH_GLOO}; NCCL ${DCGAN_WITH_NCCL}; C++${CMAKE_CXX_STANDARD}")
